"""With the read cache off (SQLite's default; ``CXGOV_READ_CACHE_MS=0`` on PostgreSQL), GET a
ranking reads the token and the ranking in one statement, and caches nothing: a revoked token,
a deactivated user and a new ranking all take effect on the next request.  (The same one
statement is what a cache miss costs; tests/api/test_read_cache.py covers the cache.)"""
import pytest

from cxgov.app import create_app
from tests.builders import build_world
from tests.conftest import bearer, close_database


@pytest.fixture
def app(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "READ_CACHE_MS": 0})
    yield app
    close_database()


@pytest.fixture
def world(app):
    return build_world(app)


def _rank(client, world):
    ranking = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=bearer(world["tokens"]["admin"]))
    assert ranking.status_code == 201, ranking.json
    return ranking.json


@pytest.mark.parametrize("path", ["/api/v1/rounds/{round}/rankings/latest", "/api/v1/rankings/{ranking}"])
def test_one_statement_per_read_of_a_ranking(client, world, statements, path):
    ranking = _rank(client, world)
    url = path.format(round=world["round"], ranking=ranking["id"])
    chair = bearer(world["tokens"]["board_chair"])
    first = client.get(url, headers=chair)  # compiles, prepares, renders the page
    assert first.status_code == 200 and first.json["id"] == ranking["id"]
    statements.clear()
    again = client.get(url, headers=chair)
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert len(statements) == 1, statements


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


def test_refusals_read_along_and_still_answer_as_before(client, world, statements):
    ranking = _rank(client, world)
    url = f"/api/v1/rounds/{world['round']}/rankings/latest"
    assert client.get(url, headers=bearer("cxg_not-a-token")).status_code == 401
    # team B never submitted to the round: the row read along is not enough, the team check refuses
    assert client.get(url, headers=bearer(world["tokens"]["team_lead_b"])).status_code == 403
    assert client.get(url, headers=bearer(world["tokens"]["team_lead"])).json["id"] == ranking["id"]
    assert client.get(f"/api/v1/rankings/{ranking['id'] + 1000}", headers=bearer(world["tokens"]["viewer"])).status_code == 404
    assert client.get("/api/v1/rounds/999999/rankings/latest", headers=bearer(world["tokens"]["viewer"])).status_code == 404
    assert client.get("/api/v1/rankings/9223372036854775806", headers=bearer(world["tokens"]["viewer"])).status_code == 404


def test_a_row_read_along_but_not_taken_does_not_outlive_its_request(client, world):
    """A bad page_size is refused after the token check has read the latest ranking along; that
    row must be dropped with the request, or a later request of the same process (here the
    portfolio, which reads the latest ranking itself) would take it after a re-ranking."""
    chair = bearer(world["tokens"]["board_chair"])
    first = _rank(client, world)
    refused = client.get(f"/api/v1/rounds/{world['round']}/rankings/latest?page_size=0", headers=chair)
    assert refused.status_code == 422
    second = _rank(client, world)
    assert second["id"] != first["id"]
    scenario = client.post(f"/api/v1/rounds/{world['round']}/portfolio", json={"name": "after"}, headers=chair)
    assert scenario.status_code == 201, scenario.json
    assert scenario.json["ranking_id"] == second["id"]
