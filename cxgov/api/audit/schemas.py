import datetime as dt

import marshmallow as ma

from cxgov.api.base import QueryInt, Schema, Text
from cxgov.services import audit


class AuditEventSchema(Schema):
    id = ma.fields.Integer()
    seq = ma.fields.Integer()
    occurred_at = ma.fields.DateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    actor_email = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    entity_type = ma.fields.String()
    entity_id = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    change = ma.fields.Function(audit.recorded_change)
    payload = ma.fields.String(metadata={"description": "the exact canonical JSON that was hashed"})
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class AuditQueryArgsSchema(Schema):
    entity_type = Text(40)
    entity_id = Text(40)
    actor_id = QueryInt()
    action = Text(60)
    since = ma.fields.AwareDateTime(default_timezone=dt.timezone.utc)
    until = ma.fields.AwareDateTime(default_timezone=dt.timezone.utc)


class VerifyArgsSchema(Schema):
    expected_head = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9a-f]{64}$"),
                                     metadata={"description": "a head hash recorded elsewhere (e.g. board minutes)"})


class VerifySchema(Schema):
    ok = ma.fields.Boolean()
    length = ma.fields.Integer()
    head_hash = ma.fields.String()
    first_bad_id = ma.fields.Integer(allow_none=True)
    expected_head_found = ma.fields.Boolean(allow_none=True)
    reason = ma.fields.String(allow_none=True, metadata={
        "description": "why the log does not verify (the event, or the table and row, and what is wrong); "
                       "null when it does"})
