import json

import marshmallow as ma

from cxgov.api.base import QueryInt, Schema, Text, UtcDateTime


class AuditEventSchema(Schema):
    id = ma.fields.Integer()
    seq = ma.fields.Integer()
    occurred_at = UtcDateTime()
    actor_id = ma.fields.Integer(allow_none=True)
    actor_email = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    entity_type = ma.fields.String()
    entity_id = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    change = ma.fields.Function(lambda e: json.loads(e.payload)["change"])
    payload = ma.fields.String(metadata={"description": "the exact canonical JSON that was hashed"})
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class AuditQueryArgsSchema(Schema):
    entity_type = Text(40)
    entity_id = Text(40)
    actor_id = QueryInt()
    action = Text(60)
    since = UtcDateTime()
    until = UtcDateTime()


class VerifyArgsSchema(Schema):
    expected_head = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9a-f]{64}$"),
                                     metadata={"description": "a head hash recorded elsewhere (e.g. board minutes)"})


class VerifySchema(Schema):
    ok = ma.fields.Boolean()
    length = ma.fields.Integer()
    head_hash = ma.fields.String()
    first_bad_id = ma.fields.Integer(allow_none=True)
    expected_head_found = ma.fields.Boolean(allow_none=True)
