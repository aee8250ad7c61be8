"""Conditional GET: ranking pages, the ranking CSV and reports carry a strong ETag, and
``If-None-Match`` naming it is answered 304 with no body; a changed report gets a new tag."""
import pytest

from tests.builders import build_world
from tests.conftest import bearer


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def ranked(client, world):
    ranking = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=bearer(world["tokens"]["admin"]))
    assert ranking.status_code == 201, ranking.json
    return ranking.json


def _assert_conditional(client, url, headers, same_bytes=True):
    first = client.get(url, headers=headers)
    etag = first.headers.get("ETag")
    assert first.status_code == 200 and etag and not etag.startswith("W/"), first.headers
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    other = client.get(url, headers={**headers, "If-None-Match": '"not-this-one"'})
    assert other.status_code == 200 and other.headers["ETag"] == etag
    if same_bytes:  # a JSON report says when it was computed: only its figures are the same
        assert other.get_data() == first.get_data()
    return etag


@pytest.mark.parametrize("path", ["/api/v1/rounds/{round}/rankings/latest", "/api/v1/rankings/{ranking}",
                                  "/api/v1/rankings/{ranking}?format=csv",
                                  "/api/v1/rounds/{round}/rankings/latest?page=1&page_size=1"])
def test_ranking_reads_are_conditional(client, world, ranked, path):
    url = path.format(round=world["round"], ranking=ranked["id"])
    _assert_conditional(client, url, bearer(world["tokens"]["board_chair"]))


def test_each_page_and_format_has_its_own_tag_and_a_new_ranking_a_new_one(client, world, ranked):
    chair = bearer(world["tokens"]["board_chair"])
    latest = f"/api/v1/rounds/{world['round']}/rankings/latest"
    tags = {client.get(latest + query, headers=chair).headers["ETag"]
            for query in ("", "?page_size=1", "?page=2&page_size=1", "?format=csv")}
    assert len(tags) == 4
    old = client.get(latest, headers=chair).headers["ETag"]
    again = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=bearer(world["tokens"]["admin"]))
    assert again.status_code == 201
    fresh = client.get(latest, headers={**chair, "If-None-Match": old})
    assert fresh.status_code == 200 and fresh.json["id"] == again.json["id"] and fresh.headers["ETag"] != old


@pytest.mark.parametrize("query", ["", "?format=csv"])
def test_a_report_is_conditional_and_a_changed_report_gets_a_new_etag(client, world, query):
    finance = bearer(world["tokens"]["finance"])
    url = "/api/v1/reports/budget" + query
    etag = _assert_conditional(client, url, finance, same_bytes=bool(query))
    round_etag = client.get(f"/api/v1/rounds/{world['round']}", headers=finance).headers["ETag"]
    changed = client.patch(f"/api/v1/rounds/{world['round']}", json={"budget": 7},
                           headers={**finance, "If-Match": round_etag})
    assert changed.status_code == 200, changed.json
    after = client.get(url, headers={**finance, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag


def test_a_refusal_is_not_answered_304(client, world, ranked):
    url = f"/api/v1/rankings/{ranked['id']}"
    etag = client.get(url, headers=bearer(world["tokens"]["board_chair"])).headers["ETag"]
    assert client.get(url, headers={**bearer("cxg_nope"), "If-None-Match": etag}).status_code == 401
    assert client.get(url, headers={**bearer(world["tokens"]["team_lead_b"]), "If-None-Match": etag}).status_code == 403
