"""The database: one proxy, opened from a URL, connected per request.

``write_transaction()`` is the one place that decides how a write transaction
locks: ``BEGIN IMMEDIATE`` on SQLite (the whole database's write lock is taken
up front, so read-check-write sequences cannot interleave), a plain
transaction on PostgreSQL where services take row locks with conditional
UPDATEs.
"""
import contextvars
import itertools
import logging
import os
import re
import select
import threading
import time
import weakref
from urllib.parse import urlparse

import peewee
import psycopg2
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


_PG_TYPES = {int: "bigint", str: "text", float: "double precision", bool: "boolean"}

#: Rows read ahead in this request: {(CompiledSelect, values): rows}.  Filled by
#: ``CompiledPair.both`` through ``offer``, taken (once) by ``CompiledSelect.rows`` with the same
#: values, and emptied by ``forget_prefetched`` when the request ends.
_PREFETCHED = contextvars.ContextVar("cxgov_prefetched", default=None)


def offer(select, values, rows):
    """Hand ``rows`` (the answer of ``select`` with ``values``, just read) to the next
    ``select.rows(*values)`` of this request, which then makes no round trip."""
    store = _PREFETCHED.get()
    if store is None:
        store = {}
        _PREFETCHED.set(store)
    store[(select, tuple(values))] = rows


def forget_prefetched():
    """End of request: rows read ahead and not taken are dropped (never carried over)."""
    if _PREFETCHED.get() is not None:
        _PREFETCHED.set(None)


#: How long a process may answer a cacheable compiled select (the token check, a round's latest
#: ranking, a ranking by id) from memory (``CXGOV_READ_CACHE_MS``; ``create_app`` sets it).
#:
#: - ``seconds`` 0: off, every request reads them (the default on SQLite).
#: - ``notified`` (PostgreSQL, on by default with 1 s): an answer is also dropped as soon as the
#:   database says one of the tables it came from changed.  Triggers (migration 0008) send
#:   ``NOTIFY cxgov_read_cache`` in every transaction that writes ``api_token``, ``user`` or
#:   ``ranking``, whoever writes (another worker, the CLI, psql); each process LISTENs on a
#:   connection of its own and polls it (no round trip) before it trusts what it remembers.
#:   So a revocation made anywhere counts as soon as its notification arrives, and ``seconds``
#:   only bounds how stale an answer can get if notifications stop (a dropped listener is
#:   noticed, and everything remembered dropped, on the next poll).
#: - not notified (SQLite, when opted in): a change made in another process counts within
#:   ``seconds``; in this process at once (the services that change them call ``forget_cached``).
#:
#: ``clock`` is replaceable for tests.
READ_CACHE = {"seconds": 0.0, "notified": False, "max_entries": 4096}
clock = time.monotonic
NOTIFY_CHANNEL = "cxgov_read_cache"

_CACHEABLE = weakref.WeakSet()  # every cacheable CompiledSelect


def set_read_cache(seconds, notified=False):
    """Set how long cacheable answers may be reused and whether change notifications drop them
    sooner (``create_app`` does, from the setting); everything remembered so far is dropped."""
    if not 0 <= seconds <= 5:
        raise ValueError(f"the read cache keeps answers 0 to 5 seconds, not {seconds}")
    READ_CACHE["seconds"] = float(seconds)
    READ_CACHE["notified"] = bool(notified) and seconds > 0
    forget_all_cached()


def configure_read_cache(setting, db):
    """Apply ``CXGOV_READ_CACHE_MS`` for ``db``: ``"auto"`` (the default) is 1000 ms with change
    notifications on PostgreSQL and off on SQLite, which has no notifications and meets its
    targets without a cache; a number of milliseconds (0 to 5000) is that bound, notified on
    PostgreSQL, time-bound only on SQLite; 0 is off everywhere."""
    postgres = isinstance(db, peewee.PostgresqlDatabase)
    if isinstance(setting, str) and setting.strip().lower() == "auto":
        milliseconds = 1000 if postgres else 0
    else:
        try:
            if isinstance(setting, bool) or not isinstance(setting, (int, str)):
                raise TypeError(setting)
            milliseconds = int(setting)
        except (TypeError, ValueError):
            raise ValueError(f"CXGOV_READ_CACHE_MS={setting!r}: expected auto or 0 to 5000 (milliseconds)") from None
        if not 0 <= milliseconds <= 5000:
            raise ValueError(f"CXGOV_READ_CACHE_MS={setting!r}: the read cache keeps answers 0 to 5 seconds "
                             "(0 to 5000, or auto)")
    set_read_cache(milliseconds / 1000, notified=postgres)


def forget_all_cached():
    for select in list(_CACHEABLE):
        select.forget_cached()


#: Bumped by every forget.  A read keeps its answer only if no forget ran while it was reading:
#: in a threaded server another thread may hear a change (and forget) between this thread's
#: read from the database and its keep, and the answer read before the change must not be
#: remembered after the forget that was meant to drop it.
_GENERATION = [0]


class _Listener:
    """This process's LISTEN connection to one PostgreSQL database (see ``READ_CACHE``).

    Not a pooled connection: the pool closes idle connections and hands them between threads,
    and a gap in listening would be a gap in what this process hears.  Opened on first use in
    the process that uses it (a forked worker opens its own), and whenever it is (re)opened,
    everything remembered is dropped: what changed while nobody listened is unknown."""

    #: after a failed LISTEN, how long the process reads everything afresh before it tries again
    #: (not on every request: each try is a new connection to the server)
    RETRY_AFTER = 5.0

    def __init__(self, db):
        self._db = weakref.ref(db)  # the listener goes (and its connection closes) with the database object
        self.connection = None
        self._pid = None
        self._lock = threading.Lock()  # threaded servers: one poll, open or flush at a time
        self._retry_at = None  # clock() before which a failed LISTEN is not tried again

    def changes_heard(self):
        """Drop everything remembered if a change was notified since the last call (or the
        listener had to be opened); returns how many notifications were read, or None when it
        cannot listen (the database is unreachable: then nothing may be answered from memory,
        and the read itself meets the error)."""
        if self._pid is not None and self._pid != os.getpid():
            self._lock = threading.Lock()  # a forked child: a thread of the parent may have held it
        with self._lock:
            return self._changes_heard()

    def _changes_heard(self):
        conn = self.connection
        if conn is None or conn.closed or self._pid != os.getpid():
            return self._open()
        try:
            conn.poll()  # reads what has arrived, without waiting and without a round trip
            # an idle LISTEN session gets no notices but its end: a terminated backend sends
            # "FATAL: terminating connection ..." (read now) before its EOF (raised next poll)
            lost = bool(conn.notices)
        except psycopg2.Error:  # the server or the network dropped it
            lost = True
        if lost:  # start over, trusting nothing remembered
            self.close()
            return self._open()
        heard = len(conn.notifies)
        if heard:
            conn.notifies.clear()
            forget_all_cached()
        return heard

    def wait_readable(self, timeout):
        """Block until a notification has arrived, or ``timeout`` seconds, without reading it
        (the next ``changes_heard`` does); True if one has.  For tests and benchmarks."""
        if self.connection is None:
            return False
        return bool(select.select([self.connection], [], [], timeout)[0])

    def _open(self):
        if self.connection is not None and self._pid != os.getpid():
            _INHERITED.append(self.connection)  # the parent's session: never close it from here
        self.connection = None
        forget_all_cached()
        if self._retry_at is not None and clock() < self._retry_at:
            return None
        conn = None
        try:
            conn = peewee.PostgresqlDatabase._connect(self._db())  # a connection of its own, autocommit
            with conn.cursor() as cursor:
                cursor.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except psycopg2.Error as exc:
            if conn is not None:
                conn.close()
            self._retry_at = clock() + self.RETRY_AFTER
            log.warning("read cache: cannot LISTEN %s (%s); reading every request afresh, trying again in %.0f s",
                        NOTIFY_CHANNEL, " ".join(str(exc).split()), self.RETRY_AFTER)
            return None
        self.connection, self._pid, self._retry_at = conn, os.getpid(), None
        return 0

    def close(self):
        conn, self.connection = self.connection, None
        if conn is None:
            return
        if self._pid != os.getpid():
            _INHERITED.append(conn)  # closing it here would end the parent's session
            return
        try:
            conn.close()
        except psycopg2.Error:  # already broken: nothing left to close
            pass


_LISTENERS = weakref.WeakKeyDictionary()  # database object -> _Listener
_INHERITED = []  # listener connections a forked child must leave alone


def listener_of(db):
    listener = _LISTENERS.get(db)
    if listener is None:
        listener = _LISTENERS[db] = _Listener(db)
    return listener


def close_listener(db):
    """Close this process's LISTEN connection to ``db`` (before forking, or at shutdown)."""
    listener = _LISTENERS.pop(db, None)
    if listener is not None:
        listener.close()


class CompiledSelect:
    """A SELECT whose SQL peewee builds once per database, then runs with new parameters.

    For the reads every request makes (the token check, a round's latest ranking): building
    the SQL of even a small peewee query costs several times what SQLite or PostgreSQL take to
    answer it from an index.  ``build(*markers)`` returns the peewee query; each marker must
    come out among the query's parameters exactly once (checked when compiling), and each run
    puts the actual values in their places.  Values go to the driver as given, so pass what the
    column's ``db_value`` would give (a str for text, an int for an id).

    On PostgreSQL the statement is also PREPAREd once per connection and then EXECUTEd, so
    the server does not parse and plan it again on every request (SQLite's driver keeps its
    own statement cache).  Prepared statements live in the server session: a pooler that
    swaps sessions under a connection (pgbouncer in transaction mode) is not supported.
    """

    _names = itertools.count(1)

    def __init__(self, build, *markers, cacheable=False):
        self._build = build
        self._markers = markers
        self._name = f"cxgov_q{next(self._names)}"
        self._compiled = None  # (database, sql, parameters, marker positions, PREPARE sql)
        self._prepared_on = weakref.WeakKeyDictionary()  # PostgreSQL connections that hold it
        self._pairs = {}  # other select -> CompiledPair(self, other)
        self._cacheable = cacheable  # may answer from READ_CACHE when that is on
        self._cache = {}  # values -> (database, deadline, rows)
        if cacheable:
            _CACHEABLE.add(self)

    def _statement(self):
        """(the peewee query, its SQL with the driver's placeholders, its parameters, where each marker is)"""
        query = self._build(*self._markers)
        sql, params = query.sql()
        positions = []
        for marker in self._markers:
            found = [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
            if len(found) != 1:
                raise RuntimeError(f"marker {marker!r} appears {len(found)} times in {sql!r} {params!r}")
            positions.append(found[0])
        return query, sql, list(params), positions

    def _compile(self, db):
        _, sql, params, positions = self._statement()
        prepare = None
        if isinstance(db, peewee.PostgresqlDatabase):
            numbers = itertools.count(1)
            numbered = re.sub(r"%%|%s", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
            # typed by the Python values (an int is a bigint: an id column may be a 4-byte integer,
            # and an id past its range must match nothing, not fail as an untyped $1 would)
            unknown = [p for p in params if type(p) not in _PG_TYPES]
            if unknown:
                raise RuntimeError(f"no PostgreSQL parameter type for {unknown!r} in {sql!r}: "
                                   f"compiled selects take {', '.join(t.__name__ for t in _PG_TYPES)} values")
            types = [_PG_TYPES[type(p)] for p in params]
            prepare = f"PREPARE {self._name}" + (f" ({', '.join(types)})" if types else "") + f" AS {numbered}"
            sql = f"EXECUTE {self._name}" + (f"({', '.join(['%s'] * len(params))})" if params else "")
        return db, sql, tuple(params), tuple(positions), prepare

    def rows(self, *values):
        store = _PREFETCHED.get()
        if store:
            ahead = store.pop((self, values), None)
            if ahead is not None:
                return ahead
        cached = self._cached(values)
        if cached is not None:
            return cached
        generation = _GENERATION[0]
        rows = self._run(values)
        self._keep(values, rows, generation)
        return rows

    def _cached(self, values):
        """The remembered answer for ``values`` if the read cache is on and it is fresh (never
        an answer from another database object).  The rows are shared: do not mutate them."""
        if not self._cacheable or READ_CACHE["seconds"] <= 0:
            return None
        if READ_CACHE["notified"] and listener_of(database.obj).changes_heard() is None:
            return None  # not listening: nothing remembered can be trusted (and none is kept)
        entry = self._cache.get(values)
        if entry is None or entry[0] is not database.obj or clock() >= entry[1]:
            return None
        return entry[2]

    def _keep(self, values, rows, generation):
        """Remember ``rows``, read after ``_GENERATION`` was ``generation``, unless a forget ran since."""
        # only found rows: a miss (an unknown token, an unranked round) is asked again next time
        if not self._cacheable or READ_CACHE["seconds"] <= 0 or not rows or generation != _GENERATION[0]:
            return
        if READ_CACHE["notified"] and listener_of(database.obj).connection is None:
            return  # nothing would tell us when it goes stale
        if len(self._cache) >= READ_CACHE["max_entries"]:
            self._cache.clear()
        self._cache[values] = (database.obj, clock() + READ_CACHE["seconds"], rows)

    def forget_cached(self):
        """A service of this process changed what this select reads: drop every remembered answer."""
        _GENERATION[0] += 1
        self._cache.clear()

    def _run(self, values):
        db = database.obj
        compiled = self._compiled
        if compiled is None or compiled[0] is not db:
            compiled = self._compiled = self._compile(db)
        _, sql, params, positions, prepare = compiled
        params = list(params)
        for position, value in zip(positions, values):
            params[position] = value
        if prepare is not None:
            connection = db.connection()
            if connection not in self._prepared_on:
                db.execute_sql(prepare)
                self._prepared_on[connection] = True
        return db.execute_sql(sql, params).fetchall()

    def paired_with(self, other):
        """The ``CompiledPair`` of this select and ``other`` (built once)."""
        pair = self._pairs.get(other)
        if pair is None:
            pair = self._pairs[other] = CompiledPair(self, other)
        return pair


class CompiledPair(CompiledSelect):
    """Two selects of at most one row each (``.limit(1)``), answered by one statement: one
    round trip instead of two.  On PostgreSQL a round trip costs about as much CPU as the
    whole of an indexed one-row read, so the request that checks a token and then reads one
    row reads both at once.  Both answer from the same snapshot, exactly as run alone."""

    def __init__(self, first, second):
        super().__init__(None)
        self._parts = (first, second)
        self._widths = None

    def _statement(self):
        sql, params, positions, widths = [], [], [], []
        for n, part in enumerate(self._parts, 1):
            query, part_sql, part_params, part_positions = part._statement()
            if getattr(query, "_limit", None) != 1 or getattr(query, "_offset", None):
                raise RuntimeError(f"a paired select must read at most one row (.limit(1)): {part_sql!r}")
            positions += [len(params) + p for p in part_positions]
            params += part_params
            widths.append(len(query.selected_columns))
            # the marker column tells an absent row from a row of NULLs
            sql.append(f" LEFT JOIN (SELECT 1 AS cxgov_found, q{n}.* FROM ({part_sql}) AS q{n}) AS p{n} ON 1 = 1")
        self._widths = tuple(widths)
        return None, "SELECT * FROM (SELECT 1 AS cxgov_one) AS p0" + "".join(sql), params, positions

    def both(self, first_values, second_values):
        """(rows of the first select, rows of the second), each [] or one row, as ``rows`` gives.
        With the read cache on, a part remembered fresh is not read again (both: no round trip)."""
        first_values, second_values = tuple(first_values), tuple(second_values)
        a, b = self._parts
        hit_a, hit_b = a._cached(first_values), b._cached(second_values)
        if hit_a is not None:
            return hit_a, (hit_b if hit_b is not None else b.rows(*second_values))
        if hit_b is not None:
            return a.rows(*first_values), hit_b
        generation = _GENERATION[0]
        row = self._run(first_values + second_values)[0]
        width = self._widths[0]
        first = [tuple(row[2:2 + width])] if row[1] is not None else []
        second = [tuple(row[3 + width:])] if row[2 + width] is not None else []
        a._keep(first_values, first, generation)
        b._keep(second_values, second, generation)
        return first, second


def instance_from_row(model, fields, values):
    """A model instance from raw column values of ``fields`` (a row of a ``CompiledSelect``),
    converted as peewee converts a selected row, and clean (nothing to save)."""
    instance = model(__no_default__=1)
    instance.__data__.update({f.name: f.python_value(v) for f, v in zip(fields, values)})
    return instance
