"""The efficient frontier: the best value at each of several budget levels, solved in two
interleaved chains that reuse each chain's previous optimum."""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .._highs import quiet_stdout
from .._validate import as_budget
from .solve import solve_level
from .spec import InfeasiblePortfolio, frozen, make_spec

_FRONTIER_CHAINS = 2
_CONSTRAINTS = ("requires", "excludes", "groups_all_or_none", "must_fund", "must_not_fund", "partial",
                "group_caps", "floors")


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
    spec = make_spec(values, costs, **{k: constraints.pop(k) for k in _CONSTRAINTS if k in constraints})
    if constraints:
        raise ValueError(f"unknown constraint keyword(s): {', '.join(sorted(constraints))}")
    n = spec.n
    out_values = np.zeros(len(levels))
    out_costs = np.zeros(len(levels), dtype=np.int64)
    out_selected = np.zeros((len(levels), n), dtype=bool)
    feasible = np.zeros(len(levels), dtype=bool)
    reasons = [""] * len(levels)

    def solve_chain(ks):
        incumbent = None
        for k in ks:
            try:
                solution = solve_level(spec, levels[k], incumbent=incumbent, time_limit=time_limit)
            except InfeasiblePortfolio as exc:
                reasons[k] = str(exc)
                continue
            incumbent = solution.incumbent
            out_values[k] = float(np.dot(spec.values, solution.fractions))
            out_costs[k] = int(solution.amounts.sum())
            out_selected[k] = solution.selected
            feasible[k] = True

    # Two fixed, interleaved chains of levels: each chain reuses its previous optimum, and
    # the chains run on two threads (HiGHS releases the GIL). The split does not depend on
    # the machine, so the result does not either.
    chains = [list(range(start, len(levels), _FRONTIER_CHAINS)) for start in range(_FRONTIER_CHAINS)]
    with quiet_stdout(quiet):
        _run_chains(solve_chain, chains, len(levels))
    return Frontier(
        budgets=frozen(np.asarray(levels, dtype=np.int64)),
        values=frozen(out_values),
        costs=frozen(out_costs),
        selected=frozen(out_selected),
        feasible=frozen(feasible),
        reasons=tuple(reasons),
    )


def _run_chains(solve_chain, chains, levels):
    workers = min(_FRONTIER_CHAINS, os.cpu_count() or 1)
    if workers > 1 and levels > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(solve_chain, chain) for chain in chains]:
                future.result()
    else:
        for chain in chains:
            solve_chain(chain)
