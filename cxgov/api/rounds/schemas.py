import marshmallow as ma

from cxgov.api.extensions.fields import Id, Money, MoneyOut, QueryInt, Schema, StrictInt, Text, UtcDateTime
from cxgov.api.extensions.pagination import sort_field
from cxgov.models.rounds import ROUND_STATUSES

SORTABLE = ("id", "name", "fiscal_year", "budget", "status")


class RoundSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String()
    fiscal_year = ma.fields.Integer()
    fiscal_quarter = ma.fields.Integer(allow_none=True)
    budget = MoneyOut(metadata={"description": "minor units"})
    committed = MoneyOut(metadata={"description": "approved so far, minor units"})
    remaining = ma.fields.Method("_remaining", metadata={"description": "budget − committed, minor units"})
    status = ma.fields.String()
    description = ma.fields.String()
    supermajority_above = MoneyOut(allow_none=True, metadata={
        "description": "approvals above this amount need two thirds of the non-recused board"})
    scoring_model_id = ma.fields.Integer(allow_none=True, metadata={"description": "the pinned scoring model version"})
    pinned_ranking_id = ma.fields.Integer(allow_none=True,
                                          metadata={"description": "the ranking the board decides on (from in_review)"})
    version = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)

    def _remaining(self, obj):
        return obj.budget - obj.committed


class RoundCreateSchema(Schema):
    name = Text(120, required=True)
    fiscal_year = StrictInt(2000, 2100, required=True)
    fiscal_quarter = StrictInt(1, 4, allow_none=True, load_default=None)
    budget = Money(metadata={"description": "minor units; required from finance and admin, refused (403) "
                                            "from the chair (0 until finance sets it)"})
    description = Text(5000, min_length=0, load_default="")
    supermajority_above = Money(allow_none=True, load_default=None,
                                metadata={"description": "finance and admin only"})
    scoring_model_id = Id(metadata={"description": "defaults to the latest default model"})


class RoundUpdateSchema(Schema):
    name = Text(120)
    fiscal_year = StrictInt(2000, 2100)
    fiscal_quarter = StrictInt(1, 4, allow_none=True)
    budget = Money(metadata={"description": "finance may change only this field"})
    description = Text(5000, min_length=0)
    supermajority_above = Money(allow_none=True)
    scoring_model_id = Id(metadata={"description": "only while the round is in planning or open"})


class RoundQueryArgsSchema(Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(ROUND_STATUSES))
    fiscal_year = QueryInt(2000, 2100)
    sort = sort_field(SORTABLE)


class RoundTransitionSchema(Schema):
    to = ma.fields.String(required=True, validate=ma.validate.OneOf(ROUND_STATUSES))
