"""The CX metric catalog, measurements and strategic objectives."""
import peewee

from cxgov.models.base import BaseModel, UTCDateTimeField, VersionedModel, utcnow


class Metric(VersionedModel):
    key = peewee.CharField(max_length=40, unique=True)
    name = peewee.CharField(max_length=120)
    unit = peewee.CharField(max_length=40)
    direction = peewee.CharField(max_length=20)  # higher_is_better / lower_is_better
    baseline = peewee.DoubleField()
    target = peewee.DoubleField()
    weight = peewee.DoubleField(constraints=[peewee.Check("weight >= 0")])
    range_min = peewee.DoubleField(null=True)
    range_max = peewee.DoubleField(null=True)
    description = peewee.TextField(default="")


class Measurement(BaseModel):
    metric = peewee.ForeignKeyField(Metric, backref="measurements", on_delete="CASCADE")
    measured_at = UTCDateTimeField()
    value = peewee.DoubleField()
    segment = peewee.CharField(max_length=80, null=True)
    channel = peewee.CharField(max_length=40, null=True)
    recorded_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("metric", "measured_at"), False),)


class Objective(VersionedModel):
    title = peewee.CharField(max_length=200, unique=True)
    description = peewee.TextField(default="")
    metric = peewee.ForeignKeyField(Metric, backref="objectives", on_delete="RESTRICT")
    baseline = peewee.DoubleField()
    target = peewee.DoubleField()
    deadline = peewee.DateField()
    weight = peewee.DoubleField(constraints=[peewee.Check("weight > 0")])
