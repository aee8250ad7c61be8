"""Solving: HiGHS over the model (shrunk by reduced-cost fixing around a greedy incumbent),
each answer checked exactly and, if it breaks a money row or a floor, repaired or cut off and
the derived model solved again (:func:`solve_exactly`); :func:`solve_level` runs one budget
level from spec to an immutable :class:`Solution`."""

from dataclasses import dataclass

import numpy as np

from .._highs import solve_lp, solve_milp
from .diagnose import diagnose_by_relaxing, diagnose_static
from .model import build_model, tightened, with_row
from .repair import candidate, cover_cuts, feasible_binary, first_breach, no_good_cut, repair_amounts
from .spec import InfeasiblePortfolio


@dataclass(frozen=True)
class Solution:
    """The exact optimum of one budget level.

    ``status`` is ``"optimal"`` or ``"time_limit"``; ``divisible`` is true when the model had
    partly fundable rows (its set then cannot seed the next level's reduced-cost fixing).
    """

    selected: np.ndarray
    fractions: np.ndarray
    amounts: np.ndarray
    status: str
    divisible: bool

    @property
    def incumbent(self):
        """The funded set as a start point for a larger budget, or None (partial funding)."""
        return None if self.divisible else self.selected.astype(np.float64)


@dataclass(frozen=True)
class _Point:
    """A solver answer; ``status`` is None when no MILP ran (the status stays as it was)."""

    z: np.ndarray
    status: str | None


@dataclass(frozen=True)
class _Reduction:
    """Variables fixed by reduced-cost fixing, their values, and the best known feasible point."""

    fixed: np.ndarray
    fixed_value: np.ndarray
    best_z: np.ndarray | None

    @classmethod
    def none(cls, model):
        size = model.c.shape[0]
        return cls(np.zeros(size, dtype=bool), np.zeros(size), None)


def _costs_of(model, members, z):
    return model.costs[members][z[members] > 0.5].sum()


def _fits(model, money, touched, new, cost):
    """Whether adding a column keeps every touched row within bounds (money rows in integers)."""
    for t, value in zip(touched.tolist(), new.tolist()):
        if t in money:
            spent, limit = money[t]
            if spent + cost > limit:
                return False
        elif value < model.row_lb[t] - 1e-9 or value > model.row_ub[t] + 1e-9:
            return False
    return True


def greedy_incumbent(model, start, priority):
    """Round-down start, then add rows best-first while every constraint still holds.

    Adding one row only touches the rows of its column, checked incrementally; money rows in
    integers. Rows in all-or-none groups are never added alone (the equality would break).
    The result is checked exactly (floors in decimals) before it is used.
    """
    z = start.copy()
    if not feasible_binary(model, z):
        return None
    A = model.A
    activity = A @ z
    money = {m.row: [int(_costs_of(model, m.members, z)), m.limit] for m in model.money_rows}
    costs = model.costs
    for j in priority:
        if z[j] > 0.5 or model.ub[j] < 0.5:
            continue
        start_ptr, end_ptr = A.indptr[j], A.indptr[j + 1]
        touched = A.indices[start_ptr:end_ptr]
        new = activity[touched] + A.data[start_ptr:end_ptr]
        if not _fits(model, money, touched, new, int(costs[j])):
            continue
        z[j] = 1.0
        activity[touched] = new
        for t in touched.tolist():
            if t in money:
                money[t][0] += int(costs[j])
    return z if feasible_binary(model, z) else None


def _best_start(model, x, incumbent):
    """The better of the given incumbent and a greedy fill around the LP point, or None."""
    n = model.n
    candidates = []
    if incumbent is not None and feasible_binary(model, incumbent):
        candidates.append(incumbent)
    rounded = np.where(x >= 1 - 1e-9, 1.0, 0.0)
    value_per_cost = -model.c / np.maximum(model.costs, 1)
    priority = np.lexsort((np.arange(n), -value_per_cost, -np.where(x > 1e-9, x, 0)))
    greedy = greedy_incumbent(model, rounded, priority)
    if greedy is not None:
        candidates.append(greedy)
    best_z, best_value = None, -np.inf
    for z in candidates:
        value = float(-model.c @ z)
        if value > best_value:
            best_z, best_value = z, value
    return best_z, best_value


def _reduce(model, incumbent):
    """Reduced-cost fixing around the best known feasible point; None if the LP is infeasible.

    With U the LP-relaxation optimum and L the value of a feasible incumbent, a binary at
    bound in the LP whose reduced cost r_j exceeds U - L cannot flip in any solution worth at
    least L (the LP bound with it flipped is at most U - r_j < L), so it is fixed and dropped
    before HiGHS runs. The incumbent is itself such a solution, so the smaller problem keeps
    every optimum.
    """
    lp = solve_lp(model.c, model.lb, model.ub, model.A, model.row_lb, model.row_ub)
    if lp.status == 2:
        return None  # LP infeasible -> MILP infeasible
    if lp.status != 0:
        return _Reduction.none(model)
    x = lp.x
    best_z, best_value = _best_start(model, x, incumbent)
    if best_z is None:
        return _Reduction.none(model)
    lower = np.asarray(lp.lower.marginals)
    upper = np.asarray(lp.upper.marginals)
    reduced = np.where(x <= 1e-9, lower, np.where(x >= 1 - 1e-9, -upper, 0.0))
    upper_bound = float(-lp.fun)
    gap = upper_bound - best_value
    margin = 1e-7 * max(1.0, abs(upper_bound))
    at_bound = (x <= 1e-9) | (x >= 1 - 1e-9)
    fixed = at_bound & (reduced > gap + margin) & (model.lb < model.ub)
    fixed_value = np.zeros(model.c.shape[0])
    fixed_value[fixed] = np.round(x[fixed])
    if gap <= margin * 1e-3:  # the incumbent reaches the LP bound: optimal
        fixed[:] = True
        fixed_value = best_z.copy()
    return _Reduction(fixed, fixed_value, best_z)


def _solve_free(model, red, time_limit, presolve):
    """HiGHS over the variables the reduction left free; the known point if HiGHS finds none."""
    fixed, fixed_value, best_z = red.fixed, red.fixed_value, red.best_z
    free = ~fixed
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
            return _Point(best_z, None)
        if res.status == 1:
            raise TimeoutError("the solver hit its time limit before finding any feasible set")
        raise RuntimeError(f"MILP solver failed: {res.message}")
    z = fixed_value.copy()
    z[free] = res.x
    z[:model.n] = np.round(z[:model.n])
    if best_z is not None and float(-model.c @ best_z) > float(-model.c @ z):
        z = best_z  # numerical noise only; never return worse than a known feasible set
    return _Point(z, "time_limit" if res.status == 1 else "optimal")


def solve_model(model, incumbent=None, *, reduce=True, time_limit=None, presolve=True):
    """MILP solve, optionally shrunk by reduced-cost fixing around an incumbent (:func:`_reduce`);
    a :class:`_Point`, or None when the model is infeasible."""
    red = _Reduction.none(model)
    if reduce and not model.frac:
        red = _reduce(model, incumbent)
        if red is None:
            return None
    if red.fixed.all():
        return _Point(red.fixed_value if red.best_z is None else red.best_z, None)
    return _solve_free(model, red, time_limit, presolve)


# Cuts never remove an exactly feasible point, so the loop ends when the solver's answer is
# exactly feasible or the solver proves there is none; the bound only guards pathological
# inputs (thousands of distinct sets within the solver's tolerance of a limit).
MAX_EXACT_ROUNDS = 500


def _excluding(model, cand, breach):
    """A model without the candidate: its cuts, or (partial funding) the broken row tightened."""
    cuts = []
    if breach.kind == "money":
        cuts = cover_cuts(model, cand.selected, model.money_rows[breach.index])
    elif not model.frac:
        cuts = [no_good_cut(cand.selected)]
    for cut in cuts:
        model = with_row(model, *cut)
    return model if cuts else tightened(model, breach)


def solve_exactly(spec, model, incumbent=None, *, reduce=True, time_limit=None, presolve=True):
    """The optimum in exact arithmetic as a :class:`Solution`, or None when no point is
    exactly feasible.

    Each round solves the MILP (HiGHS may return a point that breaks a money row or a floor by
    up to its tolerance, ~1e-7 of the row), rounds it, and checks it exactly. An exactly
    feasible point is optimal: the solver searched a region that contains every exactly
    feasible point. Otherwise the point is excluded and a derived model solved again: a lifted
    cover cut for an overspent money row, a no-good cut for a set that misses a floor; with
    partial funding the amounts are first repaired by whole minor units.
    """
    status = "optimal"
    for _ in range(MAX_EXACT_ROUNDS):
        point = solve_model(model, incumbent, reduce=reduce, time_limit=time_limit, presolve=presolve)
        if point is None:
            return None
        status = point.status or status
        cand = candidate(spec, model, point.z)
        breach = first_breach(model, cand.selected, cand.amounts)
        if breach is not None and model.frac:
            repaired = repair_amounts(spec, model, cand)
            if repaired is not None:
                cand, breach = repaired, None
        if breach is None:
            return Solution(cand.selected, cand.fractions, cand.amounts, status, model.frac)
        model = _excluding(model, cand, breach)
        incumbent = None
    raise InfeasiblePortfolio(
        f"no exactly feasible set found after {MAX_EXACT_ROUNDS} solver rounds: too many sets lie "
        "within the solver's tolerance of a budget, cap or floor"
    )


def solve_level(spec, budget, *, incumbent=None, reduce=True, time_limit=None, presolve=True):
    """Solve one budget level exactly: a :class:`Solution`, or InfeasiblePortfolio naming the
    conflict (static diagnosis first, then by relaxing constraint families)."""
    reason = diagnose_static(spec, budget)
    if reason is not None:
        raise InfeasiblePortfolio(reason)
    model = build_model(spec, budget)
    solution = solve_exactly(spec, model, incumbent, reduce=reduce, time_limit=time_limit, presolve=presolve)
    if solution is None:

        def feasible(trial):
            m = build_model(trial, budget)
            return solve_exactly(trial, m, None, reduce=False, time_limit=time_limit, presolve=presolve)

        raise InfeasiblePortfolio(diagnose_by_relaxing(spec, budget, feasible))
    return solution
