"""Normalizations: turn each criterion column into a benefit-oriented score in a common range.

Each relative normalization is a small kernel ``kernel(column, benefit) -> column`` chosen
from :data:`NORMALIZATIONS`; ``absolute`` also needs the criterion's fixed scale. The public
:func:`normalize` validates and dispatches.

Constant columns
----------------
A column whose values are all equal discriminates nothing. It never produces NaN or a
division by zero:

* ``minmax`` gives 1.0 for every row (as pymcdm does; scikit-criteria gives 0.0);
* ``vector``, ``max`` and ``sum`` give, for an all-zero column, the value their formula gives
  for any non-zero constant column (``1/sqrt(n)`` resp. ``1 - 1/sqrt(n)`` for cost; 1 resp. 0
  for cost; ``1/n``), so the result does not jump when the constant happens to be zero;
* ``absolute`` uses a fixed scale, so a constant column is just a value on that scale.

Values outside an absolute scale
--------------------------------
are clipped to the nearer end of the scale, for every criterion and at both ends, never
refused: a cost above the round budget normalizes to the worst value, an impact beyond the
full-credit point to the best. The ranking reports every clipped value (``Ranking.clipped``)
so that the caller can say so.
"""

import numpy as np

from ._validate import as_directions, as_matrix, as_names, criterion_label

__all__ = ["normalize", "NORMALIZATIONS", "normalize_columns"]


def _minmax(x, benefit):
    lo = x.min()
    hi = x.max()
    if lo == hi:
        return np.ones_like(x)
    span = hi - lo
    return (x - lo) / span if benefit else (hi - x) / span


def _vector(x, benefit):
    with np.errstate(over="ignore", under="ignore"):  # handled below
        squares = np.dot(x, x)
    if squares == 0 and not x.any():
        share = np.full_like(x, 1.0 / np.sqrt(x.shape[0]))
    elif 1e-280 < squares < 1e300:
        share = x / np.sqrt(squares)
    else:  # the squares over- or underflowed: scale by the largest magnitude first
        peak = np.abs(x).max()
        scaled = x / peak
        share = x / (peak * np.sqrt(np.dot(scaled, scaled)))
    return share if benefit else 1.0 - share


def _max(x, benefit):
    peak = x.max()
    if peak == 0:  # validated non-negative, so the column is all zeros
        share = np.ones_like(x)
    else:
        share = x / peak
    return share if benefit else 1.0 - share


def _sum(x, benefit):
    total = x.sum()
    if total == 0:  # all zeros (validated non-negative)
        return np.full_like(x, 1.0 / x.shape[0])
    if benefit:
        return x / total
    inverse = 1.0 / x  # validated strictly positive for cost
    return inverse / inverse.sum()


NORMALIZATIONS = {
    "minmax": _minmax,
    "vector": _vector,
    "max": _max,
    "sum": _sum,
}
"""Relative normalization kernels by name; ``absolute`` is handled by :func:`normalize`."""

METHOD_NAMES = ("absolute",) + tuple(NORMALIZATIONS)


def _check_ratio_scale(x, j, benefit, method, names):
    """``max`` and ``sum`` are ratio-scale normalizations: they need non-negative values
    (and strictly positive costs under ``sum``, whose cost form uses 1/x)."""
    negative = x < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise ValueError(
            f"{method} normalization needs non-negative values: {criterion_label(j, names)}, "
            f"row {row} is {float(x[row])!r}"
        )
    if method == "sum" and not benefit and x.max() > 0:
        zero = x == 0
        if zero.any():
            row = int(np.flatnonzero(zero)[0])
            raise ValueError(
                f"sum normalization of a cost criterion divides by each value: "
                f"{criterion_label(j, names)}, row {row} is 0"
            )


def _as_scales(scales, n_criteria, names):
    if scales is None:
        raise ValueError("absolute normalization needs scales: one (lo, hi) pair per criterion")
    pairs = list(scales)
    if len(pairs) != n_criteria:
        raise ValueError(f"scales has {len(pairs)} entries but the matrix has {n_criteria} criteria")
    out = np.empty((n_criteria, 2))
    for j, pair in enumerate(pairs):
        try:
            lo, hi = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ValueError(f"scales: {criterion_label(j, names)} needs a (lo, hi) pair, got {pair!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(
                f"scales: {criterion_label(j, names)} has scale ({lo!r}, {hi!r}); need finite lo < hi"
            )
        out[j] = lo, hi
    return out


def _absolute(x, benefit, lo, hi):
    """Fixed-scale normalization of one column; a value outside the scale is clipped to the
    nearer end. Returns the normalized column and a mask of the rows that were clipped."""
    outside = (x < lo) | (x > hi)
    if outside.any():
        x = np.clip(x, lo, hi)
    span = hi - lo
    return ((x - lo) / span if benefit else (hi - x) / span), outside


def absolute_columns(matrix, benefit, scales, names=None):
    """Absolute normalization of already validated input, criteria-major, with its clip mask.

    Returns ``(normalized_t, clipped_t, scales)``: the normalized values and a mask, True where
    the raw value lay outside its scale and was clipped to the nearer end (both shape
    ``(n_criteria, n_rows)``), and the validated scales, shape ``(n_criteria, 2)``.
    """
    n_rows, n_criteria = matrix.shape
    scale = _as_scales(scales, n_criteria, names)
    out = np.empty((n_criteria, n_rows))
    clipped = np.zeros((n_criteria, n_rows), dtype=bool)
    for j in range(n_criteria):
        out[j], clipped[j] = _absolute(matrix[:, j], benefit[j], scale[j, 0], scale[j, 1])
    return out, clipped, scale


def normalize_columns(matrix, benefit, method, scales=None, names=None):
    """Kernel behind :func:`normalize` for already validated input.

    Returns the normalized values criteria-major, shape ``(n_criteria, n_rows)``, C-contiguous,
    which makes the weighted sums that follow run over contiguous memory.
    """
    if method == "absolute":
        return absolute_columns(matrix, benefit, scales, names)[0]
    if scales is not None:
        raise ValueError(f"scales only apply to absolute normalization, not {method!r}")
    n_rows, n_criteria = matrix.shape
    out = np.empty((n_criteria, n_rows))
    kernel = NORMALIZATIONS[method]
    for j in range(n_criteria):
        column = matrix[:, j]
        if method in ("max", "sum"):
            _check_ratio_scale(column, j, benefit[j], method, names)
        out[j] = kernel(column, bool(benefit[j]))
    return out


def check_method(method, known, argname):
    if not isinstance(method, str) or method not in known:
        raise ValueError(f"unknown {argname} {method!r}; choose one of {', '.join(known)}")
    return method


def normalize(matrix, directions, method="absolute", scales=None, *, criteria_names=None):
    """Normalize a decision matrix column by column to benefit-oriented values.

    Parameters
    ----------
    matrix : array_like, shape (n_rows, n_criteria)
        Raw criterion values, one row per alternative (initiative). Must be finite.
    directions : sequence of {"benefit", "cost"} or {+1, -1}
        Per criterion: higher is better (benefit) or lower is better (cost).
    method : {"absolute", "minmax", "vector", "max", "sum"}, optional
        The normalization. ``absolute`` (the default) maps each criterion from a fixed scale,
        so one row's normalized value never depends on the other rows.
    scales : sequence of (lo, hi), optional
        Per criterion, the fixed scale for ``absolute`` (required there, refused elsewhere).
    criteria_names : sequence of str, optional
        Used in error messages.

    Returns
    -------
    ndarray, shape (n_rows, n_criteria)
        Normalized values, 1 best. For ``absolute`` and ``minmax`` they lie in [0, 1]: under
        ``absolute`` a value outside its scale is clipped to the nearer end (a cost above the
        round budget normalizes to 0, a claim beyond full credit to 1), never refused.
        :func:`cxgov.scoring.rank_alternatives` reports which values were clipped.

    Raises
    ------
    ValueError
        On a non-finite value, a shape mismatch, an unknown method or direction, a missing or
        invalid absolute scale, or a negative value under the ratio normalizations ``max``
        and ``sum`` (naming criterion, row and value).

    Notes
    -----
    For a benefit column :math:`x` (cost forms in brackets):

    * absolute: :math:`(c - lo)/(hi - lo)` [:math:`(hi - c)/(hi - lo)`] with
      :math:`c = \\min(\\max(x, lo), hi)`
    * minmax: :math:`(x - \\min x)/(\\max x - \\min x)` [:math:`(\\max x - x)/(\\max x - \\min x)`]
    * vector: :math:`x/\\lVert x \\rVert_2` [:math:`1 - x/\\lVert x \\rVert_2`]
    * max: :math:`x/\\max x` [:math:`1 - x/\\max x`]
    * sum: :math:`x/\\sum x` [:math:`x^{-1}/\\sum x^{-1}`]

    The relative forms follow pymcdm's definitions. Constant columns: see the module notes
    (``minmax`` gives 1.0; the others give their non-zero-constant value).

    References
    ----------
    .. [1] Jahan, A., & Edwards, K. L. (2015). A state-of-the-art survey on the influence of
       normalization techniques in ranking. Materials & Design, 65, 335-342.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.array([[0.5, 200], [1.0, 50]])
    >>> normalize(m, ["benefit", "cost"], scales=[(0, 1), (0, 200)]).tolist()
    [[0.5, 0.0], [1.0, 0.75]]
    >>> normalize([[1.5, 250]], ["benefit", "cost"], scales=[(0, 1), (0, 200)]).tolist()  # clipped
    [[1.0, 0.0]]
    >>> normalize(m, ["benefit", "cost"], "minmax").tolist()
    [[0.0, 0.0], [1.0, 1.0]]
    >>> normalize([[3.0], [3.0]], ["benefit"], "minmax").tolist()  # constant column
    [[1.0], [1.0]]
    """
    check_method(method, METHOD_NAMES, "normalization")
    x = as_matrix(matrix)
    names = as_names(criteria_names, x.shape[1])
    benefit = as_directions(directions, x.shape[1], names)
    return normalize_columns(x, benefit, method, scales, names).T
