"""flask-smorest's ``Api``, subclassed once: every error leaves as problem+json.

It registers one handler per kind of error (HTTP, domain, integrity, operational, anything
else) and documents problem+json responses, the bearer scheme and the pagination header in the
OpenAPI spec.  What status each error gets is decided in ``problems``.
"""
import http
import logging

import peewee
from apispec import BasePlugin
from flask import g
from flask_smorest import Api as _Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from cxgov import errors
from cxgov.api.extensions.problems import (
    PRECONDITION_HINTS, PROBLEM_JSON, ProblemSchema, flatten_webargs, is_connection_lost, is_locked, problem, status_for,
)

log = logging.getLogger("cxgov")


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
        for status in http.HTTPStatus:
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
            errors_map = flatten_webargs(errors_map)
        detail = data.get("message") or error.description
        if error.code in PRECONDITION_HINTS and detail == type(error).description:  # Werkzeug's generic text
            detail = PRECONDITION_HINTS[error.code]
        if error.code == 422 and errors_map:
            detail = "The request has invalid fields: " + ", ".join(sorted(map(str, errors_map)))
        if error.code == 500:
            log.exception("unexpected error (request %s)", getattr(g, "request_id", "-"))
        return problem(error.code, error.name, detail, errors_map, headers)

    def handle_domain_error(self, error):
        status = status_for(error)
        headers = {"Retry-After": "1"} if status == 503 else None
        return problem(status, error.title, error.detail, error.errors or None, headers, **error.extra)

    def handle_integrity_error(self, error):
        log.info("integrity error mapped to 409: %s", error)
        return problem(409, "Conflict", "The change conflicts with an existing record (a unique value is taken, "
                       "or a referenced record is missing or still in use).")

    def handle_operational_error(self, error):
        if is_locked(error):
            return problem(503, "Service busy", "The database is busy; retry shortly.", headers={"Retry-After": "1"})
        if is_connection_lost(error):
            log.warning("database connection lost (request %s): %s", getattr(g, "request_id", "-"), error)
            return problem(503, "Service unavailable", "The database connection was lost; retry shortly.",
                           headers={"Retry-After": "1"})
        return self.handle_unexpected(error)

    def handle_unexpected(self, error):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        log.exception("unexpected error (request %s)", getattr(g, "request_id", "-"))
        return problem(500, "Internal Server Error", "An unexpected error occurred; it has been logged.")
