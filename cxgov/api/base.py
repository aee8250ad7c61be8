"""flask-smorest, subclassed once: problem+json errors, bearer auth, ETags, idempotency.

Every resource module imports ``Blueprint``, ``Schema`` and friends from here,
never from flask_smorest directly.
"""
import functools
import hashlib
import json
import logging
import re
import uuid

import marshmallow as ma
import peewee
from apispec import BasePlugin
from flask import Response, g, request
from flask_httpauth import HTTPTokenAuth
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import Page
from flask_smorest.exceptions import PreconditionFailed as SmorestPreconditionFailed
from flask_smorest.utils import prepare_response
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest, HTTPException

from cxgov import errors
from cxgov.api import body
from cxgov.api.fields import MONEY_MAX, IsoDate, Money, MoneyOut, UtcDateTime  # noqa: F401 (schemas import them here)
from cxgov.db import write_transaction
from cxgov.models import IdempotencyKey
from cxgov.services import auth as auth_service
from cxgov.services.actor import Actor

log = logging.getLogger("cxgov")

PROBLEM_JSON = "application/problem+json"
MAX_ID = 9223372036854775807
ID = f"<int(min=1, max={MAX_ID}):%s>"


def id_path(name):
    """A path segment for a positive 64-bit id (huge numbers 404 instead of overflowing)."""
    return ID % name


# --------------------------------------------------------------------------- errors
class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, with per-field messages in ``errors``."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    instance = ma.fields.String()
    errors = ma.fields.Dict()
    request_id = ma.fields.String()


def problem(status, title, detail=None, errors_map=None, headers=None, **extra):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors_map:
        body["errors"] = errors_map
    body["instance"] = request.path if request else None
    rid = getattr(g, "request_id", None)
    if rid:
        body["request_id"] = rid
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


_DOMAIN_STATUS = [
    (errors.NotFound, 404),
    (errors.Forbidden, 403),
    (errors.PreconditionFailed, 412),
    (errors.Conflict, 409),
    (errors.RuleViolation, 422),
    (errors.Busy, 503),
]


def _status_for(exc):
    for cls, status in _DOMAIN_STATUS:
        if isinstance(exc, cls):
            return status
    return 400


#: What a client does about a missing or stale If-Match (Werkzeug's own texts say neither).
PRECONDITION_HINTS = {
    428: "This change needs the record's ETag: GET the record and send its ETag in If-Match.",
    412: "The record changed since you read it; GET it again and send its new ETag in If-Match.",
}


def _flatten_webargs(messages):
    # webargs nests by location ({"json": {...}}); keep field → messages.
    if isinstance(messages, dict) and len(messages) == 1:
        (location, inner), = messages.items()
        if location in {"json", "query", "headers", "form", "files", "path"} and isinstance(inner, dict):
            return inner
    return messages


def _is_locked(exc):
    text = str(exc).lower()
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "pgcode", None)
    return "database is locked" in text or "database table is locked" in text or code in {"40001", "40P01", "55P03"}


_CONNECTION_LOST = ("server closed the connection", "terminating connection", "connection already closed")


def _is_connection_lost(exc):
    """The database connection broke (server restarted, backend terminated): the pool drops
    the connection, so the same request retried gets a new one.  Judged by the driver's
    message, not by the exception class: an InterfaceError is also what a programming error
    (say, binding an unsupported type) raises, and that must stay a logged 500."""
    text = str(exc).lower()
    return any(marker in text for marker in _CONNECTION_LOST)


class SpecDefaults(BasePlugin):
    """Every operation documents the problem+json default error and the bearer scheme."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("default", "DEFAULT_ERROR")


class Api(_Api):
    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, **kwargs):
        kwargs.setdefault("spec_kwargs", {}).setdefault("extra_plugins", [SpecDefaults()])
        super().__init__(app, **kwargs)

    def init_app(self, app, **kwargs):
        super().init_app(app, **kwargs)
        self.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer", "description": "An API token: `Bearer cxg_…`"}
        )
        app.register_error_handler(errors.DomainError, self.handle_domain_error)
        app.register_error_handler(peewee.IntegrityError, self.handle_integrity_error)
        app.register_error_handler(peewee.OperationalError, self.handle_operational_error)
        app.register_error_handler(peewee.InterfaceError, self.handle_operational_error)
        app.register_error_handler(Exception, self.handle_unexpected)

    def _register_responses(self):
        for status in __import__("http").HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (RFC 9457 problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_pagination_header(self):
        # The header carries JSON text, so the spec describes it as JSON content (OpenAPI 3:
        # a header's `content`), not as an object `schema`, which would mean "k,v,k,v" style.
        from flask_smorest.pagination import PaginationMetadataSchema

        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata (JSON)",
            "content": {"application/json": {"schema": PaginationMetadataSchema}},
        }, lazy=True)

    def handle_http_exception(self, error):
        data = getattr(error, "data", None) or {}
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        headers.update(data.get("headers") or {})
        errors_map = data.get("errors") or data.get("messages")
        if errors_map is not None:
            errors_map = _flatten_webargs(errors_map)
        detail = data.get("message") or error.description
        if error.code in PRECONDITION_HINTS and detail == type(error).description:  # Werkzeug's generic text
            detail = PRECONDITION_HINTS[error.code]
        if error.code == 422 and errors_map:
            detail = "The request has invalid fields: " + ", ".join(sorted(map(str, errors_map)))
        if error.code == 500:
            log.exception("unexpected error (request %s)", getattr(g, "request_id", "-"))
        return problem(error.code, error.name, detail, errors_map, headers)

    def handle_domain_error(self, error):
        status = _status_for(error)
        headers = {"Retry-After": "1"} if status == 503 else None
        return problem(status, error.title, error.detail, error.errors or None, headers, **error.extra)

    def handle_integrity_error(self, error):
        log.info("integrity error mapped to 409: %s", error)
        return problem(409, "Conflict", "The change conflicts with an existing record (a unique value is taken, "
                       "or a referenced record is missing or still in use).")

    def handle_operational_error(self, error):
        if _is_locked(error):
            return problem(503, "Service busy", "The database is busy; retry shortly.", headers={"Retry-After": "1"})
        if _is_connection_lost(error):
            log.warning("database connection lost (request %s): %s", getattr(g, "request_id", "-"), error)
            return problem(503, "Service unavailable", "The database connection was lost; retry shortly.",
                           headers={"Retry-After": "1"})
        return self.handle_unexpected(error)

    def handle_unexpected(self, error):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        log.exception("unexpected error (request %s)", getattr(g, "request_id", "-"))
        return problem(500, "Internal Server Error", "An unexpected error occurred; it has been logged.")


# --------------------------------------------------------------------------- query strings
def refuse_unknown_query_parameters(app, api):
    """An unknown query parameter is a 422 naming it, on every /api/v1 route, as an unknown body
    field is: webargs drops unknown query parameters silently, so ``?pagesize=10`` or
    ``?stauts=approved`` answered as if not given.  What a route accepts is what its OpenAPI
    operation documents (its query schema, pagination), read from the spec once per process."""
    allowed = {}

    def _allowed_map():
        from flask_smorest.spec.plugins import FlaskPlugin

        paths = api.spec.to_dict().get("paths", {})
        found = {}
        for rule in app.url_map.iter_rules():
            operations = paths.get(FlaskPlugin.flaskpath2openapi(rule.rule), {})
            shared = [p for p in operations.get("parameters", []) if isinstance(p, dict)]
            for method, operation in operations.items():
                if method == "parameters" or not isinstance(operation, dict):
                    continue
                names = {p["name"] for p in shared + operation.get("parameters", [])
                         if isinstance(p, dict) and p.get("in") == "query"}
                found[(rule.rule, method.upper())] = frozenset(names)
        return found

    def _verdict(rule, method, names):
        if not allowed:
            allowed.update(_allowed_map())
        known = allowed.get((rule, "GET" if method == "HEAD" else method))
        if known is None:  # OPTIONS, or a route outside the spec
            return (), ()
        return tuple(sorted(set(names) - known)), known

    @app.before_request
    def _refuse_unknown_query():
        rule = request.url_rule
        if not request.args or rule is None or not rule.rule.startswith("/api/v1/"):
            return None
        verdict = _verdict(rule.rule, request.method, request.args)
        unknown, known = verdict
        if not unknown:
            return None
        takes = ", ".join(sorted(known)) or "none"
        return problem(422, "Unprocessable Entity",
                       f"Unknown query parameter(s): {', '.join(unknown)} (this endpoint takes: {takes}).",
                       {name: ["Unknown query parameter."] for name in unknown})


# --------------------------------------------------------------------------- auth
auth = HTTPTokenAuth(scheme="Bearer")


@auth.verify_token
def _verify_token(token):
    return auth_service.user_for_token(token)


@auth.get_user_roles
def _user_roles(user):
    g.auth_role = user.role  # for the 403's message
    return [user.role]


@auth.error_handler
def _auth_error(status):
    if status == 401:
        return problem(401, "Unauthorized", "A valid bearer token is required (Authorization: Bearer cxg_…).")
    allowed = list(g.get("roles_allowed") or ())
    if not allowed:
        return problem(403, "Forbidden", "Your role may not perform this action.")
    return problem(403, "Forbidden", f"Your role ({g.get('auth_role')}) may not perform this action; "
                   f"it is open to: {', '.join(allowed)}.", roles_allowed=allowed)


def current_actor():
    user = auth.current_user()
    return Actor(user_id=user.id, email=user.email, role=user.role, team_id=user.team_id,
                 request_id=getattr(g, "request_id", None))


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def assign_request_id():
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex


# --------------------------------------------------------------------------- blueprint
class JSONBodyParser(FlaskParser):
    """webargs' Flask parser with one JSON loader for every body (see ``_raw_load_json``)."""

    def _raw_load_json(self, req):
        """Every JSON body of every endpoint is loaded here.  Malformed JSON is a 400 however it
        is malformed: webargs turns a JSONDecodeError into one, but nesting deeper than the
        recursion limit (RecursionError) or an integer literal over Python's 4,300 digits
        (ValueError) escaped as a 500.  A key given twice in one object, at any depth, is a 400
        naming it (Python's json would keep the last one)."""
        if not is_json_request(req):
            return webargs_core.missing
        try:
            return body.loads(req.get_data(cache=True).decode("utf-8"))
        except body.DuplicateKey as exc:
            raise BadRequest(str(exc)) from exc
        except (RecursionError, ValueError) as exc:
            if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
                raise  # webargs' load_json makes these its 400
            return self._handle_invalid_json_error(json.JSONDecodeError(str(exc), "", 0), req)


class Blueprint(_Blueprint):
    ARGUMENTS_PARSER = JSONBodyParser()

    def arguments(self, schema, **kwargs):
        """As flask-smorest's, with one schema instance per route: given a class, webargs
        builds a new instance for every request (a tenth of a cached GET's time).  Loading
        keeps no state on the instance, so requests share it."""
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
            user_id = auth.current_user().id
            raw = request.get_data(cache=True)
            try:
                canonical = json.dumps(json.loads(raw or b"null"), sort_keys=True).encode()
            except (ValueError, RecursionError):  # malformed: the argument parser answers 400
                canonical = raw
            fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + b"\0" + canonical).hexdigest()
            for _attempt in range(3):
                with write_transaction():
                    existing = IdempotencyKey.get_or_none(
                        (IdempotencyKey.user == user_id) & (IdempotencyKey.key == key))
                    if existing is not None:
                        return _replay(existing, fingerprint)
                    try:
                        with write_transaction():  # a savepoint around the claim alone
                            claim = IdempotencyKey.create(user=user_id, key=key, fingerprint=fingerprint)
                    except peewee.IntegrityError:
                        continue  # another request claimed the key first: read it again and replay
                    # the operation's own errors (a 409 for a duplicate, say) pass through as they are
                    response = func(*args, **kwargs)
                    claim.status_code = response.status_code
                    claim.response_body = response.get_data(as_text=True)
                    claim.response_headers = json.dumps(
                        {k: v for k, v in response.headers.items() if k in {"ETag", "Location", "Content-Type"}})
                    claim.save()
                    return response
            raise errors.Conflict("a request with this Idempotency-Key is still in flight; retry shortly")

        doc = {"parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                               "description": "Retry-safe creation: the same key and body replays the first response",
                               "schema": {"type": "string", "minLength": 1, "maxLength": 200}}]}
        return self.doc(**doc)(wrapper)


def _record_name(record):
    """``Initiative`` 5 -> ``"initiative 5"``; ``ScoringModel`` 2 -> ``"scoring model 2"``."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(record).__name__).lower()
    return f"{words} {record.id}"


def _replay(existing, fingerprint):
    if existing.fingerprint != fingerprint:
        raise errors.RuleViolation("this Idempotency-Key was used with a different request body",
                                   errors={"Idempotency-Key": ["already used with another body"]})
    if existing.status_code is None:
        raise errors.Conflict("a request with this Idempotency-Key is still in flight; retry shortly")
    response = Response(existing.response_body, status=existing.status_code)
    for key, value in json.loads(existing.response_headers or "{}").items():
        response.headers[key] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


# --------------------------------------------------------------------------- schemas
class Schema(ma.Schema):
    """Unknown fields are refused; nothing is silently dropped."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


def StrictInt(lo=None, hi=None, **kwargs):
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(lo, hi), **kwargs)


def Id(**kwargs):
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_ID), **kwargs)


def QueryInt(lo=1, hi=MAX_ID, **kwargs):
    """An integer query-string argument (text to parse, so not strict)."""
    return ma.fields.Integer(validate=ma.validate.Range(lo, hi), **kwargs)


class CleanString(ma.fields.String):
    """Text a database can store: no NUL character (PostgreSQL refuses it) and no lone
    surrogate (JSON allows ``"\\ud800"``, UTF-8 cannot encode it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ma.ValidationError("must not contain the NUL character")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ma.ValidationError("must be valid Unicode text (no lone surrogates)") from exc
        return text


def Text(max_length, min_length=1, **kwargs):
    return CleanString(validate=ma.validate.Length(min_length, max_length), **kwargs)


class StrictFloat(ma.fields.Float):
    """A JSON number only: "2.5" and true are refused, not converted."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBool(ma.fields.Boolean):
    """A JSON true or false only: "yes", 1 and "true" are refused, not converted.  (Query-string
    flags stay ``ma.fields.Boolean``: there every value is text.)"""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def Number(lo=None, hi=None, *, min_inclusive=True, **kwargs):
    """A finite JSON number (NaN and Infinity refused, text refused) within [lo, hi] (or (lo, hi]
    with min_inclusive=False)."""
    return StrictFloat(allow_nan=False, validate=ma.validate.Range(lo, hi, min_inclusive=min_inclusive), **kwargs)


class PeeweePage(Page):
    """Paginate a peewee query with COUNT + LIMIT/OFFSET."""

    @property
    def item_count(self):
        return self.collection.count()

    @property
    def items(self):
        if (self.page_params.page - 1) * self.page_params.page_size > MAX_ID:
            return []  # past any row; the database could not even take this OFFSET (a 500 before)
        return list(self.collection.paginate(self.page_params.page, self.page_params.page_size))


def apply_sort(query, model, sort, allowed):
    if not sort:
        return query.order_by(model.id)
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in allowed:
        raise errors.RuleViolation(f"cannot sort by {name!r}", errors={"sort": [f"one of {', '.join(allowed)}"]})
    field = getattr(model, name)
    return query.order_by(field.desc() if descending else field.asc(), model.id)


def sort_field(allowed):
    choices = list(allowed) + ["-" + a for a in allowed]
    return ma.fields.String(validate=ma.validate.OneOf(choices), metadata={"description": "field, or -field for descending"})
