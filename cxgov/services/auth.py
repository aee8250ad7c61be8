"""Users and API tokens: issue (shown once, stored as SHA-256), verify, revoke."""
import datetime as dt
import hashlib
import secrets

from cxgov.errors import Forbidden, NotFound, RuleViolation
from cxgov.db import CompiledSelect, instance_from_row, offer, write_transaction
from cxgov.models import ApiToken, Team, User
from cxgov.models.base import utcnow
from cxgov.models.users import ROLES
from cxgov.services.read_rules import token_readable
from cxgov.services.records import create_recorded, get_or_404, update_recorded

TOKEN_PREFIX = "cxg_"


def digest_of(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: Every authenticated request runs this read, so its SQL is built once.  With the read cache
#: on (CXGOV_READ_CACHE_MS; by default on PostgreSQL, off on SQLite) a process may answer it from
#: memory: a revocation or deactivation made by this process's services counts at once, one made
#: elsewhere as soon as PostgreSQL notifies it (cxgov.db.READ_CACHE).  Off, every request reads it.
_USER_FIELDS = tuple(User._meta.sorted_fields)
_TOKEN_USER = CompiledSelect(
    lambda digest: ApiToken.select(ApiToken.revoked_at, ApiToken.expires_at, *_USER_FIELDS).join(User)
    .where(ApiToken.digest == digest).limit(1),  # the digest is unique; limit(1) lets it pair
    "\x00digest", cacheable=True)


def user_for_token(token, along=None):
    """The active user a valid, unexpired, unrevoked token belongs to, else None.

    ``along``: ``(compiled select, values)`` of a one-row read the request will make next
    (see ``Blueprint.login_required(read_along=...)``).  It is read in the same statement as
    the token, and its rows are offered to that read, which then makes no round trip; a
    refused token leaves nothing behind."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    if along is None:
        rows = _TOKEN_USER.rows(digest_of(token))
    else:
        select, values = along
        rows, ahead = _TOKEN_USER.paired_with(select).both((digest_of(token),), values)
    if not rows:
        return None
    revoked_at, expires_at, *user_values = rows[0]
    if revoked_at is not None or ApiToken.expires_at.python_value(expires_at) <= utcnow():
        return None
    user = instance_from_row(User, _USER_FIELDS, user_values)
    if not user.active:
        return None
    if along is not None:
        offer(select, values, ahead)
    return user


def list_users(role=None, team_id=None, q=None):
    query = User.select()
    if role:
        query = query.where(User.role == role)
    if team_id:
        query = query.where(User.team == team_id)
    if q:
        query = query.where(User.name.contains(q) | User.email.contains(q))
    return query


#: Who may read the people directory (to pick an owner, a sponsor, a delegate).
DIRECTORY_ROLES = ("team_lead", "board_member", "board_chair")


def directory(role=None, team_id=None, q=None, sort=None):
    """Active users with id, name, role and team_id only (no e-mail, no account fields)."""
    if sort and "email" in sort:
        raise RuleViolation("sorting the directory by email is for admins only",
                            errors={"sort": ["one of id, name, role"]})
    query = (list_users(role, team_id).select(User.id, User.name, User.role, User.team.alias("team_id"))
             .where(User.active == True))  # noqa: E712
    if q:
        query = query.where(User.name.contains(q))
    return query.dicts()


def _check_team_binding(role, team_id):
    if role == "team_lead":
        if team_id is None:
            raise RuleViolation("a team_lead must be bound to a team", errors={"team_id": ["required for team_lead"]})
        if Team.get_or_none(Team.id == team_id) is None:
            raise RuleViolation(f"team {team_id} does not exist", errors={"team_id": ["unknown team"]})
    elif team_id is not None:
        raise RuleViolation("only a team_lead is bound to a team", errors={"team_id": ["only for role team_lead"]})


def create_user(actor, email, name, role, team_id=None):
    if role not in ROLES:
        raise RuleViolation(f"unknown role {role!r}", errors={"role": [f"one of {', '.join(ROLES)}"]})
    with write_transaction():
        _check_team_binding(role, team_id)
        return create_recorded(actor, User, "user", email=email.lower(), name=name, role=role, team=team_id)


def update_user(actor, user_id, changes, precondition):
    with write_transaction():
        user = get_or_404(User, user_id, "user")
        precondition(user)
        role = changes.get("role", user.role)
        team_id = changes.get("team_id", user.team_id if "role" not in changes or role == "team_lead" else None)
        _check_team_binding(role, team_id)
        changes = {k: v for k, v in changes.items() if k != "team_id"}
        changes["team"] = team_id
        if "email" in changes:
            changes["email"] = changes["email"].lower()
        updated = update_recorded(actor, user, "user", changes)
        _TOKEN_USER.forget_cached()  # a role or active flag changed: this process stops trusting what it read
        return updated


def issue_token(actor, user_id, name, ttl_days):
    """Create a token; returns (record, secret).  The secret is never stored."""
    if not actor.is_admin and user_id != actor.user_id:
        raise Forbidden("only an admin may issue tokens for another user")
    with write_transaction():
        user = get_or_404(User, user_id, "user")
        if not user.active:
            raise RuleViolation(f"user {user_id} is deactivated")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = create_recorded(
            actor, ApiToken, "token",
            user=user, name=name, prefix=secret[:12], digest=digest_of(secret),
            expires_at=utcnow() + dt.timedelta(days=ttl_days),
        )
        return record, secret


def visible_tokens(actor):
    query = ApiToken.select().order_by(ApiToken.id)
    return query if actor.is_admin else query.where(ApiToken.user == actor.user_id)


def get_token(actor, token_id):
    token = get_or_404(ApiToken, token_id, "token")
    if not token_readable(actor, token.user_id):
        raise NotFound(f"token {token_id} does not exist")
    return token


def revoke_token(actor, token_id, precondition):
    with write_transaction():
        token = get_token(actor, token_id)
        precondition(token)
        if token.revoked_at is not None:
            return token
        revoked = update_recorded(actor, token, "token", {"revoked_at": utcnow()}, action="token.revoked")
        _TOKEN_USER.forget_cached()
        return revoked
