import marshmallow as ma

from cxgov.api.extensions.fields import (
    MAX_ID, Id, IsoDate, Money, MoneyOut, QueryInt, Schema, StrictBool, Text, UtcDateTime,
)
from cxgov.models.governance import OUTCOMES, VOTE_CHOICES
from cxgov.services.governance_batches import MAX_BATCH


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


class RoundOrNext(ma.fields.Field):
    """A round id, or the string "next"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})["oneOf"] = [
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}, {"type": "string", "enum": ["next"]}]
        super().__init__(**kwargs)
        self._round_id = Id()

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "next":
            return value
        return self._round_id.deserialize(value, attr, data, **kwargs)


class DecisionCreateSchema(Schema):
    initiative_id = Id(required=True)
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    rationale = Text(5000, required=True)
    approved_amount = Money(metadata={"description": "approvals: at most the request"})
    conditions = Text(5000, min_length=0, load_default="")
    accountable_owner_id = Id(metadata={"description": "approvals: who answers for delivery "
                                                       "(default: the initiative's owner)"})
    due_date = IsoDate(metadata={"description": "approvals: delivery due, on or after the decision date "
                                                  "(default: decision date + the initiative's months_to_value)"})
    deferred_to_round_id = RoundOrNext(metadata={
        "description": 'deferrals: a later round in planning or open, or "next": the round of the next fiscal '
                       "quarter after this round's (created in planning, budget 0, if missing)"})
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
    departure = ma.fields.Dict(allow_none=True, metadata={
        "description": "a departure from the ranking: kind ranking_departure, funded_by_fill, displaces "
                       "(initiatives the fill no longer funds), makes_room_for (those it now funds); "
                       "null when the decision follows the ranking"})
    tally = ma.fields.Dict()
    ranking_id = ma.fields.Integer(attribute="ranking", allow_none=True)
    decided_by_id = ma.fields.Integer()
    decided_at = UtcDateTime()
    round_budget = MoneyOut(metadata={"description": "after this decision"})
    round_committed = MoneyOut()
    round_remaining = MoneyOut()


class VoteBatchSchema(Schema):
    votes = ma.fields.List(ma.fields.Nested(VoteCreateSchema), required=True,
                           validate=ma.validate.Length(1, MAX_BATCH),
                           metadata={"description": f"1 to {MAX_BATCH} votes, each as POST …/votes takes it"})


class VoteBatchResultSchema(Schema):
    votes = ma.fields.List(ma.fields.Nested(VoteSchema))


class DecisionBatchSchema(Schema):
    decisions = ma.fields.List(ma.fields.Nested(DecisionCreateSchema), required=True,
                               validate=ma.validate.Length(1, MAX_BATCH),
                               metadata={"description": f"1 to {MAX_BATCH} decisions, each as POST …/decisions "
                                                        "takes it, applied in list order"})


class DecisionBatchResultSchema(Schema):
    decisions = ma.fields.List(ma.fields.Nested(DecisionSchema), metadata={
        "description": "in list order; each with the round's budget after it"})
    round_budget = MoneyOut()
    round_committed = MoneyOut()
    round_remaining = MoneyOut()
