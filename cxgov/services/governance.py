"""The board: votes, delegations, recusal, quorum and majority, decisions, the budget guard.

Rules (DESIGN, Governance rules):

* The board is every active user with role board_member or board_chair.  A member is
  recused from an initiative they sponsor or own, or whose owning or contributing team
  they lead (the team's lead e-mail is theirs).  A delegate votes for a member; recusal
  applies to both.
* Quorum: votes (approve, reject or abstain) from a majority of the non-recused board.
  Majority: more approvals than rejections among the votes cast (abstentions count for
  quorum only).  Above the round's ``supermajority_above`` an approval needs approvals
  from two thirds of the non-recused board.
* Departure from the ranking (``governance_rules``): deciding against the pinned ranking's
  rank-order fill given the decisions so far.  Recorded once, on that decision
  (``departure``); it needs no override when the votes back it.
* Whatever vote rule a decision breaks (quorum, majority, threshold), it needs ``override``
  and an override rationale; the kinds are recorded.  Overrides and departures are listed
  in the overrides report.
* Budget guard: the approval adds its amount to the round's ``committed`` with a
  conditional UPDATE (``committed + amount <= budget``) inside the outermost write
  transaction (IMMEDIATE on SQLite, a row lock on PostgreSQL).  Zero rows → 409.
"""
import peewee

from cxgov.db import write_transaction
from cxgov.errors import Conflict, Forbidden, InvalidTransition, NotFound, RuleViolation
from cxgov.models import Decision, Delegation, Initiative, InitiativeContributor, RankingEntry, Round, Team, User, Vote
from cxgov.models.base import utcnow
from cxgov.services import governance_rules, rounds
from cxgov.services.audit import append_event
from cxgov.services.initiatives import moves_of
from cxgov.services.records import snapshot

BOARD_ROLES = ("board_member", "board_chair")
OUTCOME_STATUS = {"approve": "approved", "reject": "rejected", "defer": "deferred",
                  "request_changes": "changes_requested"}


# ------------------------------------------------------------------ board and recusal
# Loaders: a fixed number of queries whatever the board's size; the rules are governance_rules'.
def board_members():
    return list(User.select().where(User.role.in_(BOARD_ROLES) & (User.active == True)).order_by(User.id))  # noqa: E712


def stakes_of_many(initiatives):
    """``{initiative_id: Stakes}``: each initiative's stakeholders as plain values (two queries)."""
    ids = [i.id for i in initiatives]
    contributing = {}
    for link in InitiativeContributor.select(InitiativeContributor.initiative, InitiativeContributor.team).where(
            InitiativeContributor.initiative.in_(ids)):
        contributing.setdefault(link.initiative_id, set()).add(link.team_id)
    wanted = {i.team_id for i in initiatives}.union(*contributing.values())
    teams = [(t.id, t.name, t.lead_email) for t in Team.select(Team.id, Team.name, Team.lead_email)
             .where(Team.id.in_(sorted(wanted))).order_by(Team.id)]
    return {i.id: governance_rules.Stakes(i.id, i.sponsor_id, i.owner_id, i.team_id, tuple(
        t for t in teams if t[0] == i.team_id or t[0] in contributing.get(i.id, ()))) for i in initiatives}


def stakes_of(initiative):
    return stakes_of_many([initiative])[initiative.id]


def recusal_reason(user, initiative, stakes=None):
    """Why ``user`` may not vote on ``initiative`` (None when they may)."""
    return governance_rules.recusal_reason(user.id, user.email, stakes or stakes_of(initiative))


def tally(round_id, initiative):
    """The votes as they stand, who is recused, quorum and majority (four queries)."""
    members = [(m.id, m.email) for m in board_members()]
    recused = governance_rules.recusals(members, stakes_of(initiative))
    votes = {v.member_id: v.choice for v in Vote.select(Vote.member, Vote.choice).where(
        (Vote.round == round_id) & (Vote.initiative == initiative.id))}
    return governance_rules.tally([m for m, _ in members], votes, recused)


# ------------------------------------------------------------------ shared checks
def round_in_review(round_id, actor=None):
    rnd = Round.get_or_none(Round.id == round_id)
    if rnd is None:
        raise NotFound(f"round {round_id} does not exist")
    if rnd.status != "in_review":
        raise InvalidTransition(f"round {rnd.id} is {rnd.status}; votes and decisions only while it is in_review",
                                current=rnd.status, **rounds.round_moves(actor, rnd))
    return rnd


def _submitted_initiative(rnd, initiative_id, actor=None):
    initiative = Initiative.get_or_none(Initiative.id == initiative_id)
    if initiative is None or initiative.status == "draft":
        raise RuleViolation(f"initiative {initiative_id} does not exist", errors={"initiative_id": ["unknown"]})
    if initiative.round_id != rnd.id or initiative.status != "submitted":
        raise InvalidTransition(f"initiative {initiative.id} is {initiative.status} "
                                f"{'in another round' if initiative.round_id != rnd.id else ''}".strip()
                                + f"; only initiatives submitted to round {rnd.id} are voted on and decided",
                                current=initiative.status, **moves_of(actor, initiative))
    return initiative


# ------------------------------------------------------------------ delegation
def delegate_vote(actor, round_id, delegate_id):
    with write_transaction():
        rnd = Round.get_or_none(Round.id == round_id)
        if rnd is None:
            raise NotFound(f"round {round_id} does not exist")
        if rnd.status not in ("planning", "open", "in_review"):
            raise InvalidTransition(f"round {rnd.id} is {rnd.status}; delegations are made before it is decided",
                                    current=rnd.status, **rounds.round_moves(actor, rnd))
        delegate = User.get_or_none(User.id == delegate_id)
        if delegate is None or delegate.role not in BOARD_ROLES or not delegate.active:
            raise RuleViolation(f"user {delegate_id} is not an active board member",
                                errors={"delegate_id": ["must be a board member"]})
        if delegate.id == actor.user_id:
            raise RuleViolation("a member cannot delegate to themselves", errors={"delegate_id": ["yourself"]})
        try:
            record = Delegation.create(round=rnd.id, member=actor.user_id, delegate=delegate.id)
        except peewee.IntegrityError as exc:
            raise Conflict(f"you already delegated your vote in round {rnd.id}") from exc
        append_event(actor, "delegation.created", "delegation", record.id, {"after": snapshot(record)})
        return record


# ------------------------------------------------------------------ votes
def cast_vote(actor, round_id, initiative_id, choice, comment="", on_behalf_of=None):
    with write_transaction():
        rnd = round_in_review(round_id, actor)
        return cast_vote_in(actor, rnd, initiative_id, choice, comment, on_behalf_of)


def cast_vote_in(actor, rnd, initiative_id, choice, comment="", on_behalf_of=None):
    """One vote inside the caller's write transaction (the single call and the batch)."""
    initiative = _submitted_initiative(rnd, initiative_id, actor)
    caster = User.get_by_id(actor.user_id)
    member = caster
    if on_behalf_of is not None and on_behalf_of != actor.user_id:
        if not Delegation.select().where((Delegation.round == rnd.id) & (Delegation.member == on_behalf_of)
                                         & (Delegation.delegate == actor.user_id)).exists():
            raise Forbidden(f"member {on_behalf_of} has not delegated their vote in round {rnd.id} to you")
        member = User.get_by_id(on_behalf_of)
    stakes = stakes_of(initiative)
    for person in {member.id: member, caster.id: caster}.values():
        reason = recusal_reason(person, initiative, stakes)
        if reason:
            raise Forbidden(f"recused: {reason}", reason=reason)
    existing = Vote.get_or_none((Vote.round == rnd.id) & (Vote.initiative == initiative.id)
                                & (Vote.member == member.id))
    if existing is None:
        vote = Vote.create(round=rnd.id, initiative=initiative.id, member=member.id, cast_by=caster.id,
                           choice=choice, comment=comment)
        append_event(actor, "vote.cast", "vote", vote.id, {"after": snapshot(vote)})
    else:
        before = snapshot(existing)
        n = Vote.update(choice=choice, comment=comment, cast_by=caster.id, version=Vote.version + 1,
                        updated_at=utcnow()).where((Vote.id == existing.id) & (Vote.version == existing.version)).execute()
        if n != 1:
            raise Conflict("your vote changed concurrently; retry")
        vote = Vote.get_by_id(existing.id)
        append_event(actor, "vote.replaced", "vote", vote.id, {"before": before, "after": snapshot(vote)})
    return vote


def _existing_round(round_id):
    rnd = Round.get_or_none(Round.id == round_id)
    if rnd is None:
        raise NotFound(f"round {round_id} does not exist")
    return rnd


def votes_overview(round_id, initiative_id=None):
    """The round's votes and, per initiative voted on (or asked for), the tally as it stands
    (a fixed number of queries, whatever the board's size and the number of initiatives)."""
    _existing_round(round_id)
    query = Vote.select().where(Vote.round == round_id).order_by(Vote.initiative, Vote.member)
    if initiative_id is not None:
        query = query.where(Vote.initiative == initiative_id)
    votes = list(query)
    ids = {v.initiative_id for v in votes} | ({initiative_id} if initiative_id is not None else set())
    listed = list(Initiative.select().where(Initiative.id.in_(sorted(ids))))
    members = [(m.id, m.email) for m in board_members()]
    stakes = stakes_of_many(listed)
    choices = {}
    for v in votes:
        choices.setdefault(v.initiative_id, {})[v.member_id] = v.choice
    tallies = {str(i.id): governance_rules.tally([m for m, _ in members], choices.get(i.id, {}),
                                                 governance_rules.recusals(members, stakes[i.id])).as_dict()
               for i in listed}
    return {"votes": votes, "tallies": tallies}


# ------------------------------------------------------------------ decisions
def _ranking_departure(rnd, initiative, outcome, approved_amount):
    """The departure rule (governance_rules) over the pinned ranking and the round as it stands."""
    if rnd.pinned_ranking_id is None:
        return governance_rules.RankingDeparture(False, False)
    ranked = [(e.initiative_id, e.requested_amount) for e in
              RankingEntry.select(RankingEntry.initiative, RankingEntry.requested_amount)
              .where(RankingEntry.ranking == rnd.pinned_ranking_id).order_by(RankingEntry.rank, RankingEntry.id)]
    undecided = {i.id for i in Initiative.select(Initiative.id).where(
        (Initiative.round == rnd.id) & (Initiative.status == "submitted"))}
    return governance_rules.ranking_departure(ranked, undecided, rnd.budget - rnd.committed, initiative.id,
                                              outcome, approved_amount)


def _approval_terms(initiative, data, today):
    """Amount, accountable owner and due date of an approval, with their defaults (DESIGN)."""
    if data.get("approved_amount") is None:
        raise RuleViolation("an approval needs an approved amount", errors={"approved_amount": ["required to approve"]})
    amount = data["approved_amount"]
    if amount > initiative.requested_amount:
        raise RuleViolation(f"the approved amount {amount} is above the request {initiative.requested_amount}",
                            errors={"approved_amount": [f"at most {initiative.requested_amount}"]})
    owner_id = data.get("accountable_owner_id")
    if owner_id is None:
        owner_id = initiative.owner_id
    elif User.get_or_none(User.id == owner_id) is None:
        raise RuleViolation("the accountable owner does not exist", errors={"accountable_owner_id": ["unknown user"]})
    due = data.get("due_date")
    if due is None:
        due = governance_rules.add_months(today, initiative.months_to_value)
    elif due < today:
        raise RuleViolation(f"the due date {due.isoformat()} is before the decision date {today.isoformat()}",
                            errors={"due_date": [f"on or after {today.isoformat()} (YYYY-MM-DD)"]})
    return amount, owner_id, due


def decide(actor, round_id, data):
    """Record the chair's decision; returns (decision, round)."""
    with write_transaction():
        rnd = round_locked_for_decisions(round_id, actor)
        return decide_in(actor, rnd, data)


def round_locked_for_decisions(round_id, actor):
    """The round in review, its row locked until the transaction ends: decisions on one round
    are serialized, so each departure is judged on the committed budget and the decisions
    before it (SQLite's IMMEDIATE transaction already is; on PostgreSQL a no-op UPDATE takes
    the row lock portably, where SELECT … FOR UPDATE would not run on SQLite)."""
    rnd = round_in_review(round_id, actor)
    Round.update(committed=Round.committed).where(Round.id == rnd.id).execute()
    return round_in_review(round_id, actor)


def decide_in(actor, rnd, data):
    """One decision inside the caller's write transaction (the single call and the batch):
    load, apply the rules (governance_rules), write."""
    rnd = Round.get_by_id(rnd.id)  # committed as it stands now (a batch's earlier approvals)
    initiative = _submitted_initiative(rnd, data["initiative_id"], actor)
    outcome = data["outcome"]
    votes = tally(rnd.id, initiative)
    changes, terms = _outcome_changes(actor, rnd, initiative, data)
    kinds = governance_rules.override_kinds(votes, outcome, terms["approved_amount"], rnd.supermajority_above)
    if not governance_rules.override_given(kinds, data.get("override"), data.get("override_rationale")):
        raise RuleViolation(
            "this decision needs override: true and an override_rationale ("
            + ", ".join(governance_rules.explain(k, votes) for k in kinds) + ")",
            errors={"override_rationale": ["required: " + ", ".join(kinds)]}, override_needed=kinds,
            tally=votes.as_dict())
    departure = _ranking_departure(rnd, initiative, outcome, terms["approved_amount"]).record()
    _move_initiative(initiative, changes)
    if outcome == "approve":
        _commit_budget(rnd, terms["approved_amount"])
    decision = Decision.create(
        round=rnd.id, initiative=initiative.id, outcome=outcome, rationale=data["rationale"],
        conditions=data.get("conditions", ""), **terms, override=bool(kinds), override_kinds=kinds,
        override_rationale=data.get("override_rationale", "") if kinds else "",
        departure=departure, tally=votes.as_dict(), ranking=rnd.pinned_ranking_id, decided_by=actor.user_id)
    rnd = Round.get_by_id(rnd.id)
    append_event(actor, "decision.recorded", "decision", decision.id, {
        "after": snapshot(decision), "initiative_id": initiative.id,
        "initiative_status": [initiative.status, changes["status"]], "round_committed": rnd.committed,
        "round_remaining": rnd.budget - rnd.committed})
    return decision, rnd


def _outcome_changes(actor, rnd, initiative, data):
    """The initiative's new field values and the decision's terms for the chosen outcome."""
    outcome = data["outcome"]
    changes = {"status": OUTCOME_STATUS[outcome]}
    terms = dict.fromkeys(("approved_amount", "accountable_owner", "due_date", "deferred_to"))
    if outcome == "approve":
        amount, owner_id, due = _approval_terms(initiative, data, utcnow().date())
        terms.update(approved_amount=amount, accountable_owner=owner_id, due_date=due)
        changes.update(approved_amount=amount, accountable_owner=owner_id, due_date=due)
    elif outcome == "defer":
        terms["deferred_to"] = changes["round"] = _deferral_target(actor, rnd, data.get("deferred_to_round_id"))
    return changes, terms


def _move_initiative(initiative, changes):
    """Apply ``changes`` to the initiative if it is still submitted (else 409)."""
    values = {Initiative._meta.fields[k]: v for k, v in changes.items()}
    values[Initiative.version] = Initiative.version + 1
    values[Initiative.updated_at] = utcnow()
    moved = Initiative.update(values).where((Initiative.id == initiative.id)
                                            & (Initiative.status == "submitted")).execute()
    if moved != 1:
        raise Conflict(f"initiative {initiative.id} was decided concurrently; GET it again")


def _deferral_target(actor, rnd, target_id):
    """The round a deferral moves the initiative to; ``"next"``: the next fiscal quarter's round."""
    if target_id == "next":
        return next_quarter_round(actor, rnd).id
    target = Round.get_or_none(Round.id == (target_id or 0))
    if target is None or target.id == rnd.id or target.status not in ("planning", "open"):
        raise RuleViolation("a deferral names a later round that is in planning or open, or \"next\"",
                            errors={"deferred_to_round_id": ['a different round in planning or open, or "next"']})
    return target.id


def next_quarter_round(actor, rnd):
    """The round of the fiscal quarter after ``rnd``'s, created in planning (budget 0) if missing.

    The next quarter of (year, q) is (year, q + 1), or (year + 1, 1) after Q4.  The round
    found is the oldest of that quarter in planning or open; a new one is named "FYyyyy Qq".
    """
    if rnd.fiscal_quarter is None:
        raise RuleViolation(f"round {rnd.id} has no fiscal_quarter, so it has no next quarter; name the round",
                            errors={"deferred_to_round_id": ["a round id (this round has no fiscal quarter)"]})
    year, quarter = governance_rules.next_fiscal_quarter(rnd.fiscal_year, rnd.fiscal_quarter)
    found = (Round.select().where((Round.fiscal_year == year) & (Round.fiscal_quarter == quarter)
                                  & Round.status.in_(["planning", "open"])).order_by(Round.id).first())
    if found is not None:
        return found
    name = f"FY{year} Q{quarter}"
    if Round.select().where(Round.name == name).exists():
        raise Conflict(f"a round named {name!r} exists but is not in planning or open; name the round to defer to",
                       errors={"deferred_to_round_id": [f"{name!r} is not in planning or open"]})
    return rounds.create_planning_round(actor, name=name, fiscal_year=year, fiscal_quarter=quarter, budget=0,
                           description=f"Created for a deferral from round {rnd.id}.")


def _commit_budget(rnd, amount):
    """The budget guard: one conditional UPDATE; nothing else may interleave (see module doc)."""
    updated = (Round.update(committed=Round.committed + amount, version=Round.version + 1, updated_at=utcnow())
               .where((Round.id == rnd.id) & (Round.committed + amount <= Round.budget)).execute())
    if updated != 1:
        current = Round.get_by_id(rnd.id)
        raise Conflict(f"approving {amount} would exceed round {rnd.id}'s budget: "
                       f"{current.budget - current.committed} left of {current.budget}",
                       remaining=current.budget - current.committed, budget=current.budget)


def decisions_of(round_id):
    """The round's decisions and the round (for its budget, committed and remaining)."""
    rnd = _existing_round(round_id)
    return list(Decision.select().where(Decision.round == round_id).order_by(Decision.id)), rnd


def delegations(round_id):
    _existing_round(round_id)
    return Delegation.select().where(Delegation.round == round_id).order_by(Delegation.id)
