"""OpenAPI-driven fuzz (schemathesis 4, in-process against the WSGI app) over every operation.

Fails on any 5xx, on any response the spec does not describe (status code, content type,
body schema, headers), and on any refusal (4xx) that wrote something (row counts of every
table and the chain head compared around each call); expectations such as 428 for a missing If-Match live in
``schemathesis.toml`` at the repository root.

The app is built at import time (schemathesis reads the spec from it to generate the tests) on
a database of this module's own: a temporary SQLite file, or the PostgreSQL database named by
``CXGOV_TEST_DATABASE_URL`` (truncated and seeded once for this module).  A world (teams,
initiatives, a ranking, tokens per role) is seeded once; even-numbered generated ids are
mapped onto its records so that the fuzz reaches real rows, not only 404s.
"""
import os
import pathlib
import shutil
import tempfile

import peewee
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from cxgov.api.extensions.fields import MAX_ID
from cxgov.app import create_app
from cxgov.db import database
from tests.builders import build_world, counts_in
from tests.conftest import ON_POSTGRES, PG_URL, _reset_postgres, bearer

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
VIEWER_EXAMPLES = 4

_TMP = None if ON_POSTGRES else tempfile.mkdtemp(prefix="cxgov-fuzz-")
URL = PG_URL if ON_POSTGRES else f"sqlite:///{os.path.join(_TMP, 'fuzz.db')}"
APP = create_app({"DATABASE_URL": URL, "TESTING": True})
FUZZ_DB = database.obj  # the proxy is global: other modules' apps re-point it, so we point it back
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP, config=CONFIG)

# The viewer pass exercises the 403 paths and the viewer's reads: a few examples are enough.
VIEWER_CONFIG = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
VIEWER_EXAMPLES = 4
VIEWER_CONFIG.projects.default.generation.update(max_examples=VIEWER_EXAMPLES)
VIEWER_CONFIG.projects.default.phases.update(phases=["examples", "fuzzing"])
viewer_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP, config=VIEWER_CONFIG)


def _close():
    if isinstance(FUZZ_DB, peewee.PostgresqlDatabase):
        FUZZ_DB.close_all()
    elif not FUZZ_DB.is_closed():
        FUZZ_DB.close()


@pytest.fixture(scope="module")
def fuzz_world(request):
    # conftest's session template: migrated and seeded like `cxgov db upgrade` leaves a database
    template = request.getfixturevalue("migrated_template")
    if ON_POSTGRES:
        _reset_postgres(PG_URL)
    else:
        shutil.copyfile(template, URL[len("sqlite:///"):])
    database.initialize(FUZZ_DB)
    world = build_world(APP)
    with APP.app_context():
        from cxgov.services import rankings
        from cxgov.services.actor import SYSTEM

        world["ranking"] = rankings.rank_round(SYSTEM, world["round"]).id
        world["model"] = rankings.get_ranking(SYSTEM, world["ranking"]).scoring_model_id
        from cxgov.models import ApiToken

        world["token"] = ApiToken.select().where(ApiToken.user == world["user_admin"]).first().id
        database.close()
    yield world
    _close()
    if _TMP:
        shutil.rmtree(_TMP, ignore_errors=True)


def _real_ids(world):
    return {
        "user_id": world["user_viewer"], "token_id": world["token"], "team_id": world["team_a"],
        "partner_id": world["partner"], "metric_id": world["metric"], "objective_id": world["objective"],
        "round_id": world["round"], "initiative_id": world["submitted_a"], "ranking_id": world["ranking"],
        "model_id": world["model"],
    }


def _prepare(case, world):
    """Aim even, in-range ids at seeded records; out-of-range ids (≤ 0, > 2^63 − 1) are the
    fuzzer's negative data and stay as generated."""
    database.initialize(FUZZ_DB)
    real = _real_ids(world)
    for name, value in list((case.path_parameters or {}).items()):
        if name in real and isinstance(value, int) and 1 <= value <= MAX_ID and value % 2 == 0:
            case.path_parameters[name] = real[name]


def _call_and_check(case, headers):
    """Conforms to the spec, and a refusal (4xx) wrote nothing: same rows, same chain head."""
    before = counts_in(APP)
    response = case.call_and_validate(headers=headers)
    if 400 <= response.status_code < 500:
        assert counts_in(APP) == before, (case.method, case.path, case.path_parameters, response.status_code, "a refusal wrote")


@schema.parametrize()
def test_fuzz_as_admin(case, fuzz_world):
    _prepare(case, fuzz_world)
    _call_and_check(case, bearer(fuzz_world["tokens"]["admin"]))


@viewer_schema.parametrize()
def test_fuzz_as_viewer(case, fuzz_world):
    """The 403 paths (and the viewer's reads) conform to the spec too."""
    _prepare(case, fuzz_world)
    _call_and_check(case, bearer(fuzz_world["tokens"]["viewer"]))


# ---------------------------------------------------------------------------------------
# Regressions of what the fuzz found (plain tests: they run even with the fuzz deselected)
# ---------------------------------------------------------------------------------------
def test_a_page_past_any_row_is_empty_not_500(client, admin):
    for url in ("/api/v1/partners?page=293691402821014361827224584192&page_size=100",
                "/api/v1/scoring-models?page=5118662298189322240&page_size=86"):
        response = client.get(url, headers=admin)
        assert response.status_code == 200 and response.json == []


def test_a_ragged_ahp_matrix_is_422_not_500(client, admin):
    criteria = ["strategic_fit", "cx_impact", "cost"]
    ragged = [[1, 2, 3], [0.5, 1], [1 / 3, 1, 1, 1]]
    for url, body in (("/api/v1/scoring-models/ahp", {"criteria": criteria, "matrices": [ragged]}),
                      ("/api/v1/scoring-models", {"name": "Ragged", "criteria": [{"name": c} for c in criteria],
                                                  "ahp_matrices": [ragged]})):
        response = client.post(url, json=body, headers=admin)
        assert response.status_code == 422, (url, response.status_code, response.json)
        assert response.content_type == "application/problem+json"
        assert "matrices" in response.json["errors"] or "ahp_matrices" in response.json["errors"]


def test_acceptability_without_a_body_uses_the_defaults(client, app):
    world = build_world(app)
    admin = bearer(world["tokens"]["admin"])
    ranking = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=admin).json["id"]
    response = client.post(f"/api/v1/rankings/{ranking}/acceptability", headers=admin)
    assert response.status_code == 200 and response.json["samples"] == 10_000
    spec = client.get("/api/v1/openapi.json").json
    assert spec["paths"]["/api/v1/rankings/{ranking_id}/acceptability"]["post"]["requestBody"]["required"] is False
