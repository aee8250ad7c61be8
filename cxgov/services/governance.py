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
* Ranking override: approving an initiative while a better-ranked one of the pinned
  ranking was rejected or deferred in this round and would still fit the remaining budget.
* Whatever rule a decision breaks, it needs ``override`` and an override rationale; the
  kinds are recorded and listed in the overrides report.
* Budget guard: the approval adds its amount to the round's ``committed`` with a
  conditional UPDATE (``committed + amount <= budget``) inside the outermost write
  transaction (IMMEDIATE on SQLite, a row lock on PostgreSQL).  Zero rows → 409.
"""
import math

import peewee

from cxgov.db import write_transaction
from cxgov.errors import Conflict, Forbidden, InvalidTransition, NotFound, RuleViolation
from cxgov.models import Decision, Delegation, Initiative, InitiativeContributor, RankingEntry, Round, Team, User, Vote
from cxgov.models.base import utcnow
from cxgov.services.audit import append_event
from cxgov.services.records import snapshot

BOARD_ROLES = ("board_member", "board_chair")
OUTCOME_STATUS = {"approve": "approved", "reject": "rejected", "defer": "deferred",
                  "request_changes": "changes_requested"}


# ------------------------------------------------------------------ board and recusal
def board_members():
    return list(User.select().where(User.role.in_(BOARD_ROLES) & (User.active == True)).order_by(User.id))  # noqa: E712


def recusal_reason(user, initiative):
    """Why ``user`` may not vote on ``initiative`` (None when they may)."""
    if user.id == initiative.sponsor_id:
        return f"{user.email} sponsors initiative {initiative.id}"
    if user.id == initiative.owner_id:
        return f"{user.email} owns initiative {initiative.id}"
    team_ids = [initiative.team_id] + [c.team_id for c in InitiativeContributor.select().where(
        InitiativeContributor.initiative == initiative.id)]
    led = Team.select().where(Team.id.in_(team_ids) & (peewee.fn.LOWER(Team.lead_email) == user.email.lower())).first()
    if led is not None:
        return f"{user.email} leads team {led.name}, which {'owns' if led.id == initiative.team_id else 'contributes to'} " \
               f"initiative {initiative.id}"
    return None


def tally(round_id, initiative):
    """The votes as they stand, who is recused, quorum and majority."""
    members = board_members()
    eligible = [m for m in members if recusal_reason(m, initiative) is None]
    eligible_ids = {m.id for m in eligible}
    votes = list(Vote.select().where((Vote.round == round_id) & (Vote.initiative == initiative.id)))
    counted = [v for v in votes if v.member_id in eligible_ids]
    counts = {c: sum(1 for v in counted if v.choice == c) for c in ("approve", "reject", "abstain")}
    cast = len(counted)
    quorum_needed = len(eligible) // 2 + 1 if eligible else 1
    return {
        "board": len(members),
        "eligible": len(eligible),
        "recused": [{"member_id": m.id, "reason": recusal_reason(m, initiative)} for m in members
                    if m.id not in eligible_ids],
        "votes_cast": cast,
        "approve": counts["approve"], "reject": counts["reject"], "abstain": counts["abstain"],
        "quorum_needed": quorum_needed,
        "quorum": cast >= quorum_needed,
        "majority_approves": counts["approve"] > counts["reject"],
        "majority_rejects": counts["reject"] > counts["approve"],
        "two_thirds_needed": math.ceil(2 * len(eligible) / 3) if eligible else 1,
    }


# ------------------------------------------------------------------ shared checks
def _round_in_review(round_id):
    rnd = Round.get_or_none(Round.id == round_id)
    if rnd is None:
        raise NotFound(f"round {round_id} does not exist")
    if rnd.status != "in_review":
        raise InvalidTransition(f"round {rnd.id} is {rnd.status}; votes and decisions only while it is in_review",
                                current=rnd.status, allowed=["in_review"])
    return rnd


def _submitted_initiative(rnd, initiative_id):
    initiative = Initiative.get_or_none(Initiative.id == initiative_id)
    if initiative is None or initiative.status == "draft":
        raise RuleViolation(f"initiative {initiative_id} does not exist", errors={"initiative_id": ["unknown"]})
    if initiative.round_id != rnd.id or initiative.status != "submitted":
        raise InvalidTransition(f"initiative {initiative.id} is {initiative.status} "
                                f"{'in another round' if initiative.round_id != rnd.id else ''}".strip()
                                + f"; only initiatives submitted to round {rnd.id} are voted on and decided",
                                current=initiative.status, allowed=[])
    return initiative


# ------------------------------------------------------------------ delegation
def delegate_vote(actor, round_id, delegate_id):
    with write_transaction():
        rnd = Round.get_or_none(Round.id == round_id)
        if rnd is None:
            raise NotFound(f"round {round_id} does not exist")
        if rnd.status not in ("planning", "open", "in_review"):
            raise InvalidTransition(f"round {rnd.id} is {rnd.status}; delegations are made before it is decided",
                                    current=rnd.status, allowed=[])
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
        rnd = _round_in_review(round_id)
        initiative = _submitted_initiative(rnd, initiative_id)
        caster = User.get_by_id(actor.user_id)
        member = caster
        if on_behalf_of is not None and on_behalf_of != actor.user_id:
            if not Delegation.select().where((Delegation.round == rnd.id) & (Delegation.member == on_behalf_of)
                                             & (Delegation.delegate == actor.user_id)).exists():
                raise Forbidden(f"member {on_behalf_of} has not delegated their vote in round {rnd.id} to you")
            member = User.get_by_id(on_behalf_of)
        for person in {member.id: member, caster.id: caster}.values():
            reason = recusal_reason(person, initiative)
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
    """The round's votes and, per initiative voted on (or asked for), the tally as it stands."""
    _existing_round(round_id)
    query = Vote.select().where(Vote.round == round_id).order_by(Vote.initiative, Vote.member)
    if initiative_id is not None:
        query = query.where(Vote.initiative == initiative_id)
    votes = list(query)
    ids = {v.initiative_id for v in votes} | ({initiative_id} if initiative_id is not None else set())
    tallies = {str(i.id): tally(round_id, i) for i in Initiative.select().where(Initiative.id.in_(sorted(ids)))}
    return {"votes": votes, "tallies": tallies}


# ------------------------------------------------------------------ decisions
def _ranking_overrides(rnd, initiative, remaining):
    """Better-ranked initiatives of the pinned ranking rejected or deferred here that would still fit."""
    if rnd.pinned_ranking_id is None:
        return []
    mine = RankingEntry.get_or_none((RankingEntry.ranking == rnd.pinned_ranking_id)
                                    & (RankingEntry.initiative == initiative.id))
    if mine is None:
        return []
    better = (RankingEntry.select(RankingEntry.initiative, RankingEntry.rank, RankingEntry.requested_amount)
              .where((RankingEntry.ranking == rnd.pinned_ranking_id) & (RankingEntry.rank < mine.rank)))
    better = {e.initiative_id: e for e in better}
    if not better:
        return []
    skipped = (Decision.select(Decision.initiative, Decision.outcome)
               .where((Decision.round == rnd.id) & Decision.initiative.in_(list(better))
                      & Decision.outcome.in_(["reject", "defer"])))
    return sorted({d.initiative_id for d in skipped if better[d.initiative_id].requested_amount <= remaining})


def decide(actor, round_id, data):
    """Record the chair's decision; returns (decision, round)."""
    with write_transaction():
        rnd = _round_in_review(round_id)
        initiative = _submitted_initiative(rnd, data["initiative_id"])
        outcome = data["outcome"]
        votes = tally(rnd.id, initiative)
        kinds, errs = [], {}
        if not votes["quorum"]:
            kinds.append("quorum")
        if outcome == "approve" and not votes["majority_approves"]:
            kinds.append("majority")
        if outcome == "reject" and votes["majority_approves"]:
            kinds.append("majority")
        remaining = rnd.budget - rnd.committed
        skipped = []
        changes = {"status": OUTCOME_STATUS[outcome]}
        if outcome == "approve":
            amount = data.get("approved_amount")
            for field in ("approved_amount", "accountable_owner_id", "due_date"):
                if data.get(field) is None:
                    errs[field] = ["required to approve"]
            if errs:
                raise RuleViolation("an approval needs an approved amount, an accountable owner and a due date",
                                    errors=errs)
            if amount > initiative.requested_amount:
                raise RuleViolation(f"the approved amount {amount} is above the request {initiative.requested_amount}",
                                    errors={"approved_amount": [f"at most {initiative.requested_amount}"]})
            if User.get_or_none(User.id == data["accountable_owner_id"]) is None:
                raise RuleViolation("the accountable owner does not exist",
                                    errors={"accountable_owner_id": ["unknown user"]})
            if rnd.supermajority_above is not None and amount > rnd.supermajority_above \
                    and votes["approve"] < votes["two_thirds_needed"]:
                kinds.append("threshold")
            skipped = _ranking_overrides(rnd, initiative, remaining)
            if skipped:
                kinds.append("ranking")
            changes.update(approved_amount=amount, accountable_owner=data["accountable_owner_id"],
                           due_date=data["due_date"])
        elif outcome == "defer":
            target = Round.get_or_none(Round.id == data.get("deferred_to_round_id") or 0)
            if target is None or target.id == rnd.id or target.status not in ("planning", "open"):
                raise RuleViolation("a deferral names a later round that is in planning or open",
                                    errors={"deferred_to_round_id": ["a different round in planning or open"]})
            changes["round"] = target.id
        if kinds and not (data.get("override") and data.get("override_rationale")):
            raise RuleViolation(
                "this decision needs override: true and an override_rationale ("
                + ", ".join(_explain(k, votes, skipped) for k in kinds) + ")",
                errors={"override_rationale": ["required: " + ", ".join(kinds)]}, override_needed=kinds,
                skipped_better_ranked=skipped, tally=votes)
        values = {Initiative._meta.fields[k]: v for k, v in changes.items()}
        values[Initiative.version] = Initiative.version + 1
        values[Initiative.updated_at] = utcnow()
        moved = Initiative.update(values).where((Initiative.id == initiative.id)
                                                & (Initiative.status == "submitted")).execute()
        if moved != 1:
            raise Conflict(f"initiative {initiative.id} was decided concurrently; GET it again")
        if outcome == "approve":
            _commit_budget(rnd, data["approved_amount"])
        decision = Decision.create(
            round=rnd.id, initiative=initiative.id, outcome=outcome, approved_amount=data.get("approved_amount"),
            rationale=data["rationale"], conditions=data.get("conditions", ""),
            accountable_owner=data.get("accountable_owner_id"), due_date=data.get("due_date"),
            deferred_to=data.get("deferred_to_round_id") if outcome == "defer" else None,
            override=bool(kinds), override_kinds=kinds,
            override_rationale=data.get("override_rationale", "") if kinds else "",
            tally=votes, ranking=rnd.pinned_ranking_id, decided_by=actor.user_id)
        rnd = Round.get_by_id(rnd.id)
        append_event(actor, "decision.recorded", "decision", decision.id, {
            "after": snapshot(decision), "initiative_id": initiative.id,
            "initiative_status": [initiative.status, changes["status"]], "round_committed": rnd.committed,
            "round_remaining": rnd.budget - rnd.committed})
        return decision, rnd


def _explain(kind, votes, skipped):
    return {
        "quorum": f"no quorum: {votes['votes_cast']} of the {votes['quorum_needed']} votes needed",
        "majority": f"against the votes: {votes['approve']} approve, {votes['reject']} reject",
        "threshold": f"above the round's threshold: {votes['approve']} approvals of the "
                     f"{votes['two_thirds_needed']} needed",
        "ranking": f"skips better-ranked initiatives {skipped} that were rejected or deferred and would still fit",
    }[kind]


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
