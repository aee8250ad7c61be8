"""Who may read which record: the rules the record endpoints apply, as pure functions.

The routes take their role lists from here and the services their checks, so that the
accountability log, the export and an initiative's history (``audit_reading``,
``delivery.history``) hide exactly what a direct read refuses.
"""
from cxgov.models.users import ROLES

EVERYONE = ROLES
#: Votes, delegations and decisions of a round (``GET /rounds/{id}/votes|delegations|decisions``).
BOARD_RECORD_READERS = ("admin", "board_chair", "board_member", "finance", "viewer")
#: An initiative's actual-spend ledger (a team lead: its own team's only).
ACTUAL_READERS = ("admin", "board_chair", "board_member", "finance", "team_lead")
#: ``GET /audit`` and ``/audit/export`` (``/audit/verify`` is open to every role).
LOG_READERS = ("admin", "board_chair", "board_member", "finance", "viewer")


def initiative_readable(actor, team_id, status):
    """Drafts are their team's (and admin's); everything else is everyone's.

    The SQL form is ``initiatives.visible_initiatives`` (a test holds the two together)."""
    if actor.is_admin or status != "draft":
        return True
    return actor.role == "team_lead" and team_id == actor.team_id


def actuals_readable(actor, team_id, status):
    if actor.role not in ACTUAL_READERS or not initiative_readable(actor, team_id, status):
        return False
    return actor.role != "team_lead" or team_id == actor.team_id


def ranking_readable(actor, team_submitted_to_round):
    """A team lead reads the rankings (and scenarios) of rounds its team submitted to."""
    return actor.role != "team_lead" or bool(team_submitted_to_round)


def token_readable(actor, owner_id):
    return actor.is_admin or owner_id == actor.user_id


def user_readable(actor, user_id):
    """``GET /users/{id}`` is admin's; ``GET /users/me`` is everyone's own."""
    return actor.is_admin or (user_id is not None and user_id == actor.user_id)

