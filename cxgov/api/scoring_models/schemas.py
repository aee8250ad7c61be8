import marshmallow as ma

from cxgov.api.extensions.fields import Number, Schema, StrictInt, Text, UtcDateTime
from cxgov.services.criteria import CRITERIA
from cxgov.services.scoring_models import METHODS, NORMALIZATIONS

CRITERION_NAMES = tuple(CRITERIA)
MAX_SCALE = 1e15


class CriterionSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.OneOf(CRITERION_NAMES))
    weight = Number(0, 1000, metadata={"description": "omit when the weights come from AHP matrices"})
    scale = ma.fields.List(Number(-MAX_SCALE, MAX_SCALE), validate=ma.validate.Length(2, 2), allow_none=True,
                           metadata={"description": "[lo, hi] for absolute normalization (defaults per criterion)"})


PairwiseMatrix = ma.fields.List(ma.fields.List(Number(1 / 9, 9), validate=ma.validate.Length(2, 7)),
                                validate=ma.validate.Length(2, 7))


class ScoringModelCreateSchema(Schema):
    name = Text(120, required=True)
    key = ma.fields.String(validate=ma.validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,59}$"),
                           metadata={"description": "stable name across versions (default: from the name)"})
    method = ma.fields.String(load_default="wsm", validate=ma.validate.OneOf(METHODS))
    normalization = ma.fields.String(load_default="absolute", validate=ma.validate.OneOf(NORMALIZATIONS))
    horizon_years = StrictInt(1, 10, load_default=3)
    criteria = ma.fields.List(ma.fields.Nested(CriterionSchema), required=True,
                              validate=ma.validate.Length(1, len(CRITERION_NAMES)))
    ahp_matrices = ma.fields.List(PairwiseMatrix, validate=ma.validate.Length(1, 25),
                                  metadata={"description": "one Saaty 1–9 pairwise matrix per board member, "
                                                           "rows/columns in the order of `criteria`"})


class ScoringModelUpdateSchema(ScoringModelCreateSchema):
    class Meta(Schema.Meta):
        exclude = ("key",)


class ScoringModelSchema(Schema):
    id = ma.fields.Integer()
    key = ma.fields.String()
    version = ma.fields.Integer()
    name = ma.fields.String()
    method = ma.fields.String()
    normalization = ma.fields.String()
    horizon_years = ma.fields.Integer()
    criteria = ma.fields.List(ma.fields.Dict())
    ahp = ma.fields.Dict(allow_none=True)
    locked = ma.fields.Boolean(metadata={"description": "used by a ranking"})
    created_by = ma.fields.Integer(allow_none=True)
    created_at = UtcDateTime()


class ScoringModelQueryArgsSchema(Schema):
    key = Text(60)
    latest = ma.fields.Boolean(load_default=False, metadata={"description": "only the newest version of each key"})


class AHPRequestSchema(Schema):
    criteria = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(CRITERION_NAMES)), required=True,
                              validate=ma.validate.Length(2, 7))
    matrices = ma.fields.List(PairwiseMatrix, required=True, validate=ma.validate.Length(1, 25))


class AHPResultSchema(Schema):
    criteria = ma.fields.List(ma.fields.String())
    weights = ma.fields.List(ma.fields.Float())
    lambda_max = ma.fields.Float()
    ci = ma.fields.Float()
    cr = ma.fields.Float()
    consistent = ma.fields.Boolean()
    worst_triple = ma.fields.List(ma.fields.String(), allow_none=True)
    aggregated_matrix = ma.fields.List(ma.fields.List(ma.fields.Float()))
    judges = ma.fields.Integer()
