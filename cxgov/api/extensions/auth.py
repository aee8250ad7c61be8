"""Bearer-token authentication: who is asking, and the 401/403 problem bodies.

The token is checked against the database on every request (``services.auth.user_for_token``),
so a revocation or deactivation counts on the next request in every worker.
"""
from flask import g
from flask_httpauth import HTTPTokenAuth

from cxgov.api.extensions.problems import problem
from cxgov.services import auth as auth_service
from cxgov.services.actor import Actor

auth = HTTPTokenAuth(scheme="Bearer")


@auth.verify_token
def _verify_token(token):
    return auth_service.user_for_token(token)


@auth.get_user_roles
def _user_roles(user):
    g.auth_role = user.role  # for the 403's message
    return [user.role]


@auth.error_handler
def _auth_error(status):
    if status == 401:
        return problem(401, "Unauthorized", "A valid bearer token is required (Authorization: Bearer cxg_…).")
    allowed = list(g.get("roles_allowed") or ())
    if not allowed:
        return problem(403, "Forbidden", "Your role may not perform this action.")
    return problem(403, "Forbidden", f"Your role ({g.get('auth_role')}) may not perform this action; "
                   f"it is open to: {', '.join(allowed)}.", roles_allowed=allowed)


def current_actor():
    user = auth.current_user()
    return Actor(user_id=user.id, email=user.email, role=user.role, team_id=user.team_id,
                 request_id=getattr(g, "request_id", None))
