"""The shared mechanics of a recorded mutation: snapshot, versioned update, events.

Every create/update/delete of a versioned record goes through here, so every
mutation appends its accountability event in the same transaction and every
update is a conditional ``UPDATE … WHERE version = :read_version``.
"""
import datetime as dt

import peewee

from cxgov.db import write_transaction
from cxgov.errors import Conflict, NotFound, PreconditionFailed
from cxgov.models.base import UTC, utcnow
from cxgov.services.audit import append_event


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(record, exclude=("created_at", "updated_at")):
    """The record's columns as JSON-safe plain values (foreign keys as ids)."""
    out = {}
    for name, field in record._meta.fields.items():
        if name in exclude:
            continue
        if isinstance(field, peewee.ForeignKeyField):
            out[field.object_id_name] = getattr(record, field.object_id_name)
        else:
            out[name] = _plain(getattr(record, name))
    return out


def diff(before, after):
    """Only the keys that changed, as {key: [old, new]}."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def get_or_404(model, record_id, label=None):
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise NotFound(f"{label or model.__name__} {record_id} does not exist")
    return record


# Each helper opens its own write transaction (a savepoint inside the caller's): the row and its
# event commit together or not at all, even if a caller forgot to open one.

def create_recorded(actor, model, entity_type, **values):
    with write_transaction():
        record = model.create(**values)
        append_event(actor, f"{entity_type}.created", entity_type, record.id, {"after": snapshot(record)})
        return record


def update_recorded(actor, record, entity_type, changes, *, action=None, extra_change=None):
    """Apply ``changes`` if the record still has the version it was read at."""
    with write_transaction():
        model = type(record)
        before = snapshot(record)
        for key, value in changes.items():
            setattr(record, key, value)
        now = utcnow()
        values = {model._meta.fields[k]: v for k, v in changes.items()}
        values[model.version] = model.version + 1
        values[model.updated_at] = now
        updated = model.update(values).where((model.id == record.id) & (model.version == record.version)).execute()
        if updated != 1:
            raise PreconditionFailed(
                f"{entity_type} {record.id} was changed by someone else since you read it; GET it again"
            )
        record.version += 1
        record.updated_at = now
        change = {"before": before, "after": snapshot(record), "changed": diff(before, snapshot(record))}
        if extra_change:
            change.update(extra_change)
        append_event(actor, action or f"{entity_type}.updated", entity_type, record.id, change)
        return record


def delete_recorded(actor, record, entity_type):
    with write_transaction():
        model = type(record)
        before = snapshot(record)
        try:
            deleted = model.delete().where((model.id == record.id) & (model.version == record.version)).execute()
        except peewee.IntegrityError as exc:
            raise Conflict(f"{entity_type} {record.id} is still referenced and cannot be deleted") from exc
        if deleted != 1:
            raise PreconditionFailed(
                f"{entity_type} {record.id} was changed by someone else since you read it; GET it again")
        append_event(actor, f"{entity_type}.deleted", entity_type, record.id, {"before": before})
