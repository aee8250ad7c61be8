import marshmallow as ma

from cxgov.api.extensions.fields import Id, IsoDate, Number, QueryInt, Schema, Text, UtcDateTime
from cxgov.api.extensions.pagination import sort_field
from cxgov.api.metrics.schemas import BIG

SORTABLE = ("id", "title", "deadline", "weight")


class ObjectiveSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    title = ma.fields.String()
    description = ma.fields.String()
    metric_id = ma.fields.Integer()
    baseline = ma.fields.Float()
    target = ma.fields.Float()
    deadline = IsoDate()
    weight = ma.fields.Float()
    version = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class ObjectiveCreateSchema(Schema):
    title = Text(200, required=True)
    description = Text(5000, min_length=0, load_default="")
    metric_id = Id(required=True, metadata={"description": "a goal without a metric is refused"})
    baseline = Number(-BIG, BIG, required=True)
    target = Number(-BIG, BIG, required=True, metadata={"description": "a goal without a target is refused"})
    deadline = IsoDate(required=True)
    weight = Number(0.0001, 1000, required=True)


class ObjectiveUpdateSchema(Schema):
    title = Text(200)
    description = Text(5000, min_length=0)
    metric_id = Id()
    baseline = Number(-BIG, BIG)
    target = Number(-BIG, BIG)
    deadline = IsoDate()
    weight = Number(0.0001, 1000)


class ObjectiveQueryArgsSchema(Schema):
    metric_id = QueryInt()
    q = Text(120)
    sort = sort_field(SORTABLE)
