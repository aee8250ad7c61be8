"""Initiatives and the lists they carry (objectives, impacts, partners, …)."""
import peewee

from cxgov.models.base import BaseModel, JSONTextField, UTCDateTimeField, VersionedModel
from cxgov.models.metrics import Metric, Objective
from cxgov.models.org import Partner, Team
from cxgov.models.rounds import Round
from cxgov.models.users import User

FOCUS_AREAS = ("vision_strategy", "employees", "operations", "technology")
BUILDING_BLOCKS = (
    "experience_design_operations",
    "customer_insights_metrics",
    "culture_management",
    "leadership_governance",
)
JOURNEY_STAGES = (
    "awareness", "consideration", "purchase", "onboarding",
    "usage", "support", "renewal", "advocacy",
)
CHANNELS = ("web", "app", "store", "phone", "email", "chat", "social", "partner", "field", "mail")
STATUSES = (
    "draft", "submitted", "approved", "rejected", "deferred", "changes_requested",
    "in_progress", "delivered", "reviewed", "cancelled",
)


class Initiative(VersionedModel):
    title = peewee.CharField(max_length=200)
    problem_statement = peewee.TextField()
    team = peewee.ForeignKeyField(Team, backref="initiatives", on_delete="RESTRICT")
    owner = peewee.ForeignKeyField(User, backref="owned_initiatives", on_delete="RESTRICT")
    sponsor = peewee.ForeignKeyField(User, backref="sponsored_initiatives", on_delete="RESTRICT")
    focus_area = peewee.CharField(max_length=40, index=True)
    building_block = peewee.CharField(max_length=40, index=True)
    journey_stage = peewee.CharField(max_length=20)
    channels = JSONTextField(default=list)
    one_time_cost = peewee.BigIntegerField(constraints=[peewee.Check("one_time_cost >= 0")])
    annual_cost = peewee.BigIntegerField(constraints=[peewee.Check("annual_cost >= 0")])
    requested_amount = peewee.BigIntegerField(constraints=[peewee.Check("requested_amount >= 0")])
    risk = peewee.SmallIntegerField(constraints=[peewee.Check("risk BETWEEN 1 AND 5")])
    months_to_value = peewee.SmallIntegerField(constraints=[peewee.Check("months_to_value BETWEEN 0 AND 120")])
    status = peewee.CharField(max_length=20, default="draft", index=True)
    round = peewee.ForeignKeyField(Round, backref="initiatives", null=True, on_delete="RESTRICT")
    status_reason = peewee.TextField(default="")
    # Set by an approval: what was granted, who answers for it and by when.
    approved_amount = peewee.BigIntegerField(null=True, constraints=[peewee.Check("approved_amount >= 0")])
    accountable_owner = peewee.ForeignKeyField(User, null=True, backref="accountable_for", on_delete="RESTRICT")
    due_date = peewee.DateField(null=True)
    delivered_at = UTCDateTimeField(null=True)


class InitiativeObjective(BaseModel):
    initiative = peewee.ForeignKeyField(Initiative, backref="objective_links", on_delete="CASCADE")
    objective = peewee.ForeignKeyField(Objective, on_delete="RESTRICT")
    alignment = peewee.SmallIntegerField(constraints=[peewee.Check("alignment BETWEEN 0 AND 5")])

    class Meta:
        indexes = ((("initiative", "objective"), True),)


class InitiativeImpact(BaseModel):
    initiative = peewee.ForeignKeyField(Initiative, backref="impacts", on_delete="CASCADE")
    metric = peewee.ForeignKeyField(Metric, on_delete="RESTRICT")
    expected_change = peewee.DoubleField()
    confidence = peewee.DoubleField(constraints=[peewee.Check("confidence >= 0 AND confidence <= 1")])

    class Meta:
        indexes = ((("initiative", "metric"), True),)


class InitiativePartner(BaseModel):
    initiative = peewee.ForeignKeyField(Initiative, backref="partner_links", on_delete="CASCADE")
    partner = peewee.ForeignKeyField(Partner, on_delete="RESTRICT")
    share = peewee.DoubleField(constraints=[peewee.Check("share > 0 AND share <= 1")])

    class Meta:
        indexes = ((("initiative", "partner"), True),)


class InitiativeDependency(BaseModel):
    initiative = peewee.ForeignKeyField(Initiative, backref="dependency_links", on_delete="CASCADE")
    depends_on = peewee.ForeignKeyField(Initiative, backref="dependent_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("initiative", "depends_on"), True),)
        constraints = [peewee.SQL("CHECK (initiative_id <> depends_on_id)")]


class InitiativeContributor(BaseModel):
    initiative = peewee.ForeignKeyField(Initiative, backref="contributor_links", on_delete="CASCADE")
    team = peewee.ForeignKeyField(Team, on_delete="RESTRICT")

    class Meta:
        indexes = ((("initiative", "team"), True),)
