"""Hypothesis properties of the ranking."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from cxgov.scoring import rank_alternatives

DIRECTIONS = ["benefit", "cost", "benefit", "cost"]
SCALES = [(0.0, 1.0), (0.0, 1000.0), (-1.0, 1.0), (1.0, 5.0)]
PROFILE = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def problems(draw, min_rows=2, max_rows=12):
    n = draw(st.integers(min_rows, max_rows))
    columns = [
        draw(arrays(np.float64, n, elements=st.floats(lo, hi, allow_nan=False)))
        for lo, hi in SCALES
    ]
    weights = draw(arrays(np.float64, 4, elements=st.floats(0.0, 10.0)).filter(lambda w: w.sum() > 1e-3))
    return np.column_stack(columns), weights


def rank(matrix, weights, **kw):
    return rank_alternatives(matrix, weights, DIRECTIONS, scales=SCALES, **kw)


@PROFILE
@given(problems(min_rows=3), st.data())
def test_absolute_adding_or_removing_a_row_keeps_the_order_of_two_others(problem, data):
    matrix, weights = problem
    n = matrix.shape[0]
    drop = data.draw(st.integers(0, n - 1))
    full = rank(matrix, weights)
    keep = np.delete(np.arange(n), drop)
    reduced = rank(matrix[keep], weights)
    # position of each kept row in both rankings, compared pairwise
    before = full.ranks[keep]
    after = reduced.ranks
    assert np.array_equal(np.argsort(before, kind="stable"), np.argsort(after, kind="stable"))


@PROFILE
@given(problems(), st.data())
def test_improving_a_value_never_worsens_the_wsm_rank(problem, data):
    matrix, weights = problem
    n = matrix.shape[0]
    row = data.draw(st.integers(0, n - 1))
    col = data.draw(st.integers(0, 3))
    lo, hi = SCALES[col]
    better = matrix.copy()
    if DIRECTIONS[col] == "benefit":
        better[row, col] = data.draw(st.floats(matrix[row, col], hi))
    else:
        better[row, col] = data.draw(st.floats(lo, matrix[row, col]))
    assert rank(better, weights).ranks[row] <= rank(matrix, weights).ranks[row]


@PROFILE
@given(problems(), st.floats(1e-3, 1e3))
def test_scaling_all_weights_changes_nothing(problem, factor):
    matrix, weights = problem
    a = rank(matrix, weights)
    b = rank(matrix, weights * factor)
    np.testing.assert_allclose(a.scores, b.scores, rtol=1e-12, atol=1e-15)
    # weights are normalized first, so the ranking is identical up to float rounding of the
    # rescaled weights; compare the orders where scores are not within rounding of a tie
    if np.all(np.diff(np.sort(a.scores)) > 1e-12):
        assert np.array_equal(a.order, b.order)


@PROFILE
@given(problems(), st.randoms(use_true_random=False), st.sampled_from(["wsm", "topsis"]))
def test_permuting_rows_permutes_the_outputs(problem, random, method):
    matrix, weights = problem
    n = matrix.shape[0]
    perm = np.array(random.sample(range(n), n))
    key = np.arange(n, dtype=float)  # a total secondary key makes the ranking permutation-proof
    a = rank(matrix, weights, method=method, tiebreak=key)
    b = rank(matrix[perm], weights, method=method, tiebreak=key[perm])
    np.testing.assert_allclose(b.scores, a.scores[perm], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(b.normalized, a.normalized[perm])
    if method == "wsm":
        np.testing.assert_array_equal(b.ranks, a.ranks[perm])
        np.testing.assert_array_equal(perm[b.order], a.order)


@PROFILE
@given(problems())
def test_scaling_all_weights_by_power_of_two_is_bit_identical(problem):
    matrix, weights = problem
    a = rank(matrix, weights)
    b = rank(matrix, weights * 4.0)
    assert a.scores.tobytes() == b.scores.tobytes()
    assert a.order.tobytes() == b.order.tobytes()
