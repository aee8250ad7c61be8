"""The accountability log: append (in the caller's transaction), verify, read.

Hash rule (documented in the README so anyone can re-check it):
``payload`` is the RFC 8785 canonical JSON of the object
``{seq, occurred_at, actor, action, entity_type, entity_id, request_id, change, prev_hash}``
and ``hash = SHA-256(payload)`` in lowercase hex; ``prev_hash`` is the hash of the
event before (64 zeros for the first).  Appends lock the one-row chain head with
an UPDATE first, which serializes concurrent appenders on both databases.
"""
import datetime as dt
import hashlib
import json

import rfc8785

from cxgov.db import database
from cxgov.errors import RuleViolation
from cxgov.models import AuditEvent, AuditHead
from cxgov.models.audit import GENESIS_HASH
from cxgov.models.base import UTC


def _iso(value):
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def append_event(actor, action, entity_type, entity_id, change):
    """Append one event; must run inside the caller's write transaction."""
    db = database.obj
    if not db.in_transaction():
        raise RuntimeError("append_event must run inside the mutation's transaction")
    AuditHead.update(seq=AuditHead.seq + 1).where(AuditHead.id == 1).execute()
    head = AuditHead.get_by_id(1)
    occurred_at = dt.datetime.now(UTC)
    body = {
        "seq": head.seq,
        "occurred_at": _iso(occurred_at),
        "actor": {"id": actor.user_id, "email": actor.email, "role": actor.role},
        "action": action,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "request_id": actor.request_id,
        "change": change,
        "prev_hash": head.hash,
    }
    payload = rfc8785.dumps(body)
    digest = hashlib.sha256(payload).hexdigest()
    AuditEvent.create(
        seq=head.seq,
        occurred_at=occurred_at,
        actor_id=actor.user_id,
        actor_email=actor.email,
        action=action,
        entity_type=entity_type,
        entity_id=body["entity_id"],
        request_id=actor.request_id,
        payload=payload.decode("utf-8"),
        prev_hash=head.hash,
        hash=digest,
    )
    AuditHead.update(hash=digest).where(AuditHead.id == 1).execute()
    return digest


def _event_is_consistent(event, prev_hash):
    payload = event.payload.encode("utf-8")
    if hashlib.sha256(payload).hexdigest() != event.hash or event.prev_hash != prev_hash:
        return False
    try:
        body = json.loads(payload)
    except ValueError:
        return False
    if rfc8785.dumps(body) != payload:
        return False
    return (
        body.get("prev_hash") == prev_hash
        and body.get("seq") == event.seq
        and body.get("action") == event.action
        and body.get("entity_type") == event.entity_type
        and body.get("entity_id") == event.entity_id
        and body.get("request_id") == event.request_id
        and body.get("actor", {}).get("id") == event.actor_id
        and body.get("actor", {}).get("email") == event.actor_email
        and body.get("occurred_at") == _iso(event.occurred_at)
    )


def verify_chain(expected_head=None, batch=2000, after=None):
    """Walk the chain; report the first event whose hash or link is wrong.

    ``after=(seq, hash)`` starts from a head verified before (only later events are walked).
    """
    prev_hash, length, expected_seq = GENESIS_HASH, 0, 1
    if after is not None:
        length, prev_hash = after
        expected_seq = length + 1
    seen_expected = expected_head is None
    last_seq = length
    while True:
        events = list(AuditEvent.select().where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch))
        if not events:
            break
        for event in events:
            if event.seq != expected_seq or not _event_is_consistent(event, prev_hash):
                return {"ok": False, "length": length, "head_hash": prev_hash,
                        "first_bad_id": event.id, "expected_head_found": None}
            prev_hash, length, expected_seq = event.hash, length + 1, expected_seq + 1
            seen_expected = seen_expected or event.hash == expected_head
            last_seq = event.seq
    head = AuditHead.get_or_none(AuditHead.id == 1)
    head_ok = head is not None and head.hash == prev_hash and head.seq == length
    result = {"ok": head_ok and seen_expected, "length": length, "head_hash": prev_hash,
              "first_bad_id": None, "expected_head_found": None if expected_head is None else seen_expected}
    return result


def head():
    row = AuditHead.get_or_none(AuditHead.id == 1)
    return {"seq": row.seq if row else 0, "hash": row.hash if row else GENESIS_HASH}


def query_events(entity_type=None, entity_id=None, actor_id=None, action=None, since=None, until=None):
    if since and until and since > until:
        raise RuleViolation("'since' is after 'until'", errors={"since": ["must not be after until"]})
    query = AuditEvent.select().order_by(AuditEvent.seq)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == str(entity_id))
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    return query
