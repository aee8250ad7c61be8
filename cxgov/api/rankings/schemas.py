import marshmallow as ma

from cxgov.api.extensions.fields import MoneyOut, QueryInt, Schema, UtcDateTime


class RankingEntrySchema(Schema):
    initiative_id = ma.fields.Integer()
    title = ma.fields.Function(lambda e: e.detail["title"])
    team_id = ma.fields.Function(lambda e: e.detail["team_id"])
    rank = ma.fields.Integer()
    score = ma.fields.Float()
    cost = MoneyOut(metadata={"description": "total cost of ownership over the model's horizon, minor units"})
    requested_amount = MoneyOut()
    funded_by_fill = ma.fields.Boolean(metadata={"description": "funded by a rank-order fill of the round budget"})
    distance_to_line = ma.fields.Float(allow_none=True,
                                       metadata={"description": "score minus the funding line's score"})
    raw = ma.fields.Function(lambda e: e.detail["raw"])
    normalized = ma.fields.Function(lambda e: e.detail["normalized"])
    contributions = ma.fields.Function(lambda e: e.detail["contributions"])
    warnings = ma.fields.Function(lambda e: e.detail["warnings"])
    explanation = ma.fields.Function(lambda e: e.detail["explanation"])


class RankingSchema(Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    scoring_model_id = ma.fields.Integer()
    model_version = ma.fields.Integer()
    inputs_hash = ma.fields.String()
    budget = MoneyOut()
    funding_line_score = ma.fields.Float(allow_none=True)
    criteria = ma.fields.List(ma.fields.String(), attribute="criteria_names")
    weights = ma.fields.List(ma.fields.Float())
    entry_count = ma.fields.Integer()
    tie_break = ma.fields.Constant("score, then lower requested amount, then lower initiative id")
    created_by = ma.fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    entries = ma.fields.List(ma.fields.Nested(RankingEntrySchema))


class RankingPageArgsSchema(Schema):
    page = QueryInt(1, 1_000_000, load_default=1)
    page_size = QueryInt(1, 1000, load_default=100)
    format = ma.fields.String(load_default="json", validate=ma.validate.OneOf(["json", "csv"]))


class RankingVerifySchema(Schema):
    ranking_id = ma.fields.Integer()
    ok = ma.fields.Boolean()
    inputs_hash = ma.fields.String()
    inputs_hash_ok = ma.fields.Boolean()
    model_unchanged = ma.fields.Boolean()
    mismatched_initiatives = ma.fields.List(ma.fields.Integer())


class StabilityArgsSchema(Schema):
    k = QueryInt(1, 100_000, metadata={"description": "size of the top set (default: how many the budget funds)"})


class StabilitySchema(Schema):
    ranking_id = ma.fields.Integer()
    k = ma.fields.Integer()
    top = ma.fields.List(ma.fields.Integer())
    criteria = ma.fields.List(ma.fields.Dict())
    note = ma.fields.String()


class AcceptabilityRequestSchema(Schema):
    k = ma.fields.Integer(strict=True, validate=ma.validate.Range(1, 100_000))
    samples = ma.fields.Integer(strict=True, load_default=10_000, validate=ma.validate.Range(1, 100_000))
    seed = ma.fields.Integer(strict=True, load_default=0, validate=ma.validate.Range(0, 2**32 - 1))
    concentration = ma.fields.Float(allow_nan=False, load_default=100.0, validate=ma.validate.Range(0.1, 1e6))


class AcceptabilitySchema(Schema):
    ranking_id = ma.fields.Integer()
    k = ma.fields.Integer()
    samples = ma.fields.Integer()
    seed = ma.fields.Integer()
    concentration = ma.fields.Float()
    initiatives = ma.fields.List(ma.fields.Dict())
