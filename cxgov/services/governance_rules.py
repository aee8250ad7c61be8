"""The board's rules as pure functions over plain values (no database, no clock).

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
from dataclasses import dataclass

from cxgov.scoring.portfolio import rank_order_fill

DEPARTING_REFUSALS = ("reject", "defer")


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
