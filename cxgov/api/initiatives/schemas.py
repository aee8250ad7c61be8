import marshmallow as ma

from cxgov.api.extensions.fields import (
    MONEY_MAX, Id, IsoDate, Money, MoneyOut, Number, QueryInt, Schema, StrictInt, Text, UtcDateTime,
)
from cxgov.api.extensions.pagination import sort_field
from cxgov.models.initiatives import BUILDING_BLOCKS, CHANNELS, FOCUS_AREAS, JOURNEY_STAGES, STATUSES

SORTABLE = ("id", "title", "requested_amount", "status", "risk", "months_to_value", "created_at")
MAX_ITEMS = 100


class ObjectiveAlignmentSchema(Schema):
    objective_id = Id(required=True)
    alignment = StrictInt(0, 5, required=True, metadata={"description": "0 (none) … 5 (central)"})


class ExpectedImpactSchema(Schema):
    metric_id = Id(required=True)
    expected_change = Number(-1e9, 1e9, required=True,
                             metadata={"description": "in the metric's unit, signed (toward the target is good)"})
    confidence = Number(0, 1, required=True)


class PartnerShareSchema(Schema):
    partner_id = Id(required=True)
    share = Number(0, 1, min_inclusive=False, required=True,
                   metadata={"description": "share of the work this partner carries (0, 1]; all shares ≤ 1"})


def _initiative_fields(required):
    r = {"required": True} if required else {}
    return {
        "title": Text(200, **r),
        "problem_statement": Text(10000, **r, metadata={"description": "the customer friction it removes"}),
        "team_id": Id(**r),
        "owner_id": Id(**r, metadata={"description": "accountable owner (a user)"}),
        "sponsor_id": Id(**r, metadata={"description": "executive sponsor (a user)"}),
        "focus_area": ma.fields.String(**r, validate=ma.validate.OneOf(FOCUS_AREAS)),
        "building_block": ma.fields.String(**r, validate=ma.validate.OneOf(BUILDING_BLOCKS)),
        "journey_stage": ma.fields.String(**r, validate=ma.validate.OneOf(JOURNEY_STAGES)),
        "channels": ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(CHANNELS)),
                                   validate=ma.validate.Length(0, len(CHANNELS)), **({"load_default": list} if required else {})),
        "one_time_cost": Money(**r),
        "annual_cost": Money(**r),
        "requested_amount": Money(**r),
        "risk": StrictInt(1, 5, **r),
        "months_to_value": StrictInt(0, 120, **r),
        "round_id": Id(allow_none=True),
        "objectives": ma.fields.List(ma.fields.Nested(ObjectiveAlignmentSchema), validate=ma.validate.Length(0, MAX_ITEMS),
                                     **({"load_default": list} if required else {})),
        "impacts": ma.fields.List(ma.fields.Nested(ExpectedImpactSchema), validate=ma.validate.Length(0, MAX_ITEMS),
                                  **({"load_default": list} if required else {})),
        "partners": ma.fields.List(ma.fields.Nested(PartnerShareSchema), validate=ma.validate.Length(0, MAX_ITEMS),
                                   **({"load_default": list} if required else {})),
        "dependency_ids": ma.fields.List(Id(), validate=ma.validate.Length(0, MAX_ITEMS),
                                         **({"load_default": list} if required else {})),
        "contributing_team_ids": ma.fields.List(Id(), validate=ma.validate.Length(0, MAX_ITEMS),
                                                **({"load_default": list} if required else {})),
    }


InitiativeCreateSchema = Schema.from_dict(_initiative_fields(True), name="InitiativeCreate")
InitiativeUpdateSchema = Schema.from_dict(_initiative_fields(False), name="InitiativeUpdate")


class _ObjectiveOut(Schema):
    objective_id = ma.fields.Integer()
    alignment = ma.fields.Integer()


class _ImpactOut(Schema):
    metric_id = ma.fields.Integer()
    expected_change = ma.fields.Float()
    confidence = ma.fields.Float()


class _PartnerOut(Schema):
    partner_id = ma.fields.Integer()
    share = ma.fields.Float()


class InitiativeSchema(Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    problem_statement = ma.fields.String()
    team_id = ma.fields.Integer()
    owner_id = ma.fields.Integer()
    sponsor_id = ma.fields.Integer()
    contributing_team_ids = ma.fields.List(ma.fields.Integer())
    focus_area = ma.fields.String()
    building_block = ma.fields.String()
    journey_stage = ma.fields.String()
    channels = ma.fields.List(ma.fields.String())
    objectives = ma.fields.List(ma.fields.Nested(_ObjectiveOut), attribute="objective_rows")
    impacts = ma.fields.List(ma.fields.Nested(_ImpactOut), attribute="impact_rows")
    partners = ma.fields.List(ma.fields.Nested(_PartnerOut), attribute="partner_rows")
    dependency_ids = ma.fields.List(ma.fields.Integer())
    one_time_cost = MoneyOut()
    annual_cost = MoneyOut()
    requested_amount = MoneyOut()
    risk = ma.fields.Integer()
    months_to_value = ma.fields.Integer()
    status = ma.fields.String()
    status_reason = ma.fields.String()
    round_id = ma.fields.Integer(allow_none=True)
    approved_amount = MoneyOut(allow_none=True)
    accountable_owner_id = ma.fields.Integer(allow_none=True)
    due_date = IsoDate(allow_none=True)
    allowed_transitions = ma.fields.List(ma.fields.String(), metadata={
        "description": "the moves of POST …/transitions that you may make from this state now"})
    all_moves = ma.fields.List(ma.fields.String(), metadata={
        "description": "every move of POST …/transitions from this state, whoever makes it"})
    version = ma.fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class InitiativeQueryArgsSchema(Schema):
    team_id = QueryInt()
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    round_id = QueryInt()
    focus_area = ma.fields.String(validate=ma.validate.OneOf(FOCUS_AREAS))
    building_block = ma.fields.String(validate=ma.validate.OneOf(BUILDING_BLOCKS))
    q = Text(200, metadata={"description": "text in the title"})
    sort = sort_field(SORTABLE)


class InitiativeTransitionSchema(Schema):
    to = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    round_id = Id(metadata={"description": "the open round to submit to (defaults to the initiative's round)"})
    reason = Text(2000, metadata={"description": "required to cancel"})


class StatusUpdateCreateSchema(Schema):
    rag = ma.fields.String(required=True, validate=ma.validate.OneOf(["green", "amber", "red"]))
    percent_complete = StrictInt(0, 100, required=True)
    note = Text(5000, min_length=0, load_default="")


class StatusUpdateSchema(Schema):
    id = ma.fields.Integer()
    initiative_id = ma.fields.Integer()
    rag = ma.fields.String()
    percent_complete = ma.fields.Integer()
    note = ma.fields.String()
    created_by_id = ma.fields.Integer()
    created_at = UtcDateTime()


class _HistoryScore(Schema):
    ranking_id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    rank = ma.fields.Integer()
    score = ma.fields.Float()
    of = ma.fields.Integer(metadata={"description": "initiatives in that ranking"})
    ranked_at = UtcDateTime()


class _HistoryVote(Schema):
    round_id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    cast_by_id = ma.fields.Integer()
    choice = ma.fields.String()
    comment = ma.fields.String()
    at = UtcDateTime()


class _HistoryDecision(Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    outcome = ma.fields.String()
    approved_amount = MoneyOut(allow_none=True)
    rationale = ma.fields.String()
    override_kinds = ma.fields.List(ma.fields.String())
    deferred_to_id = ma.fields.Integer(allow_none=True)
    decided_at = UtcDateTime()


class _HistoryStatusUpdate(Schema):
    rag = ma.fields.String()
    percent_complete = ma.fields.Integer()
    note = ma.fields.String()
    at = UtcDateTime()


class HistorySchema(Schema):
    initiative_id = ma.fields.Integer()
    status = ma.fields.String()
    round_id = ma.fields.Integer(allow_none=True)
    withheld = ma.fields.List(ma.fields.String(), metadata={
        "description": "parts left empty because the caller may not read those records directly "
                       "(scores, votes, decisions)"})
    scores = ma.fields.List(ma.fields.Nested(_HistoryScore))
    votes = ma.fields.List(ma.fields.Nested(_HistoryVote))
    decisions = ma.fields.List(ma.fields.Nested(_HistoryDecision))
    status_updates = ma.fields.List(ma.fields.Nested(_HistoryStatusUpdate))


class ActualCreateSchema(Schema):
    amount = Money(-MONEY_MAX, MONEY_MAX, required=True,
                   metadata={"description": "minor units; negative only to reverse an entry"})
    fiscal_year = StrictInt(2000, 2100, required=True)
    fiscal_quarter = StrictInt(1, 4, required=True)
    booked_on = IsoDate(required=True)
    reference = Text(120, required=True, metadata={"description": "e.g. the invoice number"})
    note = Text(2000, min_length=0, load_default="")
    reverses = Id(metadata={"description": "the entry this one corrects (with the negated amount)"})


class ActualSchema(Schema):
    id = ma.fields.Integer()
    initiative_id = ma.fields.Integer()
    amount = MoneyOut()
    fiscal_year = ma.fields.Integer()
    fiscal_quarter = ma.fields.Integer()
    booked_on = IsoDate()
    reference = ma.fields.String()
    note = ma.fields.String()
    reverses_id = ma.fields.Integer(allow_none=True)
    created_by_id = ma.fields.Integer()
    created_at = UtcDateTime()
