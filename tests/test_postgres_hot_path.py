"""PostgreSQL's pool: it pings only connections that sat idle, and a request on a dropped
connection gets a 503 whose retry succeeds.  PostgreSQL only (skipped on SQLite)."""
import peewee
import psycopg2
import pytest

from cxgov.db import PostgresPool, database, open_database
from tests.conftest import ON_POSTGRES, PG_URL

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's pool")


@pytest.fixture
def pool(migrated_template):
    db = open_database(PG_URL)
    assert isinstance(db, PostgresPool)
    pings = []
    real = db._adapter.is_connection_closed
    db._adapter.is_connection_closed = lambda conn: pings.append(conn) or real(conn)
    db.pings = pings
    yield db
    db.close_all()


def _backend_pid(db):
    return db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def _terminate(pid):
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    admin.cursor().execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()


def test_a_connection_handed_back_just_now_is_not_pinged_one_idle_longer_is(pool):
    pool.connect()
    first = pool.connection()
    pool.close()
    pool.connect()  # back within PING_AFTER_IDLE: no SELECT 1
    assert pool.connection() is first and pool.pings == []
    pool.close()
    pool._checked_in[id(first)] -= PostgresPool.PING_AFTER_IDLE + 0.1  # as if idle for longer
    pool.connect()
    assert pool.connection() is first and pool.pings == [first]
    pool.close()


def test_a_dropped_connection_is_discarded(pool):
    pool.connect()
    pid = _backend_pid(pool)
    pool.close()
    _terminate(pid)
    # idle past the threshold: the ping finds it dead and a new connection is made
    pool._checked_in = {k: v - PostgresPool.PING_AFTER_IDLE - 0.1 for k, v in pool._checked_in.items()}
    pool.connect()
    dropped = _backend_pid(pool)
    assert dropped != pid
    pool.close()
    # handed back just now and then dropped: its first statement fails, and the pool never hands it out again
    _terminate(dropped)
    pool.connect()
    with pytest.raises((peewee.OperationalError, peewee.InterfaceError)):
        pool.execute_sql("SELECT 1")
    pool.close()
    pool.connect()
    assert _backend_pid(pool) not in (pid, dropped)
    pool.close()


def test_a_request_on_a_dropped_connection_gets_503_and_the_retry_succeeds(client, app, admin):
    assert client.get("/api/v1/teams", headers=admin).status_code == 200
    with app.app_context():
        pids = [c.get_backend_pid() for _, _, c in database.obj._connections]
        database.close()
    for pid in pids:
        _terminate(pid)
    lost = client.get("/api/v1/teams", headers=admin)
    assert lost.status_code == 503 and lost.content_type == "application/problem+json"
    assert lost.headers["Retry-After"] == "1"
    assert client.get("/api/v1/teams", headers=admin).status_code == 200
