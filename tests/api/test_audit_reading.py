"""Issue 14 items 3 and 4: no role reads through the log, its export or an initiative's history
what it may not read directly, and every role can still check the chain from its export."""
import hashlib
import json

import pytest
from hypothesis import given, settings, strategies as st

from cxgov.db import database
from cxgov.models import AuditEvent
from cxgov.services import audit_proof
from cxgov.services.actor import Actor
from cxgov.services.audit_reading import KNOWN_TYPES, Facts, event_access
from cxgov.services.read_rules import initiative_readable
from tests.builders import decide, every_kind_of_record, vote
from tests.conftest import ON_POSTGRES, bearer

LOG_ROLES = ("admin", "board_chair", "board_member", "finance", "viewer")


def _events(client, token, **query):
    response = client.get("/api/v1/audit", headers=bearer(token), query_string={"page_size": 100, **query})
    assert response.status_code == 200, response.json
    return response.json


def _export(client, token):
    response = client.get("/api/v1/audit/export", headers=bearer(token))
    assert response.status_code == 200
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


# ---------------------------------------------------------------- the leaks the attack found
@pytest.mark.parametrize("role", ["viewer", "board_chair", "board_member", "finance"])
def test_a_draft_is_not_read_through_the_log(client, board, role):
    token, draft = board["tokens"][role], board["draft_a"]
    assert client.get(f"/api/v1/initiatives/{draft}", headers=bearer(token)).status_code == 404
    # asked for by id, a hidden draft's events are not there, exactly as for an id never used
    assert _events(client, token, entity_type="initiative", entity_id=draft) == []
    assert _events(client, token, entity_type="initiative", entity_id=99999) == []
    assert "initiative" not in {e["entity_type"] for e in _events(client, token, entity_id=draft)}
    text = json.dumps(_events(client, token)) + json.dumps(_export(client, token))
    assert "Draft A" not in text
    assert "Draft B" not in text
    listed = [e for e in _events(client, token, entity_type="initiative") if e["action"] == "initiative.created"]
    hidden = [e for e in listed if e["change"] is None]
    assert len(hidden) == 2 and all(e["entity_id"] is None and "entity_id" in e["redacted"] for e in hidden)
    shown = [e for e in listed if e["change"] is not None]
    assert [e["entity_id"] for e in shown] == [str(board["submitted_a"])] + [str(i) for i in board["items"]]
    # the admin still reads everything
    admin = _events(client, board["tokens"]["admin"], entity_type="initiative", entity_id=draft)
    assert admin[0]["change"]["after"]["title"] == "Draft A" and admin[0]["redacted"] == []


def test_a_viewer_reads_no_actuals_through_the_log(client, board):
    every_kind_of_record(client, board)
    viewer = board["tokens"]["viewer"]
    assert client.get(f"/api/v1/initiatives/{board['items'][0]}/actuals", headers=bearer(viewer)).status_code == 403
    booked = _events(client, viewer, entity_type="actual_entry")
    assert len(booked) == 1 and booked[0]["change"] is None and booked[0]["redacted"] == ["actor", "change"]
    assert booked[0]["entity_id"] is not None  # a 403, not a 404: that an entry exists is no secret
    text = json.dumps(_events(client, viewer)) + json.dumps(_export(client, viewer))
    assert "INV-ONLY-FINANCE-READS" not in text and "1234567" not in text
    finance = _events(client, board["tokens"]["finance"], entity_type="actual_entry")
    assert finance[0]["change"]["after"]["reference"] == "INV-ONLY-FINANCE-READS"


def test_actor_emails_are_shown_only_to_admin_and_the_actor(client, board):
    every_kind_of_record(client, board)
    viewer_id = board["user_viewer"]
    for role in LOG_ROLES:
        own = board[f"user_{role}"]
        for event in _events(client, board["tokens"][role]):
            if role == "admin" or event["actor_id"] == own:
                assert event["actor_email"] is not None or event["actor_id"] is None, event
            else:
                assert event["actor_email"] is None and "actor" in event["redacted"], (role, event)
    mine = [e for e in _events(client, board["tokens"]["viewer"], entity_type="token") if e["actor_id"] == viewer_id]
    assert mine and all(e["actor_email"] == "viewer@example.com" and e["change"] for e in mine)


def test_no_token_secret_appears_anywhere_in_the_log(client, board):
    every_kind_of_record(client, board)
    secret = board["secret_of_revoked_token"]
    assert secret.startswith("cxg_")
    for role in LOG_ROLES:
        assert secret not in json.dumps(_events(client, board["tokens"][role]))
        assert secret not in json.dumps(_export(client, board["tokens"][role]))


def test_a_team_lead_reads_no_votes_decisions_or_foreign_scores_through_history(client, board):
    iid = board["items"][0]
    for token in board["member_tokens"][:3]:
        vote(client, board, token, iid, "approve", comment="Only the board reads this")
    assert decide(client, board, iid, "approve", rationale="Only the board reads this rationale",
                  approved_amount=25_000_000).status_code == 201
    for lead in ("team_lead", "team_lead_b"):  # team A's own initiative; and another team's
        headers = bearer(board["tokens"][lead])
        assert client.get(f"/api/v1/rounds/{board['round']}/votes", headers=headers).status_code == 403
        assert client.get(f"/api/v1/rounds/{board['round']}/decisions", headers=headers).status_code == 403
        history = client.get(f"/api/v1/initiatives/{iid}/history", headers=headers)
        assert history.status_code == 200
        text = history.get_data(as_text=True)
        assert "Only the board reads" not in text and "25000000" not in text.replace(" ", "")
        assert history.json["votes"] == [] and history.json["decisions"] == []
    pinned = client.get(f"/api/v1/rounds/{board['round']}", headers=bearer(board["tokens"]["admin"])).json
    ranking_url = f"/api/v1/rankings/{pinned['pinned_ranking_id']}"
    own = client.get(f"/api/v1/initiatives/{iid}/history", headers=bearer(board["tokens"]["team_lead"])).json
    assert client.get(ranking_url, headers=bearer(board["tokens"]["team_lead"])).status_code == 200
    assert own["scores"] and own["withheld"] == ["votes", "decisions"]
    foreign = client.get(f"/api/v1/initiatives/{iid}/history", headers=bearer(board["tokens"]["team_lead_b"])).json
    assert client.get(ranking_url, headers=bearer(board["tokens"]["team_lead_b"])).status_code == 403
    assert foreign["scores"] == [] and foreign["withheld"] == ["scores", "votes", "decisions"]
    board_view = client.get(f"/api/v1/initiatives/{iid}/history", headers=bearer(board["tokens"]["viewer"])).json
    assert board_view["withheld"] == [] and len(board_view["votes"]) == 3 and board_view["decisions"]


# ---------------------------------------------------------------- everyone checks the chain
def test_every_role_verifies_the_chain_from_its_own_export(client, board):
    every_kind_of_record(client, board)
    head = client.get("/api/v1/audit/verify", headers=bearer(board["tokens"]["viewer"])).json
    assert head["ok"]
    for role in LOG_ROLES:
        lines = _export(client, board["tokens"][role])
        assert len(lines) == head["length"]
        report = _independent_check(lines, head["head_hash"])
        assert report == {"ok": True, "length": head["length"], "head_hash": head["head_hash"], "first_bad_id": None}
        assert audit_proof.verify_export(lines, head["head_hash"]) == report
        redacted = [line for line in lines if line["redacted"]]
        assert (role == "admin") == (not redacted)
        for line in redacted:
            assert line["payload"] is None
            if "change" in line["redacted"]:
                assert '"change":' not in line["proof"]["suffix"]
    assert not audit_proof.verify_export(_export(client, board["tokens"]["viewer"]), "a" * 64)["ok"]


def _independent_check(lines, expected_head):
    """What an outsider does, written apart from the server's code: full payloads with hashlib,
    redacted ones by finishing SHA-256 from the given state (``audit_proof.resume``, which
    test_resume_equals_hashlib holds to hashlib)."""
    prev, length = "0" * 64, 0
    for line in lines:
        if line["payload"] is not None:
            data = line["payload"].encode()
            digest, body = hashlib.sha256(data).hexdigest(), json.loads(data)
            linked, seq = body["prev_hash"], body["seq"]
        else:
            proof = line["proof"]
            suffix = proof["suffix"].encode()
            digest = audit_proof.resume(proof["state"], proof["length"], suffix)
            tail = suffix[suffix.rindex(b'","request_id":') - 64:]
            linked = tail[:64].decode()
            seq = int(suffix[suffix.rindex(b',"seq":') + 7:].rstrip(b"}").split(b",")[0])
        if digest != line["hash"] or linked != prev or line["prev_hash"] != prev or seq != length + 1:
            return {"ok": False, "length": length, "head_hash": prev, "first_bad_id": line["id"]}
        prev, length = digest, length + 1
    return {"ok": prev == expected_head, "length": length, "head_hash": prev, "first_bad_id": None}


def test_a_redacted_export_still_shows_tampering_at_the_event(app, client, board):
    every_kind_of_record(client, board)
    viewer = board["tokens"]["viewer"]
    with app.app_context():
        victim = (AuditEvent.select().where(AuditEvent.entity_type == "actual_entry").first())
        if ON_POSTGRES:
            database.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        database.execute_sql("UPDATE audit_event SET payload = %s WHERE id = %s".replace(
            "%s", "%s" if ON_POSTGRES else "?"), (victim.payload.replace("1234567", "1234568"), victim.id))
        if ON_POSTGRES:
            database.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
        victim_id = victim.id
        database.close()
    lines = _export(client, viewer)
    line = next(line for line in lines if line["id"] == victim_id)
    assert line["payload"] is None and "1234568" not in json.dumps(line)  # still redacted
    assert audit_proof.verify_export(lines)["first_bad_id"] == victim_id
    assert _independent_check(lines, None)["first_bad_id"] == victim_id


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300))
def test_resume_equals_hashlib(prefix, suffix):
    whole = prefix[:len(prefix) // 64 * 64]
    rest = prefix[len(whole):] + suffix
    assert audit_proof.resume(audit_proof.prefix_state(whole), len(whole), rest) == \
        hashlib.sha256(whole + rest).hexdigest()


# ---------------------------------------------------------------- the pure rules
def _actor(role, user_id=50, team_id=None):
    return Actor(user_id=user_id, email=f"{role}@x", role=role, team_id=team_id)


def _facts(**over):
    values = {"initiatives": {}, "actual_initiatives": {}, "ranking_rounds": {}, "scenario_rounds": {},
              "token_owners": {}, "rounds_of_team": frozenset()}
    return Facts(**{**values, **over})


def test_event_access_follows_the_record_rules():
    facts = _facts(initiatives={1: (10, "draft"), 2: (10, "submitted"), 3: (20, "approved")},
                   actual_initiatives={7: 3}, ranking_rounds={5: 100, 6: 200}, token_owners={9: 50, 8: 51},
                   rounds_of_team=frozenset({100}))
    lead = _actor("team_lead", team_id=10)
    viewer = _actor("viewer")
    assert event_access(viewer, "initiative", "1", 50, facts).redacted == ["change", "entity_id"]
    assert event_access(lead, "initiative", "1", 50, facts).redacted == []
    assert event_access(_actor("team_lead", team_id=20), "initiative", "1", 1, facts).redacted == \
        ["actor", "change", "entity_id"]
    assert event_access(viewer, "initiative", "404", 50, facts).redacted == ["change", "entity_id"]  # deleted
    assert event_access(viewer, "actual_entry", "7", 50, facts).redacted == ["change"]
    assert event_access(_actor("finance"), "actual_entry", "7", 50, facts).redacted == []
    assert event_access(lead, "actual_entry", "7", 50, facts).redacted == ["change"]  # another team's
    assert event_access(lead, "vote", "1", 50, facts).redacted == ["change"]
    assert event_access(viewer, "decision", "1", 50, facts).redacted == []
    assert event_access(lead, "ranking", "5", 50, facts).redacted == []
    assert event_access(lead, "ranking", "6", 50, facts).redacted == ["change"]
    assert event_access(viewer, "token", "9", 50, facts).redacted == []
    assert event_access(viewer, "token", "8", 50, facts).redacted == ["change", "entity_id"]
    assert event_access(viewer, "user", "50", 50, facts).redacted == []
    assert event_access(viewer, "user", "51", 1, facts).redacted == ["actor", "change"]
    assert event_access(viewer, "something_new", "1", 50, facts).redacted == ["change", "entity_id"]
    admin = _actor("admin")
    for entity_type in KNOWN_TYPES | {"something_new"}:
        assert event_access(admin, entity_type, "1", 2, facts).redacted == []


@pytest.mark.parametrize("role,team", [("admin", None), ("team_lead", "a"), ("team_lead", "b"), ("viewer", None),
                                       ("board_chair", None), ("finance", None)])
def test_the_pure_initiative_rule_is_the_sql_one(app, board, role, team):
    from cxgov.models import Initiative
    from cxgov.services.initiatives import visible_initiatives

    actor = _actor(role, team_id=board.get(f"team_{team}"))
    with app.app_context():
        rows = list(Initiative.select())
        sql = {r.id for r in visible_initiatives(actor)}
        assert {r.id for r in rows if initiative_readable(actor, r.team_id, r.status)} == sql
        assert {r.status for r in rows} >= {"draft", "submitted"}
        database.close()


@pytest.mark.parametrize("route", ["/api/v1/audit?page_size=100", "/api/v1/audit/export?"])
def test_the_read_rules_read_no_query_per_event(client, board, statements, route):
    """The facts the rules need are read once per page (or export batch), a query per kind."""
    every_kind_of_record(client, board)
    events = len(_events(client, board["tokens"]["admin"]))
    assert events > 60
    statements.clear()
    response = client.get(route + "&", headers=bearer(board["tokens"]["viewer"]))
    assert response.status_code == 200 and response.get_data()
    # the token check, the count and the page (or the export's batches), one query per kind of fact
    assert len(statements) <= 16, statements


@pytest.mark.parametrize("entity_id", ["99999999999999999999999999", "9223372036854775808", "1_0", "-1", " 1", "x"])
def test_an_entity_id_filter_that_names_no_row_is_an_empty_page_not_a_500(client, board, entity_id):
    for role in ("viewer", "admin"):
        for entity_type in ("initiative", ""):
            query = {"entity_id": entity_id, **({"entity_type": entity_type} if entity_type else {})}
            assert _events(client, board["tokens"][role], **query) == []


_json = st.recursive(st.none() | st.booleans() | st.integers(-2 ** 53 + 1, 2 ** 53 - 1) | st.text(max_size=40),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(change=_json, email=st.text(max_size=30), entity_type=st.sampled_from(sorted(KNOWN_TYPES)),
       entity_id=st.none() | st.integers(1, 2 ** 63 - 1).map(str), request_id=st.none() | st.text(max_size=30),
       seq=st.integers(1, 10 ** 9), prev=st.text("0123456789abcdef", min_size=64, max_size=64),
       hidden=st.sets(st.sampled_from(["actor", "change", "entity_id"]), min_size=1))
def test_a_proof_verifies_and_holds_none_of_what_it_hides(change, email, entity_type, entity_id, request_id, seq,
                                                         prev, hidden):
    import types

    import rfc8785

    from cxgov.services.audit_reading import EventAccess, reader_row

    body = {"seq": seq, "occurred_at": "2026-12-01T19:30:02.123456Z", "actor": {"id": 3, "email": email,
            "role": "admin"}, "action": f"{entity_type}.created", "entity_type": entity_type, "entity_id": entity_id,
            "request_id": request_id, "change": change, "prev_hash": prev}
    payload = rfc8785.dumps(body)
    event = types.SimpleNamespace(id=seq, seq=seq, occurred_at=None, actor_id=3, actor_email=email,
                                  action=body["action"], entity_type=entity_type, entity_id=entity_id,
                                  request_id=request_id, payload=payload.decode(), prev_hash=prev,
                                  hash=hashlib.sha256(payload).hexdigest())
    row = reader_row(event, EventAccess(change="change" not in hidden, entity="entity_id" not in hidden,
                                        actor="actor" not in hidden))
    assert row["payload"] is None and row["redacted"] == sorted(hidden)
    suffix = row["proof"]["suffix"].encode()
    for name in hidden:
        assert f'"{name}":'.encode() not in suffix
    digest, linked, linked_seq = audit_proof._link_of(row)
    assert (digest, linked, linked_seq) == (event.hash, prev, seq)
