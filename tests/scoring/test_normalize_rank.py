"""Normalizations, wsm/TOPSIS and ranking: cross-checks with pymcdm, edge cases, validation."""
import math

import numpy as np
import pytest
from pymcdm.methods import TOPSIS, WSM
from pymcdm.normalizations import minmax_normalization, vector_normalization

from cxgov.scoring import normalize, order_scores, rank_alternatives


def random_problem(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 60)), int(rng.integers(2, 8))
    matrix = rng.random((n, m)) * rng.integers(1, 10_000, m) + rng.integers(0, 50, m)
    weights = rng.random(m) + 0.01
    weights /= weights.sum()
    types = rng.choice([1, -1], m)
    types[0], types[-1] = 1, -1  # always mixed benefit and cost
    return matrix, weights, types


@pytest.mark.parametrize("seed", range(150))
def test_topsis_vector_equals_pymcdm(seed):
    matrix, weights, types = random_problem(seed)
    ours = rank_alternatives(matrix, weights, types.tolist(), method="topsis", normalization="vector")
    theirs = TOPSIS(vector_normalization)(matrix, weights, types, validation=False)
    np.testing.assert_allclose(ours.scores, theirs, rtol=0, atol=1e-12)
    assert ours.order.tolist() == np.argsort(-theirs, kind="stable").tolist()


@pytest.mark.parametrize("seed", range(150))
def test_wsm_minmax_equals_pymcdm(seed):
    matrix, weights, types = random_problem(seed)
    ours = rank_alternatives(matrix, weights, types.tolist(), method="wsm", normalization="minmax")
    theirs = WSM(minmax_normalization)(matrix, weights, types, validation=False)
    np.testing.assert_allclose(ours.scores, theirs, rtol=0, atol=1e-12)
    assert ours.order.tolist() == np.argsort(-theirs, kind="stable").tolist()


def test_constant_column_matches_pymcdm_for_minmax():
    # pymcdm also yields 1.0 for a constant min-max column; scikit-criteria yields 0.0.
    matrix = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    ours = rank_alternatives(matrix, [0.5, 0.5], [1, -1], normalization="minmax")
    assert ours.normalized[:, 1].tolist() == [1.0, 1.0, 1.0]
    theirs = WSM(minmax_normalization)(matrix, np.array([0.5, 0.5]), np.array([1, -1]), validation=False)
    np.testing.assert_allclose(ours.scores, theirs, atol=1e-12)


def test_topsis_identical_rows_where_we_deliberately_differ_from_pymcdm():
    # Every row equals the ideal and the anti-ideal: pymcdm divides 0 by 0 (NaN); we define 0.5.
    matrix = np.array([[2.0, 7.0], [2.0, 7.0], [2.0, 7.0]])
    ours = rank_alternatives(matrix, [0.3, 0.7], [1, -1], method="topsis", normalization="vector")
    assert ours.scores.tolist() == [0.5, 0.5, 0.5]
    assert ours.ranks.tolist() == [1, 2, 3]  # ties: input order
    with np.errstate(invalid="ignore"):
        theirs = TOPSIS(vector_normalization)(matrix, np.array([0.3, 0.7]), np.array([1, -1]), validation=False)
    assert np.isnan(theirs).all()


def test_ties_where_we_deliberately_differ_from_pymcdm_ranks():
    # pymcdm's rankdata averages ties (1.5, 1.5); we break them: secondary key, then input order.
    matrix = np.array([[0.5, 100.0], [0.5, 100.0], [0.2, 100.0]])
    r = rank_alternatives(matrix, [1, 1], ["benefit", "cost"], scales=[(0, 1), (0, 200)])
    assert r.ranks.tolist() == [1, 2, 3]
    assert r.tied.tolist() == [True, True, False]
    r = rank_alternatives(matrix, [1, 1], ["benefit", "cost"], scales=[(0, 1), (0, 200)], tiebreak=[9, 3, 0])
    assert r.ranks.tolist() == [2, 1, 3]  # lower secondary key wins among the tied rows only


@pytest.mark.parametrize("method", ["minmax", "vector", "max", "sum"])
def test_constant_columns_never_nan(method):
    for value in (0.0, 4.0):
        for direction in ("benefit", "cost"):
            column = np.full((5, 1), value)
            out = normalize(column, [direction], method)
            assert np.isfinite(out).all()
            assert np.unique(out).size == 1


def test_all_zero_column_equals_nonzero_constant_column():
    for method in ("vector", "max", "sum"):
        for direction in ("benefit", "cost"):
            if method == "sum" and direction == "cost":
                continue
            zero = normalize(np.zeros((4, 1)), [direction], method)
            three = normalize(np.full((4, 1), 3.0), [direction], method)
            np.testing.assert_allclose(zero, three, atol=1e-15)


def test_a_value_outside_its_absolute_scale_is_clipped_at_either_end_never_refused():
    """Issue 13 item 4: every criterion, both ends; the ranking says which values were
    clipped and to which bound (this raised ValueError for beyond-best values)."""
    matrix = [[1.5, 10, 0.5], [-0.2, 150, 0.5], [0.5, -5, 0.5]]
    r = rank_alternatives(matrix, [1, 1, 1], ["benefit", "cost", "benefit"],
                          scales=[(0, 1), (0, 100), (0, 1)], criteria_names=["fit", "cost", "other"])
    assert r.normalized.tolist() == [[1.0, 0.9, 0.5], [0.0, 0.0, 0.5], [0.5, 1.0, 0.5]]
    assert r.raw.tolist() == matrix  # the raw values stay as given
    assert r.clipped.tolist() == [[True, False, False], [True, True, False], [False, True, False]]
    assert [r.clipped_to(0, 0), r.clipped_to(1, 0), r.clipped_to(1, 1), r.clipped_to(2, 1), r.clipped_to(0, 1)] \
        == [1.0, 0.0, 100.0, 0.0, None]
    out = normalize(matrix, ["benefit", "cost", "benefit"], scales=[(0, 1), (0, 100), (0, 1)])
    assert out.tolist() == r.normalized.tolist()


def test_relative_normalizations_clip_nothing():
    r = rank_alternatives([[1.5, 10], [3.0, 20]], [1, 1], ["benefit", "cost"], normalization="minmax")
    assert r.scales is None and not r.clipped.any() and r.clipped_to(0, 0) is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(matrix=[[np.nan, 1.0]]), r"criterion 0, row 0 is nan"),
        (dict(matrix=[[1.0, np.inf]]), r"criterion 1, row 0 is inf"),
        (dict(weights=[1, -1]), r"criterion 'b' \(index 1\) has negative weight -1.0"),
        (dict(weights=[0, 0]), "all zero"),
        (dict(weights=[1, np.nan]), "weight nan"),
        (dict(weights=[1, 2, 3]), "one entry per criterion"),
        (dict(directions=["benefit", "up"]), r"criterion 'b' \(index 1\) has direction 'up'"),
        (dict(method="electre"), "unknown method 'electre'"),
        (dict(normalization="zscore"), "unknown normalization 'zscore'"),
        (dict(matrix=[1.0, 2.0]), "must be 2-D"),
        (dict(tiebreak=[1.0]), "tiebreak must have one entry per row"),
        (dict(scales=None), "absolute normalization needs scales"),
        (dict(scales=[(0, 1), (5, 5)]), r"criterion 'b' \(index 1\) has scale"),
    ],
)
def test_validation_errors_name_the_culprit(kwargs, message):
    args = dict(matrix=[[0.5, 0.5], [0.2, 0.1]], weights=[1, 1], directions=["benefit", "cost"],
                method="wsm", normalization="absolute", scales=[(0, 1), (0, 1)], tiebreak=None)
    args.update(kwargs)
    matrix, weights, directions = args.pop("matrix"), args.pop("weights"), args.pop("directions")
    with pytest.raises(ValueError, match=message):
        rank_alternatives(matrix, weights, directions, criteria_names=["a", "b"] if np.ndim(matrix) == 2 and
                          np.shape(matrix)[1] == 2 and "nan" not in message and "inf" not in message else None,
                          **args)


def test_ratio_normalizations_refuse_negative_values_and_zero_costs():
    with pytest.raises(ValueError, match="non-negative values: criterion 0, row 1 is -1.0"):
        normalize([[1.0], [-1.0]], ["benefit"], "max")
    with pytest.raises(ValueError, match="row 0 is 0"):
        normalize([[0.0], [2.0]], ["cost"], "sum")
    with pytest.raises(ValueError, match="scales only apply"):
        normalize([[1.0]], ["benefit"], "minmax", scales=[(0, 1)])


def test_wsm_contributions_add_up_exactly_and_results_are_read_only():
    rng = np.random.default_rng(3)
    matrix = rng.random((500, 6))
    weights = rng.random(6)
    r = rank_alternatives(matrix, weights, ["benefit"] * 3 + ["cost"] * 3, scales=[(0, 1)] * 6)
    # the score is the exact sum of the contributions, rounded once
    assert r.scores.tolist() == [math.fsum(row) for row in r.contributions.tolist()]
    # "ordered" (how rankings stored before were summed) is the left-to-right float sum
    ordered = rank_alternatives(matrix, weights, ["benefit"] * 3 + ["cost"] * 3, scales=[(0, 1)] * 6,
                                summation="ordered")
    total = ordered.contributions[:, 0].copy()
    for j in range(1, 6):
        total += ordered.contributions[:, j]
    assert np.array_equal(total, ordered.scores) and ordered.summation == "ordered"
    assert not np.array_equal(ordered.scores, r.scores)  # they differ in the last bits somewhere
    np.testing.assert_allclose(r.weights.sum(), 1.0)
    with pytest.raises(ValueError):
        r.scores[0] = 1.0
    assert sorted(r.ranks.tolist()) == list(range(1, 501))
    assert np.array_equal(r.ranks[r.order], np.arange(1, 501))


def test_same_input_gives_bit_identical_output():
    rng = np.random.default_rng(11)
    matrix = np.round(rng.random((2000, 5)), 2)  # many exact ties
    key = rng.integers(0, 5, 2000).astype(float)
    runs = [rank_alternatives(matrix, [3, 2, 2, 1, 1], [1, 1, -1, 1, -1], scales=[(0, 1)] * 5, tiebreak=key)
            for _ in range(3)]
    for other in runs[1:]:
        for field in ("normalized", "contributions", "scores", "ranks", "order", "tied"):
            assert getattr(runs[0], field).tobytes() == getattr(other, field).tobytes()


def test_order_matches_reference_lexsort_with_many_ties():
    rng = np.random.default_rng(5)
    scores = rng.integers(0, 20, 3000).astype(float)
    key = rng.integers(0, 4, 3000).astype(float)
    order, ranks = order_scores(scores, key)
    assert order.tolist() == np.lexsort((np.arange(3000), key, -scores)).tolist()
    order, _ = order_scores(scores)
    assert order.tolist() == np.lexsort((np.arange(3000), -scores)).tolist()


def test_topsis_contributions_are_weighted_normalized_values():
    r = rank_alternatives([[1.0, 2.0], [3.0, 1.0]], [0.25, 0.75], [1, -1], method="topsis", normalization="vector")
    np.testing.assert_allclose(r.contributions, r.normalized * r.weights)
    assert r.distance_best is not None and r.distance_worst is not None


def test_vector_normalization_survives_huge_and_tiny_values_without_warnings():
    huge = normalize([[1e200], [1e200]], ["benefit"], "vector")
    np.testing.assert_allclose(huge.ravel(), [2**-0.5, 2**-0.5])
    tiny = normalize([[1e-200], [0.0]], ["benefit"], "vector")
    assert tiny.ravel().tolist() == [1.0, 0.0]
