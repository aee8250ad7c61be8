"""Funding portfolio: the exact value-maximizing set within a budget, the efficient frontier,
the rank-order fill a board would do by hand, and the difference between the two.

Money is integer minor units throughout: costs, budgets, amounts and totals are ``int`` /
``int64``; the solver sees scaled floats, and every money total it returns is recomputed and
checked in integers.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_array, csc_array

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
    share = np.ones(n) if spec.min_share is None else spec.min_share
    forced_rows = np.flatnonzero(forced)
    least = int(np.ceil(share[forced_rows] * spec.costs[forced_rows]).astype(np.int64).sum()) if forced_rows.size else 0
    if least > budget:
        return (
            f"must-fund rows {forced_rows.tolist()} (with the rows they need) cost at least {least}, "
            f"over the budget of {budget}"
        )
    for ci, (members, cap_share) in enumerate(spec.group_caps):
        in_cap = members[forced[members]]
        least_cap = int(np.ceil(share[in_cap] * spec.costs[in_cap]).astype(np.int64).sum()) if in_cap.size else 0
        if least_cap > cap_share * budget:
            return (
                f"group cap {ci} allows {cap_share:g} of the budget ({cap_share * budget:.0f}) but its "
                f"must-fund rows {in_cap.tolist()} cost at least {least_cap}"
            )
    allowed = ~refused
    for fi, (impact, minimum) in enumerate(spec.floors):
        best = float(np.clip(impact[allowed], 0, None).sum())
        if best < minimum - floor_tolerance(minimum):
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
    frac: bool               # z = [x, f] when partial funding is on, else z = x
    money_rows: list         # (row index, member rows, limit in minor units, scale)
    floor_rows: list         # (row index, impact per row, minimum)
    _costs: np.ndarray = None
    _last_status: str = "optimal"


def _build_model(spec, budget):  # noqa: C901 - one row family per block
    n = spec.n
    frac = spec.min_share is not None and bool((spec.min_share < 1).any())
    nvar = 2 * n if frac else n
    f0 = n if frac else 0  # offset of the funded-share variables
    rows, cols, vals, row_lb, row_ub = [], [], [], [], []
    money_rows = []
    r = 0
    scale = float(max(budget, int(spec.costs.max()) if n else 0, 1))

    def add(coefs, lo, hi):
        nonlocal r
        for col, val in coefs:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        row_lb.append(lo)
        row_ub.append(hi)
        r += 1
        return r - 1

    everyone = np.arange(n)
    idx = add(zip((f0 + everyone).tolist(), (spec.costs / scale).tolist()), -np.inf, budget / scale)
    money_rows.append((idx, everyone, budget, scale))
    for i, j in spec.requires:
        add([(i, 1.0), (j, -1.0)], -np.inf, 0.0)
    for i, j in spec.excludes:
        add([(i, 1.0), (j, 1.0)], -np.inf, 1.0)
    for group in spec.groups:
        for a, b in zip(group[:-1], group[1:]):
            add([(int(a), 1.0), (int(b), -1.0)], 0.0, 0.0)
    for members, cap_share in spec.group_caps:
        limit = int(np.floor(cap_share * budget))
        idx = add(zip((f0 + members).tolist(), (spec.costs[members] / scale).tolist()), -np.inf, limit / scale)
        money_rows.append((idx, members, limit, scale))
    floor_rows = []
    for impact, minimum in spec.floors:
        nz = np.flatnonzero(impact)
        # Scaled to max(1, |minimum|) and relaxed by the documented tolerance (ten times
        # HiGHS's 1e-7 feasibility tolerance on the scaled row), so that the solver and the
        # post-check agree on what "met" means.
        unit = max(1.0, abs(minimum))
        idx = add(zip((f0 + nz).tolist(), (impact[nz] / unit).tolist()),
                  (minimum - floor_tolerance(minimum)) / unit, np.inf)
        floor_rows.append((idx, impact, minimum))
    if frac:
        for i in range(n):  # s_i x_i <= f_i <= x_i
            add([(f0 + i, 1.0), (i, -1.0)], -np.inf, 0.0)
            add([(i, float(spec.min_share[i])), (f0 + i, -1.0)], -np.inf, 0.0)
    A = coo_array((vals, (rows, cols)), shape=(r, nvar)).tocsc()
    c = np.zeros(nvar)
    c[f0:f0 + n] = -spec.values
    integrality = np.zeros(nvar)
    integrality[:n] = 1
    lb = np.zeros(nvar)
    ub = np.ones(nvar)
    lb[spec.must_fund] = 1.0
    ub[spec.must_not_fund] = 0.0
    return _Model(c, integrality, lb, ub, A, np.asarray(row_lb, float), np.asarray(row_ub, float), n, frac,
                  money_rows, floor_rows, spec.costs)


def _feasible_binary(model, z):
    """Exact feasibility of an all-integer point (no partial funding)."""
    if np.any(z < model.lb) or np.any(z > model.ub):
        return False
    activity = model.A @ z
    ok = (activity >= model.row_lb - 1e-9) & (activity <= model.row_ub + 1e-9)
    for idx, members, limit, _ in model.money_rows:
        ok[idx] = int(_costs_of(model, members, z)) <= limit
    return bool(ok.all())


def _costs_of(model, members, z):
    return model._costs[members][z[members] > 0.5].sum()


def _greedy_incumbent(model, start, priority):
    """Round-down start, then add rows best-first while every constraint still holds.

    Adding one row only touches the rows of its column, checked incrementally; money rows in
    integers. Rows in all-or-none groups are never added alone (the equality would break).
    """
    z = start.copy()
    if not _feasible_binary(model, z):
        return None
    A = model.A
    activity = A @ z
    money = {idx: (int(_costs_of(model, members, z)), limit, None) for idx, members, limit, _ in model.money_rows}
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
                spent, limit, _ = money[t]
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
                spent, limit, members = money[t]
                money[t] = (spent + int(costs[j]), limit, members)
    return z


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


def _extract(spec, model, z, budget):
    n = spec.n
    selected = z[:n] > 0.5
    amounts = np.where(selected, spec.costs, 0).astype(np.int64)
    fractions = selected.astype(np.float64)
    if model.frac:
        share = np.clip(z[n:2 * n], 0.0, 1.0)
        partial = selected & (share < 1 - 1e-9) & (spec.costs > 0)
        if partial.any():
            floor_amount = np.ceil(spec.min_share * spec.costs - 1e-9).astype(np.int64)
            raw = np.floor(share * spec.costs + 1e-6).astype(np.int64)
            amounts[partial] = np.clip(raw[partial], floor_amount[partial], spec.costs[partial])
            fractions[partial] = amounts[partial] / spec.costs[partial]
    return selected, fractions, amounts


def floor_tolerance(minimum):
    """Floors are met to within this absolute slack (they are float metric changes)."""
    return 1e-6 * max(1.0, abs(minimum))


def _violation(model, amounts, fractions):
    """The first constraint the rounded solution breaks: money rows exactly in integers,
    floors within :func:`floor_tolerance`. Returns (row, how much to tighten it) or None."""
    for row, members, limit, scale in model.money_rows:
        spent = int(amounts[members].sum())
        if spent > limit:
            return row, -(spent - limit) / scale
    for row, impact, minimum in model.floor_rows:
        reached = float(np.dot(impact, fractions))
        tol = floor_tolerance(minimum)
        if reached < minimum - tol:
            return row, ((minimum - reached) + tol) / max(1.0, abs(minimum))
    return None


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
    """Solve one budget level; returns (z, model) or raises InfeasiblePortfolio."""
    reason = _diagnose_static(spec, budget)
    if reason is not None:
        raise InfeasiblePortfolio(reason)
    model = _build_model(spec, budget)
    for _ in range(4):
        z = _solve_model(model, incumbent, reduce=reduce, time_limit=time_limit, presolve=presolve)
        if z is None:

            def feasible(trial):
                m = _build_model(trial, budget)
                return _solve_model(m, None, reduce=False, time_limit=time_limit, presolve=presolve)

            raise InfeasiblePortfolio(_diagnose_by_relaxing(spec, budget, feasible))
        selected, fractions, amounts = _extract(spec, model, z, budget)
        broken = _violation(model, amounts, fractions)
        if broken is None:
            return z, model, selected, fractions, amounts
        # The solver's feasibility tolerance let a row slip (a money row by a few minor
        # units, a floor by ~1e-7): tighten that row by the slip and solve again.
        row, shift = broken
        if shift < 0:
            model.row_ub[row] += shift
        else:
            model.row_lb[row] += shift
        incumbent = None
    raise InfeasiblePortfolio(
        "the solver's sets keep breaking a budget, cap or floor by a rounding margin; "
        "no set meets them exactly"
    )


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
        full). A partly funded row brings ``share * value`` and costs ``share * cost``
        (rounded down to a whole minor unit, never below the minimum share).
    group_caps : sequence of (member_rows, max_share)
        The members' funded amounts total at most ``max_share * budget`` (e.g. per focus area
        or team).
    floors : sequence of (impact, minimum)
        ``impact`` per row (e.g. the expected change of one CX metric when fully funded); the
        funded set must reach ``sum(impact * fractions) >= minimum`` (to within an absolute
        1e-6 * max(1, |minimum|): floors are float metric changes, checked after the solve).
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
    a feasible incumbent. Optimal to HiGHS's absolute gap (1e-6 of total value).

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
