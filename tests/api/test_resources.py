"""One scenario per resource: create, list, get with ETag, update with If-Match, stale, missing, 404."""
import pytest

from tests.builders import build_world, counts_in, metric_payload, objective_payload, round_payload, team_payload
from tests.conftest import bearer

CASES = {
    "teams": (lambda w: team_payload(7), {"lead_name": "Renamed"}),
    "partners": (lambda w: {"name": "Acme Couriers", "kind": "supplier"}, {"description": "Last-mile delivery"}),
    "metrics": (lambda w: metric_payload("csat", baseline=78.0, target=85.0, range_min=0.0, range_max=100.0),
                {"weight": 2.5}),
    "objectives": (lambda w: objective_payload(w["metric"], title="Lift NPS"), {"weight": 4.0}),
    "rounds": (lambda w: round_payload(name="FY2027 Q2", fiscal_quarter=2), {"budget": 5_000_000}),
    "users": (lambda w: {"email": "new@example.com", "name": "New Person", "role": "viewer"}, {"name": "Renamed"}),
}


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.mark.parametrize("resource", sorted(CASES))
def test_resource_scenario(client, world, resource):
    admin = bearer(world["tokens"]["admin"])
    make, change = CASES[resource]
    created = client.post(f"/api/v1/{resource}", json=make(world), headers=admin)
    assert created.status_code == 201, created.json
    rid = created.json["id"]

    listed = client.get(f"/api/v1/{resource}?page_size=100", headers=admin)
    assert listed.status_code == 200
    assert rid in [item["id"] for item in listed.json]
    assert "X-Pagination" in listed.headers

    got = client.get(f"/api/v1/{resource}/{rid}", headers=admin)
    assert got.status_code == 200 and got.headers.get("ETag")
    etag = got.headers["ETag"]
    assert client.get(f"/api/v1/{resource}/{rid}", headers={**admin, "If-None-Match": etag}).status_code == 304

    missing = client.patch(f"/api/v1/{resource}/{rid}", json=change, headers=admin)
    assert missing.status_code == 428 and missing.content_type == "application/problem+json"
    star = client.patch(f"/api/v1/{resource}/{rid}", json=change, headers={**admin, "If-Match": "*"})
    assert star.status_code == 412

    updated = client.patch(f"/api/v1/{resource}/{rid}", json=change, headers={**admin, "If-Match": etag})
    assert updated.status_code == 200, updated.json
    for key, value in change.items():
        assert updated.json[key] == value
    assert updated.headers["ETag"] != etag
    assert updated.json["version"] == got.json["version"] + 1

    stale = client.patch(f"/api/v1/{resource}/{rid}", json=change, headers={**admin, "If-Match": etag})
    assert stale.status_code == 412 and stale.content_type == "application/problem+json"

    assert client.get(f"/api/v1/{resource}/999999", headers=admin).status_code == 404
    assert client.get(f"/api/v1/{resource}/99999999999999999999", headers=admin).status_code == 404

    events = client.get(f"/api/v1/audit?entity_type={resource.rstrip('s')}&entity_id={rid}", headers=admin).json
    assert [e["action"].split(".")[1] for e in events][:2] == ["created", "updated"]


@pytest.mark.parametrize("resource", ["teams", "partners", "metrics", "objectives"])
def test_delete_needs_if_match_and_is_logged(client, resource, world):
    admin = bearer(world["tokens"]["admin"])
    rid = client.post(f"/api/v1/{resource}", json=CASES[resource][0](world), headers=admin).json["id"]
    etag = client.get(f"/api/v1/{resource}/{rid}", headers=admin).headers["ETag"]
    assert client.delete(f"/api/v1/{resource}/{rid}", headers=admin).status_code == 428
    assert client.delete(f"/api/v1/{resource}/{rid}", headers={**admin, "If-Match": etag}).status_code == 204
    assert client.get(f"/api/v1/{resource}/{rid}", headers=admin).status_code == 404
    actions = [e["action"] for e in client.get(f"/api/v1/audit?entity_id={rid}&entity_type={resource.rstrip('s')}",
                                                headers=admin).json]
    assert actions[-1].endswith(".deleted")


def test_delete_of_referenced_record_is_409_and_writes_nothing(client, world):
    admin = bearer(world["tokens"]["admin"])
    etag = client.get(f"/api/v1/teams/{world['team_a']}", headers=admin).headers["ETag"]
    head = client.get("/api/v1/audit/verify", headers=admin).json
    response = client.delete(f"/api/v1/teams/{world['team_a']}", headers={**admin, "If-Match": etag})
    assert response.status_code == 409
    assert client.get("/api/v1/audit/verify", headers=admin).json == head


def test_list_filters_sort_and_paginate(client, world):
    admin = bearer(world["tokens"]["admin"])
    for n in range(3, 8):
        client.post("/api/v1/teams", json=team_payload(n, department="IT" if n % 2 else "HR"), headers=admin)
    it = client.get("/api/v1/teams?department=IT&sort=-name", headers=admin).json
    assert [t["name"] for t in it] == ["Team 7", "Team 5", "Team 3"]
    page = client.get("/api/v1/teams?page=2&page_size=2&sort=name", headers=admin)
    assert page.status_code == 200 and len(page.json) == 2
    assert '"total": 7' in page.headers["X-Pagination"]
    assert client.get("/api/v1/teams?sort=lead_email", headers=admin).status_code == 422
    assert client.get("/api/v1/teams?page_size=1000", headers=admin).status_code == 422


def test_tokens_shown_once_hashed_and_revocable(client, world, app):
    admin = bearer(world["tokens"]["admin"])
    issued = client.post("/api/v1/tokens", json={"name": "ci", "expires_in_days": 7}, headers=admin)
    assert issued.status_code == 201 and issued.json["token"].startswith("cxg_")
    secret = issued.json["token"]
    assert len(secret) >= 4 + 43  # 32 random bytes, url-safe base64
    with app.app_context():
        from cxgov.models import ApiToken

        stored = ApiToken.get_by_id(issued.json["id"])
        assert secret not in (stored.digest, stored.prefix) and len(stored.digest) == 64
    assert "token" not in client.get(f"/api/v1/tokens/{issued.json['id']}", headers=admin).json
    assert client.get("/api/v1/users/me", headers=bearer(secret)).status_code == 200
    etag = client.get(f"/api/v1/tokens/{issued.json['id']}", headers=admin).headers["ETag"]
    revoked = client.delete(f"/api/v1/tokens/{issued.json['id']}", headers={**admin, "If-Match": etag})
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    unauthorized = client.get("/api/v1/users/me", headers=bearer(secret))
    assert unauthorized.status_code == 401 and "Bearer" in unauthorized.headers["WWW-Authenticate"]
    assert client.get("/api/v1/users/me", headers=bearer("cxg_" + "x" * 43)).status_code == 401


def test_expired_token_is_refused(client, world, app):
    import datetime as dt

    from cxgov.models import ApiToken

    viewer = bearer(world["tokens"]["viewer"])
    assert client.get("/api/v1/users/me", headers=viewer).status_code == 200  # used (and so any cache warm) first
    with app.app_context():
        ApiToken.update(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).execute()
    assert client.get("/api/v1/users/me", headers=viewer).status_code == 401


def test_me_is_the_stored_user_and_a_deactivated_users_token_stops_at_once(client, world):
    """The token check reads the user afresh: every field comes back as the ordinary read
    gives it, and nothing is cached (deactivation bites on the next request)."""
    admin = bearer(world["tokens"]["admin"])
    lead = bearer(world["tokens"]["team_lead"])
    me = client.get("/api/v1/users/me", headers=lead)
    stored = client.get(f"/api/v1/users/{world['lead_a']}", headers=admin)
    assert me.status_code == 200 and me.json == stored.json and me.json["team_id"] == world["team_a"]
    deactivated = client.patch(f"/api/v1/users/{world['lead_a']}", json={"active": False},
                               headers={**admin, "If-Match": stored.headers["ETag"]})
    assert deactivated.status_code == 200 and deactivated.json["active"] is False
    assert client.get("/api/v1/users/me", headers=lead).status_code == 401
    assert client.get(f"/api/v1/rounds/{world['round']}/rankings/latest", headers=lead).status_code == 401


def test_non_admin_issues_tokens_only_for_self(client, world):
    viewer = bearer(world["tokens"]["viewer"])
    own = client.post("/api/v1/tokens", json={"name": "mine"}, headers=viewer)
    assert own.status_code == 201 and own.json["user_id"] == world["user_viewer"]
    other = client.post("/api/v1/tokens", json={"name": "theirs", "user_id": world["user_admin"]}, headers=viewer)
    assert other.status_code == 403


def test_health_endpoints_need_no_token(client):
    assert client.get("/healthz").json["status"] == "ok"
    assert client.get("/readyz").json["status"] == "ready"


def test_problem_json_on_405_keeps_allow_header(client, world):
    response = client.put("/api/v1/teams", json={}, headers=bearer(world["tokens"]["admin"]))
    assert response.status_code == 405
    assert response.content_type == "application/problem+json" and "GET" in response.headers["Allow"]


def test_users_filter_by_role_team_and_text(client, world):
    admin = bearer(world["tokens"]["admin"])

    def emails(query):
        response = client.get(f"/api/v1/users?{query}", headers=admin)
        assert response.status_code == 200
        return sorted(u["email"] for u in response.json)

    assert emails("role=team_lead") == ["lead.a@example.com", "lead.b@example.com"]
    assert emails(f"team_id={world['team_b']}") == ["lead.b@example.com"]
    assert emails("q=Sponsor") == ["sponsor@example.com"] == emails("q=sponsor@")
    assert emails("role=viewer&q=lead") == []


#: per resource: PATCH bodies that must be refused with 422, each naming a field
BAD_PATCHES = {
    "teams": [({"colour": "red"}, "colour"), ({"lead_name": 7}, "lead_name"), ({"name": ""}, "name")],
    "partners": [({"kind": "enemy"}, "kind"), ({"name": None}, "name"), ({"extra": 1}, "extra")],
    "metrics": [({"weight": float("nan")}, "weight"), ({"weight": "2.5"}, "weight"), ({"weight": -1}, "weight")],
    "objectives": [({"weight": True}, "weight"), ({"metric_id": "x"}, "metric_id"), ({"title": ["a"]}, "title")],
    "rounds": [({"budget": 10.5}, "budget"), ({"budget": -1}, "budget"), ({"fiscal_quarter": 5}, "fiscal_quarter")],
    "users": [({"role": "emperor"}, "role"), ({"email": "not-an-address"}, "email"), ({"active": "yes"}, "active")],
}


@pytest.mark.parametrize("resource", sorted(BAD_PATCHES))
def test_bad_patches_malformed_preconditions_and_unknown_ids_write_nothing(app, client, world, resource):
    admin = bearer(world["tokens"]["admin"])
    rid = client.post(f"/api/v1/{resource}", json=CASES[resource][0](world), headers=admin).json["id"]
    got = client.get(f"/api/v1/{resource}/{rid}", headers=admin)
    etag, before_counts = got.headers["ETag"], counts_in(app)
    good = CASES[resource][1]

    def refused(response, status, field=None):
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.content_type == "application/problem+json" and response.json["status"] == status
        if field is not None:
            assert field in response.json.get("errors", {}), response.json

    for body, field in BAD_PATCHES[resource]:
        refused(client.patch(f"/api/v1/{resource}/{rid}", json=body, headers={**admin, "If-Match": etag}), 422, field)
    # an If-Match that does not parse counts as absent (428); one that parses but matches nothing is 412
    for malformed, status in (('"unquoted', 428), ("W/", 412), ('""', 412), ("garbage, *", 412), ("x" * 5000, 412)):
        refused(client.patch(f"/api/v1/{resource}/{rid}", json=good, headers={**admin, "If-Match": malformed}), status)
    for missing_id in (999_999, 99999999999999999999):
        refused(client.patch(f"/api/v1/{resource}/{missing_id}", json=good, headers={**admin, "If-Match": etag}), 404)
    # nothing changed: same record, same ETag, same rows (and so no audit event)
    after = client.get(f"/api/v1/{resource}/{rid}", headers=admin)
    assert after.headers["ETag"] == etag and after.json == got.json
    assert counts_in(app) == before_counts
    assert client.patch(f"/api/v1/{resource}/{rid}", json=good, headers={**admin, "If-Match": etag}).status_code == 200
