"""CXGOV_READ_CACHE_MS: a process answers the token check and a round's latest ranking from
memory for at most that long, forgets at once what its own services change, and still checks
every token's expiry.  On PostgreSQL (on by default) it also forgets as soon as the database
notifies a change to api_token, user or ranking, whoever made it; on SQLite it is off unless
an operator opts in, and then only time-bound."""
import datetime as dt
import time

import pytest

from cxgov import db as cxdb
from cxgov.app import create_app
from cxgov.db import database
from tests.builders import build_world
from tests.conftest import ON_POSTGRES, bearer, close_database


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
    _settle()
    return world, client, ranking.json


def _settle():
    """PostgreSQL: the setup's own writes (users, tokens, a ranking) are notified too, a moment
    after their commits; hear them all now, so that none lands in the middle of a test and
    empties the cache it is looking at."""
    if cxdb.READ_CACHE["notified"]:
        listener = cxdb.listener_of(database.obj)
        while listener.connection is not None and listener.wait_readable(0.2):
            listener.changes_heard()


@pytest.fixture
def uncached_app(database_url, clock):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "READ_CACHE_MS": 0})
    yield app
    close_database()


def test_auto_is_notified_on_postgresql_and_off_on_sqlite(app):
    expected = {"seconds": 1.0, "notified": True} if ON_POSTGRES else {"seconds": 0.0, "notified": False}
    assert {k: cxdb.READ_CACHE[k] for k in expected} == expected


def test_off_a_revocation_elsewhere_counts_on_the_next_request(uncached_app, clock):
    assert cxdb.READ_CACHE["seconds"] == 0 and not cxdb.READ_CACHE["notified"]
    world, client, _ = _setup(uncached_app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).status_code == 200
    _behind_the_api(uncached_app, 'UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?',
                    dt.datetime(2026, 1, 1), world["user_board_member"])
    assert client.get(url, headers=member).status_code == 401


def test_time_bound_a_warm_read_makes_no_round_trip_and_a_change_elsewhere_counts_after_the_ttl(
        cached_app, clock, statements):
    """SQLite's mode when opted in (no notifications there); on PostgreSQL the same bound is the
    backstop should notifications stop, so the test turns them off to see it alone."""
    cxdb.set_read_cache(1.0, notified=False)
    world, client, first = _setup(cached_app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).json["id"] == first["id"]
    statements.clear()
    assert client.get(url, headers=member).json["id"] == first["id"]
    assert statements == []  # token, latest ranking and the rendered page all from memory
    # another process revokes the token: not seen for up to a second ...
    _behind_the_api(cached_app, 'UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?',
                    dt.datetime(2026, 1, 1), world["user_board_member"])
    clock.now += 0.999
    assert client.get(url, headers=member).status_code == 200
    # ... and refused once it has passed
    clock.now += 0.002
    refused = client.get(url, headers=member)
    assert refused.status_code == 401 and refused.content_type == "application/problem+json"


postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="change notifications are PostgreSQL's (LISTEN/NOTIFY)")


def _listener():
    return cxdb.listener_of(database.obj)


@postgres_only
@pytest.mark.parametrize("change", ["revoke", "expire", "deactivate", "delete_token", "truncate_tokens"])
def test_notified_a_change_by_any_writer_counts_as_soon_as_it_is_notified(app, clock, statements, change):
    """The clock never moves: the remembered token check is dropped because the database said
    api_token or user changed, not because it grew old.  The test waits for the notification
    to reach the listener's socket without reading it: the request itself must poll."""
    world, client, first = _setup(app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).status_code == 200
    statements.clear()
    assert client.get(url, headers=member).status_code == 200 and statements == []  # from memory
    member_id, past = world["user_board_member"], dt.datetime(2026, 1, 1)
    sql, params = {
        "revoke": ('UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?', (past, member_id)),
        "expire": ('UPDATE "api_token" SET "expires_at" = ? WHERE "user_id" = ?', (past, member_id)),
        "deactivate": ('UPDATE "user" SET "active" = ? WHERE "id" = ?', (False, member_id)),
        "delete_token": ('DELETE FROM "api_token" WHERE "user_id" = ?', (member_id,)),
        "truncate_tokens": ('TRUNCATE "api_token" CASCADE', ()),
    }[change]
    _behind_the_api(app, sql, *params)
    assert _listener().wait_readable(10), "no notification within 10 s"
    refused = client.get(url, headers=member)
    assert refused.status_code == 401 and refused.content_type == "application/problem+json"


@postgres_only
def test_notified_a_ranking_made_elsewhere_is_the_latest_once_notified(app, clock):
    world, client, first = _setup(app)
    url, chair = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_chair"])
    assert client.get(url, headers=chair).json["id"] == first["id"]
    # a copy of the ranking row, as another worker's rank_round would insert it (its entries
    # are not needed to see which ranking is the latest)
    columns = [c.name for c in database.obj.get_columns("ranking") if c.name != "id"]
    quoted = ", ".join(f'"{c}"' for c in columns)
    _behind_the_api(app, f'INSERT INTO "ranking" ({quoted}) SELECT {quoted} FROM "ranking" WHERE "id" = ?', first["id"])
    assert _listener().wait_readable(10)
    with app.app_context():
        newest = database.obj.execute_sql('SELECT MAX("id") FROM "ranking"').fetchone()[0]
        database.close()
    assert newest != first["id"]
    assert client.get(url, headers=chair).json["id"] == newest


@postgres_only
def test_notified_a_write_that_rolls_back_notifies_nothing(app, clock):
    world, client, _ = _setup(app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).status_code == 200
    with app.app_context():
        db = database.obj
        with db.atomic() as transaction:
            db.execute_sql('UPDATE "api_token" SET "revoked_at" = now() WHERE "user_id" = %s', (world["user_board_member"],))
            transaction.rollback()
        database.close()
    assert not _listener().wait_readable(0.5)
    assert client.get(url, headers=member).status_code == 200


@postgres_only
def test_notified_a_lost_listener_is_reopened_and_everything_remembered_dropped(app, clock):
    """A change made while this process was not listening was never notified to it: a listener
    that has to be reopened trusts nothing it remembered from before."""
    world, client, _ = _setup(app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).status_code == 200
    old = _listener().connection
    pid = old.info.backend_pid
    with app.app_context():
        db = database.obj
        assert db.execute_sql("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
        for _ in range(200):  # until the server has let the listener go: nobody hears what follows
            if not db.execute_sql("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchall():
                break
            time.sleep(0.05)
        database.close()
    _behind_the_api(app, 'UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?',
                    dt.datetime(2026, 1, 1), world["user_board_member"])
    assert client.get(url, headers=member).status_code == 401
    assert _listener().connection is not old and _listener().connection.info.backend_pid != pid


@postgres_only
def test_notified_a_process_that_cannot_listen_answers_nothing_from_memory(app, clock, statements, monkeypatch,
                                                                           caplog):
    """If LISTEN fails, every request reads afresh, as with the cache off, rather than trust
    answers nobody would tell it are stale; the failure is logged, and tried again only after
    RETRY_AFTER (each try is a new connection), then listening resumes."""
    monkeypatch.setattr(cxdb, "NOTIFY_CHANNEL", "no such channel")  # LISTEN fails (a syntax error)
    world, client, _ = _setup(app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert caplog.text.count("cannot LISTEN") == 1  # each try that fails is logged
    assert client.get(url, headers=member).status_code == 200
    statements.clear()
    assert client.get(url, headers=member).status_code == 200
    assert len(statements) == 1  # the token and the latest ranking, read along as with the cache off
    assert _listener().connection is None and not any(s._cache for s in cxdb._CACHEABLE)
    assert caplog.text.count("cannot LISTEN") == 1  # not tried again: the clock has not moved
    _behind_the_api(app, 'UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?',
                    dt.datetime(2026, 1, 1), world["user_board_member"])
    assert client.get(url, headers=member).status_code == 401  # no wait: nothing was remembered
    # once LISTEN works again and the retry time has come, the process listens and remembers
    monkeypatch.setattr(cxdb, "NOTIFY_CHANNEL", "cxgov_read_cache")
    clock.now += cxdb._Listener.RETRY_AFTER
    chair = bearer(world["tokens"]["board_chair"])
    assert client.get(url, headers=chair).status_code == 200
    assert _listener().connection is not None
    statements.clear()
    assert client.get(url, headers=chair).status_code == 200 and statements == []


@postgres_only
def test_notified_a_forked_process_listens_on_its_own_connection(app, clock, monkeypatch):
    """A child of a process that listened (a gunicorn worker forked after a request in the
    master, say) must not read from, nor close, its parent's connection."""
    world, client, _ = _setup(app)
    url, member = f"/api/v1/rounds/{world['round']}/rankings/latest", bearer(world["tokens"]["board_member"])
    assert client.get(url, headers=member).status_code == 200
    parents = _listener().connection
    monkeypatch.setattr(cxdb.os, "getpid", lambda: -1)
    _behind_the_api(app, 'UPDATE "api_token" SET "revoked_at" = ? WHERE "user_id" = ?',
                    dt.datetime(2026, 1, 1), world["user_board_member"])
    assert client.get(url, headers=member).status_code == 401  # opened afresh: nothing trusted
    assert _listener().connection is not parents and not parents.closed
    assert parents in cxdb._INHERITED


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


@pytest.mark.parametrize("value", [-1, 5001, "5001", "soon", "", True, None, 1.5])
def test_the_setting_is_auto_or_0_to_5000(database_url, value):
    with pytest.raises(ValueError, match="CXGOV_READ_CACHE_MS"):
        create_app({"DATABASE_URL": database_url, "TESTING": True, "READ_CACHE_MS": value})
    cxdb.set_read_cache(0)


@pytest.mark.parametrize("value, seconds", [("auto", None), (" AUTO ", None), ("0", 0.0), (0, 0.0), ("250", 0.25),
                                            (5000, 5.0)])
def test_the_setting_accepted(database_url, value, seconds):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "READ_CACHE_MS": value})
    try:
        if seconds is None:
            seconds = 1.0 if ON_POSTGRES else 0.0
        assert cxdb.READ_CACHE["seconds"] == seconds
        assert cxdb.READ_CACHE["notified"] is (ON_POSTGRES and seconds > 0)
    finally:
        cxdb.set_read_cache(0)
        with app.app_context():
            close_database()


@pytest.mark.parametrize("path", ["/api/v1/users/me", "/api/v1/rounds/{round}/rankings/latest"])
def test_an_answer_read_while_another_thread_forgot_is_not_kept(cached_app, clock, monkeypatch, path):
    """Threaded servers: another thread may hear of a change, and forget, while this one is
    reading; what this one read may predate the change, so it is used once and not remembered.
    The other thread is simulated by a forget inside the read (the token check alone, and the
    token check read along with the latest ranking)."""
    from cxgov.services.auth import _TOKEN_USER, digest_of
    from cxgov.services.rankings import _LATEST_OF_ROUND

    world, client, _ = _setup(cached_app)
    url, member = path.format(round=world["round"]), bearer(world["tokens"]["board_member"])
    key = (digest_of(world["tokens"]["board_member"]),)
    interfering = [True]
    for select in (_TOKEN_USER, _TOKEN_USER.paired_with(_LATEST_OF_ROUND)):
        def run(values, real=select._run):
            rows = real(values)
            if interfering[0]:
                cxdb.forget_all_cached()
            return rows
        monkeypatch.setattr(select, "_run", run)
    cxdb.forget_all_cached()
    assert client.get(url, headers=member).status_code == 200
    assert key not in _TOKEN_USER._cache
    interfering[0] = False
    assert client.get(url, headers=member).status_code == 200
    assert key in _TOKEN_USER._cache  # read with nothing forgotten meanwhile: kept
