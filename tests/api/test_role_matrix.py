"""Role × endpoint matrix: every operation of the OpenAPI spec, every role plus anonymous.

``MATRIX`` below is the access policy, written once.  ``docs/role-matrix.md`` is the same
table for people (the README links it); a test parses it and fails when the two differ, and
another fails when the app has an operation without a row (or a row without an operation).

For each (operation, caller) a fresh database and world are built, and a *valid* request is
sent (PATCH/DELETE carry the If-Match an admin GET returned), so:

* anonymous → 401 (problem+json, ``WWW-Authenticate: Bearer``) except the public routes;
* a role the row does not list → 403, and nothing is written;
* a role the row lists → 2xx (the request is chosen to be valid for that role: a team lead
  acts on its own team's draft, a caller revokes its own token).

Refusals *inside* an allowed role (team-lead scoping, finance changing more than the budget,
tokens of other users) are explained in the row's note and proven by the tests at the end.
"""
import pathlib
import re

import pytest

from tests.builders import build_world, counts_in, initiative_payload, metric_payload, objective_payload, round_payload
from tests.conftest import bearer

ROLES = ("admin", "board_chair", "board_member", "team_lead", "finance", "viewer")
CALLERS = ROLES + ("anonymous",)
EVERYONE = ROLES
PUBLIC = CALLERS
ADMIN = ("admin",)
AUDIT_READERS = ("admin", "board_chair", "board_member", "finance", "viewer")
READERS = AUDIT_READERS  # every role but team_lead
BOARD = ("board_chair", "board_member")
FINANCIAL = ("admin", "board_chair", "board_member", "finance")
DOC_PATH = pathlib.Path(__file__).resolve().parents[2] / "docs" / "role-matrix.md"

# ---------------------------------------------------------------------------------------
# The matrix: "METHOD path" (OpenAPI path template) → (callers allowed, note on scoping).
# ---------------------------------------------------------------------------------------
MATRIX = {
    "GET /healthz": (PUBLIC, "liveness; no token"),
    "GET /readyz": (PUBLIC, "readiness (checks the database); no token"),
    "GET /api/v1/openapi.json": (PUBLIC, "the OpenAPI document; no token"),
    "GET /api/docs": (PUBLIC, "interactive docs; no token"),
    "GET /api/docs/assets/{filename}": (PUBLIC, "Swagger UI's files, served by the app; no token"),
    "GET /api/v1/users": (ADMIN + ("board_chair", "board_member", "team_lead"),
                          "admin: every field; team leads and the board: active users' id, name, role, team_id only"),
    "POST /api/v1/users": (ADMIN, ""),
    "GET /api/v1/users/me": (EVERYONE, "the caller's own user"),
    "GET /api/v1/users/{user_id}": (ADMIN, ""),
    "PATCH /api/v1/users/{user_id}": (ADMIN, ""),
    "GET /api/v1/tokens": (EVERYONE, "admin sees all tokens; others only their own"),
    "POST /api/v1/tokens": (EVERYONE, "for yourself; only admin may name another user_id (403)"),
    "GET /api/v1/tokens/{token_id}": (EVERYONE, "non-admin: own tokens only (others 404)"),
    "DELETE /api/v1/tokens/{token_id}": (EVERYONE, "non-admin: own tokens only (others 404)"),
    "GET /api/v1/teams": (EVERYONE, ""),
    "POST /api/v1/teams": (ADMIN, ""),
    "GET /api/v1/teams/{team_id}": (EVERYONE, ""),
    "PATCH /api/v1/teams/{team_id}": (ADMIN, ""),
    "DELETE /api/v1/teams/{team_id}": (ADMIN, "refused (409) while anything refers to the team"),
    "GET /api/v1/partners": (EVERYONE, ""),
    "POST /api/v1/partners": (ADMIN, ""),
    "GET /api/v1/partners/{partner_id}": (EVERYONE, ""),
    "PATCH /api/v1/partners/{partner_id}": (ADMIN, ""),
    "DELETE /api/v1/partners/{partner_id}": (ADMIN, "refused (409) while initiatives depend on it"),
    "GET /api/v1/partners/{partner_id}/assessments": (EVERYONE, ""),
    "POST /api/v1/partners/{partner_id}/assessments": (ADMIN, ""),
    "GET /api/v1/metrics": (EVERYONE, ""),
    "POST /api/v1/metrics": (ADMIN, ""),
    "GET /api/v1/metrics/{metric_id}": (EVERYONE, ""),
    "PATCH /api/v1/metrics/{metric_id}": (ADMIN, ""),
    "DELETE /api/v1/metrics/{metric_id}": (ADMIN, "refused (409) while objectives or impacts use it"),
    "GET /api/v1/metrics/{metric_id}/measurements": (EVERYONE, ""),
    "POST /api/v1/metrics/{metric_id}/measurements": (ADMIN, ""),
    "POST /api/v1/metrics/{metric_id}/measurements/upload": (ADMIN, "text/csv"),
    "GET /api/v1/metrics/{metric_id}/measurements/aggregate": (EVERYONE, ""),
    "GET /api/v1/objectives": (EVERYONE, ""),
    "POST /api/v1/objectives": (ADMIN, ""),
    "GET /api/v1/objectives/{objective_id}": (EVERYONE, ""),
    "PATCH /api/v1/objectives/{objective_id}": (ADMIN, ""),
    "DELETE /api/v1/objectives/{objective_id}": (ADMIN, "refused (409) while initiatives are aligned to it"),
    "GET /api/v1/rounds": (EVERYONE, ""),
    "POST /api/v1/rounds": (("admin", "board_chair", "finance"),
                            "in planning; the chair without `budget` or `supermajority_above` (403)"),
    "GET /api/v1/rounds/{round_id}": (EVERYONE, ""),
    "PATCH /api/v1/rounds/{round_id}": (("admin", "finance"), "finance may change only `budget` (other fields 403)"),
    "POST /api/v1/rounds/{round_id}/transitions": (("admin", "board_chair"), ""),
    "POST /api/v1/rounds/{round_id}/rankings": (("admin", "board_chair"), ""),
    "GET /api/v1/rounds/{round_id}/rankings/latest": (
        EVERYONE, "team lead: only rounds its team submitted to (others 403)"),
    "GET /api/v1/rankings/{ranking_id}": (EVERYONE, "team lead: only rounds its team submitted to (others 403)"),
    "GET /api/v1/rankings/{ranking_id}/verify": (
        EVERYONE, "team lead: only rounds its team submitted to (others 403)"),
    "GET /api/v1/rankings/{ranking_id}/stability": (
        EVERYONE, "team lead: only rounds its team submitted to (others 403)"),
    "POST /api/v1/rankings/{ranking_id}/acceptability": (
        EVERYONE, "a computation; stores nothing; team lead: only rounds its team submitted to (others 403)"),
    "POST /api/v1/rounds/{round_id}/portfolio": (("admin", "board_chair"), "stores a scenario"),
    "GET /api/v1/rounds/{round_id}/portfolio": (
        EVERYONE, "listing and `?compare=`: same read rule as the rankings (team lead: rounds its team submitted to)"),
    "GET /api/v1/rounds/{round_id}/votes": (READERS, ""),
    "POST /api/v1/rounds/{round_id}/votes": (BOARD, "only while the round is in review; recused members refused"),
    "GET /api/v1/rounds/{round_id}/delegations": (READERS, ""),
    "POST /api/v1/rounds/{round_id}/delegations": (BOARD, ""),
    "GET /api/v1/rounds/{round_id}/decisions": (READERS, ""),
    "POST /api/v1/rounds/{round_id}/decisions": (("board_chair",), "only while the round is in review"),
    "POST /api/v1/rounds/{round_id}/votes/batch": (
        BOARD, "all or nothing, up to 500; only while the round is in review; recused members refused"),
    "POST /api/v1/rounds/{round_id}/decisions/batch": (
        ("board_chair",), "all or nothing, up to 500; only while the round is in review"),
    "GET /api/v1/scoring-models": (EVERYONE, ""),
    "POST /api/v1/scoring-models": (("admin", "board_chair"), ""),
    "POST /api/v1/scoring-models/ahp": (("admin", "board_chair", "board_member"), "a computation; stores nothing"),
    "GET /api/v1/scoring-models/{model_id}": (EVERYONE, ""),
    "PUT /api/v1/scoring-models/{model_id}": (("admin", "board_chair"), "writes a new version"),
    "GET /api/v1/initiatives": (EVERYONE, "drafts: admin sees all; a team lead only its own team's; others none"),
    "POST /api/v1/initiatives": (("admin", "team_lead"), "team lead: only for its own team (403)"),
    "GET /api/v1/initiatives/{initiative_id}": (
        EVERYONE, "another team's draft is 404 for a team lead, and every draft is 404 for other non-admins"),
    "PATCH /api/v1/initiatives/{initiative_id}": (
        ("admin", "team_lead"), "team lead: own team only (other team's draft 404, submitted 403)"),
    "DELETE /api/v1/initiatives/{initiative_id}": (
        ("admin", "team_lead"), "drafts only; team lead: own team only (other team's draft 404, submitted 403)"),
    "POST /api/v1/initiatives/{initiative_id}/transitions": (
        ("admin", "team_lead"), "team lead: own team only (other team's draft 404, submitted 403)"),
    "GET /api/v1/initiatives/{initiative_id}/status-updates": (EVERYONE, "same visibility as the initiative"),
    "POST /api/v1/initiatives/{initiative_id}/status-updates": (
        ("admin", "team_lead"), "team lead: own team only; only for approved / in-progress work"),
    "GET /api/v1/initiatives/{initiative_id}/history": (
        EVERYONE, "same visibility as the initiative; parts the caller cannot read directly are empty and named in "
                  "`withheld` (team lead: votes, decisions, scores of rankings it may not read)"),
    "GET /api/v1/initiatives/{initiative_id}/actuals": (
        ("admin", "board_chair", "board_member", "finance", "team_lead"), "team lead: own team only"),
    "POST /api/v1/initiatives/{initiative_id}/actuals": (("finance",), "only for approved work; append-only"),
    "GET /api/v1/initiatives/{initiative_id}/review": (EVERYONE, "same visibility as the initiative"),
    "POST /api/v1/initiatives/{initiative_id}/review": (
        ("admin", "team_lead"), "team lead: own team only; only for delivered work"),
    "GET /api/v1/teams/{team_id}/calibration": (EVERYONE, ""),
    "GET /api/v1/maturity-assessments": (EVERYONE, ""),
    "POST /api/v1/maturity-assessments": (ADMIN, ""),
    "GET /api/v1/reports/approved-spend": (FINANCIAL + ("team_lead",), "team lead: own team only"),
    "GET /api/v1/reports/budget": (READERS, ""),
    "GET /api/v1/reports/coverage": (READERS, ""),
    "GET /api/v1/reports/overrides": (FINANCIAL, "overrides and departures from the ranking, each once, with its kinds"),
    "GET /api/v1/reports/overdue": (READERS, ""),
    "GET /api/v1/reports/benefits": (READERS, ""),
    "GET /api/v1/audit": (AUDIT_READERS, "every event; what the caller cannot read directly is redacted (see below)"),
    "GET /api/v1/audit/verify": (EVERYONE, "anyone with a token can verify the chain"),
    "GET /api/v1/audit/export": (
        AUDIT_READERS, "redacted as `/audit`; a redacted event carries a `proof`, so the chain still verifies"),
}

#: Requests whose valid form needs a lifecycle this world does not reach (a round in review, an
#: approved, delivered or reviewed initiative).  For these the allowed roles are asserted to pass auth
#: (not 401/403) and not to fail (not 5xx); the business refusal they get instead is named here.
NEEDS_LIFECYCLE = {
    "POST /api/v1/rounds/{round_id}/votes": "the world's round is open, not in review (409)",
    "POST /api/v1/rounds/{round_id}/decisions": "the world's round is open, not in review (409)",
    "POST /api/v1/rounds/{round_id}/votes/batch": "the world's round is open, not in review (409)",
    "POST /api/v1/rounds/{round_id}/decisions/batch": "the world's round is open, not in review (409)",
    "POST /api/v1/initiatives/{initiative_id}/status-updates": "the draft is not approved (409/422)",
    "POST /api/v1/initiatives/{initiative_id}/actuals": "the initiative is not approved (409/422)",
    "POST /api/v1/initiatives/{initiative_id}/review": "the initiative is not delivered (409/422)",
    "GET /api/v1/initiatives/{initiative_id}/review": "nothing has been reviewed yet (404)",
}

#: Routes of the Flask app that are deliberately not operations (and not in the matrix).
NOT_OPERATIONS = {"static"}


# ---------------------------------------------------------------------------------------
# A valid request per operation.
# ---------------------------------------------------------------------------------------
def _fresh(app, kind, world):
    """A record nothing refers to, so that deleting it is valid."""
    from cxgov.db import database
    from cxgov.services import auth, metrics, partners, rankings, scoring_models, teams
    from cxgov.services.actor import SYSTEM

    with app.app_context():
        if kind == "team":
            record = teams.create_team(SYSTEM, name="Spare team", department="HR", lead_name="Nobody")
        elif kind == "partner":
            record = partners.create_partner(SYSTEM, name="Spare partner", kind="other", description="")
        elif kind == "metric":
            record = metrics.create_metric(SYSTEM, **metric_payload("spare"))
        elif kind == "objective":
            import datetime as dt

            record = metrics.create_objective(SYSTEM, **{**objective_payload(world["metric"]),
                                                         "title": "Spare", "deadline": dt.date(2028, 1, 1)})
        elif kind == "token":
            record, _ = auth.issue_token(SYSTEM, world["caller_id"], "spare", 5)
        elif kind == "model":
            record = scoring_models.create_model(SYSTEM, {"name": "Matrix model", "criteria": [
                {"name": "strategic_fit", "weight": 1.0}, {"name": "cx_impact", "weight": 2.0}]})
        elif kind == "ranking":
            record = rankings.rank_round(SYSTEM, world["round"])
        database.close()
    return record.id


def _path_params(app, world, method, path):
    params = {
        "user_id": world["user_viewer"],
        "team_id": world["team_a"],
        "partner_id": world["partner"],
        "metric_id": world["metric"],
        "objective_id": world["objective"],
        "round_id": world["round"],
        "filename": "swagger-ui.css",
        # a submitted initiative is visible to every role; writes go to team A's draft
        "initiative_id": world["submitted_a"] if method == "GET" else world["draft_a"],
    }
    if "{token_id}" in path:  # non-admins may only touch their own tokens: use one of the caller's
        params["token_id"] = _fresh(app, "token", world)
    if "{model_id}" in path:
        params["model_id"] = _fresh(app, "model", world)
    if "{ranking_id}" in path or path.endswith(("/rankings/latest", "/portfolio")):
        params["ranking_id"] = _fresh(app, "ranking", world)  # team A submitted to this round
    if method == "DELETE":
        for kind in ("team", "partner", "metric", "objective"):
            if "{%s_id}" % kind in path:
                params[f"{kind}_id"] = _fresh(app, kind, world)
    return params


def _body(world, key):
    bodies = {
        "POST /api/v1/users": {"email": "matrix@example.com", "name": "Matrix Person", "role": "viewer"},
        "PATCH /api/v1/users/{user_id}": {"name": "Renamed"},
        "POST /api/v1/tokens": {"name": "matrix", "expires_in_days": 7},
        "POST /api/v1/teams": {"name": "Matrix team", "department": "Sales", "lead_name": "Mo"},
        "PATCH /api/v1/teams/{team_id}": {"lead_name": "Renamed"},
        "POST /api/v1/partners": {"name": "Matrix partner", "kind": "agency"},
        "PATCH /api/v1/partners/{partner_id}": {"description": "updated"},
        "POST /api/v1/partners/{partner_id}/assessments": {
            "assessed_on": "2026-07-01", "shared_vision": 3, "data_sharing": 4, "process_integration": 2,
            "feedback_responsiveness": 5},
        "POST /api/v1/metrics": metric_payload("csat", range_min=0.0, range_max=100.0),
        "PATCH /api/v1/metrics/{metric_id}": {"weight": 2.5},
        "POST /api/v1/metrics/{metric_id}/measurements": {
            "measurements": [{"measured_at": "2026-06-30T00:00:00Z", "value": 24.0}]},
        "POST /api/v1/objectives": objective_payload(world["metric"], title="Matrix objective"),
        "PATCH /api/v1/objectives/{objective_id}": {"weight": 4.0},
        "POST /api/v1/rounds": ({"name": "FY2027 Q2", "fiscal_year": 2027, "fiscal_quarter": 2}
                                if world["caller_id"] == world["user_board_chair"]
                                else round_payload(name="FY2027 Q2", fiscal_quarter=2)),
        "PATCH /api/v1/rounds/{round_id}": {"budget": 150_000_000},  # valid for finance too
        "POST /api/v1/rounds/{round_id}/transitions": {"to": "in_review"},
        "POST /api/v1/rounds/{round_id}/votes": {"initiative_id": world["submitted_a"], "choice": "approve"},
        "POST /api/v1/rounds/{round_id}/delegations": {"delegate_id": world["user_board_member"]
                                                       if world["caller_id"] != world["user_board_member"]
                                                       else world["user_board_chair"]},
        "POST /api/v1/rounds/{round_id}/decisions": {"initiative_id": world["submitted_a"], "outcome": "approve",
                                                     "rationale": "Matrix", "approved_amount": 1_000_000},
            "POST /api/v1/rounds/{round_id}/votes/batch": {"votes": [
            {"initiative_id": world["submitted_a"], "choice": "approve"}]},
        "POST /api/v1/rounds/{round_id}/decisions/batch": {"decisions": [
            {"initiative_id": world["submitted_a"], "outcome": "approve", "rationale": "Matrix",
             "approved_amount": 1_000_000}]},
            "POST /api/v1/initiatives/{initiative_id}/status-updates": {"rag": "green", "percent_complete": 10},
        "POST /api/v1/initiatives/{initiative_id}/actuals": {
            "amount": 100, "fiscal_year": 2027, "fiscal_quarter": 1, "booked_on": "2027-01-15", "reference": "INV-1"},
        "POST /api/v1/initiatives/{initiative_id}/review": {"lessons_learned": "Matrix"},
        "POST /api/v1/maturity-assessments": {"assessed_on": "2026-10-01", "levels": {
            e: 3 for e in ("cx_strategy", "customer_understanding", "design", "measurement", "governance", "culture")}},
        "POST /api/v1/scoring-models": {"name": "Board FY27", "criteria": [
            {"name": "strategic_fit", "weight": 3.0}, {"name": "cx_impact", "weight": 5.0}, {"name": "cost", "weight": 2.0}]},
        "PUT /api/v1/scoring-models/{model_id}": {"name": "Matrix model", "criteria": [
            {"name": "cx_impact", "weight": 1.0}, {"name": "cost", "weight": 1.0}]},
        "POST /api/v1/rankings/{ranking_id}/acceptability": {"samples": 200, "seed": 7},
        "POST /api/v1/rounds/{round_id}/portfolio": {"name": "Matrix scenario"},
        "POST /api/v1/scoring-models/ahp": {"criteria": ["strategic_fit", "cx_impact", "cost"],
                                            "matrices": [[[1, 0.5, 2], [2, 1, 3], [0.5, 1 / 3, 1]]]},
        "POST /api/v1/initiatives": initiative_payload(world, title="Matrix initiative"),
        "PATCH /api/v1/initiatives/{initiative_id}": {"title": "Renamed draft"},
        "POST /api/v1/initiatives/{initiative_id}/transitions": {"to": "submitted", "round_id": world["round"]},
    }
    return bodies.get(key)


QUERIES = {
    "GET /api/v1/metrics/{metric_id}/measurements/aggregate": "?period=month",
    "GET /api/v1/reports/approved-spend": "?group_by=team",
}
RAW_BODIES = {  # key → (content type, data) for non-JSON bodies
    "POST /api/v1/metrics/{metric_id}/measurements/upload": ("text/csv", "measured_at,value\n2026-10-01T00:00:00Z,31.5\n"),
}


def _operations_of(app):
    """(every "METHOD path" the Flask app routes, the spec's operations, the spec)."""
    spec = app.test_client().get("/api/v1/openapi.json").json
    spec_ops = {f"{method.upper()} {path}" for path, item in spec["paths"].items()
                for method in item if method in {"get", "post", "put", "patch", "delete"}}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_OPERATIONS:
            continue
        template = re.sub(r"<(?:[^:<>]+:)?([^<>:]+)>", r"{\1}", rule.rule)
        routed |= {f"{method} {template}" for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routed, spec_ops, spec


def _writes(app):
    """Everything a refused request must leave unchanged: row counts and the chain head."""
    return counts_in(app)


# ---------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------
def test_matrix_covers_exactly_the_apps_operations(app):
    ops, spec_ops, spec = _operations_of(app)
    assert spec_ops <= ops
    assert set(MATRIX) == ops, {"without a matrix row": sorted(ops - set(MATRIX)),
                                "rows without an operation": sorted(set(MATRIX) - ops)}
    # and what the spec declares agrees: public routes carry no security, all others bearerAuth
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert op.get("security") == [{"bearerAuth": []}], (method, path)
                assert {"401", "403"} <= set(op["responses"]), (method, path)


CASES = [(key, caller) for key in MATRIX for caller in CALLERS]


@pytest.mark.parametrize("key,caller", CASES, ids=[re.sub(r"[^A-Za-z0-9]+", "_", k).strip("_") + "-" + c for k, c in CASES])
def test_role_matrix(app, client, key, caller):
    world = build_world(app)
    allowed = MATRIX[key][0]
    method, path = key.split(" ", 1)
    tokens = world["tokens"]
    world["caller_id"] = (world["lead_a"] if caller == "team_lead"
                          else world.get(f"user_{caller}", world["user_admin"]))
    url = path.format(**_path_params(app, world, method, path))
    headers = {} if caller == "anonymous" else bearer(tokens[caller])
    if method in {"PATCH", "PUT", "DELETE"}:  # If-Match: what an admin GET of the same URL returned
        got = client.get(url, headers=bearer(tokens["admin"]))
        assert got.status_code == 200 and got.headers.get("ETag"), (url, got.status_code)
        headers["If-Match"] = got.headers["ETag"]
    before = _writes(app)

    url += QUERIES.get(key, "")
    if key in RAW_BODIES:
        content_type, data = RAW_BODIES[key]
        response = client.open(url, method=method, data=data, content_type=content_type, headers=headers)
    else:
        response = client.open(url, method=method, json=_body(world, key), headers=headers)

    status = response.status_code
    if caller in allowed:
        if key in NEEDS_LIFECYCLE:
            assert status not in (401, 403) and status < 500, (key, caller, status, response.get_data(as_text=True)[:500])
            assert 400 <= status < 500, "now valid: move this row out of NEEDS_LIFECYCLE and assert 2xx"
            assert response.content_type == "application/problem+json"
            assert _writes(app) == before, (key, caller, "a refused request wrote")
        else:
            assert 200 <= status < 300, (key, caller, status, response.get_data(as_text=True)[:500])
        return
    if caller == "anonymous":
        assert status == 401, (key, status)
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")
    else:
        assert status == 403, (key, caller, status, response.get_data(as_text=True)[:500])
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == status
    assert _writes(app) == before, "a refused request wrote something"


def test_a_bad_or_malformed_token_is_401(client, app):
    world = build_world(app)
    for header in ("Bearer cxg_not-a-real-token", "Bearer " + world["tokens"]["admin"] + "x",
                   "Basic YWRtaW46YWRtaW4=", "Bearer", world["tokens"]["admin"]):
        response = client.get("/api/v1/users/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.content_type == "application/problem+json"


# ---------------------------------------------------------------------------------------
# docs/role-matrix.md is this table
# ---------------------------------------------------------------------------------------
def _parse_markdown_matrix(text):
    """The first Markdown table of the file (the one whose first column is "Endpoint")."""
    rows = {}
    header = None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            if header is not None:
                break  # the table ended
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the separator row
        record = dict(zip(header, cells))
        key = record["Endpoint"].strip("`")
        allowed = tuple(c for c in CALLERS if record[c] == "✓")
        for c in CALLERS:
            assert record[c] in {"✓", "—"}, (key, c, record[c])
        rows[key] = (allowed, record["Notes"])
    assert header is not None and header[:1] == ["Endpoint"] and header[1:-1] == list(CALLERS), header
    return rows


def _normalise(note):
    return re.sub(r"\s+", " ", note).strip()


def test_docs_role_matrix_equals_the_tests_table():
    documented = _parse_markdown_matrix(DOC_PATH.read_text(encoding="utf-8"))
    expected = {k: (tuple(c for c in CALLERS if c in allowed), _normalise(note))
                for k, (allowed, note) in MATRIX.items()}
    assert list(documented) == list(expected), "docs/role-matrix.md rows differ (order or set) from MATRIX"
    assert {k: (a, _normalise(n)) for k, (a, n) in documented.items()} == expected


def render_markdown():
    """The table of docs/role-matrix.md (``python -m tests.api.test_role_matrix`` prints it)."""
    lines = ["| Endpoint | " + " | ".join(CALLERS) + " | Notes |",
             "|---|" + "|".join(":-:" for _ in CALLERS) + "|---|"]
    for key, (allowed, note) in MATRIX.items():
        marks = " | ".join("✓" if c in allowed else "—" for c in CALLERS)
        lines.append(f"| `{key}` | {marks} | {note} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Team-lead scoping (inside the roles the matrix allows)
# ---------------------------------------------------------------------------------------
@pytest.fixture
def world(app):
    return build_world(app)


def _etag(client, world, initiative_id):
    got = client.get(f"/api/v1/initiatives/{initiative_id}", headers=bearer(world["tokens"]["admin"]))
    assert got.status_code == 200
    return got.headers["ETag"]


def _no_data(response, *titles):
    assert response.content_type == "application/problem+json", response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    for title in titles:
        assert title not in text
    assert "problem_statement" not in text


def test_team_lead_cannot_create_for_another_team(client, world, app):
    lead_a = bearer(world["tokens"]["team_lead"])
    before = _writes(app)
    response = client.post("/api/v1/initiatives", headers=lead_a,
                           json=initiative_payload(world, team_id=world["team_b"], contributing_team_ids=[]))
    assert response.status_code == 403
    _no_data(response)
    assert _writes(app) == before


def test_team_lead_cannot_see_another_teams_drafts(client, world):
    lead_a = bearer(world["tokens"]["team_lead"])
    response = client.get(f"/api/v1/initiatives/{world['draft_b']}", headers=lead_a)
    assert response.status_code == 404
    _no_data(response, "Draft B")
    for query in ("", f"?team_id={world['team_b']}", "?status=draft", "?q=Draft", "?page_size=100"):
        listed = client.get("/api/v1/initiatives" + query, headers=lead_a)
        assert listed.status_code == 200
        ids = {item["id"] for item in listed.json}
        assert world["draft_b"] not in ids, query
        assert "Draft B" not in listed.get_data(as_text=True)
    own = {item["id"] for item in client.get("/api/v1/initiatives", headers=lead_a).json}
    assert {world["draft_a"], world["submitted_a"]} <= own
    # the other lead is the mirror image
    lead_b = bearer(world["tokens"]["team_lead_b"])
    assert client.get(f"/api/v1/initiatives/{world['draft_a']}", headers=lead_b).status_code == 404
    assert client.get(f"/api/v1/initiatives/{world['draft_b']}", headers=lead_b).status_code == 200


@pytest.mark.parametrize("role", ["board_chair", "board_member", "finance", "viewer"])
def test_non_team_roles_see_no_drafts(client, world, role):
    headers = bearer(world["tokens"][role])
    assert client.get(f"/api/v1/initiatives/{world['draft_a']}", headers=headers).status_code == 404
    ids = {item["id"] for item in client.get("/api/v1/initiatives?page_size=100", headers=headers).json}
    assert ids == {world["submitted_a"]}


def test_team_lead_cannot_touch_another_teams_draft(client, world, app):
    lead_a = bearer(world["tokens"]["team_lead"])
    did = world["draft_b"]
    etag = _etag(client, world, did)
    before = _writes(app)
    attempts = [
        client.patch(f"/api/v1/initiatives/{did}", json={"title": "Hijacked"}, headers={**lead_a, "If-Match": etag}),
        client.post(f"/api/v1/initiatives/{did}/transitions", json={"to": "submitted", "round_id": world["round"]},
                    headers=lead_a),
        client.post(f"/api/v1/initiatives/{did}/transitions", json={"to": "cancelled", "reason": "x"},
                    headers=lead_a),
        client.delete(f"/api/v1/initiatives/{did}", headers={**lead_a, "If-Match": etag}),
    ]
    for response in attempts:
        # another team's draft does not exist for this lead: 404, exactly as an unknown id
        assert response.status_code == 404, response.status_code
        _no_data(response, "Draft B")
    assert _writes(app) == before
    assert client.get(f"/api/v1/initiatives/{did}", headers=bearer(world["tokens"]["admin"])).json["title"] == "Draft B"


def test_team_lead_sees_but_cannot_change_another_teams_submitted_initiative(client, world, app):
    lead_b = bearer(world["tokens"]["team_lead_b"])
    sid = world["submitted_a"]
    seen = client.get(f"/api/v1/initiatives/{sid}", headers=lead_b)
    assert seen.status_code == 200 and seen.json["status"] == "submitted"
    etag = seen.headers["ETag"]
    before = _writes(app)
    attempts = [
        client.patch(f"/api/v1/initiatives/{sid}", json={"title": "Hijacked"}, headers={**lead_b, "If-Match": etag}),
        client.post(f"/api/v1/initiatives/{sid}/transitions", json={"to": "draft"}, headers=lead_b),
        client.post(f"/api/v1/initiatives/{sid}/transitions", json={"to": "cancelled", "reason": "mine now"},
                    headers=lead_b),
        client.delete(f"/api/v1/initiatives/{sid}", headers={**lead_b, "If-Match": etag}),
    ]
    for response in attempts:
        assert response.status_code == 403, (response.status_code, response.json)
        _no_data(response)
    assert _writes(app) == before


def test_team_lead_cannot_move_its_draft_to_another_team_or_depend_on_hidden_drafts(client, world, app):
    lead_a = bearer(world["tokens"]["team_lead"])
    etag = _etag(client, world, world["draft_a"])
    before = _writes(app)
    moved = client.patch(f"/api/v1/initiatives/{world['draft_a']}", json={"team_id": world["team_b"]},
                         headers={**lead_a, "If-Match": etag})
    assert moved.status_code == 403
    hidden = client.patch(f"/api/v1/initiatives/{world['draft_a']}", json={"dependency_ids": [world["draft_b"]]},
                          headers={**lead_a, "If-Match": etag})
    assert hidden.status_code == 422  # "unknown initiative", exactly as for an id that does not exist
    _no_data(hidden, "Draft B")
    assert _writes(app) == before


def test_tokens_are_scoped_to_their_user(client, world, app):
    viewer = bearer(world["tokens"]["viewer"])
    admin = bearer(world["tokens"]["admin"])
    admin_tokens = client.get("/api/v1/tokens?page_size=100", headers=admin).json
    others = [t["id"] for t in admin_tokens if t["user_id"] != world["user_viewer"]]
    own = [t["id"] for t in admin_tokens if t["user_id"] == world["user_viewer"]]
    assert {t["id"] for t in client.get("/api/v1/tokens", headers=viewer).json} == set(own)
    etag = client.get(f"/api/v1/tokens/{others[0]}", headers=admin).headers["ETag"]
    before = _writes(app)
    assert client.get(f"/api/v1/tokens/{others[0]}", headers=viewer).status_code == 404
    assert client.delete(f"/api/v1/tokens/{others[0]}", headers={**viewer, "If-Match": etag}).status_code == 404
    issued = client.post("/api/v1/tokens", json={"name": "for admin", "user_id": world["user_admin"]}, headers=viewer)
    assert issued.status_code == 403 and "token" not in issued.json
    assert _writes(app) == before


def test_finance_may_change_only_the_budget(client, world, app):
    finance = bearer(world["tokens"]["finance"])
    etag = client.get(f"/api/v1/rounds/{world['round']}", headers=finance).headers["ETag"]
    before = _writes(app)
    renamed = client.patch(f"/api/v1/rounds/{world['round']}", json={"name": "Mine", "budget": 1},
                           headers={**finance, "If-Match": etag})
    assert renamed.status_code == 403
    assert _writes(app) == before


def test_team_lead_reads_only_rankings_of_rounds_its_team_submitted_to(client, world):
    ranked = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=bearer(world["tokens"]["admin"]))
    assert ranked.status_code == 201
    rid = ranked.json["id"]
    urls = (f"/api/v1/rankings/{rid}", f"/api/v1/rankings/{rid}/verify",
            f"/api/v1/rounds/{world['round']}/rankings/latest")
    for url in urls:
        assert client.get(url, headers=bearer(world["tokens"]["team_lead"])).status_code == 200, url
        refused = client.get(url, headers=bearer(world["tokens"]["team_lead_b"]))  # team B submitted nothing
        assert refused.status_code == 403, url
        _no_data(refused, "Submitted A")
    # the robustness reads of the same ranking follow the same rule
    url = f"/api/v1/rankings/{rid}/stability?k=1"
    assert client.get(url, headers=bearer(world["tokens"]["team_lead"])).status_code == 200
    refused = client.get(url, headers=bearer(world["tokens"]["team_lead_b"]))
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    url, body = f"/api/v1/rankings/{rid}/acceptability", {"samples": 200, "seed": 1}
    assert client.post(url, json=body, headers=bearer(world["tokens"]["team_lead"])).status_code == 200
    refused = client.post(url, json=body, headers=bearer(world["tokens"]["team_lead_b"]))
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    _no_data(refused, "Submitted A")


# ---------------------------------------------------------------------------------------
# Nothing is read through the log, its export or an initiative's history that the role
# cannot read directly (issue 14).  A scenario writes every kind of record; then, for every
# role, each event's change and entity id, and each part of each history, is compared with
# what the direct GET of the record answers that role.  An event type or history part that
# appears without a way to read it directly below fails the test: covered by construction.
# ---------------------------------------------------------------------------------------
LOG_CALLERS = ROLES + ("team_lead_b",)

#: How the record an event describes is read directly: by action first, else by entity type;
#: ``id`` is the event's entity id, ``change`` the change as the admin reads it.
DIRECT_READ = {
    "status_update.posted": "/api/v1/initiatives/{id}/status-updates",
    "review.recorded": "/api/v1/initiatives/{id}/review",
    "measurements.recorded": "/api/v1/metrics/{id}/measurements",
    "initiative": "/api/v1/initiatives/{id}",
    "team": "/api/v1/teams/{id}",
    "partner": "/api/v1/partners/{id}",
    "partner_assessment": "/api/v1/partners/{change[after][partner_id]}/assessments",
    "metric": "/api/v1/metrics/{id}",
    "objective": "/api/v1/objectives/{id}",
    "round": "/api/v1/rounds/{id}",
    "scoring_model": "/api/v1/scoring-models/{id}",
    "maturity_assessment": "/api/v1/maturity-assessments",
    "actual_entry": "/api/v1/initiatives/{change[initiative_id]}/actuals",
    "vote": "/api/v1/rounds/{change[after][round_id]}/votes",
    "delegation": "/api/v1/rounds/{change[after][round_id]}/delegations",
    "decision": "/api/v1/rounds/{change[after][round_id]}/decisions",
    "ranking": "/api/v1/rankings/{id}",
    "portfolio_scenario": "/api/v1/rounds/{change[round_id]}/portfolio",
    "token": "/api/v1/tokens/{id}",
    "user": "/api/v1/users/{id}",  # one's own user: /api/v1/users/me
}
#: How each part of an initiative's history is read directly: (admin's item, initiative id) → URL.
HISTORY_PARTS = {
    "scores": lambda item, iid: f"/api/v1/rankings/{item['ranking_id']}",
    "votes": lambda item, iid: f"/api/v1/rounds/{item['round_id']}/votes",
    "decisions": lambda item, iid: f"/api/v1/rounds/{item['round_id']}/decisions",
    "status_updates": lambda item, iid: f"/api/v1/initiatives/{iid}/status-updates",
}


def _all_events(client, token):
    rows, page = [], 1
    while True:
        got = client.get(f"/api/v1/audit?page_size=100&page={page}", headers=bearer(token))
        assert got.status_code == 200
        rows += got.json
        if len(got.json) < 100:
            return rows
        page += 1


def test_no_role_reads_through_the_log_export_or_history_what_it_cannot_read_directly(client, board):
    import json

    import rfc8785

    from tests.builders import every_kind_of_record

    world = every_kind_of_record(client, board)
    tokens = world["tokens"]
    admin_rows = _all_events(client, tokens["admin"])
    by_id = {row["id"]: row for row in admin_rows}
    types_seen = {row["entity_type"] for row in admin_rows}
    assert types_seen <= set(DIRECT_READ), f"say how these are read directly: {types_seen - set(DIRECT_READ)}"
    from cxgov.services.audit_reading import KNOWN_TYPES
    assert types_seen == KNOWN_TYPES, "the scenario writes every kind of record the log has a rule for"
    user_ids = {"team_lead": world["lead_a"], "team_lead_b": world["lead_b"]}
    statuses = {}

    def direct(caller, url):
        if (caller, url) not in statuses:
            statuses[caller, url] = client.get(url, headers=bearer(tokens[caller])).status_code
        return statuses[caller, url]

    def readable(caller, row):
        me = user_ids.get(caller, world.get(f"user_{caller}"))
        url = (DIRECT_READ.get(row["action"]) or DIRECT_READ[row["entity_type"]]).format(
            id=row["entity_id"], change=row["change"])
        if row["entity_type"] == "user" and row["entity_id"] == str(me):
            url = "/api/v1/users/me"
        status = direct(caller, url)
        if direct("admin", url) == 404:  # gone (a deleted draft): it was admin's and its team's alone
            status = 200 if caller == "admin" else 404
        assert status in (200, 403, 404), (caller, url, status)
        return status

    for caller in LOG_CALLERS:
        if caller.startswith("team_lead"):
            for url in ("/api/v1/audit", "/api/v1/audit/export"):
                assert client.get(url, headers=bearer(tokens[caller])).status_code == 403
            continue
        rows = _all_events(client, tokens[caller])
        exported = [json.loads(line) for line in
                    client.get("/api/v1/audit/export", headers=bearer(tokens[caller])).get_data(as_text=True).splitlines()]
        assert [r["id"] for r in rows] == [r["id"] for r in exported] == list(by_id)  # every row, in order
        for row, line in zip(rows, exported):
            truth = by_id[row["id"]]
            status = readable(caller, truth)
            where = (caller, truth["action"], truth["entity_type"], truth["entity_id"], status)
            assert (row["change"] is not None) == (status == 200), where
            if row["change"] is not None:
                assert row["change"] == truth["change"]
                assert line["payload"] is not None or "change" not in line["redacted"]
            else:
                hidden = rfc8785.dumps(truth["change"]).decode()
                assert line["payload"] is None and hidden not in json.dumps(line) and hidden not in json.dumps(row)
            assert row["entity_id"] == (None if status == 404 else truth["entity_id"]), where
            assert row["hash"] == line["hash"] == truth["hash"] and row["prev_hash"] == truth["prev_hash"]

    initiative_ids = sorted({int(r["entity_id"]) for r in admin_rows if r["entity_type"] == "initiative"})
    for caller in LOG_CALLERS:
        for iid in initiative_ids:
            history = client.get(f"/api/v1/initiatives/{iid}/history", headers=bearer(tokens[caller]))
            assert history.status_code == direct(caller, f"/api/v1/initiatives/{iid}"), (caller, iid)
            if history.status_code != 200:
                assert history.content_type == "application/problem+json"
                continue
            full = client.get(f"/api/v1/initiatives/{iid}/history", headers=bearer(tokens["admin"])).json
            assert set(full) - {"initiative_id", "status", "round_id", "withheld"} == set(HISTORY_PARTS)
            withheld = []
            for part, url_of in HISTORY_PARTS.items():
                shown = [item for item in full[part] if direct(caller, url_of(item, iid)) == 200]
                if part in ("votes", "decisions") and caller.startswith("team_lead"):
                    assert direct(caller, f"/api/v1/rounds/{world['round']}/{part}") == 403
                    shown = []  # refused by role, so withheld even when this history has none
                assert history.json[part] == shown, (caller, iid, part)
                if len(shown) < len(full[part]) or (part in ("votes", "decisions") and caller.startswith("team_lead")):
                    withheld.append(part)
            assert history.json["withheld"] == withheld, (caller, iid)


if __name__ == "__main__":
    print(render_markdown())
