import marshmallow as ma

from cxgov.api.extensions.fields import (
    Id, IsoDate, Money, MoneyOut, QueryInt, Schema, StrictBool, Text, UtcDateTime,
)
from cxgov.models.governance import OUTCOMES, VOTE_CHOICES


class VoteCreateSchema(Schema):
    initiative_id = Id(required=True)
    choice = ma.fields.String(required=True, validate=ma.validate.OneOf(VOTE_CHOICES))
    comment = Text(2000, min_length=0, load_default="")
    on_behalf_of = Id(metadata={"description": "the member whose delegate you are (delegation)"})


class VoteSchema(Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    initiative_id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    cast_by_id = ma.fields.Integer(metadata={"description": "differs from member_id when a delegate voted"})
    choice = ma.fields.String()
    comment = ma.fields.String()
    version = ma.fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class VoteQueryArgsSchema(Schema):
    initiative_id = QueryInt()


class VoteListSchema(Schema):
    votes = ma.fields.List(ma.fields.Nested(VoteSchema))
    tallies = ma.fields.Dict(metadata={"description": "initiative id → tally (quorum, majority, recused members)"})


class DelegationCreateSchema(Schema):
    delegate_id = Id(required=True)


class DelegationSchema(Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    delegate_id = ma.fields.Integer()
    created_at = UtcDateTime()


class DecisionCreateSchema(Schema):
    initiative_id = Id(required=True)
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    rationale = Text(5000, required=True)
    approved_amount = Money(metadata={"description": "approvals: at most the request"})
    conditions = Text(5000, min_length=0, load_default="")
    accountable_owner_id = Id(metadata={"description": "approvals: who answers for delivery"})
    due_date = IsoDate(metadata={"description": "approvals: delivery due"})
    deferred_to_round_id = Id(metadata={"description": "deferrals: a later round in planning or open"})
    override = StrictBool(load_default=False)
    override_rationale = Text(5000, min_length=0, load_default="")


class DecisionSchema(Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    initiative_id = ma.fields.Integer()
    outcome = ma.fields.String()
    approved_amount = MoneyOut(allow_none=True)
    rationale = ma.fields.String()
    conditions = ma.fields.String()
    accountable_owner_id = ma.fields.Integer(allow_none=True)
    due_date = IsoDate(allow_none=True)
    deferred_to_id = ma.fields.Integer(allow_none=True)
    override = ma.fields.Boolean()
    override_kinds = ma.fields.List(ma.fields.String())
    override_rationale = ma.fields.String()
    tally = ma.fields.Dict()
    ranking_id = ma.fields.Integer(attribute="ranking", allow_none=True)
    decided_by_id = ma.fields.Integer()
    decided_at = UtcDateTime()
    round_budget = MoneyOut(metadata={"description": "after this decision"})
    round_committed = MoneyOut()
    round_remaining = MoneyOut()
