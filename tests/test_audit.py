"""The accountability log: one event per mutation, a chain that verifies under concurrent
writers, tamper detection down to the event, append-only at the database on PostgreSQL."""
import hashlib
import json
import threading

import peewee
import pytest
import rfc8785

from cxgov.db import database
from cxgov.models import AuditEvent
from tests.builders import team_payload
from tests.conftest import ON_POSTGRES, bearer


def _verify(client, headers, **params):
    return client.get("/api/v1/audit/verify", headers=headers, query_string=params).json


def test_every_mutation_appends_one_event(client, admin):
    before = _verify(client, admin)["length"]
    created = client.post("/api/v1/teams", json=team_payload(1), headers=admin)
    etag = client.get(f"/api/v1/teams/{created.json['id']}", headers=admin).headers["ETag"]
    client.patch(f"/api/v1/teams/{created.json['id']}", json={"lead_name": "Zoe"}, headers={**admin, "If-Match": etag})
    client.get("/api/v1/teams", headers=admin)  # reads append nothing
    result = _verify(client, admin)
    assert result["ok"] and result["length"] == before + 2
    events = client.get("/api/v1/audit?entity_type=team", headers=admin).json
    assert [e["action"] for e in events] == ["team.created", "team.updated"]
    assert events[1]["change"]["changed"] == {"lead_name": ["Lead 1", "Zoe"], "version": [1, 2]}
    assert events[1]["request_id"] and events[1]["actor_email"].startswith("admin")


def test_the_documented_hash_rule_recomputes_every_event(client, admin):
    """What the README tells an outsider: hash = sha256(payload); payload links prev_hash."""
    for n in range(3):
        client.post("/api/v1/teams", json=team_payload(n), headers=admin)
    exported = client.get("/api/v1/audit/export", headers=admin)
    assert exported.mimetype == "application/x-ndjson"
    prev = "0" * 64
    lines = [json.loads(line) for line in exported.get_data(as_text=True).splitlines()]
    assert len(lines) >= 3
    for line in lines:
        payload = line["payload"].encode()
        assert rfc8785.dumps(json.loads(payload)) == payload
        assert json.loads(payload)["prev_hash"] == prev == line["prev_hash"]
        assert hashlib.sha256(payload).hexdigest() == line["hash"]
        prev = line["hash"]
    assert prev == _verify(client, admin)["head_hash"]


def test_verify_against_a_recorded_head(client, admin):
    client.post("/api/v1/teams", json=team_payload(1), headers=admin)
    recorded = _verify(client, admin)["head_hash"]
    client.post("/api/v1/teams", json=team_payload(2), headers=admin)
    assert _verify(client, admin, expected_head=recorded)["expected_head_found"] is True
    unknown = _verify(client, admin, expected_head="a" * 64)
    assert unknown["ok"] is False and unknown["expected_head_found"] is False


@pytest.mark.parametrize("column,value", [("payload", None), ("action", "team.deleted"), ("hash", "f" * 64),
                                          ("entity_id", "999")])
def test_tampering_with_one_event_is_reported_at_that_event(app, client, admin, column, value):
    for n in range(5):
        client.post("/api/v1/teams", json=team_payload(n), headers=admin)
    with app.app_context():
        victim = AuditEvent.select().order_by(AuditEvent.seq).offset(3).first()
        if value is None:
            value = victim.payload.replace("Team", "Teem")
        if ON_POSTGRES:
            database.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        database.execute_sql(f"UPDATE audit_event SET {column} = %s WHERE id = %s".replace(
            "%s", "?" if not ON_POSTGRES else "%s"), (value, victim.id))
        if ON_POSTGRES:
            database.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
        victim_id = victim.id
        database.close()
    result = _verify(client, admin)
    assert result["ok"] is False and result["first_bad_id"] == victim_id


def test_deleting_the_last_event_is_detected_by_the_head(app, client, admin):
    client.post("/api/v1/teams", json=team_payload(1), headers=admin)
    with app.app_context():
        last = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
        if ON_POSTGRES:
            database.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        AuditEvent.delete().where(AuditEvent.id == last.id).execute()
        if ON_POSTGRES:
            database.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
        database.close()
    assert _verify(client, admin)["ok"] is False


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger is PostgreSQL's")
def test_postgres_refuses_update_and_delete_of_events(app, client, admin):
    client.post("/api/v1/teams", json=team_payload(1), headers=admin)
    with app.app_context():
        for sql in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(peewee.DatabaseError, match="append-only"):
                with database.atomic():
                    database.execute_sql(sql)
        database.close()


def test_concurrent_writers_leave_one_verifiable_chain(app, admin):
    """8 threads, each with its own connection, each creating and updating teams."""
    per_thread, threads_n = 6, 8
    errors = []

    def work(t):
        with app.test_client() as c:
            for n in range(per_thread):
                r = c.post("/api/v1/teams", json=team_payload(f"{t}-{n}"), headers=admin)
                if r.status_code != 201:
                    errors.append(r.get_data(as_text=True))
                    continue
                etag = c.get(f"/api/v1/teams/{r.json['id']}", headers=admin).headers["ETag"]
                u = c.patch(f"/api/v1/teams/{r.json['id']}", json={"lead_name": f"L{t}{n}"},
                            headers={**admin, "If-Match": etag})
                if u.status_code != 200:
                    errors.append(u.get_data(as_text=True))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.test_client() as c:
        result = _verify(c, admin)
        assert result["ok"], result
        mutations = threads_n * per_thread * 2
        team_events = c.get("/api/v1/audit?entity_type=team&page_size=100", headers=admin)
        assert json.loads(team_events.headers["X-Pagination"])["total"] == mutations
    with app.app_context():
        seqs = [e.seq for e in AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq)]
        assert seqs == list(range(1, len(seqs) + 1))
        database.close()


def test_audit_filters(client, admin):
    client.post("/api/v1/teams", json=team_payload(1), headers=admin)
    client.post("/api/v1/partners", json={"name": "P", "kind": "vendor"}, headers=admin)
    assert [e["entity_type"] for e in client.get("/api/v1/audit?action=partner.created", headers=admin).json] == ["partner"]
    future = client.get("/api/v1/audit?since=2999-01-01T00:00:00Z", headers=admin).json
    assert future == []
    bad = client.get("/api/v1/audit?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", headers=admin)
    assert bad.status_code == 422


def test_team_leads_verify_but_do_not_read_events(client, make_user, admin):
    team = client.post("/api/v1/teams", json=team_payload(1), headers=admin).json
    _, token = make_user("team_lead", team_id=team["id"])
    assert client.get("/api/v1/audit/verify", headers=bearer(token)).json["ok"]
    assert client.get("/api/v1/audit", headers=bearer(token)).status_code == 403


def test_export_streams_inside_the_request_and_hands_its_connection_back(client, admin, app):
    """The JSON Lines are produced while the response streams; the query must run inside the
    request (whose teardown returns the connection to the pool), not after it."""
    from cxgov.db import database

    for n in range(3):
        client.post("/api/v1/teams", json=team_payload(n), headers=admin)
    exported = client.get("/api/v1/audit/export", headers=admin)
    assert len(exported.get_data(as_text=True).splitlines()) >= 3
    exported.close()
    assert database.obj._in_use == {}


def test_a_recorded_write_outside_any_transaction_commits_with_its_event(app):
    """create_recorded opens its own transaction: a caller that forgot one still gets the row and
    its event together (before, the row autocommitted and the event then refused to append)."""
    from cxgov.models import AuditEvent, AuditHead, Team
    from cxgov.services.actor import SYSTEM
    from cxgov.services.records import create_recorded

    with app.app_context():
        seq = AuditHead.get_by_id(1).seq
        team = create_recorded(SYSTEM, Team, "team", name="Solo", department="Ops", lead_name="Lee")
        event = AuditEvent.get((AuditEvent.entity_type == "team") & (AuditEvent.entity_id == team.id))
        assert event.action == "team.created" and event.seq == seq + 1 == AuditHead.get_by_id(1).seq
