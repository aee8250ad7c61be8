"""Exact checks, repairs and cuts: a rounded solver point checked in integers (money) and
decimals (floors); an infeasible one either repaired by moving whole minor units among its
partly funded rows, or excluded by a cut no exactly feasible point breaks."""

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class Candidate:
    """A rounded solver point checked in exact arithmetic."""

    selected: np.ndarray
    amounts: np.ndarray      # int64 minor units
    fractions: np.ndarray
    value: float


@dataclass(frozen=True)
class Breach:
    """The first constraint a candidate breaks, exactly: ``excess`` minor units over a money
    row, or a floor missed by ``excess`` (a Fraction)."""

    kind: str                # "money" or "floor"
    index: int               # position in model.money_rows / model.floor_rows
    excess: object


def first_breach(model, selected, amounts):
    """The first money row or floor that the point breaks in exact arithmetic, or None."""
    for k, money in enumerate(model.money_rows):
        spent = int(amounts[money.members].sum())
        if spent > money.limit:
            return Breach("money", k, spent - money.limit)
    for k, floor in enumerate(model.floor_rows):
        missed = floor.exact.deficit(selected, amounts, model.costs)
        if missed > 0:
            return Breach("floor", k, missed)
    return None


def feasible_binary(model, z):
    """Exact feasibility of an all-integer point (no partial funding)."""
    if np.any(z < model.lb) or np.any(z > model.ub):
        return False
    activity = model.A @ z
    ok = (activity >= model.row_lb - 1e-9) & (activity <= model.row_ub + 1e-9)
    for row in model.money_rows + model.floor_rows:
        ok[row.row] = True  # decided exactly below
    if not ok.all():
        return False
    selected = z[:model.n] > 0.5
    return first_breach(model, selected, np.where(selected, model.costs, 0)) is None


def candidate(spec, model, z):
    """Round the solver's point: binaries to 0/1, amounts to whole minor units within
    [least amount, cost] for funded divisible rows."""
    n = spec.n
    selected = z[:n] > 0.5
    amounts = np.where(selected, spec.costs, 0).astype(np.int64)
    if model.frac:
        rows = model.divisible
        raw = np.rint(np.clip(z[n:n + rows.size], 0.0, 1.0) * spec.costs[rows]).astype(np.int64)
        raw[np.isin(rows, model.whole)] = np.rint(z[n + rows.size:]).astype(np.int64)
        amounts[rows] = np.where(selected[rows], np.clip(raw, model.min_amounts[rows], spec.costs[rows]), 0)
    return make_candidate(spec, selected, amounts)


def make_candidate(spec, selected, amounts):
    fractions = selected.astype(np.float64)
    part = selected & (amounts < spec.costs)
    fractions[part] = amounts[part] / spec.costs[part]
    return Candidate(selected, amounts, fractions, float(np.dot(spec.values, fractions)))


def repair_amounts(spec, model, cand):
    """Move whole minor units among the funded divisible rows until every money row and floor
    holds exactly; None if this greedy pass cannot. The funded set does not change."""
    amounts = cand.amounts.copy()
    rows = model.divisible[cand.selected[model.divisible]]
    lo, costs, values = model.min_amounts, spec.costs, spec.values
    for _ in range(4 * (len(model.money_rows) + len(model.floor_rows)) + 4):
        breach = first_breach(model, cand.selected, amounts)
        if breach is None:
            return make_candidate(spec, cand.selected, amounts)
        if breach.kind == "money":
            members = np.intersect1d(rows, model.money_rows[breach.index].members)
            excess = int(breach.excess)
            for i in members[np.argsort(values[members] / costs[members], kind="stable")].tolist():
                take = min(excess, int(amounts[i] - lo[i]))
                amounts[i] -= take
                excess -= take
                if not excess:
                    break
            if excess:
                return None
        else:
            if not _raise_floor(model, model.floor_rows[breach.index].exact, rows, amounts, breach.excess):
                return None
    return None


def _money_room(model, amounts, row):
    """Whole minor units row ``row`` may still receive in every money row it belongs to."""
    room = int(model.costs[row] - amounts[row])
    for money in model.money_rows:
        if row in money.members:
            room = min(room, money.limit - int(amounts[money.members].sum()))
    return max(room, 0)


def _raise_floor(model, floor, rows, amounts, missed):
    """Close a floor's deficit by adding units to rows that help it (while money allows) or
    removing units from rows that hurt it; in place; True when closed."""
    costs, lo = model.costs, model.min_amounts
    for i in sorted(rows.tolist(), key=lambda r: -abs(floor.numerators[r]) / max(int(costs[r]), 1)):
        per_unit = Fraction(floor.numerators[i], floor.denominator * int(costs[i]))
        if per_unit == 0:
            continue
        room = _money_room(model, amounts, i) if per_unit > 0 else int(amounts[i] - lo[i])
        units = min(room, math.ceil(missed / abs(per_unit)))
        amounts[i] += units if per_unit > 0 else -units
        missed -= units * abs(per_unit)
        if missed <= 0:
            return True
    return False


def cover_cuts(model, selected, money):
    """Cuts for a money row the funded set overspends even at its least amounts (else []).

    With C a cover (a set whose least amounts exceed the limit) and E the row's members
    costing at least C's dearest, any |C| rows of E overspend: ``sum(x[E]) <= |C| - 1``.
    With F the cover without its cheapest row and K every other member that would overspend
    together with F, ``|K| * sum(x[F]) + sum(x[K]) <= |K| * |F|``: funding all of F leaves no
    room for any row of K. Both hold for every exactly feasible set; the second excludes in
    one round every set made of F and one such row (a large row plus any of many small
    ones, each a few minor units over, is the case that needs it).
    """
    least = model.min_amounts
    members = money.members[selected[money.members]]
    if int(least[members].sum()) <= money.limit:
        return []
    cover, total = [], 0
    for i in members[np.argsort(-least[members], kind="stable")].tolist():
        cover.append(i)
        total += int(least[i])
        if total > money.limit:
            break
    for i in sorted(cover, key=lambda r: least[r]):  # drop rows the cover does not need
        if len(cover) > 1 and total - int(least[i]) > money.limit:
            cover.remove(i)
            total -= int(least[i])
    dearest = max(int(least[i]) for i in cover)
    lifted = set(cover) | set(money.members[least[money.members] >= dearest].tolist())
    cuts = [({int(i): 1.0 for i in sorted(lifted)}, len(cover) - 1)]
    rest = sorted(cover, key=lambda r: least[r])[1:]
    if rest:
        room = money.limit - int(least[rest].sum())
        others = np.setdiff1d(money.members[least[money.members] > room], rest)
        if others.size > 1:
            coefs = {int(i): float(others.size) for i in rest}
            coefs.update({int(k): 1.0 for k in others.tolist()})
            cuts.append((coefs, others.size * len(rest)))
    return cuts


def no_good_cut(selected):
    """``sum(x[S]) - sum(x[not S]) <= |S| - 1``: excludes exactly the funded set S."""
    coefs = {i: (1.0 if s else -1.0) for i, s in enumerate(selected.tolist())}
    return coefs, int(selected.sum()) - 1

