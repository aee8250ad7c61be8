import marshmallow as ma

from cxgov.api.extensions.fields import IsoDate, MoneyOut, QueryInt, Schema
from cxgov.services.finance import GROUPS

FORMATS = ma.validate.OneOf(["json", "csv"])
STATUSES = ("approved", "in_progress", "delivered", "reviewed", "cancelled")


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
    approved_amount = MoneyOut(allow_none=True)
    due_date = IsoDate()
    days_overdue = ma.fields.Integer()
    accountable_owner = ma.fields.Nested(PersonSchema)
    sponsor = ma.fields.Nested(PersonSchema)


class ApprovedSpendArgsSchema(Schema):
    group_by = ma.fields.String(required=True, validate=ma.validate.Regexp(
        r"^(%s)(,(%s))?$" % ("|".join(GROUPS), "|".join(GROUPS)), error=f"one or two of {', '.join(GROUPS)}"),
        metadata={"description": f"one or two of {', '.join(GROUPS)}, comma separated"})
    round_id = QueryInt()
    fiscal_year = QueryInt(2000, 2100)
    fiscal_quarter = QueryInt(1, 4)
    team_id = QueryInt()
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    format = ma.fields.String(validate=FORMATS)


class RoundFilterArgsSchema(Schema):
    round_id = QueryInt()
    fiscal_year = QueryInt(2000, 2100)
    fiscal_quarter = QueryInt(1, 4)
    format = ma.fields.String(validate=FORMATS)


class CoverageArgsSchema(Schema):
    round_id = QueryInt()
    fiscal_year = QueryInt(2000, 2100)
    format = ma.fields.String(validate=FORMATS)


class OverridesArgsSchema(Schema):
    round_id = QueryInt()
    format = ma.fields.String(validate=FORMATS)


class ReportSchema(Schema):
    """Every report: its lines, their totals, the filters used, the currency, when it was computed."""

    class Meta(Schema.Meta):
        unknown = ma.INCLUDE

    lines = ma.fields.List(ma.fields.Dict())
    totals = ma.fields.Dict()
    filters = ma.fields.Dict()
    currency = ma.fields.String()
    computed_at = ma.fields.String()


class CoverageSchema(ReportSchema):
    cells = ma.fields.List(ma.fields.Dict())
    empty_cells = ma.fields.List(ma.fields.String())
