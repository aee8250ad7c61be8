import marshmallow as ma

from cxgov.api.extensions.fields import Schema, StrictBool, Text, UtcDateTime
from cxgov.api.extensions.pagination import sort_field

SORTABLE = ("id", "name", "department")


class TeamSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String()
    department = ma.fields.String()
    customer_facing = ma.fields.Boolean()
    lead_name = ma.fields.String()
    lead_email = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class TeamCreateSchema(Schema):
    name = Text(120, required=True)
    department = Text(120, required=True)
    customer_facing = StrictBool(load_default=False)
    lead_name = Text(200, required=True)
    lead_email = ma.fields.Email(allow_none=True, validate=ma.validate.Length(max=254))


class TeamUpdateSchema(Schema):
    name = Text(120)
    department = Text(120)
    customer_facing = StrictBool()
    lead_name = Text(200)
    lead_email = ma.fields.Email(allow_none=True, validate=ma.validate.Length(max=254))


class TeamQueryArgsSchema(Schema):
    department = Text(120)
    q = Text(120, metadata={"description": "text in the name"})
    sort = sort_field(SORTABLE)
