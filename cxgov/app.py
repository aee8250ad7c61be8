"""The application factory: defaults → CXGOV_* environment → mapping override."""
import logging
import os

from flask import Flask, g, jsonify

from cxgov import __version__
from cxgov.config import settings_from_environment
from cxgov.db import database, open_database


def create_app(config=None):
    """Build the app.  Nothing here connects to the database."""
    app = Flask("cxgov", instance_relative_config=True)
    settings = settings_from_environment()
    settings.update(config or {})
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "cxgov.db")
    app.config.update(settings)
    from cxgov.api import docs

    app.config.update(
        API_TITLE="cxgov",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="v1/openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=docs.ASSETS_URL,  # served by the app from swagger-ui-bundle, no CDN
        OPENAPI_SWAGGER_UI_CONFIG=docs.SWAGGER_UI_CONFIG,
        API_SPEC_OPTIONS={
            "info": {"description": "Governance of a customer-experience improvement portfolio. "
                                    "Money is integer minor units of " + settings["CURRENCY"] + ". "
                                    "Every error is application/problem+json, the server's own "
                                    "refusals included: a body over CXGOV_MAX_CONTENT_LENGTH "
                                    "(default 1 MiB) is 413 however it is framed; a request line "
                                    "and headers over 64 KiB are 431; malformed framing is 400; a "
                                    "transfer coding other than chunked is 501; a Content-Encoding "
                                    "other than identity is 415; a key given twice in a JSON "
                                    "object is 400."},
            "servers": [{"url": "/"}],
        },
        PAGINATION_MAX_PAGE_SIZE=100,
    )
    logging.getLogger("cxgov").setLevel(app.config["LOG_LEVEL"])

    db = open_database(app.config["DATABASE_URL"], pool_max_connections=app.config["POOL_MAX_CONNECTIONS"])
    database.initialize(db)
    _register_request_hooks(app)

    from cxgov.api import register_api

    register_api(app)
    return app


def _register_request_hooks(app):
    from cxgov.api.extensions.request_id import assign_request_id
    from cxgov.api.extensions.body import guard_request_body
    from cxgov.schema_version import pending_migrations
    from cxgov.errors import Busy

    state = {"schema_current": False}

    @app.before_request
    def _before():
        assign_request_id()
        g.db_opened = False
        guard_request_body()  # before anything reads the body: size however framed, codings

    @app.before_request
    def _require_current_schema():
        from flask import request

        if state["schema_current"] or request.path in {"/healthz"} or request.path.startswith("/api/docs") \
                or request.path == "/api/v1/openapi.json":
            return None
        pending = pending_migrations(database.obj)
        if pending:
            raise Busy(
                "The database schema is not current (pending: " + ", ".join(pending)
                + "). Run `cxgov db upgrade` against CXGOV_DATABASE_URL, then retry.")
        state["schema_current"] = True
        return None

    @app.after_request
    def _tag(response):
        rid = getattr(g, "request_id", None)
        if rid:
            response.headers["X-Request-ID"] = rid
        return response

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", version=__version__)

    @app.get("/readyz")
    def readyz():
        from cxgov.db import database as db

        db.execute_sql("SELECT 1")
        return jsonify(status="ready", database=type(db.obj).__name__)
