import marshmallow as ma

from cxgov.api.base import QueryInt, Schema


class RankingEntrySchema(Schema):
    initiative_id = ma.fields.Integer()
    title = ma.fields.Function(lambda e: e.detail["title"])
    team_id = ma.fields.Function(lambda e: e.detail["team_id"])
    rank = ma.fields.Integer()
    score = ma.fields.Float()
    cost = ma.fields.Integer(metadata={"description": "total cost of ownership over the model's horizon, minor units"})
    requested_amount = ma.fields.Integer()
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
    budget = ma.fields.Integer()
    funding_line_score = ma.fields.Float(allow_none=True)
    criteria = ma.fields.List(ma.fields.String(), attribute="criteria_names")
    weights = ma.fields.List(ma.fields.Float())
    entry_count = ma.fields.Integer()
    tie_break = ma.fields.Constant("score, then lower requested amount, then lower initiative id")
    created_by = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()
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
