"""The append-only guards and what verify checks beyond the chain: on PostgreSQL TRUNCATE of
the log and the ledger is refused (migration 0009); a ledger or a log that lost, changed or
gained rows behind the app's back does not verify, on both databases."""
import datetime as dt
import threading

import peewee
import pytest

from cxgov.db import database
from cxgov.models import ActualEntry, AuditEvent, Initiative
from cxgov.services import finance
from cxgov.services.actor import Actor
from cxgov.services.audit import verify_chain
from tests.builders import build_world, team_payload
from tests.conftest import ON_POSTGRES


def _verify(client, headers):
    response = client.get("/api/v1/audit/verify", headers=headers)
    assert response.status_code == 200
    return response.json


def behind_the_app(app, *statements):
    """Run SQL as someone with the database's keys would: on PostgreSQL as the superuser the
    tests connect as, with triggers off for the transaction (replica mode); plain on SQLite,
    which has no triggers.  ``{p}`` in a statement is the driver's placeholder."""
    with app.app_context():
        with database.atomic():
            if ON_POSTGRES:
                database.execute_sql("SET LOCAL session_replication_role = replica")
            for sql, *params in statements:
                database.execute_sql(sql.format(p=database.obj.param), params)
        database.close()


@pytest.fixture
def ledger(app):
    """A funded initiative with three actuals booked through the service: ids of entries and events."""
    world = build_world(app)
    finance_actor = Actor(user_id=world["user_finance"], email="finance@example.com", role="finance")
    with app.app_context():
        Initiative.update(approved_amount=10_000_000).where(Initiative.id == world["submitted_a"]).execute()
        entries = [finance.book_actual(finance_actor, world["submitted_a"], {
            "amount": 100_000 * (n + 1), "fiscal_year": 2027, "fiscal_quarter": 1,
            "booked_on": dt.date(2027, 2, n + 1), "reference": f"INV-{n}"}) for n in range(3)]
        events = {e.id: AuditEvent.get((AuditEvent.entity_type == "actual_entry")
                                       & (AuditEvent.entity_id == str(e.id))).id for e in entries}
        assert verify_chain()["ok"]
        database.close()
    return {"world": world, "entries": [e.id for e in entries], "events": events}


def test_a_ledger_booked_through_the_app_verifies(client, admin, ledger):
    result = _verify(client, admin)
    assert result["ok"] is True and result["reason"] is None


def test_a_ledger_row_deleted_behind_the_app_is_reported_at_its_booking_event(app, client, admin, ledger):
    victim = ledger["entries"][1]
    behind_the_app(app, ("DELETE FROM actual_entry WHERE id = {p}", victim))
    result = _verify(client, admin)
    assert result["ok"] is False and result["first_bad_id"] == ledger["events"][victim]
    assert result["reason"] == (f"actual_entry row {victim}, booked by event {ledger['events'][victim]}, "
                                "is missing")


def test_a_truncated_ledger_is_reported_at_the_first_booking_event(app, client, admin, ledger):
    behind_the_app(app, ("DELETE FROM actual_entry",) if not ON_POSTGRES else ("TRUNCATE actual_entry",))
    result = _verify(client, admin)
    first = ledger["entries"][0]
    assert result["ok"] is False and result["first_bad_id"] == ledger["events"][first]
    assert f"actual_entry row {first}" in result["reason"] and "missing" in result["reason"]


def test_a_ledger_row_changed_behind_the_app_is_reported_with_the_column(app, client, admin, ledger):
    victim = ledger["entries"][2]
    behind_the_app(app, ("UPDATE actual_entry SET amount = amount + 1 WHERE id = {p}", victim))
    result = _verify(client, admin)
    assert result["ok"] is False and result["first_bad_id"] == ledger["events"][victim]
    assert result["reason"].endswith("(amount)") and f"row {victim}" in result["reason"]


def test_a_ledger_row_added_behind_the_app_does_not_verify(app, client, admin, ledger):
    with app.app_context():
        row = ActualEntry.get_by_id(ledger["entries"][0])
        database.close()
    behind_the_app(app, (
        "INSERT INTO actual_entry (initiative_id, amount, fiscal_year, fiscal_quarter, booked_on, reference, note, "
        "created_by_id, created_at) VALUES ({p}, 5, 2027, 1, '2027-03-01', 'FORGED', '', {p}, '2027-03-01 00:00:00')",
        row.initiative_id, row.created_by_id))
    result = _verify(client, admin)
    assert result["ok"] is False and result["first_bad_id"] is None
    assert "was not booked through the log" in result["reason"]


def test_incremental_verify_checks_only_the_rows_its_events_booked(app, ledger):
    """From a checkpoint, rows booked before it are not re-checked (nor is a row no event booked)."""
    with app.app_context():
        checkpoint = verify_chain()
        database.close()
    behind_the_app(app, ("DELETE FROM actual_entry WHERE id = {p}", ledger["entries"][0]))
    with app.app_context():
        assert verify_chain(after=(checkpoint["length"], checkpoint["head_hash"]))["ok"] is True
        assert verify_chain()["ok"] is False
        assert verify_chain(after=(checkpoint["length"], "e" * 64))["ok"] is False  # not a head of this log
        database.close()


def test_a_log_that_lost_its_last_events_is_reported_by_the_head(app, client, admin):
    for n in range(3):
        client.post("/api/v1/teams", json=team_payload(n), headers=admin)
    length = _verify(client, admin)["length"]
    behind_the_app(app, ("DELETE FROM audit_event WHERE seq > {p}", length - 2))
    result = _verify(client, admin)
    assert result["ok"] is False and result["first_bad_id"] is None and result["length"] == length - 2
    assert result["reason"] == (f"audit_head records {length} events but the log holds {length - 2}: "
                                f"events after seq {length - 2} are missing")


def test_an_emptied_log_does_not_verify(app, client, admin):
    client.post("/api/v1/teams", json=team_payload(1), headers=admin)
    behind_the_app(app, ("TRUNCATE audit_event",) if ON_POSTGRES else ("DELETE FROM audit_event",))
    result = _verify(client, admin)
    assert result["ok"] is False and result["length"] == 0 and "are missing" in result["reason"]


@pytest.mark.skipif(not ON_POSTGRES, reason="TRUNCATE and its triggers are PostgreSQL's")
@pytest.mark.parametrize("sql,message", [
    ("TRUNCATE actual_entry", "actual_entry is append-only (TRUNCATE refused)"),
    ("TRUNCATE audit_event", "audit_event is append-only (TRUNCATE refused)"),
    ("TRUNCATE audit_head", "audit_head is the chain head (TRUNCATE refused)"),
    ("TRUNCATE initiative CASCADE", "actual_entry is append-only (TRUNCATE refused)"),  # reached by CASCADE
    ("TRUNCATE team, audit_event RESTART IDENTITY CASCADE", "append-only (TRUNCATE refused)"),
    ("DELETE FROM audit_head", "audit_head is the chain head (DELETE refused)"),
])
def test_postgres_refuses_truncate_of_the_log_and_the_ledger(app, client, admin, ledger, sql, message):
    with app.app_context():
        with pytest.raises(peewee.DatabaseError, match=message.replace("(", r"\(").replace(")", r"\)")):
            with database.atomic():
                database.execute_sql(sql)
        assert ActualEntry.select().count() == 3
        database.close()
    assert _verify(client, admin)["ok"] is True


@pytest.mark.parametrize("step", ["_head_problem", "_ledger_problem"])
def test_writes_committed_while_verify_reads_do_not_make_it_fail(app, admin, ledger, monkeypatch, step):
    """Verify reads the events, the head and the ledger from one snapshot: an event and an
    actual booked by another connection between two of its reads are simply not seen yet."""
    from cxgov.services import audit_verify

    world = ledger["world"]
    finance_actor = Actor(user_id=world["user_finance"], email="finance@example.com", role="finance")
    original = getattr(audit_verify, step)

    def book_meanwhile():
        with app.app_context():
            finance.book_actual(finance_actor, world["submitted_a"], {
                "amount": 7, "fiscal_year": 2027, "fiscal_quarter": 3, "booked_on": dt.date(2027, 7, 1),
                "reference": "INV-RACE"})
            database.close()

    def racing(*args):
        writer = threading.Thread(target=book_meanwhile)
        writer.start()
        writer.join()
        return original(*args)

    monkeypatch.setattr(audit_verify, step, racing)
    with app.app_context():
        before = AuditEvent.select().count()
        result = verify_chain()
        assert result["ok"] is True, result
        assert result["length"] == before
        database.close()
    monkeypatch.setattr(audit_verify, step, original)
    with app.app_context():
        assert verify_chain()["length"] == before + 1  # the booking was there all along
        database.close()
