"""AHP against published worked examples, validation, aggregation."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cxgov.scoring import InconsistentJudgments, aggregate_judgments, ahp_weights, require_consistent


def reciprocal(upper):
    n = len(upper) + 1
    a = np.ones((n, n))
    for i, row in enumerate(upper):
        for offset, value in enumerate(row):
            j = i + 1 + offset
            a[i, j], a[j, i] = value, 1 / value
    return a


def test_wikipedia_leader_example_criteria():
    # "Analytic hierarchy process – leader example" (Wikipedia, after Saaty's method):
    # criteria Experience, Education, Charisma, Age; published priorities .547, .127, .270,
    # .056 and consistency ratio 0.044.
    a = reciprocal([[4, 3, 7], [1 / 3, 3], [5]])
    r = ahp_weights(a)
    np.testing.assert_allclose(r.weights, [0.547, 0.127, 0.270, 0.056], atol=1.5e-3)
    assert round(r.cr, 3) == 0.044
    assert r.consistent


def test_saaty_1990_optics_example():
    # Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
    # EJOR 48(1), 9-26 — relative brightness of four chairs seen from a light source:
    # eigenvector (0.61, 0.24, 0.10, 0.05), lambda_max = 4.39, C.I. = 0.13, C.R. = 0.14.
    a = reciprocal([[5, 6, 7], [4, 6], [4]])
    r = ahp_weights(a)
    np.testing.assert_allclose(r.weights, [0.61, 0.24, 0.10, 0.05], atol=0.01)
    assert round(r.lambda_max, 2) == 4.39
    assert round(r.ci, 2) == 0.13
    assert round(r.cr, 2) == 0.14
    assert not r.consistent  # 0.14 > 0.10: Saaty's own example would be sent back for revision


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.floats(0.1, 10.0), min_size=2, max_size=7))
def test_consistent_matrices_give_their_generating_weights(raw):
    w = np.array(raw) / sum(raw)
    a = w[:, None] / w[None, :]
    r = ahp_weights(a)
    np.testing.assert_allclose(r.weights, w, rtol=1e-9)
    assert r.cr < 1e-9 and r.consistent


def test_worst_triple_and_refusal_message():
    a = reciprocal([[2, 8, 2], [4, 1], [1 / 4]])  # 0->2 = 8 but 0->1->2 = 8; 1->3 vs 1->2->3 differ
    a[0, 3], a[3, 0] = 1 / 9, 9  # make (0, 1, 3) badly inconsistent
    r = ahp_weights(a)
    assert r.cr > 0.1 and not r.consistent
    assert r.worst_triple is not None
    i, j, k = r.worst_triple
    a_ij, a_jk, a_ik = r.worst_triple_judgments
    assert (a_ij, a_jk, a_ik) == (a[i, j], a[j, k], a[i, k])
    with pytest.raises(InconsistentJudgments, match=r"consistency ratio .* exceeds 0.1; most inconsistent judgments: 'fit'"):
        ahp_weights(a, max_cr=0.10, criteria_names=["fit", "impact", "cost", "partners"])
    with pytest.raises(ValueError):
        require_consistent(r)


@pytest.mark.parametrize(
    "matrix, message",
    [
        ([[1, 2], [0.4, 1]], r"not reciprocal: \[0, 1\] is 2.0 but \[1, 0\] is 0.4"),
        ([[1, -2], [-0.5, 1]], r"matrix\[0, 1\] is -2.0; judgments must be positive"),
        ([[1, 0], [0, 1]], "positive"),
        ([[2, 1], [1, 1]], "diagonal must be 1"),
        ([[1, 2, 3], [0.5, 1, 2]], "square"),
        ([[1, np.nan], [np.nan, 1]], "positive and finite"),
    ],
)
def test_invalid_matrices_are_refused(matrix, message):
    with pytest.raises(ValueError, match=message):
        ahp_weights(matrix)


def test_small_matrices_are_consistent_by_definition():
    assert ahp_weights([[1]]).weights.tolist() == [1.0]
    r = ahp_weights([[1, 3], [1 / 3, 1]])
    np.testing.assert_allclose(r.weights, [0.75, 0.25])
    assert r.cr == 0.0 and r.worst_triple is None


def test_aggregate_judgments_geometric_mean_is_reciprocal():
    a = reciprocal([[3, 5], [2]])
    b = reciprocal([[1 / 3, 5], [8]])
    g = aggregate_judgments([a, b])
    np.testing.assert_allclose(g[0, 1], 1.0)
    np.testing.assert_allclose(g[0, 2], 5.0)
    np.testing.assert_allclose(g[1, 2], 4.0)
    np.testing.assert_allclose(g * g.T, 1.0, rtol=1e-15)
    ahp_weights(g)  # passes the reciprocity check
    with pytest.raises(ValueError, match=r"matrices\[1\] has shape"):
        aggregate_judgments([a, np.ones((2, 2))])
    with pytest.raises(ValueError, match="empty"):
        aggregate_judgments([])
