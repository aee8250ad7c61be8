"""The committed OpenAPI file is exactly what the code generates; it documents auth and errors."""
import json
import os

from cxgov.app import create_app

SPEC_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "openapi", "openapi.json")


def _generated():
    app = create_app({"DATABASE_URL": "sqlite:///:memory:"})
    with app.app_context():
        return json.loads(json.dumps(app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()))


def test_committed_spec_matches_the_code():
    with open(SPEC_PATH, encoding="utf-8") as fh:
        committed = json.load(fh)
    assert committed == _generated(), "regenerate: cxgov openapi write openapi/openapi.json"


def test_spec_declares_bearer_auth_and_problem_json():
    spec = _generated()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    default = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(default) == ["application/problem+json"]
    for path, operations in spec["paths"].items():
        for method, operation in ((m, o) for m, o in operations.items() if m != "parameters"):
            assert operation.get("security") == [{"bearerAuth": []}], (method, path)
            assert "default" in operation["responses"], (method, path)
            assert operation.get("summary"), (method, path)


def test_spec_is_served_with_docs(client):
    assert client.get("/api/v1/openapi.json").json["info"]["title"] == "cxgov"
    assert client.get("/api/docs").status_code == 200
