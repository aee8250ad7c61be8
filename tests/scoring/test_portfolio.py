"""Funding portfolio: exact against exhaustive search, infeasibility messages, money in integers."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cxgov.scoring import (
    InfeasiblePortfolio,
    efficient_frontier,
    optimize_portfolio,
    portfolio_diff,
    rank_order_fill,
)
from cxgov.scoring.portfolio.solve import solve_level
from cxgov.scoring.portfolio.spec import make_spec
from tests.scoring.test_portfolio_crosscheck import feasible_mask, subsets

def brute_force(values, costs, budget, requires=(), excludes=(), groups=(), must=(), must_not=(), caps=(), floors=()):
    """Best total value over every exactly feasible subset (floors and caps as decimals)."""
    x = subsets(len(values))
    ok = feasible_mask(x, costs, budget, requires=requires, excludes=excludes, groups=groups, must=must,
                       must_not=must_not, caps=caps, floors=floors)
    if not ok.any():
        return None
    totals = np.where(ok, x @ np.asarray(values), -np.inf)
    return float(totals.max())


@st.composite
def instances(draw):
    n = draw(st.integers(1, 13))
    values = draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    costs = draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n))
    budget = draw(st.integers(0, sum(costs) + 10))
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    requires = draw(st.lists(pair, max_size=n // 2 + 1)) if n > 1 else []
    excludes = draw(st.lists(pair, max_size=n // 3 + 1)) if n > 1 else []
    groups = draw(st.lists(st.lists(st.integers(0, n - 1), min_size=2, max_size=3, unique=True), max_size=1)) if n > 2 else []
    must = draw(st.lists(st.integers(0, n - 1), max_size=1, unique=True))
    must_not = draw(st.lists(st.integers(0, n - 1), max_size=1, unique=True))
    caps = []
    if draw(st.booleans()) and n > 1:
        members = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        caps = [(members, draw(st.floats(0.1, 1.0)))]
    floors = []
    if draw(st.booleans()):
        impact = np.array(draw(st.lists(st.floats(-1.0, 2.0), min_size=n, max_size=n)))
        floors = [(impact, draw(st.floats(0.0, 3.0)))]
    return dict(values=values, costs=costs, budget=budget, requires=requires, excludes=excludes,
                groups=groups, must=must, must_not=must_not, caps=caps, floors=floors)


@settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_optimum_equals_exhaustive_search(case):
    expected = brute_force(case["values"], case["costs"], case["budget"], case["requires"], case["excludes"],
                           case["groups"], case["must"], case["must_not"], case["caps"], case["floors"])
    kwargs = dict(requires=case["requires"], excludes=case["excludes"], groups_all_or_none=case["groups"],
                  must_fund=case["must"], must_not_fund=case["must_not"], group_caps=case["caps"],
                  floors=case["floors"])
    if expected is None:
        with pytest.raises(InfeasiblePortfolio):
            optimize_portfolio(case["values"], case["costs"], case["budget"], **kwargs)
        return
    p = optimize_portfolio(case["values"], case["costs"], case["budget"], **kwargs)
    assert abs(p.total_value - expected) <= 1e-6
    assert isinstance(p.total_cost, int) and p.total_cost <= case["budget"]
    assert p.amounts.dtype == np.int64 and p.total_cost == int(p.amounts.sum())
    # the returned set itself satisfies every constraint
    assert brute_force(np.asarray(case["values"]) * p.selected, case["costs"], case["budget"]) is not None
    for i, j in case["requires"]:
        assert not p.selected[i] or p.selected[j]
    for i, j in case["excludes"]:
        assert not (p.selected[i] and p.selected[j])


@pytest.mark.parametrize("seed", range(4))
def test_reduced_cost_fixing_matches_the_plain_milp(seed):
    rng = np.random.default_rng(seed)
    n = 300
    values = rng.random(n)
    costs = rng.integers(10_000, 5_000_000, n)
    requires = [(int(a), int(b)) for a, b in rng.integers(0, n, (n // 10, 2)) if a != b]
    excludes = [(int(a), int(b)) for a, b in rng.integers(0, n, (n // 50, 2)) if a != b]
    budget = int(costs.sum() * rng.uniform(0.05, 0.5))
    spec = make_spec(values, costs, requires, excludes, (), (), (), None, (), ())
    plain = solve_level(spec, budget, reduce=False).selected
    reduced = optimize_portfolio(values, costs, budget, requires=requires, excludes=excludes)
    assert abs(reduced.total_value - float(values @ plain)) <= 1e-6


def test_partial_funding_scales_value_and_keeps_money_integer():
    p = optimize_portfolio([1.0, 0.9], [100, 100], 150, partial=[1.0, 0.5])
    assert p.selected.tolist() == [True, True]
    assert p.amounts.tolist() == [100, 50]
    assert p.fractions.tolist() == [1.0, 0.5]
    assert p.total_cost == 150 and abs(p.total_value - 1.45) < 1e-9
    # below the minimum share the row is not funded at all
    p = optimize_portfolio([1.0, 0.9], [100, 100], 140, partial=[1.0, 0.5])
    assert p.amounts.tolist() == [100, 0]


@pytest.mark.parametrize(
    "kwargs, budget, message",
    [
        (dict(must_fund=[0], must_not_fund=[0]), 1000, "row 0 is must-fund, but row 0 is must-not-fund"),
        (dict(must_fund=[0], requires=[(0, 1), (1, 2)], must_not_fund=[2]), 1000,
         r"row 0 is must-fund, but row 0 needs must-not-fund row 2 \(through rows 1\)"),
        (dict(must_fund=[0, 1]), 150, r"must-fund rows \[0, 1\] \(with the rows they need\) cost at least 200, over the budget of 150"),
        (dict(must_fund=[0, 1], excludes=[(1, 0)]), 1000, "rows 1 and 0 exclude each other but both must be funded"),
        (dict(floors=[([1.0, 1.0, 0.0], 5.0)]), 1000, "floor 0 asks for at least 5 but funding every allowed row"),
        (dict(floors=[([1.0, 1.0, 0.0], 2.0)]), 150, r"floor 0 \(minimum 2\) cannot be met within the budget of 150"),
        (dict(must_fund=[0], group_caps=[([0, 1], 0.05)]), 1000, "group cap 0 allows 0.05 of the budget"),
    ],
)
def test_infeasible_constraints_name_the_conflict(kwargs, budget, message):
    with pytest.raises(InfeasiblePortfolio, match=message):
        optimize_portfolio([0.5, 0.4, 0.3], [100, 100, 100], budget, **kwargs)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: optimize_portfolio([0.5], [100.0], 100), "integer minor units"),
        (lambda: optimize_portfolio([0.5], [100], 100.0), "budget must be an integer"),
        (lambda: optimize_portfolio([np.nan], [100], 100), "row 0 is nan"),
        (lambda: optimize_portfolio([0.5], [-1], 100), "row 0 is -1"),
        (lambda: optimize_portfolio([0.5, 0.2], [1, 1], 100, requires=[(0, 5)]), "row 5 is out of range"),
        (lambda: optimize_portfolio([0.5, 0.2], [1, 1], 100, requires=[(1, 1)]), "same row twice"),
        (lambda: optimize_portfolio([0.5], [1, 2], 100), "one entry per row"),
        (lambda: optimize_portfolio([0.5], [1], 100, partial=[0.0]), "minimum share 0.0"),
    ],
)
def test_invalid_portfolio_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_frontier_matches_levels_solved_one_by_one():
    rng = np.random.default_rng(7)
    n = 60
    values, costs = rng.random(n), rng.integers(1_000, 100_000, n)
    requires = [(int(a), int(b)) for a, b in rng.integers(0, n, (6, 2)) if a != b]
    levels = [int(costs.sum() * f) for f in (0.5, 0.05, 0.2, 0.35, 0.2)]
    f = efficient_frontier(values, costs, levels, requires=requires)
    assert f.budgets.tolist() == sorted(set(levels))
    for k, level in enumerate(f.budgets.tolist()):
        one = optimize_portfolio(values, costs, level, requires=requires)
        assert abs(f.values[k] - one.total_value) <= 1e-6
        assert f.costs[k] <= level and f.costs[k] == int(costs[f.selected[k]].sum())
    assert np.all(np.diff(f.values) >= -1e-9)


def test_frontier_reports_infeasible_levels_instead_of_failing():
    f = efficient_frontier([0.5, 0.4], [100, 100], [50, 200], must_fund=[0])
    assert f.feasible.tolist() == [False, True]
    assert "over the budget of 50" in f.reasons[0] and f.reasons[1] == ""
    with pytest.raises(ValueError, match="unknown constraint keyword"):
        efficient_frontier([0.5], [1], [1], needs=[(0, 1)])


def test_rank_order_fill_skips_and_continues_and_diff_shows_the_trade():
    values = [0.9, 0.6, 0.5, 0.4]
    costs = [600, 300, 300, 100]
    fill = rank_order_fill([0, 1, 2, 3], costs, 700)
    assert fill.funded_order.tolist() == [0, 3] and fill.skipped.tolist() == [1, 2]
    assert fill.total_cost == 700 and fill.remaining == 0
    best = optimize_portfolio(values, costs, 700)
    diff = portfolio_diff(best.selected, fill.selected, values=values, costs=costs)
    assert diff.only_optimal.tolist() == [1, 2] and diff.only_fill.tolist() == [0] and diff.both.tolist() == [3]
    assert diff.value_optimal > diff.value_fill
    with pytest.raises(ValueError, match="more than once"):
        rank_order_fill([0, 0], costs, 10)


def test_rank_order_fill_equals_a_reference_loop():
    rng = np.random.default_rng(2)
    costs = rng.integers(0, 1000, 200)
    order = rng.permutation(200)
    budget = 20_000
    expected, left = set(), budget
    for row in order:
        if costs[row] <= left:
            expected.add(int(row))
            left -= int(costs[row])
    fill = rank_order_fill(order, costs, budget)
    assert set(np.flatnonzero(fill.selected).tolist()) == expected and fill.remaining == left


def test_big_money_stays_exact():
    costs = [2**53 + 1, 2**53 + 3, 5]
    p = optimize_portfolio([1.0, 1.0, 0.1], costs, 2**53 + 6)
    assert p.total_cost <= 2**53 + 6
    assert p.total_cost == sum(c for c, s in zip(costs, p.selected.tolist()) if s)


@pytest.mark.parametrize(
    "values, costs, budget, funded, value",
    [
        # issue 13, item 1: sets over budget by less than HiGHS's tolerance
        ([0.9, 0.8], [600_000_000, 400_000_040], 1_000_000_000, [0], 0.9),
        ([0.9, 0.5], [10**7, 1], 10**7, [0], 0.9),
        ([0.83, 0.54, 0.05], [51991724, 30, 30], 51991737, [0], 0.83),
    ],
)
def test_a_set_over_budget_within_solver_tolerance_is_never_funded(values, costs, budget, funded, value):
    p = optimize_portfolio(values, costs, budget)
    assert p.indices.tolist() == funded and p.total_value == pytest.approx(value)
    assert p.total_cost <= budget


def test_cap_limit_is_the_share_as_a_decimal_rounded_down():
    # issue 13, item 2: floor(0.29 * 100) is 28 in floats, 29 exactly
    p = optimize_portfolio([1, 1], [29, 71], 100, group_caps=[([0], 0.29)])
    assert p.indices.tolist() == [0, 1] and p.total_cost == 100
    assert optimize_portfolio([1, 1], [30, 70], 100, group_caps=[([0], 0.29)]).indices.tolist() == [1]
    # rounded down: 0.285 of 101 is 28.785 -> 28
    assert optimize_portfolio([1, 1], [28, 73], 101, group_caps=[([0], 0.285)]).indices.tolist() == [0, 1]
    assert optimize_portfolio([1, 1], [29, 72], 101, group_caps=[([0], 0.285)]).indices.tolist() == [1]


def test_partial_funding_with_a_floor_meets_the_floor_in_whole_minor_units():
    # issue 13, item 3: raised InfeasiblePortfolio; every amount vector gives 1.42
    p = optimize_portfolio([0.5, 0.8, 1.0, 0.1], [17, 5, 1, 16], 79, must_fund=[1],
                           floors=[([-0.25, -0.5, -0.5, 1.0], 0.25)], partial=0.25)
    assert p.amounts.tolist() == [0, 2, 1, 16] and p.total_value == pytest.approx(1.42)
    assert -0.5 * Fraction(2, 5) - Fraction(1, 2) + 1 >= Fraction(1, 4)
