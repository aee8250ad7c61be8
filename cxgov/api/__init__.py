"""The REST API under /api/v1: one package per resource, registered in this order."""
import importlib

from cxgov.api.base import Api, refuse_unknown_query_parameters
from cxgov.api.docs import register_docs_assets

RESOURCES = [
    "users", "tokens", "teams", "partners", "metrics", "objectives", "scoring_models", "rounds", "board", "rankings", "initiatives", "reports", "closed_loop", "audit",
]


def register_api(app):
    api = Api(app)
    for name in RESOURCES:
        module = importlib.import_module(f"cxgov.api.{name}.routes")
        prefix = "/api/v1" + (f"/{module.blp.url_prefix_name}" if module.blp.url_prefix_name else "")
        api.register_blueprint(module.blp, url_prefix=prefix)
    refuse_unknown_query_parameters(app, api)
    register_docs_assets(app)
    return api
