"""flask-smorest's ``Blueprint``, subclassed once: auth, record ETags, idempotency headers.

- ``login_required(*roles)``: a token (401) and one of ``roles`` (403), documented in the spec.
- Record ETags: a hash of the record's type, id and version (``set_record_etag``); a change
  runs ``precondition()`` on the record it read, so If-Match must name it (428 without, 412
  stale); the conditional UPDATE on ``version`` in the service is the real guard.
- ``idempotent``: the ``Idempotency-Key`` header of a creating POST; the store that replays
  or refuses is ``cxgov.services.idempotency``.
- ``id_path(name)``: a path segment for a positive 64-bit id.
"""
import functools
import hashlib
import json
import re

from flask import Response, g, request
from flask_smorest import Blueprint as _Blueprint
from flask_smorest.exceptions import PreconditionFailed as SmorestPreconditionFailed

from cxgov import errors
from cxgov.api.extensions.auth import auth
from cxgov.api.extensions.body import JSONBodyParser
from cxgov.api.extensions.fields import MAX_ID
from cxgov.services import idempotency

ID = f"<int(min=1, max={MAX_ID}):%s>"


def id_path(name):
    """A path segment for a positive 64-bit id (huge numbers 404 instead of overflowing)."""
    return ID % name


class Blueprint(_Blueprint):
    ARGUMENTS_PARSER = JSONBodyParser()

    def arguments(self, schema, **kwargs):
        """As flask-smorest's, with one schema instance per route: given a class, webargs
        builds a new instance for every request.  Loading keeps no state on the instance, so
        requests share it."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def login_required(self, *roles):
        """Require a token (401) and, when given, one of ``roles`` (403); documented."""

        def decorator(func):
            checked_role = auth.login_required(role=list(roles) or None)(func)

            @functools.wraps(func)
            def wrapped(*args, **kwargs):
                g.roles_allowed = roles  # named by the 403
                return checked_role(*args, **kwargs)

            wrapped = self.doc(security=[{"bearerAuth": []}])(wrapped)
            wrapped = self.alt_response(401, response="UNAUTHORIZED")(wrapped)
            return self.alt_response(403, response="FORBIDDEN")(wrapped)

        return decorator

    # ETags: a record's ETag is a hash of its type, id and version, so a
    # conditional UPDATE on the version column is the real precondition.
    @staticmethod
    def _etag_data(record):
        data = {"type": type(record).__name__, "id": record.id, "version": record.version}
        if hasattr(record, "locked"):  # a scoring model locks on first use without a new version
            data["locked"] = bool(record.locked)
        return data

    def set_record_etag(self, record):
        self.set_etag(self._etag_data(record))

    def precondition(self):
        """A callable the service runs on the record it read: If-Match must name it."""
        if request.if_match.star_tag:
            raise errors.PreconditionFailed(
                "If-Match: * is not accepted; GET the record and send its ETag in If-Match")

        def check(record):
            try:
                self.check_etag(self._etag_data(record))
            except SmorestPreconditionFailed:
                raise errors.PreconditionFailed(
                    f"{_record_name(record)} changed since you read it; GET it again and send its new ETag "
                    "in If-Match") from None

        return check

    def idempotent(self, func):
        """Honour ``Idempotency-Key`` on a creating POST (replay, or refuse a changed body)."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            key = request.headers.get("Idempotency-Key")
            if key is None:
                return func(*args, **kwargs)
            if not (1 <= len(key) <= 200) or not key.isprintable():
                raise errors.RuleViolation("Idempotency-Key must be 1–200 printable characters",
                                           errors={"Idempotency-Key": ["1–200 printable characters"]})
            outcome = idempotency.run_once(auth.current_user().id, key, _fingerprint(),
                                           lambda: func(*args, **kwargs), _stored)
            return _replayed(outcome) if isinstance(outcome, idempotency.Stored) else outcome

        doc = {"parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                               "description": "Retry-safe creation: the same key and body replays the first response",
                               "schema": {"type": "string", "minLength": 1, "maxLength": 200}}]}
        return self.doc(**doc)(wrapper)


def _fingerprint():
    """The request's method, path and body (JSON canonicalised), hashed."""
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw or b"null"), sort_keys=True).encode()
    except (ValueError, RecursionError):  # malformed: the argument parser answers 400
        canonical = raw
    return hashlib.sha256(request.method.encode() + request.path.encode() + b"\0" + canonical).hexdigest()


def _stored(response):
    return idempotency.Stored(response.status_code, response.get_data(as_text=True),
                              {k: v for k, v in response.headers.items() if k in {"ETag", "Location", "Content-Type"}})


def _replayed(stored):
    response = Response(stored.body, status=stored.status_code)
    for key, value in stored.headers.items():
        response.headers[key] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _record_name(record):
    """``Initiative`` 5 -> ``"initiative 5"``; ``ScoringModel`` 2 -> ``"scoring model 2"``."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(record).__name__).lower()
    return f"{words} {record.id}"
