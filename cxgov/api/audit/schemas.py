import marshmallow as ma

from cxgov.api.extensions.fields import QueryInt, Schema, Text, UtcDateTime


class ProofSchema(Schema):
    state = ma.fields.String(metadata={"description": "SHA-256 state (8 words, hex) after the first `length` bytes"})
    length = ma.fields.Integer(metadata={"description": "bytes of the payload the state covers (a multiple of 64)"})
    suffix = ma.fields.String(metadata={"description": "the rest of the hashed payload, from byte `length`"})


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
    change = ma.fields.Raw(allow_none=True, metadata={"description": "null when redacted"})
    redacted = ma.fields.List(ma.fields.String(), metadata={
        "description": "what is withheld from this reader: actor (the e-mail), change, entity_id"})
    payload = ma.fields.String(allow_none=True, metadata={
        "description": "the exact canonical JSON that was hashed; null when anything is redacted (see proof)"})
    proof = ma.fields.Nested(ProofSchema, allow_none=True, metadata={
        "description": "when redacted: hash = SHA-256 resumed from state over suffix"})
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
    reason = ma.fields.String(allow_none=True, metadata={
        "description": "why the log does not verify (the event, or the table and row, and what is wrong); "
                       "null when it does"})
