"""Unknown query parameters are refused (422 naming them) on every /api/v1 route.

webargs drops unknown query parameters silently, so ``?pagesize=10`` or ``?stauts=approved``
answered as if not given.  What a route accepts is what its OpenAPI operation documents (its
query schema, pagination), read from the spec once per process.
"""
from flask import request

from cxgov.api.extensions.problems import problem


def refuse_unknown_query_parameters(app, api):
    """Install the check on ``app`` (after every blueprint of ``api`` is registered)."""
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

    @app.before_request
    def _refuse_unknown_query():
        rule = request.url_rule
        if not request.args or rule is None or not rule.rule.startswith("/api/v1/"):
            return None
        if not allowed:
            allowed.update(_allowed_map())
        known = allowed.get((rule.rule, "GET" if request.method == "HEAD" else request.method))
        if known is None:  # OPTIONS, or a route outside the spec
            return None
        unknown = sorted(set(request.args) - known)
        if not unknown:
            return None
        takes = ", ".join(sorted(known)) or "none"
        return problem(422, "Unprocessable Entity",
                       f"Unknown query parameter(s): {', '.join(unknown)} (this endpoint takes: {takes}).",
                       {name: ["Unknown query parameter."] for name in unknown})
