"""Robustness of a ranking: how far weights can move before the top-k changes (exact, wsm),
and rank acceptability under sampled weights (SMAA)."""

from dataclasses import dataclass

import numpy as np

from ._validate import as_costs, as_budget, as_directions, as_matrix, as_names, as_secondary_key, as_weights
from .aggregate import AGGREGATIONS, SUMMATIONS
from .normalize import METHOD_NAMES, check_method, normalize_columns
from .rank import _order_kernel

__all__ = ["WeightStability", "weight_stability", "RankAcceptability", "rank_acceptability"]


def _frozen(array):
    array.flags.writeable = False
    return array


def _prepare(matrix, weights, directions, normalization, scales, tiebreak, criteria_names):
    check_method(normalization, METHOD_NAMES, "normalization")
    names = None if criteria_names is None else tuple(str(n) for n in criteria_names)
    raw = as_matrix(matrix, names)
    n_rows, n_criteria = raw.shape
    names = as_names(names, n_criteria)
    benefit = as_directions(directions, n_criteria, names)
    w = as_weights(weights, n_criteria, names)
    key = as_secondary_key(tiebreak, n_rows)
    normalized_t = normalize_columns(raw, benefit, normalization, scales, names)
    return normalized_t, w, key


def _as_k(k, n_rows):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n_rows:
        raise ValueError(f"k must be an integer between 1 and the number of rows ({n_rows}), got {k!r}")
    return int(k)


@dataclass(frozen=True)
class WeightStability:
    """Per criterion, the weight interval over which the top-k set stays the same.

    Attributes
    ----------
    weights : ndarray, shape (m,)
        The weights (summing to 1).
    lower, upper : ndarray, shape (m,)
        Criterion j's weight can move anywhere in ``[lower[j], upper[j]]`` (the other weights
        rescaled in proportion to fill ``1 - w_j``) without changing the top-k set. At an end
        point two rows tie; past it they swap (0 and 1 mean no swap in that direction).
    lower_swap, upper_swap : ndarray of int64, shape (m, 2)
        ``(row leaving the top k, row entering)`` at each end, ``(-1, -1)`` when none.
    top : ndarray of int64, shape (k,)
        The top-k rows at the given weights, best first.
    """

    weights: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_swap: np.ndarray
    upper_swap: np.ndarray
    top: np.ndarray


def weight_stability(
    matrix,
    weights,
    directions,
    k,
    *,
    normalization="absolute",
    scales=None,
    tiebreak=None,
    criteria_names=None,
    summation="exact",
):
    """Exact weight-stability intervals of the top-k set under the weighted sum.

    Parameters
    ----------
    matrix, weights, directions, normalization, scales, tiebreak, criteria_names, summation
        As for :func:`cxgov.scoring.rank_alternatives` (method ``wsm``); the top-k set is the
        one that ranking gives.
    k : int
        Size of the top set, 1 <= k <= n_rows.

    Returns
    -------
    WeightStability

    Notes
    -----
    Moving criterion j's weight to t and rescaling the others by ``(1 - t)/(1 - w_j)`` makes
    every score linear in t: :math:`S_r(t) = t\\,a_r + (1 - t)\\,b_r` with :math:`a_r` the
    normalized value on j and :math:`b_r` the weighted mean of the other criteria. The top-k
    set changes exactly where a line of an inside row crosses a line of an outside row, so
    the interval ends are the nearest crossings on either side of :math:`w_j` (clipped to
    [0, 1]) — exact, no sampling or bisection. When ``w_j == 1`` the other criteria have no
    proportions to keep; they share ``1 - t`` equally.

    Examples
    --------
    >>> s = weight_stability([[1.0, 0.0], [0.0, 1.0]], [0.6, 0.4], ["benefit", "benefit"], 1,
    ...                      scales=[(0, 1), (0, 1)])
    >>> s.top.tolist(), s.lower.tolist(), s.upper.tolist()
    ([0], [0.5, 0.0], [1.0, 0.5])
    """
    check_method(summation, SUMMATIONS, "summation")
    normalized_t, w, key = _prepare(matrix, weights, directions, normalization, scales, tiebreak, criteria_names)
    m, n = normalized_t.shape
    k = _as_k(k, n)
    _, scores, _, _ = AGGREGATIONS["wsm"](normalized_t, w, summation)
    order, _ = _order_kernel(scores, key)
    inside, outside = order[:k], order[k:]
    lower = np.zeros(m)
    upper = np.ones(m)
    lower_swap = np.full((m, 2), -1, dtype=np.int64)
    upper_swap = np.full((m, 2), -1, dtype=np.int64)
    for j in range(m):
        a = normalized_t[j]
        others = np.arange(m) != j
        if m == 1:
            lower[j] = upper[j] = 1.0
            continue
        rest = 1.0 - w[j]
        if rest > 0:
            b = (w[others, None] * normalized_t[others]).sum(axis=0) / rest
        else:
            b = normalized_t[others].mean(axis=0)
        lo, hi = 0.0, 1.0
        for r in inside.tolist():
            da = a[r] - a[outside]
            db = b[r] - b[outside]
            alpha = np.maximum(da * w[j] + db * (1 - w[j]), 0.0)
            beta = da - db
            down = beta > 0  # the outside row catches up when t decreases
            if down.any():
                crossing = w[j] - alpha[down] / beta[down]
                idx = int(np.argmax(crossing))
                if crossing[idx] > lo:
                    lo = float(crossing[idx])
                    lower_swap[j] = r, outside[down][idx]
            up = beta < 0
            if up.any():
                crossing = w[j] + alpha[up] / -beta[up]
                idx = int(np.argmin(crossing))
                if crossing[idx] < hi:
                    hi = float(crossing[idx])
                    upper_swap[j] = r, outside[up][idx]
        lower[j], upper[j] = min(lo, w[j]), max(hi, w[j])
    return WeightStability(
        weights=_frozen(w),
        lower=_frozen(lower),
        upper=_frozen(upper),
        lower_swap=_frozen(lower_swap),
        upper_swap=_frozen(upper_swap),
        top=_frozen(inside.copy()),
    )


@dataclass(frozen=True)
class RankAcceptability:
    """SMAA rank acceptability.

    Attributes
    ----------
    rank_probabilities : ndarray, shape (n, k)
        ``[i, r]``: share of sampled weight vectors under which row i is ranked r + 1.
    top_k : ndarray, shape (n,)
        Share of samples with row i in the top k (the row sums of ``rank_probabilities``).
    funded : ndarray, shape (n,) or None
        Share of samples in which a rank-order fill of ``budget`` (skip what does not fit,
        continue) funds row i; None without costs and budget.
    samples : int
    concentration : float
    seed : int or None
    """

    rank_probabilities: np.ndarray
    top_k: np.ndarray
    funded: np.ndarray | None
    samples: int
    concentration: float
    seed: int | None


def _sampled_scores(method, normalized_t, weights):
    """Scores for a chunk of weight vectors, shape (chunk, n), summed criterion by criterion
    (a fixed order, so the same seed gives bit-identical results)."""
    if method == "wsm":
        scores = np.multiply.outer(weights[:, 0], normalized_t[0])
        for j in range(1, normalized_t.shape[0]):
            scores += np.multiply.outer(weights[:, j], normalized_t[j])
        return scores
    best = normalized_t.max(axis=1, keepdims=True)
    worst = normalized_t.min(axis=1, keepdims=True)
    to_best = (normalized_t - best) ** 2
    to_worst = (normalized_t - worst) ** 2
    squared = weights**2
    d_best = np.multiply.outer(squared[:, 0], to_best[0])
    d_worst = np.multiply.outer(squared[:, 0], to_worst[0])
    for j in range(1, normalized_t.shape[0]):
        d_best += np.multiply.outer(squared[:, j], to_best[j])
        d_worst += np.multiply.outer(squared[:, j], to_worst[j])
    np.sqrt(d_best, out=d_best)
    np.sqrt(d_worst, out=d_worst)
    spread = d_best + d_worst
    degenerate = spread == 0
    spread[degenerate] = 1.0
    closeness = d_worst / spread
    closeness[degenerate] = 0.5
    return closeness


def rank_acceptability(
    matrix,
    weights,
    directions,
    *,
    k,
    costs=None,
    budget=None,
    samples=10_000,
    concentration=100.0,
    seed=0,
    chunk=1024,
    method="wsm",
    normalization="absolute",
    scales=None,
    tiebreak=None,
    criteria_names=None,
):
    """Rank acceptability analysis (SMAA) under Dirichlet weights centred on the model's.

    Parameters
    ----------
    matrix, weights, directions, method, normalization, scales, tiebreak, criteria_names
        As for :func:`cxgov.scoring.rank_alternatives`; ties are broken the same way. The
        sampled weights are continuous, so under them two rows tie only when their
        normalized values are equal; the scores are summed criterion by criterion.
    k : int
        Rank positions reported (1..k) and the size of the top set.
    costs : array_like of int, optional
        Integer minor units per row; with ``budget``, also report the funded probability.
    budget : int, optional
    samples : int
        Number of weight vectors (default 10,000).
    concentration : float
        Dirichlet concentration c: the sampled weights follow Dirichlet(c * w), whose mean is
        w and whose spread shrinks as c grows (sd of weight j is
        ``sqrt(w_j (1 - w_j) / (c + 1))``; c = 100 and w_j = 0.25 give about 0.043).
        Criteria with weight 0 stay at 0.
    seed : int or None
        Seed of numpy's default generator; the same seed gives bit-identical results whatever
        the chunk size.
    chunk : int
        Weight vectors processed at once; memory is about ``5 * 8 * chunk * n_rows`` bytes
        whatever ``samples`` is (about 40 MiB for 1,000 rows and the default chunk).

    Returns
    -------
    RankAcceptability

    References
    ----------
    .. [1] Lahdelma, R., & Salminen, P. (2001). SMAA-2: Stochastic multicriteria
       acceptability analysis for group decision making. Operations Research, 49(3), 444-454.

    Examples
    --------
    >>> r = rank_acceptability([[0.9, 0.9], [0.1, 0.1]], [0.5, 0.5], ["benefit", "benefit"],
    ...                        k=1, samples=200, scales=[(0, 1), (0, 1)])
    >>> r.rank_probabilities[:, 0].tolist()  # a dominant row is first under every weight
    [1.0, 0.0]
    """
    check_method(method, tuple(AGGREGATIONS), "method")
    normalized_t, w, key = _prepare(matrix, weights, directions, normalization, scales, tiebreak, criteria_names)
    m, n = normalized_t.shape
    k = _as_k(k, n)
    concentration = _check_sampling(samples, chunk, concentration, costs, budget)
    c = as_costs(costs, n) if costs is not None else None
    budget = as_budget(budget) if budget is not None else None

    # Work in tie-break order: row position p holds the p-th row by (tiebreak, index), so a
    # stable sort on -score breaks ties exactly as rank_alternatives does.
    perm = np.arange(n) if key is None else np.lexsort((np.arange(n), key))
    normalized_p = np.ascontiguousarray(normalized_t[:, perm])
    costs_p = None if c is None else c[perm]
    positive = np.flatnonzero(w > 0)
    alpha = concentration * w[positive]
    rng = np.random.default_rng(seed)

    rank_counts = np.zeros((k, n), dtype=np.int64)
    funded_counts = np.zeros(n, dtype=np.int64)
    cheapest = None if c is None else int(costs_p.min())
    done = 0
    while done < samples:
        size = min(chunk, samples - done)
        sampled = _dirichlet_weights(rng, alpha, positive, w, size)
        order = _tie_broken_order(_sampled_scores(method, normalized_p, sampled))
        for p in range(k):
            rank_counts[p] += np.bincount(order[:, p], minlength=n)
        if costs_p is not None:
            funded_counts += np.bincount(order[_funded_positions(costs_p[order], budget, cheapest)], minlength=n)
        del order
        done += size

    rank_prob = np.empty((n, k))
    rank_prob[perm] = (rank_counts / samples).T
    top = np.empty(n)
    top[perm] = rank_counts.sum(axis=0) / samples
    funded = None
    if costs_p is not None:
        funded = np.empty(n)
        funded[perm] = funded_counts / samples
    return RankAcceptability(
        rank_probabilities=_frozen(rank_prob),
        top_k=_frozen(top),
        funded=None if funded is None else _frozen(funded),
        samples=int(samples),
        concentration=concentration,
        seed=seed,
    )


def _check_sampling(samples, chunk, concentration, costs, budget):
    """Validate the sampling arguments of :func:`rank_acceptability`; return the concentration."""
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise ValueError(f"samples must be a positive integer, got {samples!r}")
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
    concentration = float(concentration)
    if not (np.isfinite(concentration) and concentration > 0):
        raise ValueError(f"concentration must be a positive finite number, got {concentration!r}")
    if (costs is None) != (budget is None):
        raise ValueError("costs and budget go together: give both for funded probabilities, or neither")
    return concentration


def _dirichlet_weights(rng, alpha, positive, w, size):
    """``size`` weight vectors from Dirichlet(alpha) on the ``positive`` criteria (0 elsewhere)."""
    gamma = rng.standard_gamma(alpha, size=(size, positive.shape[0]))
    total = gamma.sum(axis=1, keepdims=True)
    sampled = np.zeros((size, w.shape[0]))
    ok = total[:, 0] > 0
    sampled[np.ix_(ok, positive)] = gamma[ok] / total[ok]
    sampled[~ok] = w  # every gamma draw underflowed to 0: keep the model's weights
    return sampled


def _tie_broken_order(scores):
    """Positions by descending score per sample, ties to the lower position (overwrites ``scores``)."""
    np.negative(scores, out=scores)
    # The fast (SIMD) unstable sort, then a stable re-sort of just the samples that have
    # an exact tie, so ties always go to the lower position (the tie-break order).
    order = np.argsort(scores, axis=1)
    ranked = np.take_along_axis(scores, order, axis=1)
    tied = (ranked[:, 1:] == ranked[:, :-1]).any(axis=1)
    del ranked
    if tied.any():
        order[tied] = np.argsort(scores[tied], axis=1, kind="stable")
    return order


def _funded_positions(ordered_costs, budget, cheapest):
    """Which rank positions a rank-order fill funds, per sample (``ordered_costs``: samples × rows).

    Skip what does not fit and continue, for every sample at once, walking down the positions.
    """
    size, n = ordered_costs.shape
    remaining = np.full(size, budget, dtype=np.int64)
    funded_at = np.zeros((size, n), dtype=bool)
    for p in range(n):
        if p % 16 == 0 and remaining.max() < cheapest:
            break
        cost = ordered_costs[:, p]
        fits = cost <= remaining
        funded_at[:, p] = fits
        remaining -= cost * fits
    return funded_at
