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

import rfc8785

from cxgov.db import database
from cxgov.errors import RuleViolation
from cxgov.models import AuditEvent, AuditHead
from cxgov.models.audit import GENESIS_HASH
from cxgov.models.base import UTC
from cxgov.services.audit_verify import verify_chain  # noqa: F401  (the service's public verb)


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


def head():
    row = AuditHead.get_or_none(AuditHead.id == 1)
    return {"seq": row.seq if row else 0, "hash": row.hash if row else GENESIS_HASH}


def query_events(entity_type=None, entity_id=None, actor_id=None, action=None, since=None, until=None):
    if since and until and since > until:
        raise RuleViolation("'since' is after 'until'", errors={"since": ["must not be after until"]})
    query = AuditEvent.select().order_by(AuditEvent.id)  # chain order: ids rise with seq, and a tampered seq cannot hide a row
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
