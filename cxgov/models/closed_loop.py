"""The closed loop: delivery reviews, team calibration history, CX maturity assessments."""
import peewee

from cxgov.models.base import BaseModel, JSONTextField, UTCDateTimeField, utcnow
from cxgov.models.initiatives import Initiative
from cxgov.models.metrics import Metric
from cxgov.models.org import Team
from cxgov.models.users import User

#: The elements of the CX maturity model (kept in this one place).
MATURITY_ELEMENTS = ("cx_strategy", "customer_understanding", "design", "measurement", "governance", "culture")


class Review(BaseModel):
    initiative = peewee.ForeignKeyField(Initiative, unique=True, backref="review", on_delete="RESTRICT")
    lessons_learned = peewee.TextField()
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = UTCDateTimeField(default=utcnow)


class ReviewMetric(BaseModel):
    review = peewee.ForeignKeyField(Review, backref="metrics", on_delete="CASCADE")
    metric = peewee.ForeignKeyField(Metric, on_delete="RESTRICT")
    expected_change = peewee.DoubleField()
    confidence = peewee.DoubleField()
    realized_change = peewee.DoubleField()
    source = peewee.CharField(max_length=10)  # entered | measured
    window = JSONTextField(null=True)  # before/after windows and means when measured

    class Meta:
        indexes = ((("review", "metric"), True),)


class CalibrationSnapshot(BaseModel):
    """A team's calibration factor as recomputed after each review (the history)."""

    team = peewee.ForeignKeyField(Team, backref="calibrations", on_delete="RESTRICT")
    factor = peewee.DoubleField()
    observed_ratio = peewee.DoubleField(null=True)
    reviews = peewee.IntegerField()
    credibility = peewee.DoubleField()
    review = peewee.ForeignKeyField(Review, null=True, on_delete="RESTRICT")
    computed_at = UTCDateTimeField(default=utcnow)


class MaturityAssessment(BaseModel):
    assessed_on = peewee.DateField()
    levels = JSONTextField()  # element → 1..5
    note = peewee.TextField(default="")
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = UTCDateTimeField(default=utcnow)
