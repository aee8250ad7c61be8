"""Idempotency keys of creating POSTs."""
import peewee

from cxgov.models.base import BaseModel, UTCDateTimeField, utcnow
from cxgov.models.users import User


class IdempotencyKey(BaseModel):
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    key = peewee.CharField(max_length=200)
    fingerprint = peewee.CharField(max_length=64)
    status_code = peewee.SmallIntegerField(null=True)
    response_body = peewee.TextField(null=True)
    response_headers = peewee.TextField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "key"), True),)
