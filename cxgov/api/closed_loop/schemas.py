import marshmallow as ma

from cxgov.api.extensions.fields import Id, IsoDate, Number, QueryInt, Schema, StrictInt, Text, UtcDateTime
from cxgov.models.closed_loop import MATURITY_ELEMENTS


class RealizedSchema(Schema):
    metric_id = Id(required=True)
    realized_change = Number(-1e9, 1e9, required=True, metadata={"description": "in the metric's unit, signed"})


class WindowSchema(Schema):
    before_start = UtcDateTime(required=True)
    before_end = UtcDateTime(required=True)
    after_start = UtcDateTime(required=True)
    after_end = UtcDateTime(required=True)

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if not (data["before_start"] < data["before_end"] <= data["after_start"] < data["after_end"]):
            raise ma.ValidationError("windows must be ordered: before_start < before_end ≤ after_start < after_end")


class ReviewCreateSchema(Schema):
    lessons_learned = Text(10000, required=True)
    realized = ma.fields.List(ma.fields.Nested(RealizedSchema), load_default=list, validate=ma.validate.Length(0, 100))
    window = ma.fields.Nested(WindowSchema, metadata={"description": "compute realized change from measurements: "
                                                                     "mean(after) − mean(before)"})


class ReviewMetricSchema(Schema):
    metric_id = ma.fields.Integer()
    expected_change = ma.fields.Float()
    confidence = ma.fields.Float()
    realized_change = ma.fields.Float()
    realized_share_of_expected = ma.fields.Function(
        lambda m: None if m.expected_change == 0 else m.realized_change / m.expected_change)
    source = ma.fields.String()
    window = ma.fields.Dict(allow_none=True)


class ReviewSchema(Schema):
    id = ma.fields.Integer()
    initiative_id = ma.fields.Integer()
    lessons_learned = ma.fields.String()
    metrics = ma.fields.List(ma.fields.Nested(ReviewMetricSchema))
    created_by_id = ma.fields.Integer()
    created_at = UtcDateTime()


class CalibrationSchema(Schema):
    team_id = ma.fields.Integer()
    factor = ma.fields.Float()
    reviews = ma.fields.Integer()
    observed_ratio = ma.fields.Float(allow_none=True)
    credibility = ma.fields.Float()
    prior_strength = ma.fields.Float()
    bounds = ma.fields.List(ma.fields.Float())
    rule = ma.fields.String()
    evidence = ma.fields.List(ma.fields.Dict())
    history = ma.fields.List(ma.fields.Dict())


LEVELS = {e: StrictInt(1, 5) for e in MATURITY_ELEMENTS}
MaturityLevelsSchema = Schema.from_dict(LEVELS, name="MaturityLevels")


class MaturityCreateSchema(Schema):
    assessed_on = IsoDate(required=True)
    levels = ma.fields.Nested(MaturityLevelsSchema, required=True,
                              metadata={"description": f"1–5 for each of {', '.join(MATURITY_ELEMENTS)}"})
    note = Text(5000, min_length=0, load_default="")


class MaturitySchema(Schema):
    id = ma.fields.Integer()
    assessed_on = IsoDate()
    levels = ma.fields.Dict()
    note = ma.fields.String()
    created_at = UtcDateTime()


class MaturityOverviewSchema(Schema):
    elements = ma.fields.List(ma.fields.String())
    current = ma.fields.Dict()
    overall = ma.fields.Float(allow_none=True)
    foundational_recommended = ma.fields.Boolean()
    history = ma.fields.List(ma.fields.Dict())


class BenefitsArgsSchema(Schema):
    round_id = QueryInt()
    team_id = QueryInt()
    review_overdue_days = QueryInt(0, 3650, load_default=90)
    format = ma.fields.String(validate=ma.validate.OneOf(["json", "csv"]))
