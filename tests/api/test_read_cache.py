"""CXGOV_READ_CACHE_MS: off by default (every request reads the token and the latest ranking);
when an operator opts in, a process answers them from memory for at most that long, forgets
at once what its own services change, and still checks every token's expiry."""
import datetime as dt

import pytest

from cxgov import db as cxdb
from cxgov.app import create_app
from cxgov.db import database
from tests.builders import build_world
from tests.conftest import bearer, close_database


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(cxdb, "clock", fake)
    return fake


@pytest.fixture
def cached_app(database_url, clock):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "READ_CACHE_MS": 1000})
    yield app
    cxdb.set_read_cache(0)
    close_database()


def _behind_the_api(app, sql, *params):
    """A write another process made: straight to the database, no service of this process."""
    with app.app_context():
        db = database.obj
        db.execute_sql(sql.replace("?", db.param), params)
        database.close()


def _setup(app):
    world = build_world(app)
    client = app.test_client()
    ranking = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=bearer(world["tokens"]["admin"]))
    assert ranking.status_code == 201
    return world, client, ranking.json


def test_off_by_default_a_revocation_elsewhere_counts_on_the_next_request(app, clock):
    assert cxdb.READ_CACHE["seconds"] == 0
    world, client, _ = _setup(app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).status_code == 200
    _behind_the_api(app, 'UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?',
                    dt.datetime(2026, 1, 1), world["user_board_member"])
    assert client.get(url, headers=member).status_code == 401


def test_on_a_warm_read_makes_no_round_trip_and_a_change_elsewhere_counts_after_the_ttl(cached_app, clock, statements):
    world, client, first = _setup(cached_app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).json["id"] == first["id"]
    statements.clear()
    assert client.get(url, headers=member).json["id"] == first["id"]
    assert statements == []  # token, latest ranking and the rendered page all from memory
    # another process ranks the round again and revokes the token: not seen for up to a second ...
    _behind_the_api(cached_app, 'UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?',
                    dt.datetime(2026, 1, 1), world["user_board_member"])
    clock.now += 0.999
    assert client.get(url, headers=member).status_code == 200
    # ... and refused once it has passed
    clock.now += 0.002
    refused = client.get(url, headers=member)
    assert refused.status_code == 401 and refused.content_type == "application/problem+json"


def test_on_this_processes_own_changes_count_at_once(cached_app, clock):
    world, client, first = _setup(cached_app)
    admin = bearer(world["tokens"]["admin"])
    url, chair = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_chair"])
    assert client.get(url, headers=chair).json["id"] == first["id"]
    second = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=chair).json
    assert client.get(url, headers=chair).json["id"] == second["id"]  # no clock change
    # deactivating the chair through the API: refused on the next request
    user = client.get(f"/api/v1/users/{world['user_board_chair']}", headers=admin)
    assert client.patch(f"/api/v1/users/{world['user_board_chair']}", json={"active": False},
                        headers={**admin, "If-Match": user.headers["ETag"]}).status_code == 200
    assert client.get(url, headers=chair).status_code == 401
    # revoking a token through the API: the same
    token = client.post("/api/v1/tokens", json={"user_id": world["user_viewer"], "name": "t"}, headers=admin).json
    viewer = bearer(token["token"])
    assert client.get(url, headers=viewer).status_code == 200
    etag = client.get(f"/api/v1/tokens/{token['id']}", headers=admin).headers["ETag"]
    assert client.delete(f"/api/v1/tokens/{token['id']}", headers={**admin, "If-Match": etag}).status_code == 200
    assert client.get(url, headers=viewer).status_code == 401


def test_on_expiry_is_checked_on_every_request_and_misses_are_not_kept(cached_app, clock, monkeypatch):
    world, client, _ = _setup(cached_app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).status_code == 200
    from cxgov.services import auth

    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=400)  # past the token's expiry
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert client.get(url, headers=member).status_code == 401
    monkeypatch.undo()
    # an unknown token and an unranked round are asked again each time, not remembered as absent
    assert client.get(url, headers=bearer("cxg_unknown")).status_code == 401
    from cxgov.services.auth import _TOKEN_USER, digest_of

    assert (digest_of("cxg_unknown"),) not in _TOKEN_USER._cache
    assert (digest_of(world["tokens"]["board_member"]),) in _TOKEN_USER._cache
    assert all(rows for _, _, rows in _TOKEN_USER._cache.values())


@pytest.mark.parametrize("value", [-1, 5001])
def test_the_setting_is_bounded(database_url, value):
    with pytest.raises(ValueError, match="0 to 5 seconds"):
        create_app({"DATABASE_URL": database_url, "TESTING": True, "READ_CACHE_MS": value})
    cxdb.set_read_cache(0)
