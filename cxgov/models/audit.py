"""The append-only, hash-chained accountability log."""
import datetime as dt
import sqlite3

import peewee
import psycopg2.extensions

from cxgov.models.base import BaseModel, UTCDateTimeField

GENESIS_HASH = "0" * 64


# Reading the log must not fail on a row someone edited behind the app (the verifier reports
# such a row; the list and the export still show it).  These fields hand back what is stored
# as far as it is a value of their type, and None where it is not, instead of raising.
class _ReadableText:
    def python_value(self, value):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return str(value)


class ReadableCharField(_ReadableText, peewee.CharField):
    pass


class ReadableTextField(_ReadableText, peewee.TextField):
    pass


class _ReadableInteger:
    def python_value(self, value):
        return value if type(value) is int else None


class ReadableIntegerField(_ReadableInteger, peewee.IntegerField):
    pass


class ReadableBigIntegerField(_ReadableInteger, peewee.BigIntegerField):
    pass


class ReadableUTCDateTimeField(UTCDateTimeField):
    def python_value(self, value):
        value = super().python_value(value)
        return value if isinstance(value, dt.datetime) else None


def _decode_text(raw):
    return raw.decode("utf-8", "replace")


def _readable_timestamp(value, cursor):
    try:
        return psycopg2.extensions.PYDATETIME(value, cursor)
    except ValueError:  # a year PostgreSQL stores and Python's datetime cannot (past 9999, BC)
        return None


_PG_TIMESTAMP = psycopg2.extensions.new_type((1114,), "CXGOV_READABLE_TIMESTAMP", _readable_timestamp)


class _ReadableRows:
    """Rows of the log whatever is stored: on SQLite text that is not UTF-8 reads with
    replacement characters (sqlite3 raises otherwise, for the whole row); on PostgreSQL a
    timestamp out of Python's range reads as None (``_ReadableSelect._execute``)."""

    def iterate(self, cache=True):
        connection = getattr(self.cursor, "connection", None)
        if not isinstance(connection, sqlite3.Connection):
            return super().iterate(cache)
        text_factory = connection.text_factory  # applied as each row is fetched
        connection.text_factory = _decode_text
        try:
            return super().iterate(cache)
        finally:
            connection.text_factory = text_factory


class _ReadableObjectRows(_ReadableRows, peewee.ModelObjectCursorWrapper):
    pass


class _ReadableJoinedRows(_ReadableRows, peewee.ModelCursorWrapper):
    pass


class _ReadableSelect(peewee.ModelSelect):
    def _execute(self, database):
        db = getattr(database, "obj", database)  # the proxy's database
        if not isinstance(db, peewee.PostgresqlDatabase):
            return super()._execute(database)
        # psycopg2 picks each column's typecaster when the query executes: lend the connection
        # the lenient one for this query only.
        casts = db.connection().string_types
        previous = casts.get(_PG_TIMESTAMP.values[0])
        psycopg2.extensions.register_type(_PG_TIMESTAMP, db.connection())
        try:
            return super()._execute(database)
        finally:
            if previous is None:
                casts.pop(_PG_TIMESTAMP.values[0], None)
            else:
                casts[_PG_TIMESTAMP.values[0]] = previous

    def _get_model_cursor_wrapper(self, cursor):
        if len(self._from_list) == 1 and not self._joins:
            return _ReadableObjectRows(cursor, self.model, self._returning, self.model)
        return _ReadableJoinedRows(cursor, self.model, self._returning, self._from_list, self._joins)


class AuditEvent(BaseModel):
    # seq is the chain position (1, 2, …); UNIQUE on seq and on prev_hash make a
    # fork impossible to store even if serialization were ever lost.
    seq = ReadableBigIntegerField(unique=True)
    occurred_at = ReadableUTCDateTimeField(index=True)
    actor_id = ReadableIntegerField(null=True, index=True)
    actor_email = ReadableCharField(max_length=254, null=True)
    action = ReadableCharField(max_length=60, index=True)
    entity_type = ReadableCharField(max_length=40)
    entity_id = ReadableCharField(max_length=40, null=True)
    request_id = ReadableCharField(max_length=64, null=True)
    payload = ReadableTextField()  # the exact canonical JSON bytes that were hashed (UTF-8)
    prev_hash = ReadableCharField(max_length=64, unique=True)
    hash = ReadableCharField(max_length=64, unique=True)

    class Meta:
        indexes = ((("entity_type", "entity_id"), False),)

    @classmethod
    def select(cls, *fields):
        return _ReadableSelect(cls, fields or cls._meta.sorted_fields, is_default=not fields)


class AuditHead(BaseModel):
    """One row: the chain's head.  Appenders lock it to serialize appends."""

    id = peewee.IntegerField(primary_key=True, constraints=[peewee.Check("id = 1")])
    seq = peewee.BigIntegerField(default=0)
    hash = peewee.CharField(max_length=64, default=GENESIS_HASH)
