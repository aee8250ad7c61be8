"""Bad input: a 4xx problem+json naming the field, and nothing written (row counts and chain head unchanged)."""
import json

import pytest

from tests.builders import (
    build_world, counts_in, initiative_payload, metric_payload, objective_payload, round_payload, team_payload,
)
from tests.conftest import bearer


@pytest.fixture
def world(app):
    return build_world(app)


def _assert_refused(app, client, method, path, body, headers, status=422, field=None, raw=None):
    before = counts_in(app)
    kwargs = {"data": raw, "content_type": "application/json"} if raw is not None else {"json": body}
    response = getattr(client, method)(path, headers=headers, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    problem = response.json
    assert problem["status"] == status and problem["title"]
    if field is not None:
        assert field in problem.get("errors", {}), problem
    assert counts_in(app) == before
    return problem


def initiative_cases(w):
    good = initiative_payload(w)
    return {
        "unknown field": (dict(good, colour="blue"), "colour"),
        "wrong type title": (dict(good, title=42), "title"),
        "money as float": (dict(good, requested_amount=1200.50), "requested_amount"),
        "money as string": (dict(good, requested_amount="1200"), "requested_amount"),
        "negative money": (dict(good, one_time_cost=-1), "one_time_cost"),
        "absurd money": (dict(good, annual_cost=10**13 + 1), "annual_cost"),
        "risk out of range": (dict(good, risk=6), "risk"),
        "risk as bool": (dict(good, risk=True), "risk"),
        "months out of range": (dict(good, months_to_value=-1), "months_to_value"),
        "alignment out of range": (dict(good, objectives=[{"objective_id": w["objective"], "alignment": 7}]), "objectives"),
        "confidence out of range": (dict(good, impacts=[{"metric_id": w["metric"], "expected_change": 1.0,
                                                         "confidence": 1.5}]), "impacts"),
        "shares above 1": (dict(good, partners=[{"partner_id": w["partner"], "share": 0.7},
                                                {"partner_id": w["partner"] + 1000, "share": 0.6}]), "partners"),
        "shares sum above 1": (dict(good, partners=[{"partner_id": w["partner"], "share": 0.7},
                                                    {"partner_id": w["partner"], "share": 0.6}]), "partners"),
        "unknown dependency": (dict(good, dependency_ids=[987654]), "dependency_ids"),
        "unknown objective": (dict(good, objectives=[{"objective_id": 987654, "alignment": 3}]), "objectives"),
        "unknown metric": (dict(good, impacts=[{"metric_id": 987654, "expected_change": 1, "confidence": 0.5}]),
                           "impacts"),
        "unknown team": (dict(good, team_id=987654), None),
        "unknown sponsor": (dict(good, sponsor_id=987654), "sponsor_id"),
        "bad enum": (dict(good, focus_area="marketing"), "focus_area"),
        "bad channel": (dict(good, channels=["carrier pigeon"]), "channels"),
        "over-long title": (dict(good, title="x" * 201), "title"),
        "empty title": (dict(good, title=""), "title"),
        "missing field": ({k: v for k, v in good.items() if k != "problem_statement"}, "problem_statement"),
        "null for required": (dict(good, risk=None), "risk"),
        "contributor is owner": (dict(good, contributing_team_ids=[w["team_a"]]), "contributing_team_ids"),
        "id zero": (dict(good, owner_id=0), "owner_id"),
        "id overflow": (dict(good, owner_id=2**70), "owner_id"),
    }


CASE_NAMES = sorted(initiative_cases({"objective": 1, "metric": 1, "partner": 1, "team_a": 1, "team_b": 2,
                                      "owner": 1, "sponsor": 1}))


@pytest.mark.parametrize("case", CASE_NAMES)
def test_bad_initiative_is_refused_and_writes_nothing(app, client, world, case):
    body, field = initiative_cases(world)[case]
    status = 403 if case == "unknown team" else 422  # a team lead's own team is checked first
    _assert_refused(app, client, "post", "/api/v1/initiatives", body, bearer(world["tokens"]["team_lead"]),
                    status=status, field=field)


@pytest.mark.parametrize("case", ["unknown team"])
def test_bad_initiative_by_admin(app, client, world, case):
    body, field = initiative_cases(world)[case]
    _assert_refused(app, client, "post", "/api/v1/initiatives", body, bearer(world["tokens"]["admin"]),
                    field="team_id")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(app, client, world, literal):
    text = json.dumps(initiative_payload(world)).replace('"expected_change": 3.5', f'"expected_change": {literal}')
    assert literal in text
    _assert_refused(app, client, "post", "/api/v1/initiatives", None, bearer(world["tokens"]["team_lead"]),
                    field="impacts", raw=text)


def test_invalid_json_is_400(app, client, world):
    _assert_refused(app, client, "post", "/api/v1/teams", None, bearer(world["tokens"]["admin"]), status=400,
                    raw="{not json")


@pytest.mark.parametrize("raw", ["[" * 100_000 + "]" * 100_000, '{"name": ' + "9" * 5_000 + "}"],
                         ids=["nested past the recursion limit", "integer of 5,000 digits"])
@pytest.mark.parametrize("keyed", [False, True], ids=["plain", "with Idempotency-Key"])
def test_json_python_cannot_parse_is_400(app, client, world, raw, keyed):
    headers = {**bearer(world["tokens"]["admin"]), **({"Idempotency-Key": "deep-1"} if keyed else {})}
    _assert_refused(app, client, "post", "/api/v1/teams", None, headers, status=400, raw=raw)


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/metrics", dict(weight="2.5"), "weight"),
    ("/api/v1/teams", dict(customer_facing="yes"), "customer_facing"),
    ("/api/v1/teams", dict(customer_facing=1), "customer_facing"),
], ids=["number as text", "flag as text", "flag as 1"])
def test_numbers_and_flags_as_text_are_refused_not_converted(app, client, world, path, body, field):
    base = metric_payload("csat") if path.endswith("metrics") else team_payload(9)
    _assert_refused(app, client, "post", path, {**base, **body}, bearer(world["tokens"]["admin"]), field=field)


def test_an_impact_given_as_text_is_refused(app, client, world):
    payload = initiative_payload(world)
    payload["impacts"] = [{"metric_id": world["metric"], "expected_change": "3.5", "confidence": "0.7"}]
    _assert_refused(app, client, "post", "/api/v1/initiatives", payload, bearer(world["tokens"]["team_lead"]),
                    field="impacts")


def test_body_over_one_mib_is_413(app, client, world):
    raw = json.dumps({"name": "x", "department": "y", "lead_name": "z", "pad": "a" * (1024 * 1024)})
    _assert_refused(app, client, "post", "/api/v1/teams", None, bearer(world["tokens"]["admin"]), status=413, raw=raw)


def test_dependency_on_itself_and_cycles_are_refused(app, client, world):
    lead = bearer(world["tokens"]["team_lead"])
    iid = world["draft_a"]
    etag = client.get(f"/api/v1/initiatives/{iid}", headers=lead).headers["ETag"]
    _assert_refused(app, client, "patch", f"/api/v1/initiatives/{iid}", {"dependency_ids": [iid]},
                    {**lead, "If-Match": etag}, field="dependency_ids")
    other = client.post("/api/v1/initiatives", json=initiative_payload(world, dependency_ids=[iid]), headers=lead)
    assert other.status_code == 201
    etag = client.get(f"/api/v1/initiatives/{iid}", headers=lead).headers["ETag"]
    _assert_refused(app, client, "patch", f"/api/v1/initiatives/{iid}", {"dependency_ids": [other.json["id"]]},
                    {**lead, "If-Match": etag}, field="dependency_ids")


def test_dependency_on_another_teams_draft_is_unknown_to_a_team_lead(app, client, world):
    _assert_refused(app, client, "post", "/api/v1/initiatives", initiative_payload(world, dependency_ids=[world["draft_b"]]),
                    bearer(world["tokens"]["team_lead"]), field="dependency_ids")


@pytest.mark.parametrize("path,body,field", [
    ("/api/v1/metrics", metric_payload("ces", baseline=5.0, target=5.0), "target"),
    ("/api/v1/metrics", metric_payload("ces", direction="lower_is_better"), "target"),
    ("/api/v1/metrics", metric_payload("ces", weight=-1), "weight"),
    ("/api/v1/metrics", metric_payload("ces", baseline=150.0), "baseline"),
    ("/api/v1/metrics", metric_payload("Bad Key"), "key"),
    ("/api/v1/rounds", round_payload(budget=-5), "budget"),
    ("/api/v1/rounds", round_payload(budget=10**13 + 1), "budget"),
    ("/api/v1/rounds", round_payload(fiscal_quarter=5), "fiscal_quarter"),
    ("/api/v1/rounds", round_payload(budget=1.5), "budget"),
    ("/api/v1/users", {"email": "not-an-email", "name": "x", "role": "viewer"}, "email"),
    ("/api/v1/users", {"email": "a@example.com", "name": "x", "role": "emperor"}, "role"),
    ("/api/v1/users", {"email": "a@example.com", "name": "x", "role": "team_lead"}, "team_id"),
    ("/api/v1/users", {"email": "a@example.com", "name": "x", "role": "viewer", "team_id": 1}, "team_id"),
    ("/api/v1/teams", {"name": "x" * 121, "department": "d", "lead_name": "l"}, "name"),
    ("/api/v1/partners", {"name": "P", "kind": "alien"}, "kind"),
])
def test_bad_records_are_refused(app, client, world, path, body, field):
    _assert_refused(app, client, "post", path, body, bearer(world["tokens"]["admin"]), field=field)


def test_objective_without_metric_or_target_is_refused(app, client, world):
    admin = bearer(world["tokens"]["admin"])
    no_metric = objective_payload(world["metric"])
    no_metric.pop("metric_id")
    _assert_refused(app, client, "post", "/api/v1/objectives", no_metric, admin, field="metric_id")
    no_target = objective_payload(world["metric"])
    no_target.pop("target")
    _assert_refused(app, client, "post", "/api/v1/objectives", no_target, admin, field="target")
    _assert_refused(app, client, "post", "/api/v1/objectives", objective_payload(987654), admin, field="metric_id")
    _assert_refused(app, client, "post", "/api/v1/objectives", objective_payload(world["metric"], target=20.0),
                    admin, field="target")


def test_assessment_scores_out_of_range(app, client, world):
    body = {"assessed_on": "2026-10-01", "shared_vision": 0, "data_sharing": 3, "process_integration": 6,
            "feedback_responsiveness": 3}
    problem = _assert_refused(app, client, "post", f"/api/v1/partners/{world['partner']}/assessments", body,
                              bearer(world["tokens"]["admin"]), field="shared_vision")
    assert "process_integration" in problem["errors"]


def test_measurements_all_or_nothing(app, client, world):
    rows = [{"measured_at": f"2026-0{m}-01T00:00:00Z", "value": 20.0 + m} for m in range(1, 9)]
    rows[5]["value"] = 140.0
    problem = _assert_refused(app, client, "post", f"/api/v1/metrics/{world['metric']}/measurements",
                              {"measurements": rows}, bearer(world["tokens"]["admin"]), field="5")
    assert "outside" in problem["errors"]["5"][0]


def test_budget_cannot_drop_below_committed_or_be_edited_by_finance_beyond_budget(app, client, world):
    finance = bearer(world["tokens"]["finance"])
    etag = client.get(f"/api/v1/rounds/{world['round']}", headers=finance).headers["ETag"]
    _assert_refused(app, client, "patch", f"/api/v1/rounds/{world['round']}", {"name": "renamed"},
                    {**finance, "If-Match": etag}, status=403)
    ok = client.patch(f"/api/v1/rounds/{world['round']}", json={"budget": 7}, headers={**finance, "If-Match": etag})
    assert ok.status_code == 200 and ok.json["budget"] == 7 and ok.json["remaining"] == 7


@pytest.mark.parametrize("name", ["Support\u0000EU", "Support \ud800"])
def test_text_a_database_cannot_store_is_refused(app, client, world, name):
    """PostgreSQL refuses NUL; UTF-8 cannot encode a lone surrogate (the fuzz found both as 500s)."""
    problem = _assert_refused(app, client, "post", "/api/v1/teams", {"name": name, "department": "d", "lead_name": "l"},
                              bearer(world["tokens"]["admin"]), field="name")
    assert "NUL" in problem["errors"]["name"][0] or "Unicode" in problem["errors"]["name"][0]
    listed = client.get("/api/v1/teams?q=%00", headers=bearer(world["tokens"]["admin"]))
    assert listed.status_code == 422


def test_csv_upload_with_a_nul_byte_is_refused(app, client, world):
    raw = "measured_at,value\n2026-01-01T00:00:00Z,1\u0000\n"
    before = counts_in(app)
    response = client.post(f"/api/v1/metrics/{world['metric']}/measurements/upload", data=raw,
                           headers={**bearer(world["tokens"]["admin"]), "Content-Type": "text/csv"})
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert counts_in(app) == before


def test_csv_upload_that_is_not_utf8_is_refused_not_stored_garbled(app, client, world):
    raw = "measured_at,value,segment\n2026-01-01T00:00:00Z,1,caf".encode() + b"\xe9\n"
    before = counts_in(app)
    response = client.post(f"/api/v1/metrics/{world['metric']}/measurements/upload", data=raw,
                           headers={**bearer(world["tokens"]["admin"]), "Content-Type": "text/csv"})
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert "body" in response.json["errors"] and "UTF-8" in response.json["detail"]
    assert counts_in(app) == before


@pytest.mark.parametrize("method, path, body, unknown", [
    ("get", "/api/v1/teams?pagesize=10", None, "pagesize"),  # a typo of page_size, on a paginated list
    ("get", "/api/v1/initiatives?stauts=approved&page=1", None, "stauts"),
    ("get", "/api/v1/rounds/{round}?expand=all", None, "expand"),  # a route with no query parameters at all
    ("get", "/api/v1/rounds/{round}/rankings/latest?page_size=5&pge=2", None, "pge"),
    ("head", "/api/v1/teams?x=1", None, "x"),
    ("post", "/api/v1/rounds/{round}/rankings?dry_run=true", None, "dry_run"),  # must not rank "for real"
    ("post", "/api/v1/teams?notify=1", {"name": "Gamma", "department": "Ops", "lead_name": "Lee"}, "notify"),
])
def test_unknown_query_parameters_are_refused_and_write_nothing(app, client, world, method, path, body, unknown):
    """webargs drops unknown query parameters; a misspelt filter must not answer as if absent."""
    path = path.format(round=world["round"])
    headers = bearer(world["tokens"]["admin"])
    if method == "head":
        response = client.head(path, headers=headers)
        assert response.status_code == 422 and response.content_type == "application/problem+json"
        return
    problem = _assert_refused(app, client, method, path, body, headers, status=422, field=unknown)
    assert unknown in problem["detail"] and "this endpoint takes" in problem["detail"]


def test_documented_query_parameters_still_pass(app, client, world):
    headers = bearer(world["tokens"]["admin"])
    assert client.get("/api/v1/teams?page=1&page_size=2&q=a", headers=headers).status_code == 200
    assert client.get("/api/v1/initiatives?status=submitted&page=1", headers=headers).status_code == 200
    assert client.get("/api/v1/audit/verify?expected_head=" + "0" * 64, headers=headers).status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"name": "t", "expires_in_days": 0}, "expires_in_days"),
    ({"name": "t", "expires_in_days": 367}, "expires_in_days"),
    ({"name": "t", "expires_in_days": 30.0}, "expires_in_days"),
    ({"name": "t", "expires_in_days": "30"}, "expires_in_days"),
    ({"name": "x" * 101}, "name"),
    ({}, "name"),
    ({"name": "t", "user_id": 987654}, None),  # an admin naming a user that does not exist: 404
    ({"name": "t", "scopes": ["all"]}, "scopes"),
])
def test_token_requests_out_of_bounds_issue_nothing(app, client, world, body, field):
    status = 404 if field is None else 422
    problem = _assert_refused(app, client, "post", "/api/v1/tokens", body, bearer(world["tokens"]["admin"]),
                              status=status, field=field)
    assert "token" not in problem


def test_a_request_id_is_echoed_when_well_formed_and_replaced_otherwise(app, client, world):
    admin = bearer(world["tokens"]["admin"])
    echoed = client.get("/api/v1/teams", headers={**admin, "X-Request-ID": "trace-42.a:b"})
    assert echoed.headers["X-Request-ID"] == "trace-42.a:b"
    for bad in ("has space", "x" * 65, "semi;colon", ""):
        replaced = client.get("/api/v1/teams", headers={**admin, "X-Request-ID": bad})
        assert replaced.status_code == 200
        assert replaced.headers["X-Request-ID"] != bad and len(replaced.headers["X-Request-ID"]) == 32
    # a refusal carries it in the problem body, and a write records it in its event
    refused = client.post("/api/v1/teams", json={"name": 1}, headers={**admin, "X-Request-ID": "req-refused"})
    assert refused.json["request_id"] == "req-refused"
    made = client.post("/api/v1/teams", json={"name": "Traced", "department": "Ops", "lead_name": "Lee"},
                       headers={**admin, "X-Request-ID": "req-made"})
    assert made.status_code == 201
    events = client.get(f"/api/v1/audit?entity_type=team&entity_id={made.json['id']}", headers=admin).json
    assert [e["request_id"] for e in events] == ["req-made"]
