import marshmallow as ma

from cxgov.api.extensions.fields import Id, Schema, Text, UtcDateTime


class TokenSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    user_id = ma.fields.Integer()
    name = ma.fields.String()
    prefix = ma.fields.String(metadata={"description": "the first characters, to recognise a token"})
    expires_at = UtcDateTime()
    revoked_at = UtcDateTime(allow_none=True)
    version = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)


class IssuedTokenSchema(TokenSchema):
    token = ma.fields.String(metadata={"description": "the secret: shown once, never stored"})


class TokenCreateSchema(Schema):
    user_id = Id(metadata={"description": "defaults to yourself; only an admin may name another user"})
    name = Text(100, required=True)
    expires_in_days = ma.fields.Integer(strict=True, load_default=90, validate=ma.validate.Range(1, 366))
