"""Teams: who owns and contributes to initiatives."""
from cxgov.db import write_transaction
from cxgov.models import Team
from cxgov.services.records import create_recorded, delete_recorded, get_or_404, update_recorded


def list_teams(department=None, q=None):
    query = Team.select()
    if department:
        query = query.where(Team.department == department)
    if q:
        query = query.where(Team.name.contains(q))
    return query


def create_team(actor, **values):
    with write_transaction():
        return create_recorded(actor, Team, "team", **values)


def update_team(actor, team_id, changes, precondition):
    with write_transaction():
        team = get_or_404(Team, team_id, "team")
        precondition(team)
        return update_recorded(actor, team, "team", changes)


def delete_team(actor, team_id, precondition):
    with write_transaction():
        team = get_or_404(Team, team_id, "team")
        precondition(team)
        delete_recorded(actor, team, "team")
