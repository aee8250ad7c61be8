"""Ranking: validate, normalize, aggregate, order with a deterministic tie-break."""

from dataclasses import dataclass

import numpy as np

from ._validate import as_directions, as_matrix, as_names, as_secondary_key, as_weights
from .aggregate import AGGREGATIONS, SUMMATIONS
from .normalize import METHOD_NAMES, absolute_columns, check_method, normalize_columns

__all__ = ["Ranking", "rank_alternatives", "order_scores"]


def _frozen(array):
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Ranking:
    """A ranking with every intermediate needed to explain it. Arrays are read-only.

    Attributes
    ----------
    raw : ndarray, shape (n_rows, n_criteria)
        The criterion values as given.
    normalized : ndarray, shape (n_rows, n_criteria)
        Benefit-oriented normalized values.
    weights : ndarray, shape (n_criteria,)
        The weights rescaled to sum to 1.
    contributions : ndarray, shape (n_rows, n_criteria)
        ``weights * normalized``. For ``wsm`` the score is their exact sum, rounded once
        (``math.fsum`` of the row). For ``topsis`` these are the weighted normalized values
        the distances are measured on; they do not add up to the score.
    scores : ndarray, shape (n_rows,)
        Weighted sum (``wsm``) or closeness to the ideal (``topsis``); higher is better.
        Scores equal in exact arithmetic (of the contributions, resp. of the squared gaps)
        are equal floats, so a row and a permutation of it under equal weights tie.
    ranks : ndarray of int64, shape (n_rows,)
        1 = best; a permutation of 1..n_rows (ties are broken, see :func:`order_scores`).
    order : ndarray of int64, shape (n_rows,)
        Row indices best first; ``ranks[order] == 1..n_rows``.
    tied : ndarray of bool, shape (n_rows,)
        True where the row's score equals another row's score, i.e. its rank came from the
        tie-break.
    method, normalization, summation : str
        What produced the scores.
    criteria_names : tuple of str or None
    distance_best, distance_worst : ndarray or None
        TOPSIS distances to the ideal and anti-ideal; None for ``wsm``.
    clipped : ndarray of bool, shape (n_rows, n_criteria)
        True where the raw value lay outside its absolute scale and was normalized as the
        nearer end of the scale (see :attr:`scales`). All False for relative normalizations.
    scales : ndarray, shape (n_criteria, 2), or None
        The absolute scales ``(lo, hi)`` used; None for relative normalizations.
    """

    raw: np.ndarray
    normalized: np.ndarray
    weights: np.ndarray
    contributions: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray
    order: np.ndarray
    tied: np.ndarray
    method: str
    normalization: str
    criteria_names: tuple | None = None
    distance_best: np.ndarray | None = None
    distance_worst: np.ndarray | None = None
    summation: str = "exact"
    clipped: np.ndarray | None = None
    scales: np.ndarray | None = None

    def clipped_to(self, row, j):
        """The bound row's value on criterion j was clipped to, or None if it was not clipped."""
        if self.clipped is None or not self.clipped[row, j]:
            return None
        lo, hi = self.scales[j]
        return float(lo) if self.raw[row, j] < lo else float(hi)

    def top(self, k):
        """Row indices of the k best rows, best first."""
        return self.order[:k]


def _order_kernel(scores, tiebreak=None):
    """Order rows by score descending, then tiebreak ascending, then row index ascending.

    The fast unstable sort is followed by an exact re-sort of each run of equal scores, so
    the result is unique whatever the sort algorithm did with ties.
    """
    n = scores.shape[0]
    order = np.argsort(-scores)
    ranked = scores[order]
    equal_next = ranked[1:] == ranked[:-1]
    tied_position = np.zeros(n, dtype=bool)
    if equal_next.any():
        tied_position[1:] |= equal_next
        tied_position[:-1] |= equal_next
        positions = np.flatnonzero(tied_position)
        run_start = np.ones(n, dtype=bool)
        run_start[1:] = ~equal_next
        run_id = np.cumsum(run_start)[positions]
        rows = order[positions]
        keys = (rows, run_id) if tiebreak is None else (rows, tiebreak[rows], run_id)
        order[positions] = rows[np.lexsort(keys)]
    tied = np.zeros(n, dtype=bool)
    tied[order[tied_position]] = True
    return order, tied


def order_scores(scores, tiebreak=None):
    """Rows best first: higher score, then lower tie-break key, then lower row index.

    Parameters
    ----------
    scores : array_like, shape (n_rows,)
        Finite scores, higher is better.
    tiebreak : array_like, shape (n_rows,), optional
        Secondary key for rows with exactly equal scores: the **lower** key wins (pass costs to
        let the cheaper of two equally scored initiatives rank first). Rows still tied keep
        their input order.

    Returns
    -------
    order : ndarray of int64
        Row indices, best first.
    ranks : ndarray of int64
        ``ranks[order] == [1, 2, ..., n_rows]``.

    Examples
    --------
    >>> order, ranks = order_scores([0.5, 0.9, 0.5], tiebreak=[20, 10, 10])
    >>> order.tolist(), ranks.tolist()
    ([1, 2, 0], [3, 1, 2])
    """
    if np.ndim(scores) != 1:
        raise ValueError(f"scores must be 1-D, got shape {np.shape(scores)}")
    s = as_secondary_key(scores, len(scores), argname="scores")
    key = as_secondary_key(tiebreak, s.shape[0])
    order, _ = _order_kernel(s, key)
    ranks = np.empty_like(order)
    ranks[order] = np.arange(1, order.shape[0] + 1)
    return order, ranks


def rank_alternatives(
    matrix,
    weights,
    directions,
    *,
    method="wsm",
    normalization="absolute",
    scales=None,
    tiebreak=None,
    criteria_names=None,
    summation="exact",
):
    """Score and rank alternatives on several weighted criteria.

    Parameters
    ----------
    matrix : array_like, shape (n_rows, n_criteria)
        Raw criterion values, one row per alternative. Must be finite.
    weights : array_like, shape (n_criteria,)
        Non-negative, not all zero; rescaled to sum to 1 (only their ratios matter).
    directions : sequence of {"benefit", "cost"} or {+1, -1}
        Per criterion.
    method : {"wsm", "topsis"}, optional
        Weighted sum (default) or TOPSIS closeness.
    normalization : {"absolute", "minmax", "vector", "max", "sum"}, optional
        See :func:`cxgov.scoring.normalize`. ``absolute`` (default) needs ``scales``.
    scales : sequence of (lo, hi), optional
        Per criterion, the fixed scale of the ``absolute`` normalization (required there).
        A value outside its scale is clipped to the nearer end, never refused; ``clipped``
        on the result says which.
    tiebreak : array_like, shape (n_rows,), optional
        Secondary key for exactly equal scores; the lower key ranks first. Then input order.
    criteria_names : sequence of str, optional
        Names used in error messages and carried on the result.
    summation : {"exact", "ordered"}, optional
        ``exact`` (default): each score is the correctly rounded exact sum of its terms, so
        scores equal in exact arithmetic tie and the tie-break decides. ``ordered``: the
        left-to-right float sum, for recomputing rankings stored before (see
        :mod:`cxgov.scoring.aggregate`).

    Returns
    -------
    Ranking
        Raw and normalized values, weights, contributions, scores, ranks, order, tie flags.

    Raises
    ------
    ValueError
        Non-finite values, shape mismatches, negative or all-zero weights, a missing or
        invalid absolute scale, an unknown method, normalization, summation or direction.

    Notes
    -----
    ``wsm``: :math:`S_i = \\sum_j w_j r_{ij}`; the score is the contributions
    :math:`w_j r_{ij}` summed exactly and rounded once (``summation="exact"``), so it does not
    depend on the order of the criteria.

    ``topsis``: :math:`v_{ij} = w_j r_{ij}`, :math:`D_i^\\pm = \\lVert v_i - v^\\pm \\rVert_2`
    with :math:`v^+ = \\max_i v_{ij}`, :math:`v^- = \\min_i v_{ij}`, score
    :math:`D_i^- / (D_i^+ + D_i^-)`; 0.5 for every row when all weighted columns are constant.

    Ties: equal scores are ordered by the lower ``tiebreak`` key, then the lower row index.
    The same input gives bit-identical output (no BLAS, exact sums, exact tie-break).

    References
    ----------
    .. [1] Hwang, C. L., & Yoon, K. (1981). Multiple Attribute Decision Making. Springer.

    Examples
    --------
    >>> r = rank_alternatives([[0.8, 350], [0.7, 20], [0.9, 300]], [0.7, 0.3],
    ...                       ["benefit", "cost"], scales=[(0, 1), (0, 400)])
    >>> r.order.tolist(), r.ranks.tolist()
    ([1, 2, 0], [3, 1, 2])
    >>> import math
    >>> all(math.fsum(c) == s for c, s in zip(r.contributions.tolist(), r.scores.tolist()))
    True
    >>> p = rank_alternatives([[0.1, 0.7, 0.2], [0.7, 0.2, 0.1]], [1, 1, 1], ["benefit"] * 3,
    ...                       scales=[(0, 1)] * 3, tiebreak=[5, 3])
    >>> bool(p.scores[0] == p.scores[1]), p.order.tolist()  # a permutation ties; 3 < 5 decides
    (True, [1, 0])
    """
    check_method(method, tuple(AGGREGATIONS), "method")
    check_method(normalization, METHOD_NAMES, "normalization")
    check_method(summation, SUMMATIONS, "summation")
    names = None if criteria_names is None else tuple(str(n) for n in criteria_names)
    raw = as_matrix(matrix, names)
    n_rows, n_criteria = raw.shape
    names = as_names(names, n_criteria)
    benefit = as_directions(directions, n_criteria, names)
    w = as_weights(weights, n_criteria, names)
    key = as_secondary_key(tiebreak, n_rows)
    if raw is matrix:
        raw = raw.copy()  # the snapshot must not change when the caller's array does

    if normalization == "absolute":
        normalized_t, clipped_t, scale = absolute_columns(raw, benefit, scales, names)
    else:
        normalized_t = normalize_columns(raw, benefit, normalization, scales, names)
        clipped_t, scale = np.zeros(normalized_t.shape, dtype=bool), None
    parts_t, scores, d_best, d_worst = AGGREGATIONS[method](normalized_t, w, summation)
    order, tied = _order_kernel(scores, key)
    ranks = np.empty_like(order)
    ranks[order] = np.arange(1, n_rows + 1)
    return Ranking(
        raw=_frozen(raw),
        normalized=_frozen(normalized_t.T),
        weights=_frozen(w),
        contributions=_frozen(parts_t.T),
        scores=_frozen(scores),
        ranks=_frozen(ranks),
        order=_frozen(order),
        tied=_frozen(tied),
        method=method,
        normalization=normalization,
        criteria_names=names,
        distance_best=None if d_best is None else _frozen(d_best),
        distance_worst=None if d_worst is None else _frozen(d_worst),
        summation=summation,
        clipped=_frozen(clipped_t.T),
        scales=None if scale is None else _frozen(scale),
    )
