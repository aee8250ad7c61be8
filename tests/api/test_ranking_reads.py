"""Reading a ranking reads the token and the ranking afresh on every request: a revoked token,
a deactivated user and a new ranking all take effect on the next request, whoever wrote them."""
import datetime as dt

import pytest

from cxgov.db import database
from tests.builders import build_world
from tests.conftest import bearer


@pytest.fixture
def world(app):
    return build_world(app)


def _rank(client, world):
    ranking = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=bearer(world["tokens"]["admin"]))
    assert ranking.status_code == 201, ranking.json
    return ranking.json


def test_the_next_request_sees_revocation_deactivation_and_a_new_ranking(client, world):
    admin = bearer(world["tokens"]["admin"])
    first = _rank(client, world)
    url = f"/api/v1/rounds/{world['round']}/rankings/latest"
    token = client.post("/api/v1/tokens", json={"user_id": world["user_board_member"], "name": "t"}, headers=admin).json
    member = bearer(token["token"])
    assert client.get(url, headers=member).json["id"] == first["id"]
    second = _rank(client, world)
    assert client.get(url, headers=member).json["id"] == second["id"]
    etag = client.get(f"/api/v1/tokens/{token['id']}", headers=admin).headers["ETag"]
    assert client.delete(f"/api/v1/tokens/{token['id']}", headers={**admin, "If-Match": etag}).status_code == 200
    refused = client.get(url, headers=member)
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    chair = bearer(world["tokens"]["board_chair"])
    assert client.get(url, headers=chair).status_code == 200
    user = client.get(f"/api/v1/users/{world['user_board_chair']}", headers=admin)
    assert client.patch(f"/api/v1/users/{world['user_board_chair']}", json={"active": False},
                        headers={**admin, "If-Match": user.headers["ETag"]}).status_code == 200
    assert client.get(url, headers=chair).status_code == 401


def test_refusals_of_a_ranking_read_answer_as_before(client, world, statements):
    ranking = _rank(client, world)
    url = f"/api/v1/rounds/{world['round']}/rankings/latest"
    assert client.get(url, headers=bearer("cxg_not-a-token")).status_code == 401
    # team B never submitted to the round: the team check refuses
    assert client.get(url, headers=bearer(world["tokens"]["team_lead_b"])).status_code == 403
    assert client.get(url, headers=bearer(world["tokens"]["team_lead"])).json["id"] == ranking["id"]
    assert client.get(f"/api/v1/rankings/{ranking['id'] + 1000}", headers=bearer(world["tokens"]["viewer"])).status_code == 404
    assert client.get("/api/v1/rounds/999999/rankings/latest", headers=bearer(world["tokens"]["viewer"])).status_code == 404
    assert client.get("/api/v1/rankings/9223372036854775806", headers=bearer(world["tokens"]["viewer"])).status_code == 404


def test_a_refused_read_leaves_nothing_for_a_later_request(client, world):
    """A refused read of the latest ranking leaves nothing behind: after a re-ranking, a later
    request of the same process (here the portfolio) reads the new latest ranking."""
    chair = bearer(world["tokens"]["board_chair"])
    first = _rank(client, world)
    refused = client.get(f"/api/v1/rounds/{world['round']}/rankings/latest?page_size=0", headers=chair)
    assert refused.status_code == 422
    second = _rank(client, world)
    assert second["id"] != first["id"]
    scenario = client.post(f"/api/v1/rounds/{world['round']}/portfolio", json={"name": "after"}, headers=chair)
    assert scenario.status_code == 201, scenario.json
    assert scenario.json["ranking_id"] == second["id"]


def test_a_revocation_written_behind_the_api_counts_on_the_next_request(app, client, world):
    """As another process (a second worker, the CLI, psql) would write it."""
    _rank(client, world)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).status_code == 200
    with app.app_context():
        db = database.obj
        db.execute_sql('UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?'.replace("?", db.param),
                       (dt.datetime(2026, 1, 1), world["user_board_member"]))
        database.close()
    assert client.get(url, headers=member).status_code == 401
