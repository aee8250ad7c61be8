"""The REST API under /api/v1: one package per resource, registered in this order."""
import importlib

from cxgov.api.base import Api

RESOURCES = [
    "users", "tokens", "teams", "partners", "metrics", "objectives", "scoring_models", "rounds", "board", "rankings", "initiatives", "reports", "audit",
]


def register_api(app):
    api = Api(app)
    for name in RESOURCES:
        module = importlib.import_module(f"cxgov.api.{name}.routes")
        api.register_blueprint(module.blp, url_prefix=f"/api/v1/{module.blp.url_prefix_name}")
    return api
