"""AHP: criterion weights from Saaty pairwise-comparison matrices."""

from dataclasses import dataclass

import numpy as np

__all__ = [
    "RANDOM_INDEX",
    "AHPWeights",
    "ahp_weights",
    "aggregate_judgments",
    "require_consistent",
    "InconsistentJudgments",
]

RANDOM_INDEX = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
    9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}
"""Saaty's random consistency indices RI by matrix order (Saaty 1980, Table 1.7)."""

CR_LIMIT = 0.10
"""Saaty's threshold: a consistency ratio above it means the judgments should be revised."""

_RECIPROCAL_RTOL = 1e-9


class InconsistentJudgments(ValueError):
    """Pairwise judgments whose consistency ratio is above the accepted limit."""


@dataclass(frozen=True)
class AHPWeights:
    """Weights derived from a pairwise-comparison matrix and its consistency.

    Attributes
    ----------
    weights : ndarray, shape (n,)
        The principal right eigenvector, positive, summing to 1.
    lambda_max : float
        The principal eigenvalue (>= n; equal to n for a perfectly consistent matrix).
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)``; 0 for n <= 2.
    cr : float
        Consistency ratio ``ci / RANDOM_INDEX[n]``; 0 for n <= 2.
    random_index : float
    consistent : bool
        ``cr <= 0.10``.
    worst_triple : tuple of int or None
        ``(i, j, k)`` with i < j < k whose judgments disagree most: the largest
        ``|ln(a_ij * a_jk / a_ik)|``. Reported whatever the CR (None when n < 3), so an
        inconsistent matrix always comes with the judgment to revisit.
    worst_triple_judgments : tuple of float or None
        ``(a_ij, a_jk, a_ik)`` for that triple; consistent judgments would have
        ``a_ij * a_jk == a_ik``.
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float
    random_index: float
    consistent: bool
    worst_triple: tuple | None
    worst_triple_judgments: tuple | None


def _as_pairwise(matrix, argname="matrix"):
    try:
        a = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{argname} must be a numeric square matrix: {exc}") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(f"{argname} must be a non-empty square matrix, got shape {a.shape}")
    n = a.shape[0]
    if n > max(RANDOM_INDEX):
        raise ValueError(f"{argname} has order {n}; Saaty's random index is tabulated up to {max(RANDOM_INDEX)}")
    bad = ~(np.isfinite(a) & (a > 0))
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(f"{argname}[{i}, {j}] is {float(a[i, j])!r}; judgments must be positive and finite")
    off = np.abs(np.diag(a) - 1) > _RECIPROCAL_RTOL
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(f"{argname}[{i}, {i}] is {float(a[i, i])!r}; the diagonal must be 1")
    product = a * a.T
    nonreciprocal = np.abs(product - 1) > _RECIPROCAL_RTOL
    if nonreciprocal.any():
        i, j = (int(v) for v in np.argwhere(nonreciprocal)[0])
        raise ValueError(
            f"{argname} is not reciprocal: [{i}, {j}] is {float(a[i, j])!r} but [{j}, {i}] is "
            f"{float(a[j, i])!r} (their product must be 1)"
        )
    return a


def _worst_triple(a):
    n = a.shape[0]
    if n < 3:
        return None, None
    logs = np.log(a)
    best, where = -1.0, None
    for i in range(n - 2):
        for j in range(i + 1, n - 1):
            # deviation of a_ij * a_jk from a_ik for every k > j at once
            dev = np.abs(logs[i, j] + logs[j, j + 1:] - logs[i, j + 1:])
            k = int(np.argmax(dev))
            if dev[k] > best:
                best, where = float(dev[k]), (i, j, j + 1 + k)
    i, j, k = where
    return where, (float(a[i, j]), float(a[j, k]), float(a[i, k]))


def ahp_weights(matrix, *, max_cr=None, criteria_names=None):
    """Weights from a Saaty pairwise-comparison matrix by the principal eigenvector.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        ``matrix[i, j]`` says how much more important criterion i is than j (Saaty's 1-9
        scale and reciprocals; geometric means of several judges are accepted too). Must be
        positive with a unit diagonal and reciprocal: ``matrix[j, i] == 1 / matrix[i, j]``
        (relative tolerance 1e-9). 1 <= n <= 15.
    max_cr : float, optional
        When given, a consistency ratio above it raises :class:`InconsistentJudgments`
        naming the most inconsistent triple (the model's rule is ``max_cr=0.10``). By default
        the caller decides, from ``consistent`` and ``cr``.
    criteria_names : sequence of str, optional
        Used to name the triple in the error message.

    Returns
    -------
    AHPWeights

    Raises
    ------
    ValueError
        Non-square, non-positive, non-finite, non-unit diagonal or non-reciprocal matrix.
    InconsistentJudgments
        (a ValueError) when ``max_cr`` is given and exceeded.

    Notes
    -----
    :math:`A w = \\lambda_{max} w`, :math:`CI = (\\lambda_{max} - n)/(n - 1)`,
    :math:`CR = CI / RI_n` with Saaty's random index :data:`RANDOM_INDEX`.

    References
    ----------
    .. [1] Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill.
    .. [2] Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
       European Journal of Operational Research, 48(1), 9-26.

    Examples
    --------
    >>> r = ahp_weights([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]])  # perfectly consistent
    >>> [round(float(w), 6) for w in r.weights], round(r.cr, 9), r.consistent
    ([0.571429, 0.285714, 0.142857], 0.0, True)
    """
    a = _as_pairwise(matrix)
    n = a.shape[0]
    eigenvalues, eigenvectors = np.linalg.eig(a)
    principal = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, principal].real)
    weights = vector / vector.sum()
    lambda_max = float(eigenvalues[principal].real)
    ri = RANDOM_INDEX[n]
    if n <= 2:
        lambda_max, ci, cr = float(n), 0.0, 0.0  # every 1x1 or 2x2 reciprocal matrix is consistent
    else:
        ci = max((lambda_max - n) / (n - 1), 0.0)
        cr = ci / ri
    triple, judgments = _worst_triple(a)
    weights.flags.writeable = False
    result = AHPWeights(
        weights=weights,
        lambda_max=lambda_max,
        ci=ci,
        cr=cr,
        random_index=ri,
        consistent=cr <= CR_LIMIT,
        worst_triple=triple,
        worst_triple_judgments=judgments,
    )
    if max_cr is not None:
        require_consistent(result, max_cr, criteria_names=criteria_names)
    return result


def require_consistent(result, max_cr=CR_LIMIT, *, criteria_names=None):
    """Raise :class:`InconsistentJudgments` when ``result.cr > max_cr``, naming the worst triple.

    Examples
    --------
    >>> r = ahp_weights([[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]])
    >>> require_consistent(r, criteria_names=["fit", "impact", "cost"])
    Traceback (most recent call last):
    ...
    cxgov.scoring.ahp.InconsistentJudgments: consistency ratio 6.13 exceeds 0.1; most inconsistent judgments: 'fit' over 'impact' is 9, 'impact' over 'cost' is 9, so 'fit' over 'cost' should be about 81 but is 0.111
    """
    if result.cr <= max_cr:
        return result
    message = f"consistency ratio {result.cr:.3g} exceeds {max_cr:g}"
    if result.worst_triple is not None:
        i, j, k = result.worst_triple
        a_ij, a_jk, a_ik = result.worst_triple_judgments

        def label(x):
            return repr(criteria_names[x]) if criteria_names is not None else f"criterion {x}"

        message += (
            f"; most inconsistent judgments: {label(i)} over {label(j)} is {a_ij:.3g}, "
            f"{label(j)} over {label(k)} is {a_jk:.3g}, so {label(i)} over {label(k)} should be "
            f"about {a_ij * a_jk:.3g} but is {a_ik:.3g}"
        )
    raise InconsistentJudgments(message)


def aggregate_judgments(matrices):
    """Combine several judges' pairwise matrices by the element-wise geometric mean.

    The geometric mean is the aggregation that keeps the result reciprocal (Aczél & Saaty
    1983); the lower triangle is set to the exact reciprocals of the upper one.

    Parameters
    ----------
    matrices : sequence of array_like, each (n, n)
        Each a valid pairwise matrix (see :func:`ahp_weights`), all of the same order.

    Returns
    -------
    ndarray, shape (n, n)

    Examples
    --------
    >>> aggregate_judgments([[[1, 4], [1/4, 1]], [[1, 1], [1, 1]]]).tolist()
    [[1.0, 2.0], [0.5, 1.0]]
    """
    items = list(matrices)
    if not items:
        raise ValueError("matrices is empty; need at least one judge's matrix")
    checked = [_as_pairwise(m, argname=f"matrices[{idx}]") for idx, m in enumerate(items)]
    shape = checked[0].shape
    for idx, m in enumerate(checked):
        if m.shape != shape:
            raise ValueError(f"matrices[{idx}] has shape {m.shape} but matrices[0] has {shape}")
    mean = np.exp(np.mean(np.log(np.stack(checked)), axis=0))
    n = shape[0]
    out = np.ones(shape)
    iu = np.triu_indices(n, 1)
    out[iu] = mean[iu]
    out[iu[1], iu[0]] = 1.0 / mean[iu]
    return out
