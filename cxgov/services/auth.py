"""Users and API tokens: issue (shown once, stored as SHA-256), verify, revoke."""
import datetime as dt
import hashlib
import secrets

from cxgov.errors import Forbidden, NotFound, RuleViolation
from cxgov.db import write_transaction
from cxgov.models import ApiToken, Team, User
from cxgov.models.base import utcnow
from cxgov.models.users import ROLES
from cxgov.services.read_rules import token_readable
from cxgov.services.records import create_recorded, get_or_404, update_recorded

TOKEN_PREFIX = "cxg_"


def digest_of(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_for_token(token):
    """The active user a valid, unexpired, unrevoked token belongs to, else None.

    Read afresh on every request, so a revocation or deactivation counts on the very next
    request, in every worker."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = (ApiToken.select(ApiToken.revoked_at, ApiToken.expires_at, User)
             .join(User).where(ApiToken.digest == digest_of(token)).first())
    if found is None or found.revoked_at is not None or found.expires_at <= utcnow():
        return None
    return found.user if found.user.active else None


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
        return update_recorded(actor, user, "user", changes)


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
        return update_recorded(actor, token, "token", {"revoked_at": utcnow()}, action="token.revoked")
