import marshmallow as ma

from cxgov.api.base import Schema


class PersonSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    email = ma.fields.String()


class OverdueSchema(Schema):
    initiative_id = ma.fields.Integer()
    title = ma.fields.String()
    status = ma.fields.String()
    team_id = ma.fields.Integer()
    round_id = ma.fields.Integer(allow_none=True)
    approved_amount = ma.fields.Integer(allow_none=True)
    due_date = ma.fields.Date()
    days_overdue = ma.fields.Integer()
    accountable_owner = ma.fields.Nested(PersonSchema)
    sponsor = ma.fields.Nested(PersonSchema)
