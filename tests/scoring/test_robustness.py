"""Weight stability against brute force; SMAA invariants."""
import numpy as np
import pytest

from cxgov.scoring import rank_acceptability, rank_alternatives, rank_order_fill, weight_stability

DIRECTIONS = ["benefit", "benefit", "cost", "benefit"]
SCALES = [(0, 1), (-1, 1), (0, 1000), (1, 5)]


def problem(seed, n=25):
    rng = np.random.default_rng(seed)
    matrix = np.column_stack([rng.random(n), rng.uniform(-1, 1, n), rng.integers(0, 1000, n), rng.uniform(1, 5, n)])
    weights = rng.random(4) + 0.05
    return matrix, weights / weights.sum()


def top_set(matrix, weights, k):
    return set(rank_alternatives(matrix, weights, DIRECTIONS, scales=SCALES).order[:k].tolist())


def moved(weights, j, t):
    w = weights * (1 - t) / (1 - weights[j])
    w[j] = t
    return w


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 3, 8])
def test_weight_stability_intervals_are_exact(seed, k):
    matrix, weights = problem(seed)
    s = weight_stability(matrix, weights, DIRECTIONS, k, scales=SCALES)
    reference = top_set(matrix, weights, k)
    assert set(s.top.tolist()) == reference
    for j in range(4):
        lo, hi = s.lower[j], s.upper[j]
        assert lo <= weights[j] <= hi
        # inside the interval the top-k set never changes
        for t in np.linspace(lo, hi, 25)[1:-1]:
            assert top_set(matrix, moved(weights, j, t), k) == reference
        # just past an end that is not 0 or 1, it does change — and the reported rows swap
        for end, step, swap in ((lo, -1e-7, s.lower_swap[j]), (hi, 1e-7, s.upper_swap[j])):
            if 1e-6 < end < 1 - 1e-6:
                after = top_set(matrix, moved(weights, j, end + step), k)
                assert after != reference
                leaving, entering = swap.tolist()
                assert leaving in reference and entering in after and leaving not in after


def test_weight_stability_validates_k():
    with pytest.raises(ValueError, match="k must be an integer between 1 and the number of rows"):
        weight_stability([[0.5]], [1], ["benefit"], 2, scales=[(0, 1)])


def test_smaa_probabilities_are_consistent_and_chunk_independent():
    matrix, weights = problem(1, n=40)
    costs = np.random.default_rng(0).integers(100, 1000, 40)
    kw = dict(k=5, costs=costs, budget=4000, samples=3000, seed=42, scales=SCALES)
    a = rank_acceptability(matrix, weights, DIRECTIONS, chunk=1024, **kw)
    b = rank_acceptability(matrix, weights, DIRECTIONS, chunk=77, **kw)
    assert a.rank_probabilities.tobytes() == b.rank_probabilities.tobytes()
    assert a.funded.tobytes() == b.funded.tobytes()
    np.testing.assert_allclose(a.rank_probabilities.sum(axis=0), 1.0)
    np.testing.assert_allclose(a.top_k, a.rank_probabilities.sum(axis=1))
    assert abs(a.top_k.sum() - 5) < 1e-9
    assert ((a.funded >= 0) & (a.funded <= 1)).all()


@pytest.mark.parametrize("method", ["wsm", "topsis"])
def test_smaa_at_huge_concentration_reproduces_the_ranking_and_the_fill(method):
    matrix, weights = problem(3, n=30)
    costs = np.random.default_rng(1).integers(100, 1000, 30)
    key = costs.astype(float)
    ranking = rank_alternatives(matrix, weights, DIRECTIONS, scales=SCALES, method=method, tiebreak=key)
    r = rank_acceptability(matrix, weights, DIRECTIONS, k=4, costs=costs, budget=3000, samples=50,
                           concentration=1e12, scales=SCALES, method=method, tiebreak=key)
    for position, row in enumerate(ranking.order[:4].tolist()):
        assert r.rank_probabilities[row, position] == 1.0
    fill = rank_order_fill(ranking.order, costs, 3000)
    assert np.array_equal(r.funded, fill.selected.astype(float))


def test_smaa_breaks_ties_like_the_ranking():
    matrix = np.array([[0.5, 0.5], [0.5, 0.5], [0.1, 0.1]])
    r = rank_acceptability(matrix, [1, 1], ["benefit", "benefit"], k=1, samples=100, scales=[(0, 1)] * 2,
                           tiebreak=[5.0, 1.0, 0.0])
    assert r.rank_probabilities[:, 0].tolist() == [0.0, 1.0, 0.0]


def test_smaa_validation():
    with pytest.raises(ValueError, match="costs and budget go together"):
        rank_acceptability([[0.5]], [1], ["benefit"], k=1, costs=[1], scales=[(0, 1)])
    with pytest.raises(ValueError, match="concentration"):
        rank_acceptability([[0.5]], [1], ["benefit"], k=1, concentration=0, scales=[(0, 1)])
    with pytest.raises(ValueError, match="samples"):
        rank_acceptability([[0.5]], [1], ["benefit"], k=1, samples=0, scales=[(0, 1)])
