"""The REST API under /api/v1: one package per resource, registered in this order."""
import datetime as dt
import importlib

from flask.json.provider import DefaultJSONProvider

from cxgov.api.base import Api, refuse_unknown_query_parameters
from cxgov.api.docs import register_docs_assets

RESOURCES = [
    "users", "tokens", "teams", "partners", "metrics", "objectives", "scoring_models", "rounds", "board", "rankings", "initiatives", "reports", "closed_loop", "audit",
]


class IsoJSONProvider(DefaultJSONProvider):
    """Dates as YYYY-MM-DD and times as ISO 8601 in UTC wherever a body holds one that no schema
    field formatted (a dict built by hand): Flask's default writes HTTP dates
    ("Tue, 01 Dec 2026 17:51:33 GMT")."""

    @staticmethod
    def default(o):
        if isinstance(o, dt.datetime):
            return (o.astimezone(dt.timezone.utc) if o.tzinfo else o.replace(tzinfo=dt.timezone.utc)).isoformat()
        if isinstance(o, dt.date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def register_api(app):
    app.json = IsoJSONProvider(app)
    api = Api(app)
    for name in RESOURCES:
        module = importlib.import_module(f"cxgov.api.{name}.routes")
        prefix = "/api/v1" + (f"/{module.blp.url_prefix_name}" if module.blp.url_prefix_name else "")
        api.register_blueprint(module.blp, url_prefix=prefix)
    refuse_unknown_query_parameters(app, api)
    register_docs_assets(app)
    return api
