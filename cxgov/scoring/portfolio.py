"""Funding portfolio: the exact value-maximizing set within a budget, the efficient frontier,
the rank-order fill a board would do by hand, and the difference between the two.

Money is integer minor units throughout: costs, budgets, amounts and totals are ``int`` /
``int64``; the solver sees scaled floats, and every money total it returns is recomputed and
checked in integers.

Exactness. HiGHS accepts a point that breaks a row by up to ~1e-7 of the row: with money near
10^9-10^13 a set a few minor units (up to ~10^6 at 10^13) over the budget looks feasible, and
tightening the row by the overshoot stays inside that tolerance. So the solver is used as an
oracle over a region that contains every exactly feasible point, and exactness is decided
here (:func:`_solve_exactly`): each answer is rounded and checked exactly (money in integers,
floors in decimals, :mod:`._exact`); an exactly infeasible answer is excluded by a cut that no
exactly feasible point breaks (a lifted cover inequality for an overspent money row: with C a
set whose least amounts exceed the limit and E the row's members costing at least C's
dearest, ``sum(x[E]) <= |C| - 1``; a no-good cut for a set that misses a floor) and the model
is solved again. The first exactly feasible answer is optimal (to HiGHS's value gap at
``mip_rel_gap=0``), whatever the money scale.

Shares are decimals: a cap allows ``floor(Fraction(str(share)) * budget)`` minor units (rounded
down), a partly funded row receives at least ``ceil(Fraction(str(min_share)) * cost)`` (rounded
up). A floor's impacts and minimum are read as decimals too and met exactly.

Partial funding, defined in minor units: a funded divisible row receives a whole number of
minor units ``a`` with ``ceil(share * cost) <= a <= cost`` and counts ``a / cost`` of its value
and impacts; the optimum is the best such amount vector meeting every constraint exactly.
Rows costing up to 10^6 minor units get an integer amount variable, so the solver optimizes
over whole units. Above that one unit is below the solver's resolution: the share is a
continuous variable, rounded to whole units and repaired by moving units among the funded
rows (an overspend is taken from the rows of lowest value per unit, as the continuous optimum
at the exact limit would; a missed floor is closed by the rows that move it most per unit),
which costs at most the value of the units moved. If a repair fails, the broken row is moved
inward by at least 1e-6 of itself and the model solved again: exact feasibility still holds,
optimality then only to that margin.
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.sparse import coo_array, csc_array, vstack

from ._exact import ExactFloor, min_amounts, share_limit
from ._highs import quiet_stdout, solve_lp, solve_milp
from ._validate import as_budget, as_costs, as_row_indices

__all__ = [
    "InfeasiblePortfolio",
    "Portfolio",
    "Frontier",
    "Fill",
    "PortfolioDiff",
    "optimize_portfolio",
    "efficient_frontier",
    "rank_order_fill",
    "portfolio_diff",
]


_FRONTIER_CHAINS = 2


class InfeasiblePortfolio(ValueError):
    """No funded set satisfies the constraints; the message names the conflict."""


def _frozen(array):
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Portfolio:
    """An optimal funded set.

    Attributes
    ----------
    selected : ndarray of bool, shape (n,)
        Funded rows (fully or partly).
    fractions : ndarray of float, shape (n,)
        Funded share per row: 1 for fully funded, ``amounts / costs`` for partly funded rows,
        0 otherwise.
    amounts : ndarray of int64, shape (n,)
        Funded amount per row in minor units.
    total_value : float
        ``sum(values * fractions)``.
    total_cost : int
        ``sum(amounts)`` in minor units, never above the budget.
    budget : int
    status : str
        ``"optimal"``, or ``"time_limit"`` when a time limit stopped the solver with a
        feasible but unproven set.
    """

    selected: np.ndarray
    fractions: np.ndarray
    amounts: np.ndarray
    total_value: float
    total_cost: int
    budget: int
    status: str

    @property
    def indices(self):
        """Funded row indices, ascending."""
        return np.flatnonzero(self.selected)


@dataclass(frozen=True)
class Frontier:
    """Best total value at each budget level (levels sorted ascending, duplicates removed).

    Attributes
    ----------
    budgets : ndarray of int64, shape (L,)
    values : ndarray of float, shape (L,)
        Best total value; 0.0 where infeasible.
    costs : ndarray of int64, shape (L,)
        Cost of the optimal set at each level.
    selected : ndarray of bool, shape (L, n)
    feasible : ndarray of bool, shape (L,)
    reasons : tuple of str
        Empty string where feasible, else why not (e.g. must-fund rows over the budget).
    """

    budgets: np.ndarray
    values: np.ndarray
    costs: np.ndarray
    selected: np.ndarray
    feasible: np.ndarray
    reasons: tuple


@dataclass(frozen=True)
class Fill:
    """Result of filling a budget in rank order.

    Attributes
    ----------
    selected : ndarray of bool, shape (n,)
    funded_order : ndarray of int64
        Funded rows in the order they were funded.
    skipped : ndarray of int64
        Rows passed over (in rank order) because they did not fit the remaining budget.
    total_cost : int
    remaining : int
        ``budget - total_cost``.
    """

    selected: np.ndarray
    funded_order: np.ndarray
    skipped: np.ndarray
    total_cost: int
    remaining: int


@dataclass(frozen=True)
class PortfolioDiff:
    """How two funded sets differ (typically the optimum and the rank-order fill).

    Attributes
    ----------
    only_optimal, only_fill, both : ndarray of int64
        Row indices, ascending.
    value_optimal, value_fill : float or None
        Total values of the two sets (when ``values`` were given).
    cost_optimal, cost_fill : int or None
        Total costs (when ``costs`` were given).
    """

    only_optimal: np.ndarray
    only_fill: np.ndarray
    both: np.ndarray
    value_optimal: float | None = None
    value_fill: float | None = None
    cost_optimal: int | None = None
    cost_fill: int | None = None


# --------------------------------------------------------------------------------------------
# Input validation


def _as_values(values):
    try:
        v = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be numeric: {exc}") from None
    if v.ndim != 1:
        raise ValueError(f"values must be 1-D (one per row), got shape {v.shape}")
    bad = ~np.isfinite(v)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"values: row {row} is {float(v[row])!r}; values must be finite")
    return v


def _as_pairs(pairs, n, argname):
    out = []
    for item in pairs or ():
        try:
            i, j = item
        except (TypeError, ValueError):
            raise ValueError(f"{argname}: {item!r} is not a pair of row indices") from None
        i, j = as_row_indices([i, j], n, argname=argname)
        if i == j:
            raise ValueError(f"{argname}: pair ({i}, {j}) names the same row twice")
        out.append((int(i), int(j)))
    return out


@dataclass
class _Spec:
    """Validated constraints (plain Python, shared by the model builder and the diagnosis)."""

    n: int
    values: np.ndarray
    costs: np.ndarray
    requires: list
    excludes: list
    groups: list
    must_fund: np.ndarray
    must_not_fund: np.ndarray
    min_share: np.ndarray | None
    group_caps: list
    floors: list


def _spec(values, costs, requires, excludes, groups_all_or_none, must_fund, must_not_fund,
          partial, group_caps, floors):
    v = _as_values(values)
    n = v.shape[0]
    c = as_costs(costs, n)
    groups = []
    for gi, group in enumerate(groups_all_or_none or ()):
        members = as_row_indices(group, n, argname=f"groups_all_or_none[{gi}]")
        if len(members) < 2:
            continue
        groups.append(np.unique(members))
    min_share = None
    if partial is not None:
        min_share = np.asarray(partial, dtype=np.float64)
        if min_share.ndim == 0:
            min_share = np.full(n, float(min_share))
        if min_share.shape != (n,):
            raise ValueError(f"partial must be one minimum share per row ({n}), got shape {min_share.shape}")
        bad = ~(np.isfinite(min_share) & (min_share > 0) & (min_share <= 1))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"partial: row {row} has minimum share {float(min_share[row])!r}; need 0 < share <= 1 "
                "(1 = not divisible)"
            )
    caps = []
    for ci, cap in enumerate(group_caps or ()):
        try:
            members, share = cap
        except (TypeError, ValueError):
            raise ValueError(f"group_caps[{ci}] must be (member_rows, max_share_of_budget)") from None
        members = np.unique(as_row_indices(members, n, argname=f"group_caps[{ci}]"))
        share = float(share)
        if not (np.isfinite(share) and share >= 0):
            raise ValueError(f"group_caps[{ci}] has share {share!r}; need a finite share >= 0")
        caps.append((members, share))
    floor_list = []
    for fi, floor in enumerate(floors or ()):
        try:
            impact, minimum = floor
        except (TypeError, ValueError):
            raise ValueError(f"floors[{fi}] must be (impact_per_row, minimum)") from None
        impact = np.asarray(impact, dtype=np.float64)
        if impact.shape != (n,) or not np.isfinite(impact).all():
            raise ValueError(f"floors[{fi}]: impact must be {n} finite numbers, got shape {impact.shape}")
        minimum = float(minimum)
        if not np.isfinite(minimum):
            raise ValueError(f"floors[{fi}] has minimum {minimum!r}; need a finite number")
        floor_list.append((impact, minimum))
    return _Spec(
        n=n,
        values=v,
        costs=c,
        requires=_as_pairs(requires, n, "requires"),
        excludes=_as_pairs(excludes, n, "excludes"),
        groups=groups,
        must_fund=np.unique(as_row_indices(must_fund or (), n, argname="must_fund")),
        must_not_fund=np.unique(as_row_indices(must_not_fund or (), n, argname="must_not_fund")),
        min_share=min_share,
        group_caps=caps,
        floors=floor_list,
    )


# --------------------------------------------------------------------------------------------
# Infeasibility diagnosis: clear messages for the conflicts a board actually makes


def _closure(seeds, edges, n):
    """Rows reachable from seeds along edges (adjacency lists); parent pointers explain why."""
    parent = np.full(n, -2, dtype=np.int64)
    stack = []
    for s in seeds:
        if parent[s] == -2:
            parent[s] = -1
            stack.append(int(s))
    while stack:
        i = stack.pop()
        for j in edges[i]:
            if parent[j] == -2:
                parent[j] = i
                stack.append(j)
    return parent >= -1, parent


def _chain(parent, row):
    path = [row]
    while parent[path[-1]] >= 0:
        path.append(int(parent[path[-1]]))
    return path[::-1]


def _via(path):
    """' (via rows 4, 7)' for the intermediate rows of a dependency chain."""
    middle = path[1:-1]
    return f" (through rows {', '.join(str(p) for p in middle)})" if middle else ""


def _describe_chain(path, kind):
    if len(path) == 1:
        return f"{kind} row {path[0]}"
    return f"{kind} row {path[0]} needs it{_via(path)}"


def _diagnose_static(spec, budget):
    """Conflicts provable without the solver; returns a message or None."""
    n = spec.n
    needs = [[] for _ in range(n)]      # i needs j: funding i forces j
    needed_by = [[] for _ in range(n)]  # j refused forces i refused
    for i, j in spec.requires:
        needs[i].append(j)
        needed_by[j].append(i)
    for group in spec.groups:
        for a in group:
            for b in group:
                if a != b:
                    needs[a].append(int(b))
                    needed_by[a].append(int(b))
    forced, fparent = _closure(spec.must_fund, needs, n)
    refused, rparent = _closure(spec.must_not_fund, needed_by, n)
    clash = np.flatnonzero(forced & refused)
    if clash.size:
        row = int(clash[0])
        fchain, rchain = _chain(fparent, row), _chain(rparent, row)
        forced_part = (
            f"row {row} is must-fund" if len(fchain) == 1
            else f"must-fund row {fchain[0]} needs row {row}{_via(fchain)}"
        )
        refused_part = (
            f"row {row} is must-not-fund" if len(rchain) == 1
            else f"row {row} needs must-not-fund row {rchain[0]}{_via(rchain)}"
        )
        return f"{forced_part}, but {refused_part}"
    for i, j in spec.excludes:
        if forced[i] and forced[j]:
            return (
                f"rows {i} and {j} exclude each other but both must be funded "
                f"(row {i}: {_describe_chain(_chain(fparent, i), 'must-fund')}; "
                f"row {j}: {_describe_chain(_chain(fparent, j), 'must-fund')})"
            )
    least_amount = min_amounts(spec.min_share, spec.costs)
    forced_rows = np.flatnonzero(forced)
    least = int(least_amount[forced_rows].sum())
    if least > budget:
        return (
            f"must-fund rows {forced_rows.tolist()} (with the rows they need) cost at least {least}, "
            f"over the budget of {budget}"
        )
    for ci, (members, cap_share) in enumerate(spec.group_caps):
        in_cap = members[forced[members]]
        least_cap = int(least_amount[in_cap].sum())
        limit = share_limit(cap_share, budget)
        if least_cap > limit:
            return (
                f"group cap {ci} allows {cap_share:g} of the budget ({limit}) but its "
                f"must-fund rows {in_cap.tolist()} cost at least {least_cap}"
            )
    allowed = ~refused
    for fi, (impact, minimum) in enumerate(spec.floors):
        exact = ExactFloor.of(impact, minimum)
        reachable = allowed & (impact > 0)
        if exact.deficit(reachable, spec.costs, spec.costs) > 0:
            best = float(np.clip(impact[allowed], 0, None).sum())
            return (
                f"floor {fi} asks for at least {minimum:g} but funding every allowed row with a positive "
                f"impact reaches only {best:g}"
            )
    return None


# --------------------------------------------------------------------------------------------
# Model


@dataclass
class _Model:
    c: np.ndarray            # minimize c @ z
    integrality: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    A: csc_array
    row_lb: np.ndarray
    row_ub: np.ndarray
    n: int
    frac: bool               # z = [x, f, u]: shares of the divisible rows, integer amounts of some
    money_rows: list         # _MoneyRow per budget / cap row
    floor_rows: list         # _FloorRow per floor
    _costs: np.ndarray = None
    _last_status: str = "optimal"
    divisible: np.ndarray = None   # rows funded by an integer amount u (partial funding)
    min_amounts: np.ndarray = None  # least amount per row when funded (= cost if not divisible)
    scale: float = 1.0
    whole: np.ndarray = None        # divisible rows with an integer amount variable


@dataclass(frozen=True)
class _MoneyRow:
    row: int                 # index in the model's rows
    members: np.ndarray
    limit: int               # minor units, exact


@dataclass(frozen=True)
class _FloorRow:
    row: int
    exact: ExactFloor
    unit: float              # the row is scaled by 1 / unit


@dataclass(frozen=True)
class _Candidate:
    """A rounded solver point checked in exact arithmetic."""

    selected: np.ndarray
    amounts: np.ndarray      # int64 minor units
    fractions: np.ndarray
    value: float


@dataclass(frozen=True)
class _Breach:
    """The first constraint a candidate breaks, exactly: ``excess`` minor units over a money
    row, or a floor missed by ``excess`` (a Fraction)."""

    kind: str                # "money" or "floor"
    index: int               # position in model.money_rows / model.floor_rows
    excess: object


# Divisible rows up to this cost get an integer amount variable, so the solver's optimum is
# the optimum over whole minor units; above it one minor unit is below the solver's
# resolution (HiGHS drops coefficients below 1e-9, as 1/cost would be), so the share is
# continuous, rounded and repaired (module docstring).
_INTEGER_AMOUNT_MAX = 10**6


def _build_model(spec, budget):  # noqa: C901 - one row family per block
    n = spec.n
    lo = min_amounts(spec.min_share, spec.costs)
    divisible = np.flatnonzero((lo < spec.costs) & (spec.costs > 0)) if spec.min_share is not None else np.zeros(0, np.int64)
    whole = divisible[spec.costs[divisible] <= _INTEGER_AMOUNT_MAX]
    frac = bool(divisible.size)
    nvar = n + divisible.size + whole.size
    share_col = np.full(n, -1, dtype=np.int64)
    share_col[divisible] = n + np.arange(divisible.size)
    rows, cols, vals, row_lb, row_ub = [], [], [], [], []
    r = 0
    scale = float(max(budget, int(spec.costs.max()) if n else 0, 1))

    def add(coefs, lo_, hi):
        nonlocal r
        for col, val in coefs:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        row_lb.append(lo_)
        row_ub.append(hi)
        r += 1
        return r - 1

    def funded(members, per_row):
        """Coefficients of sum(per_row[i] * funded share of i): on the share f_i of a divisible
        row, on x_i otherwise."""
        col = np.where(share_col[members] >= 0, share_col[members], members)
        keep = per_row[members] != 0
        return zip(col[keep].tolist(), per_row[members][keep].tolist())

    money_rows = []
    for members, limit in [(np.arange(n), budget)] + [
        (members, share_limit(share, budget)) for members, share in spec.group_caps
    ]:
        idx = add(funded(members, spec.costs / scale), -np.inf, limit / scale)
        money_rows.append(_MoneyRow(idx, members, limit))
    for i, j in spec.requires:
        add([(i, 1.0), (j, -1.0)], -np.inf, 0.0)
    for i, j in spec.excludes:
        add([(i, 1.0), (j, 1.0)], -np.inf, 1.0)
    for group in spec.groups:
        for a, b in zip(group[:-1], group[1:]):
            add([(int(a), 1.0), (int(b), -1.0)], 0.0, 0.0)
    floor_rows = []
    for impact, minimum in spec.floors:
        # Scaled to max(1, |minimum|); met exactly (decimal arithmetic) after the solve.
        unit = max(1.0, abs(minimum))
        idx = add(funded(np.flatnonzero(impact), impact / unit), minimum / unit, np.inf)
        floor_rows.append(_FloorRow(idx, ExactFloor.of(impact, minimum), unit))
    for i in divisible.tolist():  # (lo_i / c_i) x_i <= f_i <= x_i
        f = int(share_col[i])
        add([(f, 1.0), (i, -1.0)], -np.inf, 0.0)
        add([(i, float(lo[i] / spec.costs[i])), (f, -1.0)], -np.inf, 0.0)
    for k, i in enumerate(whole.tolist()):  # u_i / c_i = f_i, u_i integer
        add([(n + divisible.size + k, 1.0 / float(spec.costs[i])), (int(share_col[i]), -1.0)], 0.0, 0.0)
    A = coo_array((vals, (rows, cols)), shape=(r, nvar)).tocsc()
    c = np.zeros(nvar)
    c[:n] = -spec.values
    c[divisible] = 0.0
    c[share_col[divisible]] = -spec.values[divisible]
    integrality = np.ones(nvar)
    integrality[n:n + divisible.size] = 0
    lb = np.zeros(nvar)
    ub = np.ones(nvar)
    ub[n + divisible.size:] = spec.costs[whole]
    lb[spec.must_fund] = 1.0
    ub[spec.must_not_fund] = 0.0
    return _Model(c, integrality, lb, ub, A, np.asarray(row_lb, float), np.asarray(row_ub, float), n, frac,
                  money_rows, floor_rows, spec.costs, divisible=divisible, min_amounts=lo, scale=scale,
                  whole=whole)


def _add_row(model, coefs, hi):
    """Append the row ``coefs @ z <= hi`` (a cut) to the model."""
    extra = coo_array((list(coefs.values()), ([0] * len(coefs), list(coefs.keys()))), shape=(1, model.c.shape[0]))
    model.A = vstack([model.A, extra]).tocsc()
    model.row_lb = np.append(model.row_lb, -np.inf)
    model.row_ub = np.append(model.row_ub, float(hi))


# --------------------------------------------------------------------------------------------
# Exact checks, repairs and cuts


def _first_breach(model, selected, amounts):
    """The first money row or floor that the point breaks in exact arithmetic, or None."""
    for k, money in enumerate(model.money_rows):
        spent = int(amounts[money.members].sum())
        if spent > money.limit:
            return _Breach("money", k, spent - money.limit)
    for k, floor in enumerate(model.floor_rows):
        missed = floor.exact.deficit(selected, amounts, model._costs)
        if missed > 0:
            return _Breach("floor", k, missed)
    return None


def _feasible_binary(model, z):
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
    return _first_breach(model, selected, np.where(selected, model._costs, 0)) is None


def _candidate(spec, model, z):
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
    return _make_candidate(spec, selected, amounts)


def _make_candidate(spec, selected, amounts):
    fractions = selected.astype(np.float64)
    part = selected & (amounts < spec.costs)
    fractions[part] = amounts[part] / spec.costs[part]
    return _Candidate(selected, amounts, fractions, float(np.dot(spec.values, fractions)))


def _repair_amounts(spec, model, cand):
    """Move whole minor units among the funded divisible rows until every money row and floor
    holds exactly; None if this greedy pass cannot. The funded set does not change."""
    amounts = cand.amounts.copy()
    rows = model.divisible[cand.selected[model.divisible]]
    lo, costs, values = model.min_amounts, spec.costs, spec.values
    for _ in range(4 * (len(model.money_rows) + len(model.floor_rows)) + 4):
        breach = _first_breach(model, cand.selected, amounts)
        if breach is None:
            return _make_candidate(spec, cand.selected, amounts)
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
    room = int(model._costs[row] - amounts[row])
    for money in model.money_rows:
        if row in money.members:
            room = min(room, money.limit - int(amounts[money.members].sum()))
    return max(room, 0)


def _raise_floor(model, floor, rows, amounts, missed):
    """Close a floor's deficit by adding units to rows that help it (while money allows) or
    removing units from rows that hurt it; in place; True when closed."""
    costs, lo = model._costs, model.min_amounts
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


def _cover_cuts(model, selected, money):
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


def _no_good_cut(selected):
    """``sum(x[S]) - sum(x[not S]) <= |S| - 1``: excludes exactly the funded set S."""
    coefs = {i: (1.0 if s else -1.0) for i, s in enumerate(selected.tolist())}
    return coefs, int(selected.sum()) - 1


def _tighten(model, breach):
    """Last resort for partial funding: move the broken row inward by its miss, and by at least
    one part in 10^6 of the row (far outside the solver's tolerance), so the next solve cannot
    return the same point."""
    if breach.kind == "money":
        money = model.money_rows[breach.index]
        model.row_ub[money.row] -= max(float(breach.excess), 1e-6 * max(money.limit, 1.0)) / model.scale
    else:
        floor = model.floor_rows[breach.index]
        model.row_lb[floor.row] += (float(breach.excess) + 1e-6 * floor.unit) / floor.unit


def _costs_of(model, members, z):
    return model._costs[members][z[members] > 0.5].sum()


def _greedy_incumbent(model, start, priority):
    """Round-down start, then add rows best-first while every constraint still holds.

    Adding one row only touches the rows of its column, checked incrementally; money rows in
    integers. Rows in all-or-none groups are never added alone (the equality would break).
    The result is checked exactly (floors in decimals) before it is used.
    """
    z = start.copy()
    if not _feasible_binary(model, z):
        return None
    A = model.A
    activity = A @ z
    money = {m.row: [int(_costs_of(model, m.members, z)), m.limit] for m in model.money_rows}
    costs = model._costs
    for j in priority:
        if z[j] > 0.5 or model.ub[j] < 0.5:
            continue
        start_ptr, end_ptr = A.indptr[j], A.indptr[j + 1]
        touched = A.indices[start_ptr:end_ptr]
        delta = A.data[start_ptr:end_ptr]
        new = activity[touched] + delta
        fits = True
        for t, value in zip(touched.tolist(), new.tolist()):
            if t in money:
                spent, limit = money[t]
                if spent + int(costs[j]) > limit:
                    fits = False
                    break
            elif value < model.row_lb[t] - 1e-9 or value > model.row_ub[t] + 1e-9:
                fits = False
                break
        if not fits:
            continue
        z[j] = 1.0
        activity[touched] = new
        for t in touched.tolist():
            if t in money:
                money[t][0] += int(costs[j])
    return z if _feasible_binary(model, z) else None


def _solve_model(model, incumbent=None, *, reduce=True, time_limit=None, presolve=True):
    """Exact MILP solve, optionally shrunk by reduced-cost fixing around an incumbent.

    Reduced-cost fixing: with U the LP-relaxation optimum and L the value of a feasible
    incumbent, a binary at bound in the LP whose reduced cost r_j exceeds U - L cannot flip in
    any solution worth at least L (the LP bound with it flipped is at most U - r_j < L), so it is
    fixed and dropped before HiGHS runs. The incumbent is itself such a solution, so the smaller
    problem keeps every optimum.
    """
    n = model.n
    fixed = np.zeros(model.c.shape[0], dtype=bool)
    fixed_value = np.zeros(model.c.shape[0])
    best_z, best_value = None, -np.inf
    if reduce and not model.frac:
        lp = solve_lp(model.c, model.lb, model.ub, model.A, model.row_lb, model.row_ub)
        if lp.status == 2:
            return None  # LP infeasible -> MILP infeasible
        if lp.status == 0:
            x = lp.x
            candidates = []
            if incumbent is not None and _feasible_binary(model, incumbent):
                candidates.append(incumbent)
            rounded = np.where(x >= 1 - 1e-9, 1.0, 0.0)
            lower = np.asarray(lp.lower.marginals)
            upper = np.asarray(lp.upper.marginals)
            reduced = np.where(x <= 1e-9, lower, np.where(x >= 1 - 1e-9, -upper, 0.0))
            value_per_cost = -model.c / np.maximum(model._costs, 1)
            priority = np.lexsort((np.arange(n), -value_per_cost, -np.where(x > 1e-9, x, 0)))
            greedy = _greedy_incumbent(model, rounded, priority)
            if greedy is not None:
                candidates.append(greedy)
            for z in candidates:
                value = float(-model.c @ z)
                if value > best_value:
                    best_z, best_value = z, value
            if best_z is not None:
                upper_bound = float(-lp.fun)
                gap = upper_bound - best_value
                margin = 1e-7 * max(1.0, abs(upper_bound))
                at_bound = (x <= 1e-9) | (x >= 1 - 1e-9)
                fix = at_bound & (reduced > gap + margin) & (model.lb < model.ub)
                fixed[fix] = True
                fixed_value[fix] = np.round(x[fix])
                if gap <= margin * 1e-3:  # the incumbent reaches the LP bound: optimal
                    fixed[:] = True
                    fixed_value = best_z.copy()
    free = ~fixed
    if not free.any():
        return fixed_value if best_z is None else best_z
    A = model.A
    shift = A[:, fixed] @ fixed_value[fixed] if fixed.any() else 0.0
    A_free = A[:, free]
    nonempty = np.diff(A_free.tocsr().indptr) > 0
    res = solve_milp(
        model.c[free], model.integrality[free], model.lb[free], model.ub[free],
        A_free.tocsr()[nonempty], (model.row_lb - shift)[nonempty], (model.row_ub - shift)[nonempty],
        time_limit=time_limit, presolve=presolve,
    )
    if res.x is None:
        if res.status == 2 and best_z is None:
            return None
        if best_z is not None:
            return best_z
        if res.status == 1:
            raise TimeoutError("the solver hit its time limit before finding any feasible set")
        raise RuntimeError(f"MILP solver failed: {res.message}")
    z = fixed_value.copy()
    z[free] = res.x
    z[:n] = np.round(z[:n])
    if best_z is not None and float(-model.c @ best_z) > float(-model.c @ z):
        z = best_z  # numerical noise only; never return worse than a known feasible set
    model._last_status = "time_limit" if res.status == 1 else "optimal"
    return z


# Cuts never remove an exactly feasible point, so the loop ends when the solver's answer is
# exactly feasible or the solver proves there is none; the bound only guards pathological
# inputs (thousands of distinct sets within the solver's tolerance of a limit).
_MAX_EXACT_ROUNDS = 500


def _solve_exactly(spec, model, incumbent=None, *, reduce=True, time_limit=None, presolve=True):
    """The optimum in exact arithmetic, or None when no point is exactly feasible.

    Each round solves the MILP (HiGHS may return a point that breaks a money row or a floor by
    up to its tolerance, ~1e-7 of the row), rounds it, and checks it exactly. An exactly
    feasible point is optimal: the solver searched a region that contains every exactly
    feasible point. Otherwise the point is excluded and the model solved again: a lifted cover
    cut for an overspent money row, a no-good cut for a set that misses a floor; with partial
    funding the amounts are first repaired by whole minor units.
    """
    for _ in range(_MAX_EXACT_ROUNDS):
        z = _solve_model(model, incumbent, reduce=reduce, time_limit=time_limit, presolve=presolve)
        if z is None:
            return None
        cand = _candidate(spec, model, z)
        breach = _first_breach(model, cand.selected, cand.amounts)
        if breach is None:
            return cand
        if model.frac:
            repaired = _repair_amounts(spec, model, cand)
            if repaired is not None:
                return repaired
        cuts = []
        if breach.kind == "money":
            cuts = _cover_cuts(model, cand.selected, model.money_rows[breach.index])
        elif not model.frac:
            cuts = [_no_good_cut(cand.selected)]
        for cut in cuts:
            _add_row(model, *cut)
        if not cuts:
            _tighten(model, breach)
        incumbent = None
    raise InfeasiblePortfolio(
        f"no exactly feasible set found after {_MAX_EXACT_ROUNDS} solver rounds: too many sets lie "
        "within the solver's tolerance of a budget, cap or floor"
    )

def _diagnose_by_relaxing(spec, budget, solve):
    """After the solver proves infeasibility: name the constraint family (and member) whose
    removal makes the problem feasible."""
    import dataclasses

    families = [
        ("floors", "floor"), ("group_caps", "group cap"), ("excludes", "exclusion"),
        ("groups", "all-or-none group"), ("requires", "dependency"),
    ]
    for attr, label in families:
        items = getattr(spec, attr)
        if not items:
            continue
        if solve(dataclasses.replace(spec, **{attr: []})) is None:
            continue
        for k in range(len(items)):
            trial = dataclasses.replace(spec, **{attr: items[:k] + items[k + 1:]})
            if solve(trial) is not None:
                what = items[k]
                if attr == "floors":
                    shown = f"(minimum {what[1]:g})"
                elif attr == "group_caps":
                    shown = f"(rows {what[0].tolist()}, at most {what[1]:g} of the budget)"
                elif attr == "groups":
                    shown = f"(rows {what.tolist()})"
                else:
                    shown = f"{what!r}"
                return f"{label} {k} {shown} cannot be met within the budget of {budget} together with the other constraints"
        return f"the {label}s together cannot be met within the budget of {budget} with the other constraints"
    return f"no funded set satisfies the constraints within the budget of {budget}"


def _optimize(spec, budget, *, incumbent=None, reduce=True, time_limit=None, presolve=True):
    """Solve one budget level exactly; returns (z, model, selected, fractions, amounts) or
    raises InfeasiblePortfolio."""
    reason = _diagnose_static(spec, budget)
    if reason is not None:
        raise InfeasiblePortfolio(reason)
    model = _build_model(spec, budget)
    cand = _solve_exactly(spec, model, incumbent, reduce=reduce, time_limit=time_limit, presolve=presolve)
    if cand is None:

        def feasible(trial):
            m = _build_model(trial, budget)
            return _solve_exactly(trial, m, None, reduce=False, time_limit=time_limit, presolve=presolve)

        raise InfeasiblePortfolio(_diagnose_by_relaxing(spec, budget, feasible))
    z = cand.selected.astype(np.float64)
    return z, model, cand.selected, cand.fractions, cand.amounts

def optimize_portfolio(
    values,
    costs,
    budget,
    *,
    requires=(),
    excludes=(),
    groups_all_or_none=(),
    must_fund=(),
    must_not_fund=(),
    partial=None,
    group_caps=(),
    floors=(),
    time_limit=None,
    quiet=True,
):
    """The funded set of greatest total value within a budget, solved exactly.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        Value of funding each row in full. The design uses the score from the benefit
        criteria only (the budget already charges the cost).
    costs : array_like of int, shape (n,)
        Cost of each row in integer minor units (floats are refused).
    budget : int
        Round budget in minor units.
    requires : sequence of (i, j)
        Row i can only be funded if row j is (i needs j).
    excludes : sequence of (i, j)
        Rows i and j are never both funded.
    groups_all_or_none : sequence of sequences of rows
        Each group is funded entirely or not at all.
    must_fund, must_not_fund : sequence of rows
    partial : float or array_like of float, shape (n,), optional
        Per row, the minimum share at which it may be funded (0 < share <= 1; 1 = only in
        full). A partly funded row receives a whole number of minor units ``a`` between
        ``ceil(share * cost)`` and ``cost`` (share read as a decimal) and brings
        ``a / cost`` of its value.
    group_caps : sequence of (member_rows, max_share)
        The members' funded amounts total at most ``max_share * budget`` (e.g. per focus area
        or team).
    floors : sequence of (impact, minimum)
        ``impact`` per row (e.g. the expected change of one CX metric when fully funded); the
        funded set must reach ``sum(impact * fractions) >= minimum`` exactly, impacts and
        minimum read as decimals (``0.1 + 0.2`` reaches ``0.3``).
    time_limit : float, optional
        Seconds; when hit with a feasible set the result has ``status="time_limit"``.
    quiet : bool, optional
        Keep HiGHS's stray native output off file descriptor 1 (default True; see
        :mod:`cxgov.scoring._highs` for the process-wide caveat).

    Returns
    -------
    Portfolio

    Raises
    ------
    InfeasiblePortfolio
        (a ValueError) naming the conflict: a row both must-fund and must-not-fund, a
        must-fund row needing a must-not-fund one, must-fund rows over the budget or a cap,
        mutually exclusive must-fund rows, an unreachable floor, or the constraint that makes
        the rest infeasible.
    ValueError
        On invalid input (non-integer money, NaN values, out-of-range rows, ...).

    Notes
    -----
    Maximize :math:`\\sum_i v_i f_i` subject to :math:`\\sum_i c_i f_i \\le B`,
    :math:`x_i \\le x_j` for dependencies, :math:`x_i + x_j \\le 1` for exclusions,
    equal :math:`x` within groups, caps and floors, with binary :math:`x` and
    :math:`f = x` (or :math:`s_i x_i \\le f_i \\le x_i` with partial funding). Solved with
    HiGHS through :func:`scipy.optimize.milp` at relative gap 0 (the default 1e-4 returns
    sub-optimal sets), after an exact reduced-cost fixing step that shrinks the problem around
    a feasible incumbent, then checked and, if need be, cut and re-solved in exact arithmetic
    (module docstring). Optimal to HiGHS's absolute gap (1e-6 of total value); money, caps
    and floors hold exactly.

    Examples
    --------
    >>> p = optimize_portfolio([0.9, 0.6, 0.5, 0.4], [600, 300, 300, 100], 700)
    >>> p.indices.tolist(), p.total_cost, round(p.total_value, 6)
    ([1, 2, 3], 700, 1.5)
    >>> optimize_portfolio([0.9, 0.6], [600, 300], 700, requires=[(0, 1)]).indices.tolist()
    [1]
    """
    budget = as_budget(budget)
    spec = _spec(values, costs, requires, excludes, groups_all_or_none, must_fund, must_not_fund,
                 partial, group_caps, floors)
    with quiet_stdout(quiet):
        z, model, selected, fractions, amounts = _optimize(spec, budget, time_limit=time_limit)
    return Portfolio(
        selected=_frozen(selected),
        fractions=_frozen(fractions),
        amounts=_frozen(amounts),
        total_value=float(np.dot(spec.values, fractions)),
        total_cost=int(amounts.sum()),
        budget=budget,
        status=model._last_status,
    )


def efficient_frontier(values, costs, budgets, *, quiet=True, **constraints):
    """Best total value at each of several budget levels.

    Parameters
    ----------
    values, costs
        As for :func:`optimize_portfolio`.
    budgets : sequence of int
        Budget levels in minor units (sorted and de-duplicated in the result).
    **constraints
        Any keyword of :func:`optimize_portfolio` (requires, excludes, caps, floors, ...). Caps
        are shares of each level's budget.

    Returns
    -------
    Frontier

    Notes
    -----
    Levels are solved from the smallest up, in two interleaved chains run on two threads;
    within a chain each level reuses the previous one: the previous optimal set is feasible
    at a larger budget (caps are shares of the budget, so they only loosen), so it seeds the
    reduced-cost fixing that shrinks the next problem.
    Without partial funding the best value is non-decreasing in the budget.

    Examples
    --------
    >>> f = efficient_frontier([0.9, 0.6, 0.5, 0.4], [600, 300, 300, 100], [700, 100, 1300])
    >>> f.budgets.tolist(), [round(float(v), 6) for v in f.values], f.costs.tolist()
    ([100, 700, 1300], [0.4, 1.5, 2.4], [100, 700, 1300])
    """
    levels = sorted({as_budget(b, argname="budgets") for b in budgets})
    if not levels:
        raise ValueError("budgets is empty; give at least one budget level")
    time_limit = constraints.pop("time_limit", None)
    spec = _spec(
        values, costs, constraints.pop("requires", ()), constraints.pop("excludes", ()),
        constraints.pop("groups_all_or_none", ()), constraints.pop("must_fund", ()),
        constraints.pop("must_not_fund", ()), constraints.pop("partial", None),
        constraints.pop("group_caps", ()), constraints.pop("floors", ()),
    )
    if constraints:
        raise ValueError(f"unknown constraint keyword(s): {', '.join(sorted(constraints))}")
    n = spec.n
    out_values = np.zeros(len(levels))
    out_costs = np.zeros(len(levels), dtype=np.int64)
    out_selected = np.zeros((len(levels), n), dtype=bool)
    feasible = np.zeros(len(levels), dtype=bool)

    def solve_chain(ks):
        incumbent = None
        for k in ks:
            try:
                z, model, selected, fractions, amounts = _optimize(
                    spec, levels[k], incumbent=incumbent, time_limit=time_limit
                )
            except InfeasiblePortfolio as exc:
                reasons[k] = str(exc)
                continue
            incumbent = None if model.frac else z
            out_values[k] = float(np.dot(spec.values, fractions))
            out_costs[k] = int(amounts.sum())
            out_selected[k] = selected
            feasible[k] = True

    reasons = [""] * len(levels)
    # Two fixed, interleaved chains of levels: each chain reuses its previous optimum, and
    # the chains run on two threads (HiGHS releases the GIL). The split does not depend on
    # the machine, so the result does not either.
    chains = [list(range(start, len(levels), _FRONTIER_CHAINS)) for start in range(_FRONTIER_CHAINS)]
    with quiet_stdout(quiet):
        workers = min(_FRONTIER_CHAINS, os.cpu_count() or 1)
        if workers > 1 and len(levels) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for future in [pool.submit(solve_chain, chain) for chain in chains]:
                    future.result()
        else:
            for chain in chains:
                solve_chain(chain)
    return Frontier(
        budgets=_frozen(np.asarray(levels, dtype=np.int64)),
        values=_frozen(out_values),
        costs=_frozen(out_costs),
        selected=_frozen(out_selected),
        feasible=_frozen(feasible),
        reasons=tuple(reasons),
    )


def rank_order_fill(order, costs, budget):
    """Fund rows in rank order, skipping any row that no longer fits and continuing.

    This is what a board does by hand: walk down the ranking, fund each initiative whose cost
    still fits in what is left, pass over one that does not (a cheaper one further down may
    still fit). Dependencies and exclusions are not considered: compare with
    :func:`optimize_portfolio` through :func:`portfolio_diff`.

    Parameters
    ----------
    order : array_like of int
        Row indices, best first (e.g. ``Ranking.order``); rows not listed are never funded.
    costs : array_like of int, shape (n,)
        Integer minor units.
    budget : int

    Returns
    -------
    Fill

    Examples
    --------
    >>> f = rank_order_fill([0, 1, 2, 3], [600, 300, 300, 100], 700)
    >>> f.funded_order.tolist(), f.skipped.tolist(), f.total_cost, f.remaining
    ([0, 3], [1, 2], 700, 0)
    """
    c = as_costs(costs)
    budget = as_budget(budget)
    rows = as_row_indices(order, c.shape[0], argname="order")
    if np.unique(rows).shape[0] != rows.shape[0]:
        raise ValueError("order lists a row more than once")
    remaining = budget
    funded, skipped = [], []
    for row, cost in zip(rows.tolist(), c[rows].tolist()):
        if cost <= remaining:
            remaining -= cost
            funded.append(row)
        else:
            skipped.append(row)
    selected = np.zeros(c.shape[0], dtype=bool)
    selected[funded] = True
    return Fill(
        selected=_frozen(selected),
        funded_order=_frozen(np.asarray(funded, dtype=np.int64)),
        skipped=_frozen(np.asarray(skipped, dtype=np.int64)),
        total_cost=budget - remaining,
        remaining=remaining,
    )


def portfolio_diff(optimal_selected, fill_selected, *, values=None, costs=None):
    """Rows only in the optimal set, only in the fill, and in both.

    Examples
    --------
    >>> d = portfolio_diff([False, True, True, True], [True, False, False, True],
    ...                    values=[0.9, 0.6, 0.5, 0.4], costs=[600, 300, 300, 100])
    >>> d.only_optimal.tolist(), d.only_fill.tolist(), d.both.tolist(), d.cost_optimal, d.cost_fill
    ([1, 2], [0], [3], 700, 700)
    """
    a = np.asarray(optimal_selected)
    b = np.asarray(fill_selected)
    if a.dtype != bool or b.dtype != bool or a.ndim != 1 or a.shape != b.shape:
        raise ValueError(
            f"optimal_selected and fill_selected must be boolean arrays of one shape, got "
            f"{a.dtype}{a.shape} and {b.dtype}{b.shape}"
        )
    value_a = value_b = cost_a = cost_b = None
    if values is not None:
        v = _as_values(values)
        if v.shape != a.shape:
            raise ValueError(f"values must have one entry per row ({a.shape[0]}), got {v.shape[0]}")
        value_a, value_b = float(v[a].sum()), float(v[b].sum())
    if costs is not None:
        c = as_costs(costs, a.shape[0])
        cost_a, cost_b = int(c[a].sum()), int(c[b].sum())
    return PortfolioDiff(
        only_optimal=_frozen(np.flatnonzero(a & ~b)),
        only_fill=_frozen(np.flatnonzero(b & ~a)),
        both=_frozen(np.flatnonzero(a & b)),
        value_optimal=value_a,
        value_fill=value_b,
        cost_optimal=cost_a,
        cost_fill=cost_b,
    )
