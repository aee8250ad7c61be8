"""Funding portfolio: the exact value-maximizing set within a budget, the efficient frontier,
the rank-order fill a board would do by hand, and the difference between the two.

Money is integer minor units throughout: costs, budgets, amounts and totals are ``int`` /
``int64``; the solver sees scaled floats, and every money total it returns is recomputed and
checked in integers.

Exactness. HiGHS accepts a point that breaks a row by up to ~1e-7 of the row: with money near
10^9-10^13 a set a few minor units (up to ~10^6 at 10^13) over the budget looks feasible, and
tightening the row by the overshoot stays inside that tolerance. So the solver is used as an
oracle over a region that contains every exactly feasible point, and exactness is decided
here (:func:`.solve.solve_exactly`): each answer is rounded and checked exactly (money in integers,
floors in decimals, :mod:`cxgov.scoring._exact`); an exactly infeasible answer is excluded by a cut that no
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

Stages, one module each: :mod:`.spec` (validation into a frozen ``Spec``), :mod:`.diagnose`
(conflicts named without the solver, and by relaxing after it), :mod:`.model` (the immutable
MILP ``Model``; cuts derive a new one), :mod:`.repair` (exact checks, unit repairs, cuts),
:mod:`.solve` (HiGHS with reduced-cost fixing, the exact loop, the frozen ``Solution``),
:mod:`.optimize`, :mod:`.frontier` and :mod:`.fill` (the public functions and results).
"""

from .fill import Fill, PortfolioDiff, portfolio_diff, rank_order_fill
from .frontier import Frontier, efficient_frontier
from .optimize import Portfolio, optimize_portfolio
from .spec import InfeasiblePortfolio

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
