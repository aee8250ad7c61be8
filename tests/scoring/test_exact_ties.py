"""Issue 13 item 6: scores equal in exact arithmetic compare equal, so the documented
tie-break decides (not rounding noise); issue 13 item 4 at the engine: clipped, not refused."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from cxgov.scoring import rank_alternatives, weight_stability
from cxgov.scoring.aggregate import exact_column_sums

PROFILE = settings(max_examples=150, deadline=None, derandomize=True)

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=True)
awkward = st.one_of(
    finite,
    st.sampled_from([0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e16, -1e16, 1.0, -1.0, 2.0**-1074, 0.5 + 2.0**-53, 1e-300]),
)


@PROFILE
@given(arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 30)), elements=awkward))
def test_exact_sums_are_math_fsum_of_each_column(parts):
    expected = [math.fsum(parts[:, i].tolist()) for i in range(parts.shape[1])]
    assert exact_column_sums(parts).tolist() == expected


@PROFILE
@given(arrays(np.float64, st.tuples(st.integers(2, 7), st.integers(1, 20)), elements=awkward), st.randoms())
def test_exact_sums_do_not_depend_on_the_order_of_the_terms(parts, rnd):
    shuffled = parts[rnd.sample(range(parts.shape[0]), parts.shape[0])]
    assert exact_column_sums(shuffled).tolist() == exact_column_sums(parts).tolist()


def test_the_left_to_right_sum_breaks_such_ties_in_the_last_bit():
    """Why this matters: (0.25 + 0.1 + 0.75 vs 0.75 + 0.1 + 0.25) / 3 differ as float sums."""
    r = rank_alternatives([[1.0, 0.4, 0.75], [0.75, 0.4, 1.0]], [1, 1, 1], ["benefit"] * 3, scales=[(0, 1)] * 3,
                          tiebreak=[20, 10], summation="ordered")
    assert r.scores[0] != r.scores[1] and r.order.tolist() == [0, 1]  # noise decides
    r = rank_alternatives([[1.0, 0.4, 0.75], [0.75, 0.4, 1.0]], [1, 1, 1], ["benefit"] * 3, scales=[(0, 1)] * 3,
                          tiebreak=[20, 10])
    assert r.scores[0] == r.scores[1] and r.order.tolist() == [1, 0] and r.tied.all()  # the tie-break does


@st.composite
def closed_under_a_swap(draw):
    """Rows R and τR, where τ swaps two criteria of equal weight (and equal scale), plus weights."""
    m = draw(st.integers(2, 6))
    i, j = draw(st.lists(st.integers(0, m - 1), min_size=2, max_size=2, unique=True))
    digits = draw(st.integers(1, 17))  # few digits make many equal values, as real data has
    half = draw(arrays(np.float64, (draw(st.integers(1, 8)), m),
                       elements=st.floats(0, 1, allow_nan=False).map(lambda v: round(v, digits))))
    swapped = half.copy()
    swapped[:, [i, j]] = half[:, [j, i]]
    weights = draw(arrays(np.float64, m, elements=st.floats(0.01, 10.0)))
    weights[j] = weights[i]
    directions = ["benefit" if draw(st.booleans()) else "cost" for _ in range(m)]
    directions[j] = directions[i]
    keys = draw(arrays(np.float64, 2 * half.shape[0], elements=st.integers(0, 3).map(float)))
    return np.vstack([half, swapped]), weights, directions, keys


@PROFILE
@given(closed_under_a_swap(), st.sampled_from(["wsm", "topsis"]), st.sampled_from(["absolute", "minmax"]))
def test_a_row_and_its_permutation_under_equal_weights_tie_and_the_tie_break_decides(problem, method, normalization):
    """absolute and minmax normalize a value alone (min and max are exact). The ratio
    normalizations ``vector`` and ``sum`` divide by a column norm summed in row order, which can
    differ in the last bit between two columns holding the same values in another order."""
    matrix, weights, directions, keys = problem
    n = matrix.shape[0] // 2
    scales = [(0.0, 1.0)] * matrix.shape[1] if normalization == "absolute" else None
    r = rank_alternatives(matrix, weights, directions, method=method, normalization=normalization, scales=scales,
                          tiebreak=keys)
    assert r.scores[:n].tolist() == r.scores[n:].tolist()
    # the order is exactly: higher score, then lower key, then lower row index
    expected = sorted(range(2 * n), key=lambda row: (-r.scores[row], keys[row], row))
    assert r.order.tolist() == expected
    assert r.tied[:n].all() and r.tied[n:].all()
    if method == "wsm":
        k = int(np.clip(n, 1, 2 * n))
        top = weight_stability(matrix, weights, directions, k, normalization=normalization, scales=scales,
                               tiebreak=keys).top
        assert top.tolist() == r.order[:k].tolist()  # robustness sees the same ranking


@PROFILE
@given(arrays(np.float64, (12, 4), elements=st.floats(0, 1)), arrays(np.float64, 4, elements=st.floats(0.01, 5)))
def test_a_wsm_score_is_the_exact_sum_of_its_contributions(matrix, weights):
    r = rank_alternatives(matrix, weights, ["benefit", "cost", "benefit", "cost"], scales=[(0, 1)] * 4)
    assert r.scores.tolist() == [math.fsum(row) for row in r.contributions.tolist()]


def test_ordered_summation_is_the_old_left_to_right_sum_for_stored_rankings():
    rng = np.random.default_rng(8)
    matrix = rng.random((300, 5))
    r = rank_alternatives(matrix, rng.random(5), ["benefit"] * 5, scales=[(0, 1)] * 5, summation="ordered")
    total = r.contributions[:, 0].copy()
    for j in range(1, 5):
        total += r.contributions[:, j]
    assert r.scores.tobytes() == total.tobytes()
    with pytest.raises(ValueError, match="unknown summation 'pairwise'"):
        rank_alternatives(matrix, np.ones(5), ["benefit"] * 5, scales=[(0, 1)] * 5, summation="pairwise")


def test_a_calibrated_claim_beyond_the_scale_is_clipped_to_full_credit_at_the_engine():
    """Issue 13 item 4: cx_impact 1.005 (team factor 1.5) on the scale [-1, 1] was a ValueError."""
    r = rank_alternatives([[0.8, 1.005, 100.0], [0.8, -1.2, 50.0]], [0.3, 0.35, 0.2], ["benefit", "benefit", "cost"],
                          scales=[(0, 1), (-1, 1), (0, 200)], criteria_names=["fit", "cx_impact", "cost"])
    assert r.normalized[:, 1].tolist() == [1.0, 0.0]
    assert r.raw[:, 1].tolist() == [1.005, -1.2]
    assert r.clipped[:, 1].tolist() == [True, True] and not r.clipped[:, [0, 2]].any()
    assert (r.clipped_to(0, 1), r.clipped_to(1, 1)) == (1.0, -1.0)
