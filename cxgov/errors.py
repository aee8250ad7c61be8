"""The domain's error tree.  Services raise these; only the API maps them to HTTP."""


class DomainError(Exception):
    """Base of every error a user can act on."""

    title = "Request refused"

    def __init__(self, detail, *, errors=None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.extra = extra


class NotFound(DomainError):
    title = "Not found"


class Forbidden(DomainError):
    title = "Forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (a uniqueness, a lifecycle move)."""

    title = "Conflict"


class InvalidTransition(Conflict):
    title = "Transition not allowed"


class RuleViolation(DomainError):
    """Well-formed input that breaks a business rule (422)."""

    title = "Rule violated"


class PreconditionFailed(DomainError):
    """The record changed since the client read it (stale If-Match)."""

    title = "Precondition failed"


class Busy(DomainError):
    """The database is momentarily locked; the client should retry."""

    title = "Service busy"
