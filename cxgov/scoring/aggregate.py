"""Aggregation kernels: from normalized values and weights to one score per row.

The kernels take the normalized matrix criteria-major, shape ``(n_criteria, n_rows)``, and
weights that already sum to 1; they return criteria-major intermediates so that the caller
can explain every score. Validation lives in :func:`cxgov.scoring.rank.rank_alternatives`.
"""

import numpy as np

__all__ = ["AGGREGATIONS", "wsm_kernel", "topsis_kernel"]


def _sum_rows_in_order(parts):
    """Sum the criterion rows of a criteria-major array left to right.

    A fixed order makes the score *exactly* the sum of the contributions as a reader would add
    them, and bit-identical from run to run (no BLAS, no pairwise summation).
    """
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


def wsm_kernel(normalized_t, weights):
    """Weighted sum.

    Returns ``(contributions_t, scores, None, None)`` where ``contributions_t[j] =
    weights[j] * normalized_t[j]`` and ``scores`` is their sum over criteria.
    """
    contributions = normalized_t * weights[:, None]
    return contributions, _sum_rows_in_order(contributions), None, None


def topsis_kernel(normalized_t, weights):
    """TOPSIS closeness to the ideal on weighted, benefit-oriented normalized values.

    Returns ``(weighted_t, closeness, distance_best, distance_worst)``. The ideal and the
    anti-ideal are the per-criterion maximum and minimum of the weighted values (every
    normalization here is benefit-oriented). When every weighted column is constant all rows
    coincide with both the ideal and the anti-ideal (0/0): closeness is defined as 0.5 for
    every row, the midpoint, where the libraries return NaN.
    """
    weighted = normalized_t * weights[:, None]
    best = weighted.max(axis=1)
    worst = weighted.min(axis=1)
    gap = np.subtract(weighted, best[:, None])
    np.square(gap, out=gap)
    d_best = _sum_rows_in_order(gap)
    np.subtract(weighted, worst[:, None], out=gap)
    np.square(gap, out=gap)
    d_worst = _sum_rows_in_order(gap)
    del gap
    np.sqrt(d_best, out=d_best)
    np.sqrt(d_worst, out=d_worst)
    spread = d_best + d_worst
    if (spread == 0).any():
        # Only possible when all weighted columns are constant, so this is all rows at once.
        closeness = np.full_like(spread, 0.5)
        nonzero = spread > 0
        closeness[nonzero] = d_worst[nonzero] / spread[nonzero]
    else:
        closeness = d_worst / spread
    return weighted, closeness, d_best, d_worst


AGGREGATIONS = {"wsm": wsm_kernel, "topsis": topsis_kernel}
"""Aggregation kernels by method name."""
