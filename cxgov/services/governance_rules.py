"""The board's rules as pure functions over plain values (no database, no clock).

Recusal, quorum and majority (DESIGN, Governance rules)
--------------------------------------------------------
A member is recused from an initiative they sponsor or own, or whose owning or contributing
team they lead (the team's lead e-mail is theirs, case-insensitively).  ``tally`` counts the
votes of the non-recused board only.  Quorum: votes (approve, reject or abstain) from a
majority of the non-recused board (⌊n/2⌋ + 1, and 1 when nobody may vote).  Majority: more
approvals than rejections (abstentions count for quorum only).  Supermajority: above the
round's ``supermajority_above`` an approval needs ⌈2n/3⌉ approvals (1 when n is 0).
``override_kinds`` names every vote rule a decision breaks; each needs ``override`` and an
override rationale.

Departure from the ranking (DESIGN, Governance rules)
------------------------------------------------------
The reference is the pinned ranking's rank-order fill *given the decisions so far*: walk the
pinned ranking in rank order over the initiatives of the round that are still undecided, with
what is left of the budget (budget − committed), funding each one whose requested amount
(as pinned) still fits.  A decision on initiative X

* **departs** when it rejects or defers X and that fill funds X, or approves X and that fill
  does not fund X;
* **follows** otherwise, and in particular when it only does what an earlier departure made
  the fill do: after the board rejects rank 5, the fill recomputed without rank 5 funds the
  next initiative that fits, and approving it is not a departure.

``displaces`` lists the initiatives the fill funded before the decision and no longer funds
after it (an approval out of order pushes them out); ``makes_room_for`` those it funds after
and not before (a rejection of a funded one lets them in).  Approving X at a lower amount than
requested is never a departure; the money it leaves may let more in.  ``request_changes``
takes X out of contention without being a departure (the issue names reject, defer, approve).
Without a pinned ranking nothing departs.
"""
import calendar
import datetime as dt
import math
from dataclasses import dataclass

from cxgov.scoring.portfolio import rank_order_fill

DEPARTING_REFUSALS = ("reject", "defer")
CHOICES = ("approve", "reject", "abstain")


# ------------------------------------------------------------------ recusal
@dataclass(frozen=True)
class Stakes:
    """Who has a stake in an initiative: its sponsor, owner, and the teams that own
    (``team_id``) or contribute to it, as ``(team_id, name, lead_email)`` in id order."""
    initiative_id: int
    sponsor_id: object
    owner_id: object
    team_id: int
    teams: tuple = ()


def recusal_reason(member_id, email, stakes):
    """Why the member may not vote on the initiative (None when they may)."""
    if member_id == stakes.sponsor_id:
        return f"{email} sponsors initiative {stakes.initiative_id}"
    if member_id == stakes.owner_id:
        return f"{email} owns initiative {stakes.initiative_id}"
    for team_id, name, lead_email in stakes.teams:
        if (lead_email or "").lower() == email.lower():
            role = "owns" if team_id == stakes.team_id else "contributes to"
            return f"{email} leads team {name}, which {role} initiative {stakes.initiative_id}"
    return None


def recusals(members, stakes):
    """``{member_id: reason}`` for the recused among ``members`` [(id, email)]."""
    found = {}
    for member_id, email in members:
        reason = recusal_reason(member_id, email, stakes)
        if reason is not None:
            found[member_id] = reason
    return found


# ------------------------------------------------------------------ quorum and majority
def quorum_needed(eligible):
    """Votes needed for quorum: a majority of the ``eligible`` (non-recused) members."""
    return eligible // 2 + 1 if eligible else 1


def two_thirds_needed(eligible):
    """Approvals a supermajority needs: two thirds of the ``eligible`` members, rounded up."""
    return math.ceil(2 * eligible / 3) if eligible else 1


@dataclass(frozen=True)
class Tally:
    """The votes on one initiative as they stand (stored on the decision as ``as_dict()``)."""
    board: int
    eligible: int
    recused: tuple  # ((member_id, reason), …) in board order
    approve: int
    reject: int
    abstain: int

    @property
    def votes_cast(self):
        return self.approve + self.reject + self.abstain

    @property
    def quorum_needed(self):
        return quorum_needed(self.eligible)

    @property
    def quorum(self):
        return self.votes_cast >= self.quorum_needed

    @property
    def majority_approves(self):
        return self.approve > self.reject

    @property
    def majority_rejects(self):
        return self.reject > self.approve

    @property
    def two_thirds_needed(self):
        return two_thirds_needed(self.eligible)

    def as_dict(self):
        return {
            "board": self.board, "eligible": self.eligible,
            "recused": [{"member_id": m, "reason": r} for m, r in self.recused],
            "votes_cast": self.votes_cast, "approve": self.approve, "reject": self.reject, "abstain": self.abstain,
            "quorum_needed": self.quorum_needed, "quorum": self.quorum,
            "majority_approves": self.majority_approves, "majority_rejects": self.majority_rejects,
            "two_thirds_needed": self.two_thirds_needed,
        }


def tally(members, votes, recusals):
    """The tally of ``votes`` ``{member_id: choice}`` by the board ``members`` (ids, board
    order) with ``recusals`` ``{member_id: reason}``: votes of the recused and of people no
    longer on the board are not counted."""
    eligible = [m for m in members if m not in recusals]
    counted = [votes[m] for m in eligible if m in votes]
    return Tally(board=len(members), eligible=len(eligible),
                 recused=tuple((m, recusals[m]) for m in members if m in recusals),
                 approve=counted.count("approve"), reject=counted.count("reject"), abstain=counted.count("abstain"))


def needs_supermajority(outcome, amount, supermajority_above):
    """Is this an approval above the round's threshold?"""
    return outcome == "approve" and supermajority_above is not None and amount > supermajority_above


def override_kinds(votes, outcome, amount=None, supermajority_above=None):
    """The vote rules deciding ``outcome`` breaks, in order: quorum, majority, threshold."""
    kinds = []
    if not votes.quorum:
        kinds.append("quorum")
    if (outcome == "approve" and not votes.majority_approves) or (outcome == "reject" and votes.majority_approves):
        kinds.append("majority")
    if needs_supermajority(outcome, amount, supermajority_above) and votes.approve < votes.two_thirds_needed:
        kinds.append("threshold")
    return kinds


def override_given(kinds, override, rationale):
    """Does the chair's override cover ``kinds``? (none needed, or override with a rationale)"""
    return not kinds or bool(override and rationale)


def explain(kind, votes):
    """One override kind, in words, with the figures."""
    return {
        "quorum": f"no quorum: {votes.votes_cast} of the {votes.quorum_needed} votes needed",
        "majority": f"against the votes: {votes.approve} approve, {votes.reject} reject",
        "threshold": f"above the round's threshold: {votes.approve} approvals of the "
                     f"{votes.two_thirds_needed} needed",
    }[kind]


# ------------------------------------------------------------------ departure from the ranking


@dataclass(frozen=True)
class RankingDeparture:
    departs: bool
    funded_by_fill: bool  # did the fill given the decisions so far fund the initiative?
    displaces: tuple = ()
    makes_room_for: tuple = ()

    def record(self):
        """What the decision stores (None when it follows the ranking)."""
        if not self.departs:
            return None
        return {"kind": "ranking_departure", "funded_by_fill": self.funded_by_fill,
                "displaces": list(self.displaces), "makes_room_for": list(self.makes_room_for)}


def funded_by_fill(ranked, undecided, remaining):
    """Initiative ids the rank-order fill funds among ``undecided`` with ``remaining``.

    ``ranked`` is ``[(initiative_id, requested_amount), …]`` best first.
    """
    rows = [(iid, amount) for iid, amount in ranked if iid in undecided]
    if not rows:
        return set()
    fill = rank_order_fill(list(range(len(rows))), [amount for _, amount in rows], max(remaining, 0))
    return {rows[i][0] for i in fill.funded_order.tolist()}


def ranking_departure(ranked, undecided, remaining, initiative_id, outcome, approved_amount=None):
    """Does deciding ``initiative_id`` with ``outcome`` depart from the ranking?

    Parameters
    ----------
    ranked : sequence of (int, int)
        The pinned ranking's ``(initiative_id, requested_amount)``, best first; empty when
        the round has no pinned ranking.
    undecided : collection of int
        The round's initiatives without a decision yet (``initiative_id`` among them).
    remaining : int
        Budget − committed before this decision, minor units.
    outcome : str
        approve, reject, defer or request_changes.
    approved_amount : int, optional
        For approvals.

    Returns
    -------
    RankingDeparture
    """
    if not ranked:
        return RankingDeparture(False, False)
    undecided = set(undecided) | {initiative_id}
    before = funded_by_fill(ranked, undecided, remaining)
    after_remaining = remaining - (approved_amount or 0) if outcome == "approve" else remaining
    after = funded_by_fill(ranked, undecided - {initiative_id}, after_remaining)
    funded = initiative_id in before
    departs = (outcome == "approve" and not funded) or (outcome in DEPARTING_REFUSALS and funded)
    return RankingDeparture(departs, funded, tuple(sorted(before - after - {initiative_id})),
                            tuple(sorted(after - before - {initiative_id})))


def add_months(day, months):
    """``day`` plus ``months`` calendar months, clamped to the month's last day (Jan 31 + 1 → Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_fiscal_quarter(fiscal_year, fiscal_quarter):
    """(year, quarter) after the given one: Q4 of year y is followed by Q1 of y + 1."""
    return (fiscal_year + 1, 1) if fiscal_quarter == 4 else (fiscal_year, fiscal_quarter + 1)
