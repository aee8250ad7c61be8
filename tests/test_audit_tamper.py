"""Verify trusts no stored column: whatever is written into any column of the log (any
storage class on SQLite, NULL, bytes that are not UTF-8, huge values, what PostgreSQL's types
allow there), it answers ok: false at that event's id, never a 500; the list and the export
still answer."""
import hashlib
import json

import peewee
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov.db import database
from cxgov.models import AuditEvent
from cxgov.services.audit_verify import EVENT_COLUMNS, Unreadable, check_event, stored_time
from tests.builders import team_payload
from tests.conftest import ON_POSTGRES
from tests.test_audit_guards import behind_the_app

COLUMNS = [name for name, _ in EVENT_COLUMNS]

# What can be written into a column behind the app, as SQL over the column's current value.
SQLITE_GARBAGE = {
    "appended": "{c} || 'x'",                      # the attack's own example, for occurred_at
    "null": "NULL",
    "integer": "12345",
    "negative": "-1",
    "max_integer": "9223372036854775807",
    "real": "2.5",
    "infinity": "9e999",
    "empty": "''",
    "text": "'garbage'",
    "same_bytes_as_blob": "CAST({c} AS BLOB)",
    "blob": "X'00ff10'",
    "not_utf8": "CAST(X'41c328ff' AS TEXT)",
    "huge": "hex(zeroblob(600000))",                # 1.2 MB of text
}
NOT_NULL = {"seq", "occurred_at", "action", "entity_type", "payload", "prev_hash", "hash"}

POSTGRES_GARBAGE = {
    "seq": ["-1", "9223372036854775807", "seq + 1000"],
    "occurred_at": ["'infinity'", "'-infinity'", "'12026-01-01'", "'0044-03-15 BC'", "occurred_at + interval '1 microsecond'"],
    "actor_id": ["NULL", "-1", "2147483647"],
    "actor_email": ["NULL", "''", "actor_email || 'x'", "repeat('é', 254)"],
    "action": ["''", "action || 'x'"],
    "entity_type": ["''", "upper(entity_type)"],
    "entity_id": ["NULL", "''", "entity_id || ' '"],
    "request_id": ["NULL", "''", "request_id || 'x'"],
    "payload": ["''", "'{{}}'", "payload || ' '", "repeat('[', 100000)", "repeat('x', 2000000)"],
    "prev_hash": ["''", "repeat('g', 64)", "reverse(prev_hash)"],
    "hash": ["''", "repeat('0', 64)", "upper(hash)"],
}
CASES = ([(c, k) for c in COLUMNS for k in POSTGRES_GARBAGE[c]] if ON_POSTGRES
         else [(c, k) for c in COLUMNS for k in SQLITE_GARBAGE])


@pytest.fixture
def log(client, admin):
    """Five team events made over HTTP (each has an actor, an entity and a request id); returns
    the id of the second, the victim."""
    for n in range(5):
        assert client.post("/api/v1/teams", json=team_payload(n), headers=admin).status_code == 201
    events = client.get("/api/v1/audit?entity_type=team", headers=admin).json
    return events[1]["id"]


def _still_readable(client, admin, victim):
    listed = client.get("/api/v1/audit?page_size=100", headers=admin)
    assert listed.status_code == 200 and victim in [e["id"] for e in listed.json]
    exported = client.get("/api/v1/audit/export", headers=admin)
    assert exported.status_code == 200
    lines = [json.loads(line) for line in exported.get_data(as_text=True).splitlines()]
    assert victim in [line["id"] for line in lines]


@pytest.mark.parametrize("column,kind", CASES)
def test_any_value_in_any_column_is_reported_at_its_event(app, client, admin, log, column, kind):
    expression = kind if ON_POSTGRES else SQLITE_GARBAGE[kind].format(c=column)
    try:
        behind_the_app(app, (f"UPDATE audit_event SET {column} = {expression} WHERE id = {{p}}", log))
    except peewee.IntegrityError:
        assert kind == "null" and column in NOT_NULL  # the only writes the database itself refuses
        return
    response = client.get("/api/v1/audit/verify", headers=admin)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["ok"] is False and response.json["first_bad_id"] == log, response.json
    assert response.json["reason"].startswith(f"event {log}: ")
    _still_readable(client, admin, log)


def test_the_attacks_timestamp_edit_answers_ok_false_at_id_2(app, client, admin):
    """The report's exact case: one character appended to the second event's occurred_at."""
    client.post("/api/v1/teams", json=team_payload(1), headers=admin)
    sql = ("UPDATE audit_event SET occurred_at = occurred_at || 'x' WHERE id = 2" if not ON_POSTGRES
           else "UPDATE audit_event SET occurred_at = '12026-01-01' WHERE id = 2")
    behind_the_app(app, (sql,))
    response = client.get("/api/v1/audit/verify", headers=admin)
    assert response.status_code == 200
    assert response.json["ok"] is False and response.json["first_bad_id"] == 2


def test_an_event_moved_to_another_id_is_reported_where_the_chain_breaks(app, client, admin, log):
    """ids are given out under the chain head's lock, so they rise with seq; an event moved
    after the others leaves its seq missing at the next event."""
    with app.app_context():
        after = AuditEvent.select(AuditEvent.id).where(AuditEvent.id > log).order_by(AuditEvent.id).first().id
        database.close()
    behind_the_app(app, ("UPDATE audit_event SET id = 100000 WHERE id = {p}", log))
    result = client.get("/api/v1/audit/verify", headers=admin).json
    assert result["ok"] is False and result["first_bad_id"] == after and "expected" in result["reason"]
    if not ON_POSTGRES:  # a rowid must stay an integer: SQLite refuses anything else
        for value in ("NULL", "'x'", "2.5"):
            with pytest.raises(peewee.IntegrityError, match="datatype mismatch"):
                behind_the_app(app, (f"UPDATE audit_event SET id = {value} WHERE id = 100000",))


HEAD_GARBAGE = (["seq + 1", "seq - 1", "hash = upper(hash)", "hash = repeat('1', 64)"] if ON_POSTGRES else
                ["seq + 1", "seq - 1", "seq = 'abc'", "seq = 2.5", "seq = CAST(seq AS BLOB)", "seq = 9e999",
                 "hash = NULL", "hash = X'ff'", "hash = CAST(X'41c328ff' AS TEXT)", "hash = hash || 'x'",
                 "hash = 12", "seq = seq || 'x'"])


@pytest.mark.parametrize("change", HEAD_GARBAGE)
def test_a_tampered_head_does_not_verify_and_does_not_crash(app, client, admin, log, change):
    assignment = change if "=" in change else f"seq = {change}"
    try:
        behind_the_app(app, (f"UPDATE audit_head SET {assignment} WHERE id = 1",))
    except peewee.IntegrityError:
        assert change == "hash = NULL"
        return
    result = client.get("/api/v1/audit/verify", headers=admin).json
    assert result["ok"] is False and result["first_bad_id"] is None and "audit_head" in result["reason"]


def test_a_deleted_head_does_not_verify(app, client, admin, log):
    behind_the_app(app, ("DELETE FROM audit_head",))
    result = client.get("/api/v1/audit/verify", headers=admin).json
    assert result["ok"] is False and result["reason"] == "audit_head (the chain's head) is missing"


# ------------------------------------------------------------------ the rule, for all inputs
def _genuine(seq=3, prev="a" * 64):
    body = {"seq": seq, "occurred_at": "2026-12-01T10:00:00.000001Z",
            "actor": {"id": 7, "email": "a@example.com", "role": "admin"}, "action": "team.created",
            "entity_type": "team", "entity_id": "4", "request_id": "r-1", "change": {"after": {"x": 1}},
            "prev_hash": prev}
    payload = rfc8785.dumps(body)
    stored = {"seq": seq, "occurred_at": stored_time(body["occurred_at"], not ON_POSTGRES), "actor_id": 7,
              "actor_email": "a@example.com", "action": "team.created", "entity_type": "team", "entity_id": "4",
              "request_id": "r-1", "payload": payload.decode(), "prev_hash": prev,
              "hash": hashlib.sha256(payload).hexdigest()}
    return stored


STORED_VALUES = st.one_of(st.none(), st.integers(min_value=-2 ** 63, max_value=2 ** 63 - 1), st.text(),
                          st.just(Unreadable("blob")), st.just(Unreadable("real")),
                          st.sampled_from(list(_genuine().values())))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20)


def test_the_genuine_row_verifies():
    assert check_event(_genuine(), "a" * 64, 3, not ON_POSTGRES)[0] is None


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from(COLUMNS), value=STORED_VALUES)
def test_any_stored_value_either_is_the_genuine_one_or_is_reported(column, value):
    stored = _genuine()
    genuine = stored[column]
    stored[column] = value
    problem, _ = check_event(stored, "a" * 64, 3, not ON_POSTGRES)
    assert (problem is None) == (type(value) is type(genuine) and value == genuine)


@settings(max_examples=300, deadline=None)
@given(body=st.dictionaries(st.sampled_from(["seq", "occurred_at", "actor", "action", "entity_type", "entity_id",
                                             "request_id", "change", "prev_hash", "x"]), JSON))
def test_a_payload_rewritten_with_a_matching_hash_never_crashes_the_check(body):
    """A forger who rewrites the payload and its hash: check_event answers, whatever the JSON."""
    stored = _genuine()
    try:
        payload = rfc8785.dumps(body)
    except ValueError:
        payload = json.dumps(body).encode()
    stored.update(payload=payload.decode(), hash=hashlib.sha256(payload).hexdigest())
    problem, _ = check_event(stored, "a" * 64, 3, not ON_POSTGRES)
    assert problem is not None
