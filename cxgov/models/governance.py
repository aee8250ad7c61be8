"""The board's records: votes, delegations, decisions; delivery status updates."""
import peewee

from cxgov.models.base import BaseModel, JSONTextField, UTCDateTimeField, VersionedModel, utcnow
from cxgov.models.initiatives import Initiative
from cxgov.models.rounds import Round
from cxgov.models.users import User

VOTE_CHOICES = ("approve", "reject", "abstain")
OUTCOMES = ("approve", "reject", "defer", "request_changes")
RAG = ("green", "amber", "red")


class Vote(VersionedModel):
    """One member's current vote on one initiative in one round (a later vote replaces it)."""

    round = peewee.ForeignKeyField(Round, on_delete="RESTRICT")
    initiative = peewee.ForeignKeyField(Initiative, backref="votes", on_delete="RESTRICT")
    member = peewee.ForeignKeyField(User, on_delete="RESTRICT")  # whose vote it is
    cast_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")  # the member, or their delegate
    choice = peewee.CharField(max_length=10)
    comment = peewee.TextField(default="")

    class Meta:
        indexes = ((("round", "initiative", "member"), True),)


class Delegation(BaseModel):
    round = peewee.ForeignKeyField(Round, on_delete="RESTRICT")
    member = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    delegate = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("round", "member"), True),)
        constraints = [peewee.SQL("CHECK (member_id <> delegate_id)")]


class Decision(BaseModel):
    round = peewee.ForeignKeyField(Round, on_delete="RESTRICT")
    initiative = peewee.ForeignKeyField(Initiative, backref="decisions", on_delete="RESTRICT")
    outcome = peewee.CharField(max_length=20)
    approved_amount = peewee.BigIntegerField(null=True, constraints=[peewee.Check("approved_amount >= 0")])
    rationale = peewee.TextField()
    conditions = peewee.TextField(default="")
    accountable_owner = peewee.ForeignKeyField(User, null=True, on_delete="RESTRICT")
    due_date = peewee.DateField(null=True)
    deferred_to = peewee.ForeignKeyField(Round, null=True, on_delete="RESTRICT")
    override = peewee.BooleanField(default=False)
    override_kinds = JSONTextField(default=list)  # quorum, majority, threshold (and "ranking" before 0010)
    override_rationale = peewee.TextField(default="")
    # A departure from the ranking (governance_rules): {"kind": "ranking_departure", "funded_by_fill",
    # "displaces", "makes_room_for"}; null when the decision follows the ranking (and before 0010).
    departure = JSONTextField(null=True)
    tally = JSONTextField()  # the votes as they stood
    ranking = peewee.IntegerField(null=True)  # the pinned ranking id it was decided on
    decided_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    decided_at = UTCDateTimeField(default=utcnow)


class StatusUpdate(BaseModel):
    initiative = peewee.ForeignKeyField(Initiative, backref="status_updates", on_delete="RESTRICT")
    rag = peewee.CharField(max_length=5)
    percent_complete = peewee.SmallIntegerField(constraints=[peewee.Check("percent_complete BETWEEN 0 AND 100")])
    note = peewee.TextField(default="")
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = UTCDateTimeField(default=utcnow)
