"""Errors as RFC 9457 problem details (application/problem+json), and which status each is.

``problem()`` builds every error response the API sends; the rest classifies: a domain error
by its class (``DOMAIN_STATUS``), a database error by what the driver says (locked or
serialization failure → 503, lost connection → 503, anything else → a logged 500).
"""
import json

import marshmallow as ma
from flask import Response, g, request

from cxgov import errors

PROBLEM_JSON = "application/problem+json"


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


DOMAIN_STATUS = [
    (errors.NotFound, 404),
    (errors.Forbidden, 403),
    (errors.PreconditionFailed, 412),
    (errors.Conflict, 409),
    (errors.RuleViolation, 422),
    (errors.Busy, 503),
]


def status_for(exc):
    for cls, status in DOMAIN_STATUS:
        if isinstance(exc, cls):
            return status
    return 400


#: What a client does about a missing or stale If-Match (Werkzeug's own texts say neither).
PRECONDITION_HINTS = {
    428: "This change needs the record's ETag: GET the record and send its ETag in If-Match.",
    412: "The record changed since you read it; GET it again and send its new ETag in If-Match.",
}


def flatten_webargs(messages):
    """webargs nests by location ({"json": {...}}); keep field → messages."""
    if isinstance(messages, dict) and len(messages) == 1:
        (location, inner), = messages.items()
        if location in {"json", "query", "headers", "form", "files", "path"} and isinstance(inner, dict):
            return inner
    return messages


def is_locked(exc):
    text = str(exc).lower()
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "pgcode", None)
    return "database is locked" in text or "database table is locked" in text or code in {"40001", "40P01", "55P03"}


_CONNECTION_LOST = ("server closed the connection", "terminating connection", "connection already closed")


def is_connection_lost(exc):
    """The database connection broke (server restarted, backend terminated): the pool drops
    the connection, so the same request retried gets a new one.  Judged by the driver's
    message, not by the exception class: an InterfaceError is also what a programming error
    (say, binding an unsupported type) raises, and that must stay a logged 500."""
    text = str(exc).lower()
    return any(marker in text for marker in _CONNECTION_LOST)
