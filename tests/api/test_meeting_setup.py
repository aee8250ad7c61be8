"""Before and around a meeting: the chair's rounds, deferral to "next", the people directory."""
import pytest

from tests.builders import build_world, vote
from tests.conftest import bearer


@pytest.fixture
def world(app):
    return build_world(app)


def test_the_chair_creates_a_round_in_planning_without_money(client, world):
    chair, finance = bearer(world["tokens"]["board_chair"]), bearer(world["tokens"]["finance"])
    created = client.post("/api/v1/rounds", json={"name": "FY2027 Q3", "fiscal_year": 2027, "fiscal_quarter": 3},
                          headers=chair)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "planning" and created.json["budget"] == 0
    for money in ({"budget": 5}, {"supermajority_above": 5}):
        refused = client.post("/api/v1/rounds", json={"name": "FY2027 Q4", "fiscal_year": 2027, **money},
                              headers=chair)
        assert refused.status_code == 403 and set(money) <= set(refused.json["errors"])
    assert client.post("/api/v1/rounds", json={"name": "FY2027 Q4", "fiscal_year": 2027},
                       headers=finance).status_code == 422  # finance must name the budget
    etag = client.get(f"/api/v1/rounds/{created.json['id']}", headers=finance).headers["ETag"]
    assert client.patch(f"/api/v1/rounds/{created.json['id']}", json={"budget": 9},
                        headers={**chair, "If-Match": etag}).status_code == 403
    assert client.patch(f"/api/v1/rounds/{created.json['id']}", json={"budget": 9},
                        headers={**finance, "If-Match": etag}).json["budget"] == 9


def test_deferring_to_next_creates_the_next_quarters_round_once(client, board):
    chair = bearer(board["tokens"]["board_chair"])
    rnd = client.get(f"/api/v1/rounds/{board['round']}", headers=chair).json
    assert (rnd["fiscal_year"], rnd["fiscal_quarter"]) == (2027, 1)
    first, second = board["items"][0], board["items"][1]
    for iid in (first, second):
        for token in board["member_tokens"][:3]:
            vote(client, board, token, iid, "abstain")
    deferred = client.post(f"/api/v1/rounds/{board['round']}/decisions", headers=chair, json={
        "initiative_id": first, "outcome": "defer", "rationale": "next quarter", "deferred_to_round_id": "next"})
    assert deferred.status_code == 201, deferred.json
    target = client.get(f"/api/v1/rounds/{deferred.json['deferred_to_id']}", headers=chair).json
    assert (target["name"], target["fiscal_year"], target["fiscal_quarter"], target["status"], target["budget"]) == (
        "FY2027 Q2", 2027, 2, "planning", 0)
    again = client.post(f"/api/v1/rounds/{board['round']}/decisions", headers=chair, json={
        "initiative_id": second, "outcome": "defer", "rationale": "next quarter", "deferred_to_round_id": "next"})
    assert again.status_code == 201 and again.json["deferred_to_id"] == target["id"]
    assert client.get(f"/api/v1/initiatives/{first}", headers=chair).json["round_id"] == target["id"]
    assert client.post(f"/api/v1/rounds/{board['round']}/decisions", headers=chair, json={
        "initiative_id": board["items"][2], "outcome": "defer", "rationale": "x", "override": True,
        "override_rationale": "x", "deferred_to_round_id": "later"}).status_code == 422


def test_next_after_q4_is_q1_of_the_next_year_and_a_round_without_quarter_must_name_one(app, board):
    from cxgov.db import database
    from cxgov.errors import RuleViolation
    from cxgov.models import Round
    from cxgov.services import governance
    from cxgov.services.actor import SYSTEM

    with app.app_context():
        Round.update(fiscal_quarter=4).where(Round.id == board["round"]).execute()
        nxt = governance.next_quarter_round(SYSTEM, Round.get_by_id(board["round"]))
        assert (nxt.name, nxt.fiscal_year, nxt.fiscal_quarter) == ("FY2028 Q1", 2028, 1)
        Round.update(fiscal_quarter=None).where(Round.id == board["round"]).execute()
        try:
            governance.next_quarter_round(SYSTEM, Round.get_by_id(board["round"]))
            raise AssertionError("expected a RuleViolation")
        except RuleViolation as exc:
            assert "deferred_to_round_id" in exc.errors
        database.close()


def test_team_leads_and_the_board_read_a_people_directory(client, world, app):
    from cxgov.db import database
    from cxgov.models import User

    for role in ("finance", "viewer"):
        assert client.get("/api/v1/users", headers=bearer(world["tokens"][role])).status_code == 403
    with app.app_context():
        User.update(active=False).where(User.id == world["user_viewer"]).execute()
        database.close()
    for role in ("team_lead", "board_member", "board_chair"):
        listed = client.get("/api/v1/users?page_size=100", headers=bearer(world["tokens"][role]))
        assert listed.status_code == 200, (role, listed.json)
        assert listed.json and all(set(u) == {"id", "name", "role", "team_id"} for u in listed.json), role
        assert world["user_viewer"] not in {u["id"] for u in listed.json}  # active users only
    lead = bearer(world["tokens"]["team_lead"])
    owners = client.get(f"/api/v1/users?team_id={world['team_a']}", headers=lead).json
    assert owners and all(u["team_id"] == world["team_a"] for u in owners)
    chairs = client.get("/api/v1/users?role=board_chair", headers=lead).json
    assert [u["id"] for u in chairs] == [world["user_board_chair"]]
    # e-mail stays admin-only: not searchable, not sortable
    email = client.get("/api/v1/users/me", headers=bearer(world["tokens"]["board_chair"])).json["email"]
    assert client.get(f"/api/v1/users?q={email}", headers=lead).json == []
    assert client.get("/api/v1/users?sort=email", headers=lead).status_code == 422
    full = client.get("/api/v1/users?page_size=100", headers=bearer(world["tokens"]["admin"])).json
    assert {"email", "active", "version"} <= set(full[0]) and len(full) > len(
        client.get("/api/v1/users?page_size=100", headers=lead).json)
    assert client.get(f"/api/v1/users/{world['user_admin']}", headers=lead).status_code == 403
