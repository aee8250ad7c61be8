"""The database: one proxy, opened from a URL, connected per request.

``write_transaction()`` is the one place that decides how a write transaction
locks: ``BEGIN IMMEDIATE`` on SQLite (the whole database's write lock is taken
up front, so read-check-write sequences cannot interleave), a plain
transaction on PostgreSQL where services take row locks with conditional
UPDATEs.
"""
import logging
import os
import time
from urllib.parse import urlparse

import peewee
from playhouse.db_url import parse
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

database = peewee.DatabaseProxy()
log = logging.getLogger("cxgov")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10000,
    "foreign_keys": 1,
    "synchronous": "normal",
}


class PostgresPool(PooledPostgresqlDatabase):
    """peewee's PostgreSQL pool, pinging a connection on check-out only after it sat idle.

    peewee sends ``SELECT 1`` on every check-out, a third of the round trips of an
    authenticated GET.  A connection handed back less than ``PING_AFTER_IDLE`` seconds ago
    was working then; one the server dropped in that second fails its first statement (that
    request gets an error) and is discarded, as a dropped connection is at any other moment.
    """

    PING_AFTER_IDLE = 1.0

    def __init__(self, *args, **kwargs):
        self._checked_in = {}  # id(connection) -> time.monotonic() of its last check-in
        super().__init__(*args, **kwargs)

    def _is_closed(self, conn):
        returned = self._checked_in.pop(id(conn), None)
        if conn.closed:
            return True
        if returned is not None and time.monotonic() - returned < self.PING_AFTER_IDLE \
                and self._adapter.txn_status(conn) == self._adapter.txn_idle:
            return False
        return super()._is_closed(conn)  # unknown status: closed; otherwise roll back or ping

    def _close(self, conn, close_conn=False):
        self._checked_in[id(conn)] = time.monotonic()
        super()._close(conn, close_conn)

    def _close_raw(self, conn):
        self._checked_in.pop(id(conn), None)
        super()._close_raw(conn)


def open_database(url, *, pool_max_connections=16):
    """Build (but do not connect) a peewee database from ``url``."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path:
            raise ValueError(f"CXGOV_DATABASE_URL {url!r}: expected sqlite:///path/to/file.db")
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        # Pooled: a request still opens and closes its connection, but "close" hands it back
        # for the next request instead of paying ~1.7 ms for a new file handle and pragmas.
        # The pool is per process and created empty; `cxgov serve` empties it before forking.
        return PooledSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10, check_same_thread=False,
                                    max_connections=pool_max_connections, stale_timeout=300)
    if scheme in {"postgres", "postgresql"}:
        kwargs = parse(url)
        name = kwargs.pop("database")
        return PostgresPool(
            name, max_connections=pool_max_connections, stale_timeout=300, timeout=30, **kwargs
        )
    raise ValueError(f"CXGOV_DATABASE_URL {url!r}: unsupported scheme {scheme!r} (sqlite or postgresql)")


def is_sqlite(db=None):
    db = database.obj if db is None else db
    return isinstance(db, peewee.SqliteDatabase)


def write_transaction():
    """Open the outermost write transaction (or a savepoint inside one)."""
    db = database.obj
    if db.transaction_depth() == 0 and is_sqlite(db):
        return db.atomic(lock_type="IMMEDIATE")
    return db.atomic()
