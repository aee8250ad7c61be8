"""Verify the accountability log from what is stored, trusting no stored column.

Every column is read in a form that cannot fail to load (on SQLite its storage class and its
raw bytes; on PostgreSQL timestamps and dates as text, because a stored year past 9999 does not
fit a Python datetime), then compared with what the app would have written for the hashed
payload.  A value of the wrong type, undecodable bytes, a NULL, a huge or malformed value: each
is an event that does not verify, reported at its id, never an exception.

Beyond the chain itself, verify checks what the chain committed to:

- the head (``audit_head``) must be the last event: a log that lost its last events, or was
  emptied, does not verify;
- the actuals ledger must hold exactly the rows its ``actual.booked`` events recorded (each
  event names the row's id and carries its columns): a ledger row deleted, truncated, altered
  or added behind the app's back does not verify.  This needs no change to the hash rule, so
  events written before this check verify as they did.
"""
import datetime as dt
import hashlib
import json
import re

import rfc8785

from cxgov.db import database, is_sqlite
from cxgov.models.audit import GENESIS_HASH

#: The fields of an event's hashed payload (README, "The hash rule").
BODY_KEYS = frozenset({"seq", "occurred_at", "actor", "action", "entity_type", "entity_id", "request_id",
                       "change", "prev_hash"})
ACTOR_KEYS = frozenset({"id", "email", "role"})

# (column, kind): "timestamp" and "date" are read as text; the rest as stored.
EVENT_COLUMNS = (("seq", "int"), ("occurred_at", "timestamp"), ("actor_id", "int"), ("actor_email", "text"),
                 ("action", "text"), ("entity_type", "text"), ("entity_id", "text"), ("request_id", "text"),
                 ("payload", "text"), ("prev_hash", "text"), ("hash", "text"))
HEAD_COLUMNS = (("seq", "int"), ("hash", "text"))
#: The append-only ledger, the action that books one of its rows, and the row's columns that the
#: booking event's ``change.after`` carries (``cxgov.services.finance.book_actual``).
LEDGER_TABLE, LEDGER_ACTION = "actual_entry", "actual.booked"
LEDGER_COLUMNS = (("initiative_id", "int"), ("amount", "int"), ("fiscal_year", "int"), ("fiscal_quarter", "int"),
                  ("booked_on", "date"), ("reference", "text"), ("note", "text"), ("reverses_id", "int"),
                  ("created_by_id", "int"))

_PG_TEXT_FORMATS = {"timestamp": "YYYY-MM-DD HH24:MI:SS.US AD", "date": "YYYY-MM-DD AD"}
_ISO_INSTANT = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z")
_ISO_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
_ROW_ID = re.compile(r"\A[1-9][0-9]{0,17}\Z")


class Unreadable:
    """A stored value that is not an integer, a text or NULL (a SQLite REAL or BLOB, or text
    that is not UTF-8): equal to nothing, so every check on it fails."""

    __slots__ = ("what",)

    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return f"<{self.what}>"


def _same(stored, expected):
    """Equal and of the same type (JSON true is not 1; the text '1' is not 1)."""
    return type(stored) is type(expected) and stored == expected


def _show(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


# ------------------------------------------------------------------ reading what is stored
def _select_sql(table, columns, sqlite):
    if sqlite:
        parts = [f'typeof("{name}"), CAST("{name}" AS BLOB)' for name, _ in columns]
    else:
        parts = [f"to_char(\"{name}\", '{_PG_TEXT_FORMATS[kind]}')" if kind in _PG_TEXT_FORMATS else f'"{name}"'
                 for name, kind in columns]
    return f'SELECT "id", {", ".join(parts)} FROM "{table}"'


def _sqlite_value(storage_class, raw):
    if storage_class == "null":
        return None
    if storage_class == "integer":
        return int(raw)
    if storage_class == "text":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return Unreadable("text that is not UTF-8")
    return Unreadable(storage_class)


def stored_rows(table, columns, after_id=0, limit=None):
    """``[(id, {column: value})]`` in id order, ids above ``after_id``; values are ints, strs,
    None or ``Unreadable`` (timestamps and dates as the text described in ``stored_time``)."""
    db = database.obj
    sqlite = is_sqlite(db)
    sql = _select_sql(table, columns, sqlite) + f' WHERE "id" > {db.param} ORDER BY "id"'
    params = [after_id]
    if limit is not None:
        sql += f" LIMIT {db.param}"
        params.append(limit)
    rows = []
    for row in db.execute_sql(sql, params).fetchall():
        if sqlite:
            values = [_sqlite_value(row[1 + 2 * i], row[2 + 2 * i]) for i in range(len(columns))]
        else:
            values = row[1:]
        rows.append((row[0], {name: value for (name, _), value in zip(columns, values)}))
    return rows


def stored_time(instant, sqlite):
    """The text the app stores for an instant given as the payload's ``occurred_at``
    (``YYYY-MM-DDTHH:MM:SS.ffffffZ``), as read back here; None if it is no such instant."""
    if not isinstance(instant, str) or not _ISO_INSTANT.match(instant):
        return None
    try:
        moment = dt.datetime.strptime(instant, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return None
    if sqlite:  # what sqlite3's datetime adapter writes
        return moment.isoformat(" ")
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}:"
            f"{moment.second:02d}.{moment.microsecond:06d} AD")


def stored_date(day, sqlite):
    if not isinstance(day, str) or not _ISO_DATE.match(day):
        return None
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return None
    return day if sqlite else day + " AD"


# ------------------------------------------------------------------ one event
def _canonical_body(payload):
    """The payload's JSON object if ``payload`` is exactly its RFC 8785 form, else None."""
    try:
        body = json.loads(payload)
        if isinstance(body, dict) and rfc8785.dumps(body) == payload:
            return body
    except (ValueError, RecursionError):  # rfc8785's errors are ValueErrors
        pass
    return None


def check_event(stored, prev_hash, expected_seq, sqlite):
    """``(problem, body)``: why the stored event is not the chain's next one (None if it is),
    and its hashed payload as an object.  A problem names columns, never what an event
    records: every role may verify, not every role may read the events."""
    if not _same(stored["seq"], expected_seq):
        return f"seq is {_show(stored['seq'])}, expected {expected_seq}", None
    if not _same(stored["prev_hash"], prev_hash):
        return "prev_hash is not the hash of the event before", None
    payload = stored["payload"]
    if type(payload) is not str:
        return f"payload is {_show(payload)}, not text", None
    try:
        payload = payload.encode("utf-8")
    except UnicodeEncodeError:
        return "payload is not UTF-8", None
    if not _same(stored["hash"], hashlib.sha256(payload).hexdigest()):
        return "hash is not the SHA-256 of payload", None
    body = _canonical_body(payload)
    if body is None or set(body) != BODY_KEYS:
        return "payload is not the canonical JSON of an event", None
    actor = body["actor"]
    if not isinstance(actor, dict) or set(actor) != ACTOR_KEYS:
        return "payload's actor is not {id, email, role}", None
    if not _same(body["prev_hash"], prev_hash) or not _same(body["seq"], expected_seq):
        return "payload does not link to the event before", None
    for column, hashed in (("action", body["action"]), ("entity_type", body["entity_type"]),
                           ("entity_id", body["entity_id"]), ("request_id", body["request_id"]),
                           ("actor_id", actor["id"]), ("actor_email", actor["email"])):
        if not _same(stored[column], hashed):
            return f"{column} is not what the payload says", None
    expected_time = stored_time(body["occurred_at"], sqlite)
    if expected_time is None or not _same(stored["occurred_at"], expected_time):
        return "occurred_at is not what the payload says", None
    return None, body


# ------------------------------------------------------------------ what the chain committed to
def _head_problem(length, last_hash):
    rows = stored_rows("audit_head", HEAD_COLUMNS)
    if not rows or rows[0][0] != 1:
        return "audit_head (the chain's head) is missing"
    head = rows[0][1]
    if _same(head["seq"], length) and _same(head["hash"], last_hash):
        return None
    if type(head["seq"]) is int and head["seq"] > length:
        return (f"audit_head records {head['seq']} events but the log holds {length}: "
                f"events after seq {length} are missing")
    return f"audit_head (seq {_show(head['seq'])}, hash {_show(head['hash'])}) is not the log's last event"


def _booked_row(body):
    """The ledger row an ``actual.booked`` event recorded: ``(row_id, after)`` or None."""
    change = body["change"]
    after = change.get("after") if isinstance(change, dict) else None
    entity_id = body["entity_id"]
    if not isinstance(after, dict) or not isinstance(entity_id, str) or not _ROW_ID.match(entity_id):
        return None
    return int(entity_id), after


def _ledger_row_problem(stored, after, sqlite):
    for column, kind in LEDGER_COLUMNS:
        if column not in after:
            continue
        expected = after[column]
        if kind == "date" and expected is not None:
            expected = stored_date(expected, sqlite)
            if expected is None:
                return column
        if not _same(stored[column], expected):
            return column
    return None


def _ledger_problem(booked, problems, complete, sqlite, batch):
    """``(first_bad_id, reason)`` for the first booking event whose row is missing or differs
    (or a row no event booked, when the whole chain was walked), or None."""
    pending = dict(booked)
    unbooked = None
    last_id = 0
    while True:
        rows = stored_rows(LEDGER_TABLE, LEDGER_COLUMNS, after_id=last_id, limit=batch)
        if not rows:
            break
        for row_id, stored in rows:
            last_id = row_id
            entry = pending.pop(row_id, None)
            if entry is None:
                unbooked = unbooked or row_id
                continue
            event_id, after = entry
            column = _ledger_row_problem(stored, after, sqlite)
            if column is not None:
                problems.append((event_id, f"{LEDGER_TABLE} row {row_id} differs from what event {event_id} "
                                           f"recorded ({column})"))
    for row_id, (event_id, _) in pending.items():
        problems.append((event_id, f"{LEDGER_TABLE} row {row_id}, booked by event {event_id}, is missing"))
    if problems:
        return min(problems)
    if complete and unbooked is not None:
        return None, f"{LEDGER_TABLE} row {unbooked} was not booked through the log (no {LEDGER_ACTION} event)"
    return None


# ------------------------------------------------------------------ the walk
def _checkpoint_id(seq, hash_):
    db = database.obj
    rows = db.execute_sql(f'SELECT "id" FROM "audit_event" WHERE "seq" = {db.param} AND "hash" = {db.param}',
                          (seq, hash_)).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def _result(ok, length, head_hash, first_bad_id=None, expected_head_found=None, reason=None):
    return {"ok": ok, "length": length, "head_hash": head_hash, "first_bad_id": first_bad_id,
            "expected_head_found": expected_head_found, "reason": reason}


def verify_chain(expected_head=None, batch=2000, after=None):
    """Walk the chain in id order; report the first event that does not verify, then the head
    and the ledger against what the chain recorded.

    ``after=(seq, hash)`` starts from a head verified before (only later events are walked, and
    only the ledger rows they booked are checked).
    """
    db = database.obj
    if db.transaction_depth() > 0:
        return _verify(expected_head, batch, after)
    # One snapshot for the events, the head and the ledger: a write committed while verify
    # reads must not look like a head past the log or a row no event booked.
    with db.atomic():
        if not is_sqlite(db):
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _verify(expected_head, batch, after)


def _verify(expected_head, batch, after):
    sqlite = is_sqlite()
    length, prev_hash, last_id = 0, GENESIS_HASH, 0
    if after is not None:
        length, prev_hash = after
        if length:
            found = _checkpoint_id(length, prev_hash)
            if found is None:
                return _result(False, 0, GENESIS_HASH, reason=f"the verified head (seq {length}) is not in the log")
            last_id = found
    seen_expected = expected_head is None
    booked, ledger_problems = {}, []
    while True:
        rows = stored_rows("audit_event", EVENT_COLUMNS, after_id=last_id, limit=batch)
        if not rows:
            break
        for event_id, stored in rows:
            problem, body = check_event(stored, prev_hash, length + 1, sqlite)
            if problem is not None:
                return _result(False, length, prev_hash, first_bad_id=event_id, reason=f"event {event_id}: {problem}")
            prev_hash, length, last_id = stored["hash"], length + 1, event_id
            seen_expected = seen_expected or prev_hash == expected_head
            if body["entity_type"] == LEDGER_TABLE and body["action"] == LEDGER_ACTION:
                row = _booked_row(body)
                if row is None or row[0] in booked:
                    ledger_problems.append((event_id, f"event {event_id} does not book one new {LEDGER_TABLE} row"))
                else:
                    booked[row[0]] = (event_id, row[1])
    found = None if expected_head is None else seen_expected
    problem = _head_problem(length, prev_hash)
    if problem is not None:
        return _result(False, length, prev_hash, expected_head_found=found, reason=problem)
    ledger = _ledger_problem(booked, ledger_problems, after is None, sqlite, batch)
    if ledger is not None:
        return _result(False, length, prev_hash, first_bad_id=ledger[0], expected_head_found=found, reason=ledger[1])
    if not seen_expected:
        return _result(False, length, prev_hash, expected_head_found=False,
                       reason="the expected head is not in the chain")
    return _result(True, length, prev_hash, expected_head_found=found)
