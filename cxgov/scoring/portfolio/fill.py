"""The rank-order fill a board does by hand (:func:`rank_order_fill`) and how two funded sets
differ (:func:`portfolio_diff`)."""

from dataclasses import dataclass

import numpy as np

from .._validate import as_budget, as_costs, as_row_indices
from .spec import as_values, frozen


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
        selected=frozen(selected),
        funded_order=frozen(np.asarray(funded, dtype=np.int64)),
        skipped=frozen(np.asarray(skipped, dtype=np.int64)),
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
        v = as_values(values)
        if v.shape != a.shape:
            raise ValueError(f"values must have one entry per row ({a.shape[0]}), got {v.shape[0]}")
        value_a, value_b = float(v[a].sum()), float(v[b].sum())
    if costs is not None:
        c = as_costs(costs, a.shape[0])
        cost_a, cost_b = int(c[a].sum()), int(c[b].sum())
    return PortfolioDiff(
        only_optimal=frozen(np.flatnonzero(a & ~b)),
        only_fill=frozen(np.flatnonzero(b & ~a)),
        both=frozen(np.flatnonzero(a & b)),
        value_optimal=value_a,
        value_fill=value_b,
        cost_optimal=cost_a,
        cost_fill=cost_b,
    )
