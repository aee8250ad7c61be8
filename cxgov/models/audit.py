"""The append-only, hash-chained accountability log."""
import peewee

from cxgov.models.base import BaseModel, UTCDateTimeField

GENESIS_HASH = "0" * 64


class AuditEvent(BaseModel):
    # seq is the chain position (1, 2, …); UNIQUE on seq and on prev_hash make a
    # fork impossible to store even if serialization were ever lost.
    seq = peewee.BigIntegerField(unique=True)
    occurred_at = UTCDateTimeField(index=True)
    actor_id = peewee.IntegerField(null=True, index=True)
    actor_email = peewee.CharField(max_length=254, null=True)
    action = peewee.CharField(max_length=60, index=True)
    entity_type = peewee.CharField(max_length=40)
    entity_id = peewee.CharField(max_length=40, null=True)
    request_id = peewee.CharField(max_length=64, null=True)
    payload = peewee.TextField()  # the exact canonical JSON bytes that were hashed (UTF-8)
    prev_hash = peewee.CharField(max_length=64, unique=True)
    hash = peewee.CharField(max_length=64, unique=True)

    class Meta:
        indexes = ((("entity_type", "entity_id"), False),)


class AuditHead(BaseModel):
    """One row: the chain's head.  Appenders lock it to serialize appends."""

    id = peewee.IntegerField(primary_key=True, constraints=[peewee.Check("id = 1")])
    seq = peewee.BigIntegerField(default=0)
    hash = peewee.CharField(max_length=64, default=GENESIS_HASH)
