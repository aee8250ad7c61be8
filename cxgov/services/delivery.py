"""After approval: status updates, an initiative's whole history, overdue work."""
import datetime as dt

from cxgov.db import write_transaction
from cxgov.errors import InvalidTransition
from cxgov.models import Decision, Initiative, RankingEntry, StatusUpdate, User, Vote, Ranking
from cxgov.services.audit import append_event
from cxgov.services.initiatives import _require_own_team, get_visible, moves_of
from cxgov.services.rankings import rounds_submitted_by
from cxgov.services.read_rules import BOARD_RECORD_READERS, ranking_readable
from cxgov.services.records import snapshot

REPORTABLE = ("approved", "in_progress", "delivered")


def post_status_update(actor, initiative_id, rag, percent_complete, note):
    with write_transaction():
        initiative = get_visible(actor, initiative_id)
        _require_own_team(actor, initiative.team_id)
        if initiative.status not in REPORTABLE:
            raise InvalidTransition(f"initiative {initiative.id} is {initiative.status}; status updates are for "
                                    "approved work", current=initiative.status, **moves_of(actor, initiative))
        update = StatusUpdate.create(initiative=initiative.id, rag=rag, percent_complete=percent_complete, note=note,
                                     created_by=actor.user_id)
        append_event(actor, "status_update.posted", "initiative", initiative.id, {"after": snapshot(update)})
        return update


def status_updates(actor, initiative_id):
    get_visible(actor, initiative_id)
    return StatusUpdate.select().where(StatusUpdate.initiative == initiative_id).order_by(StatusUpdate.id)


def history(actor, initiative_id):
    """Scores, votes, decisions and status updates across every round it went through.

    Each part follows the read rule of its own records: a part the caller may not read
    directly (a team lead: votes and decisions; scores of rankings it may not read) is
    left empty and named in ``withheld``."""
    initiative = get_visible(actor, initiative_id)
    scores = (RankingEntry.select(RankingEntry, Ranking).join(Ranking)
              .where(RankingEntry.initiative == initiative.id).order_by(Ranking.id))
    team_rounds = rounds_submitted_by(actor)
    board_records = actor.role in BOARD_RECORD_READERS
    scores = list(scores)
    readable_scores = [e for e in scores if ranking_readable(actor, e.ranking.round_id in team_rounds)]
    withheld = [name for name, hidden in (("scores", len(readable_scores) < len(scores)),
                                          ("votes", not board_records), ("decisions", not board_records)) if hidden]
    return {
        "initiative_id": initiative.id,
        "status": initiative.status,
        "round_id": initiative.round_id,
        "withheld": withheld,
        "scores": [{"ranking_id": e.ranking.id, "round_id": e.ranking.round_id, "rank": e.rank, "score": e.score,
                    "of": e.ranking.entry_count, "ranked_at": e.ranking.created_at} for e in readable_scores],
        "votes": [{"round_id": v.round_id, "member_id": v.member_id, "cast_by_id": v.cast_by_id, "choice": v.choice,
                   "comment": v.comment, "at": v.updated_at}
                  for v in Vote.select().where(Vote.initiative == initiative.id).order_by(Vote.round, Vote.id)]
        if board_records else [],
        "decisions": [{"id": d.id, "round_id": d.round_id, "outcome": d.outcome, "approved_amount": d.approved_amount,
                       "rationale": d.rationale, "override_kinds": d.override_kinds, "deferred_to_id": d.deferred_to_id,
                       "decided_at": d.decided_at}
                      for d in Decision.select().where(Decision.initiative == initiative.id).order_by(Decision.id)]
        if board_records else [],
        "status_updates": [{"rag": u.rag, "percent_complete": u.percent_complete, "note": u.note, "at": u.created_at}
                           for u in StatusUpdate.select().where(StatusUpdate.initiative == initiative.id)
                           .order_by(StatusUpdate.id)],
    }


def overdue(today=None):
    today = today or dt.datetime.now(dt.timezone.utc).date()
    Owner, Sponsor = User.alias(), User.alias()
    query = (Initiative.select(Initiative, Owner, Sponsor)
             .join(Owner, on=(Initiative.accountable_owner == Owner.id), attr="accountable")
             .switch(Initiative).join(Sponsor, on=(Initiative.sponsor == Sponsor.id), attr="sponsor_user")
             .where(Initiative.status.in_(["approved", "in_progress"]) & (Initiative.due_date < today))
             .order_by(Initiative.due_date, Initiative.id))
    return [{"initiative_id": i.id, "title": i.title, "status": i.status, "team_id": i.team_id,
             "round_id": i.round_id, "approved_amount": i.approved_amount, "due_date": i.due_date,
             "days_overdue": (today - i.due_date).days,
             "accountable_owner": {"id": i.accountable.id, "name": i.accountable.name, "email": i.accountable.email},
             "sponsor": {"id": i.sponsor_user.id, "name": i.sponsor_user.name, "email": i.sponsor_user.email}}
            for i in query]
