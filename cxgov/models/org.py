"""Teams and ecosystem partners."""
import peewee

from cxgov.models.base import VersionedModel


class Team(VersionedModel):
    name = peewee.CharField(max_length=120, unique=True)
    department = peewee.CharField(max_length=120, index=True)
    customer_facing = peewee.BooleanField(default=False)
    lead_name = peewee.CharField(max_length=200)
    lead_email = peewee.CharField(max_length=254, null=True)


class Partner(VersionedModel):
    name = peewee.CharField(max_length=160, unique=True)
    kind = peewee.CharField(max_length=20)  # supplier, vendor, provider, reseller, other
    description = peewee.TextField(default="")


class PartnerAssessment(VersionedModel):
    partner = peewee.ForeignKeyField(Partner, backref="assessments", on_delete="CASCADE")
    assessed_on = peewee.DateField()
    shared_vision = peewee.SmallIntegerField(constraints=[peewee.Check("shared_vision BETWEEN 1 AND 5")])
    data_sharing = peewee.SmallIntegerField(constraints=[peewee.Check("data_sharing BETWEEN 1 AND 5")])
    process_integration = peewee.SmallIntegerField(
        constraints=[peewee.Check("process_integration BETWEEN 1 AND 5")]
    )
    feedback_responsiveness = peewee.SmallIntegerField(
        constraints=[peewee.Check("feedback_responsiveness BETWEEN 1 AND 5")]
    )
    note = peewee.TextField(default="")
    assessed_by = peewee.CharField(max_length=200, default="")

    class Meta:
        indexes = ((("partner", "assessed_on"), False),)
