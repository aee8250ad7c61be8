"""Users and their API tokens."""
import peewee

from cxgov.models.base import UTCDateTimeField, VersionedModel
from cxgov.models.org import Team

ROLES = ("admin", "board_chair", "board_member", "team_lead", "finance", "viewer")


class User(VersionedModel):
    email = peewee.CharField(max_length=254, unique=True)
    name = peewee.CharField(max_length=200)
    role = peewee.CharField(max_length=20, index=True)
    # team_lead only: the team they lead and act for.
    team = peewee.ForeignKeyField(Team, null=True, on_delete="RESTRICT", backref="members")
    active = peewee.BooleanField(default=True)


class ApiToken(VersionedModel):
    user = peewee.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = peewee.CharField(max_length=100)
    prefix = peewee.CharField(max_length=16)
    digest = peewee.CharField(max_length=64, unique=True)
    expires_at = UTCDateTimeField()
    revoked_at = UTCDateTimeField(null=True)
    last_used_at = UTCDateTimeField(null=True)
