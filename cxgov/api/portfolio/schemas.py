import marshmallow as ma

from cxgov.api.extensions.fields import MAX_ID, Id, Money, Number, Schema, StrictBool, Text, UtcDateTime
from cxgov.models.initiatives import FOCUS_AREAS

MAX_IDS = 10000


class PartialSchema(Schema):
    enabled = StrictBool(load_default=False)
    min_share = Number(0, 1, min_inclusive=False, load_default=0.5,
                       metadata={"description": "the least share of its request an initiative may be funded at"})


class CapSchema(Schema):
    by = ma.fields.String(required=True, validate=ma.validate.OneOf(["focus_area", "team"]))
    value = Text(60, required=True, metadata={"description": "a focus area, or a team id"})
    max_share = Number(0, 1, required=True, metadata={"description": "of the budget"})

    @ma.validates_schema
    def _value_fits(self, data, **kwargs):
        if data.get("by") == "focus_area" and data.get("value") not in FOCUS_AREAS:
            raise ma.ValidationError(f"one of {', '.join(FOCUS_AREAS)}", "value")
        value = str(data.get("value", ""))
        if data.get("by") == "team" and not (value.isdigit() and 1 <= int(value) <= MAX_ID):
            raise ma.ValidationError(f"a team id (1 … {MAX_ID})", "value")


class FloorSchema(Schema):
    metric_id = Id(required=True)
    minimum = Number(-1e9, 1e9, required=True,
                     metadata={"description": "expected improvement toward the metric's target, in its unit"})


Pair = ma.fields.List(Id(), validate=ma.validate.Length(2, 2))


class PortfolioRequestSchema(Schema):
    name = Text(120, required=True)
    ranking_id = Id(metadata={"description": "defaults to the round's latest ranking"})
    budget = Money(metadata={"description": "defaults to the round's remaining budget"})
    must_fund = ma.fields.List(Id(), load_default=list, validate=ma.validate.Length(0, MAX_IDS))
    must_not_fund = ma.fields.List(Id(), load_default=list, validate=ma.validate.Length(0, MAX_IDS))
    all_or_none = ma.fields.List(ma.fields.List(Id(), validate=ma.validate.Length(1, MAX_IDS)), load_default=list,
                                 validate=ma.validate.Length(0, 1000))
    exclusions = ma.fields.List(Pair, load_default=list, validate=ma.validate.Length(0, MAX_IDS))
    partial = ma.fields.Nested(PartialSchema, load_default=lambda: {"enabled": False, "min_share": 0.5})
    caps = ma.fields.List(ma.fields.Nested(CapSchema), load_default=list, validate=ma.validate.Length(0, 100))
    floors = ma.fields.List(ma.fields.Nested(FloorSchema), load_default=list, validate=ma.validate.Length(0, 50))


class PortfolioScenarioSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    round_id = ma.fields.Integer()
    ranking_id = ma.fields.Integer()
    created_by = ma.fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    request = ma.fields.Dict()
    budget = ma.fields.Function(lambda s: s.result["budget"])
    value_note = ma.fields.Function(lambda s: s.result["value_note"])
    notes = ma.fields.Function(lambda s: s.result["notes"])
    status = ma.fields.Function(lambda s: s.result["status"])
    selected = ma.fields.Function(lambda s: s.result["selected"])
    total_value = ma.fields.Function(lambda s: s.result["total_value"])
    total_cost = ma.fields.Function(lambda s: s.result["total_cost"])
    expected_change = ma.fields.Function(lambda s: s.result["expected_change"])
    rank_order_fill = ma.fields.Function(lambda s: s.result["rank_order_fill"])
    difference = ma.fields.Function(lambda s: s.result["difference"])
    frontier = ma.fields.Function(lambda s: s.result["frontier"])


class CompareArgsSchema(Schema):
    compare = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{1,18}(,[0-9]{1,18}){0,4}$",
                               error="one to five scenario ids, comma separated"),
                               metadata={"description": "up to five scenario ids, e.g. 3,4,7"})


class ComparisonSchema(Schema):
    scenarios = ma.fields.List(ma.fields.Dict())
    robust_core = ma.fields.List(ma.fields.Integer(), metadata={"description": "funded in every scenario"})
    selected_in = ma.fields.Dict(metadata={"description": "initiative id → in how many scenarios it is funded"})
    available = ma.fields.List(ma.fields.Dict(), metadata={"description": "the round's scenarios (without ?compare)"})
