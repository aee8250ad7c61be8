"""Aggregation kernels: from normalized values and weights to one score per row.

The kernels take the normalized matrix criteria-major, shape ``(n_criteria, n_rows)``, and
weights that already sum to 1; they return criteria-major intermediates so that the caller
can explain every score. Validation lives in :func:`cxgov.scoring.rank.rank_alternatives`.

Summation
---------
A score is a sum over criteria (of contributions for ``wsm``, of squared gaps for the TOPSIS
distances). Two rows whose terms are equal as a whole but come in another order, such as a
row and a permutation of it under equal weights, must tie exactly, or the documented
tie-break is not what decides. So by default (``summation="exact"``) every such sum is the
**correctly rounded exact sum** of its terms, the value :func:`math.fsum` returns: it does
not depend on the order of the terms, and sums that are equal in exact arithmetic are equal
floats. ``summation="ordered"`` is the plain left-to-right float sum that cxgov used before;
it is kept so that rankings stored then recompute bit for bit.
"""

import math

import numpy as np

__all__ = ["AGGREGATIONS", "SUMMATIONS", "wsm_kernel", "topsis_kernel", "exact_column_sums"]

SUMMATIONS = ("exact", "ordered")
"""How a score's terms are added: see the module notes."""


def _sum_rows_in_order(parts):
    """Sum the criterion rows of a criteria-major array left to right (``ordered``).

    Bit-identical from run to run (no BLAS, no pairwise summation), but the last bits depend
    on the order of the criteria.
    """
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total


def _two_sum(a, b):
    """Knuth's TwoSum: ``s = fl(a + b)`` and the exact error ``e``, ``a + b == s + e``."""
    s = a + b
    b_virtual = s - a
    e = (a - (s - b_virtual)) + (b - b_virtual)
    return s, e


def exact_column_sums(parts):
    """The correctly rounded exact sum of each column of ``parts`` (shape ``(m, n)``).

    Equal to ``[math.fsum(parts[:, i]) for i in range(n)]``, vectorized. A cascade of TwoSum
    carries each sum as ``s + err + Σf`` exactly (``err`` the first-order rounding errors,
    added with TwoSum again, ``f`` the second-order ones). Where every ``f`` is 0, ``fl(s +
    err)`` is the correctly rounded sum (halfway cases included: IEEE rounds them to even).
    Elsewhere it is, wherever a bound on the rest leaves the exact sum strictly inside the
    rounding interval of ``fl(s + err)``; the few columns where it does not are summed by
    :func:`math.fsum`. Terms must be finite and their sums must not overflow.
    """
    m, n = parts.shape
    if m == 1:
        return parts[0].copy()
    s = parts[0].copy()
    err = np.zeros(n)
    err2 = np.zeros(n)
    err2_magnitude = np.zeros(n)
    for part in parts[1:]:
        s, e = _two_sum(s, part)
        err, f = _two_sum(err, e)
        err2 += f
        err2_magnitude += np.abs(f)
    result, residual = _two_sum(s, err)  # exact sum == result + residual + Σf
    exact_tail = err2_magnitude == 0
    if exact_tail.all():
        return result
    # |residual + Σf - tail| <= u·|tail| + (m - 2)·u·Σ|f|: bound it generously
    tail = residual + err2
    bound = (np.abs(tail) + err2_magnitude) * (m * 2.0**-52)
    below = result - np.nextafter(result, -np.inf)
    above = np.nextafter(result, np.inf) - result
    certain = exact_tail | (np.abs(tail) + bound < 0.5 * np.minimum(below, above))
    for i in np.flatnonzero(~certain).tolist():
        result[i] = math.fsum(parts[:, i].tolist())
    return result


def _row_sums(parts, summation):
    return exact_column_sums(parts) if summation == "exact" else _sum_rows_in_order(parts)


def wsm_kernel(normalized_t, weights, summation="exact"):
    """Weighted sum.

    Returns ``(contributions_t, scores, None, None)`` where ``contributions_t[j] =
    weights[j] * normalized_t[j]`` and ``scores`` is their sum over criteria (see the module
    notes on ``summation``).
    """
    contributions = normalized_t * weights[:, None]
    return contributions, _row_sums(contributions, summation), None, None


def topsis_kernel(normalized_t, weights, summation="exact"):
    """TOPSIS closeness to the ideal on weighted, benefit-oriented normalized values.

    Returns ``(weighted_t, closeness, distance_best, distance_worst)``. The ideal and the
    anti-ideal are the per-criterion maximum and minimum of the weighted values (every
    normalization here is benefit-oriented). When every weighted column is constant all rows
    coincide with both the ideal and the anti-ideal (0/0): closeness is defined as 0.5 for
    every row, the midpoint, where the libraries return NaN. The squared gaps of each distance
    are added as ``summation`` says, so equal distances in exact arithmetic are equal floats.
    """
    weighted = normalized_t * weights[:, None]
    best = weighted.max(axis=1)
    worst = weighted.min(axis=1)
    gap = np.subtract(weighted, best[:, None])
    np.square(gap, out=gap)
    d_best = _row_sums(gap, summation)
    np.subtract(weighted, worst[:, None], out=gap)
    np.square(gap, out=gap)
    d_worst = _row_sums(gap, summation)
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
