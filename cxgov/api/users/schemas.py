import marshmallow as ma

from cxgov.api.extensions.fields import Id, QueryInt, Schema, StrictBool, Text, UtcDateTime
from cxgov.api.extensions.pagination import sort_field
from cxgov.models.users import ROLES

SORTABLE = ("id", "email", "name", "role")


class UserSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    team_id = ma.fields.Integer(allow_none=True)
    active = ma.fields.Boolean()
    version = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class UserCreateSchema(Schema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    name = Text(200, required=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    team_id = Id(allow_none=True, metadata={"description": "required for (and only for) team_lead"})


class UserUpdateSchema(Schema):
    email = ma.fields.Email(validate=ma.validate.Length(max=254))
    name = Text(200)
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    team_id = Id(allow_none=True)
    active = StrictBool()


class UserQueryArgsSchema(Schema):
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    team_id = QueryInt()
    q = Text(120, metadata={"description": "text in the name or email"})
    sort = sort_field(SORTABLE)
