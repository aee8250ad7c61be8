"""The optimum at one budget: :func:`optimize_portfolio` and its :class:`Portfolio` result."""

from dataclasses import dataclass

import numpy as np

from .._highs import quiet_stdout
from .._validate import as_budget
from .solve import solve_level
from .spec import frozen, make_spec


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
    (package docstring). Optimal to HiGHS's absolute gap (1e-6 of total value); money, caps
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
    spec = make_spec(values, costs, requires, excludes, groups_all_or_none, must_fund, must_not_fund,
                     partial, group_caps, floors)
    with quiet_stdout(quiet):
        solution = solve_level(spec, budget, time_limit=time_limit)
    return Portfolio(
        selected=frozen(solution.selected),
        fractions=frozen(solution.fractions),
        amounts=frozen(solution.amounts),
        total_value=float(np.dot(spec.values, solution.fractions)),
        total_cost=int(solution.amounts.sum()),
        budget=budget,
        status=solution.status,
    )
