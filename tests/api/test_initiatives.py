"""Initiative lifecycle through HTTP: submit into open rounds only, withdraw, cancel, 409 with allowed moves."""
import pytest

from tests.builders import build_world, initiative_payload
from tests.conftest import bearer


@pytest.fixture
def world(app):
    return build_world(app)


def _move(client, headers, iid, **body):
    return client.post(f"/api/v1/initiatives/{iid}/transitions", json=body, headers=headers)


def test_full_detail_round_trips(client, world):
    lead = bearer(world["tokens"]["team_lead"])
    payload = initiative_payload(world)
    created = client.post("/api/v1/initiatives", json=payload, headers=lead)
    assert created.status_code == 201
    got = client.get(f"/api/v1/initiatives/{created.json['id']}", headers=lead).json
    for key, value in payload.items():
        assert got[key] == value, key
    assert got["status"] == "draft" and got["allowed_transitions"] == ["submitted", "cancelled"]


def test_submit_withdraw_resubmit(client, world):
    lead = bearer(world["tokens"]["team_lead"])
    iid = world["draft_a"]
    no_round = _move(client, lead, iid, to="submitted")
    assert no_round.status_code == 422 and "round_id" in no_round.json["errors"]
    submitted = _move(client, lead, iid, to="submitted", round_id=world["round"])
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert submitted.json["round_id"] == world["round"]
    again = _move(client, lead, iid, to="submitted", round_id=world["round"])
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    assert again.json["current"] == "submitted" and again.json["allowed"] == ["draft", "cancelled"]
    withdrawn = _move(client, lead, iid, to="draft")
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "draft"
    assert _move(client, lead, iid, to="submitted").status_code == 200  # the round is remembered


def test_submission_only_into_an_open_round(client, world):
    admin, lead = bearer(world["tokens"]["admin"]), bearer(world["tokens"]["team_lead"])
    planning = client.post("/api/v1/rounds", json={"name": "FY2027 Q3", "fiscal_year": 2027, "budget": 1000},
                           headers=admin).json
    refused = _move(client, lead, world["draft_a"], to="submitted", round_id=planning["id"])
    assert refused.status_code == 409 and "open" in refused.json["detail"]
    assert client.get(f"/api/v1/initiatives/{world['draft_a']}", headers=lead).json["status"] == "draft"


def test_board_moves_are_not_taken_through_transitions(client, world):
    admin = bearer(world["tokens"]["admin"])
    for target in ("approved", "rejected", "deferred", "changes_requested", "reviewed"):
        response = _move(client, admin, world["submitted_a"], to=target)
        assert response.status_code == 409, target
        assert target not in response.json["allowed"]


def test_cancel_needs_a_reason_and_is_final(client, world):
    lead = bearer(world["tokens"]["team_lead"])
    iid = world["submitted_a"]
    assert _move(client, lead, iid, to="cancelled").status_code == 422
    cancelled = _move(client, lead, iid, to="cancelled", reason="Superseded by the returns programme")
    assert cancelled.status_code == 200 and cancelled.json["status_reason"].startswith("Superseded")
    final = _move(client, lead, iid, to="submitted")
    assert final.status_code == 409 and final.json["allowed"] == []


def test_only_drafts_are_editable_and_deletable(client, world):
    lead = bearer(world["tokens"]["team_lead"])
    iid = world["submitted_a"]
    etag = client.get(f"/api/v1/initiatives/{iid}", headers=lead).headers["ETag"]
    edit = client.patch(f"/api/v1/initiatives/{iid}", json={"title": "New"}, headers={**lead, "If-Match": etag})
    assert edit.status_code == 409
    delete = client.delete(f"/api/v1/initiatives/{iid}", headers={**lead, "If-Match": etag})
    assert delete.status_code == 409
    draft = world["draft_a"]
    etag = client.get(f"/api/v1/initiatives/{draft}", headers=lead).headers["ETag"]
    edited = client.patch(f"/api/v1/initiatives/{draft}", json={"title": "Returns v2", "partners": []},
                          headers={**lead, "If-Match": etag})
    assert edited.status_code == 200 and edited.json["title"] == "Returns v2" and edited.json["partners"] == []
    etag = edited.headers["ETag"]
    assert client.delete(f"/api/v1/initiatives/{draft}", headers={**lead, "If-Match": etag}).status_code == 204
    assert client.get(f"/api/v1/initiatives/{draft}", headers=lead).status_code == 404


def test_list_filters(client, world):
    admin = bearer(world["tokens"]["admin"])
    by_status = client.get("/api/v1/initiatives?status=submitted", headers=admin).json
    assert [i["title"] for i in by_status] == ["Submitted A"]
    by_team = client.get(f"/api/v1/initiatives?team_id={world['team_b']}", headers=admin).json
    assert [i["title"] for i in by_team] == ["Draft B"]
    by_text = client.get("/api/v1/initiatives?q=Draft&sort=-title", headers=admin).json
    assert [i["title"] for i in by_text] == ["Draft B", "Draft A"]
    by_round = client.get(f"/api/v1/initiatives?round_id={world['round']}", headers=admin).json
    assert [i["title"] for i in by_round] == ["Submitted A"]
    cell = client.get("/api/v1/initiatives?focus_area=technology&building_block=experience_design_operations",
                      headers=admin).json
    assert len(cell) == 3
    assert client.get("/api/v1/initiatives?focus_area=nowhere", headers=admin).status_code == 422


def test_viewers_do_not_see_drafts(client, world):
    viewer = bearer(world["tokens"]["viewer"])
    titles = [i["title"] for i in client.get("/api/v1/initiatives", headers=viewer).json]
    assert titles == ["Submitted A"]
    assert client.get(f"/api/v1/initiatives/{world['draft_a']}", headers=viewer).status_code == 404


def test_every_transition_is_logged_with_from_and_to(client, world):
    lead, admin = bearer(world["tokens"]["team_lead"]), bearer(world["tokens"]["admin"])
    _move(client, lead, world["draft_a"], to="submitted", round_id=world["round"])
    events = client.get(f"/api/v1/audit?entity_type=initiative&entity_id={world['draft_a']}", headers=admin).json
    last = events[-1]
    assert last["action"] == "initiative.transitioned"
    assert last["change"]["from"] == "draft" and last["change"]["to"] == "submitted"
    assert last["actor_id"] == world["lead_a"]
