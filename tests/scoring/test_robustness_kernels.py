"""The SMAA kernels of cxgov.scoring.robustness against plain-Python oracles."""
import numpy as np
from hypothesis import example, given, settings, strategies as st

from cxgov.scoring.robustness import _funded_positions, _tie_broken_order

PROFILE = settings(max_examples=60, deadline=None, derandomize=True)


def greedy_fill(costs, budget):
    """Rank-order fill of one sample: fund what fits, skip what does not, continue."""
    remaining, funded = budget, []
    for cost in costs:
        fits = cost <= remaining
        funded.append(fits)
        remaining -= cost if fits else 0
    return funded


@PROFILE
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.integers(1, 50), min_size=n, max_size=n), min_size=1, max_size=5),
    st.integers(0, 200))))
@example(([[3, 2, 5], [5, 1, 1]], 5))  # a cost equal to what remains is funded
def test_funded_positions_match_a_greedy_fill_per_sample(case):
    rows, budget = case
    ordered_costs = np.array(rows, dtype=np.int64)
    funded = _funded_positions(ordered_costs, budget, int(ordered_costs.min()))
    assert funded.tolist() == [greedy_fill(row, budget) for row in rows]


@PROFILE
@given(st.integers(1, 8).flatmap(lambda n: st.lists(
    st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=n, max_size=n), min_size=1, max_size=5)))
def test_tie_broken_order_is_descending_with_ties_to_the_lower_position(rows):
    order = _tie_broken_order(np.array(rows, dtype=float))
    expected = [sorted(range(len(row)), key=lambda p: (-row[p], p)) for row in rows]
    assert order.tolist() == expected
