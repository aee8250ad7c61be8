"""The model base and the field types every aggregate shares."""
import datetime as dt
import json

import peewee

from cxgov.db import database

UTC = dt.timezone.utc


def utcnow():
    return dt.datetime.now(UTC)


class UTCDateTimeField(peewee.DateTimeField):
    """Stored as naive UTC, handed back timezone-aware."""

    def db_value(self, value):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class JSONTextField(peewee.TextField):
    """A JSON document kept as text (portable across SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class VersionedModel(BaseModel):
    """A record updated under optimistic concurrency (ETag = version)."""

    version = peewee.IntegerField(default=1, constraints=[peewee.Check("version >= 1")])
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
