"""Named validators shared by the public scoring functions.

Every public function coerces its inputs here first, so that a bad input fails early with a
``ValueError`` that names the argument and the offending criterion, row or value, and the
kernels behind it can assume clean float arrays.
"""

import numbers

import numpy as np

__all__ = [
    "as_matrix",
    "as_directions",
    "as_weights",
    "as_names",
    "as_secondary_key",
    "as_row_indices",
    "as_costs",
    "as_budget",
    "criterion_label",
]


def criterion_label(j, names=None):
    """``"criterion 'cost' (index 2)"`` when names are known, else ``"criterion 2"``."""
    if names is not None:
        return f"criterion {names[j]!r} (index {j})"
    return f"criterion {j}"


def as_names(names, n_criteria):
    """Criterion names as a tuple of strings, or None."""
    if names is None:
        return None
    names = tuple(str(name) for name in names)
    if len(names) != n_criteria:
        raise ValueError(
            f"criteria_names has {len(names)} names but the matrix has {n_criteria} criteria"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"criteria_names must be unique, got {names!r}")
    return names


def as_matrix(matrix, names=None, *, argname="matrix"):
    """A finite 2-D float64 array with at least one row and one criterion."""
    try:
        array = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{argname} must be a numeric 2-D array: {exc}") from None
    if array.ndim != 2:
        raise ValueError(
            f"{argname} must be 2-D (rows = alternatives, columns = criteria), "
            f"got shape {array.shape}"
        )
    n_rows, n_criteria = array.shape
    if n_rows == 0 or n_criteria == 0:
        raise ValueError(f"{argname} must have at least one row and one criterion, got shape {array.shape}")
    if names is not None and len(names) != n_criteria:
        raise ValueError(
            f"criteria_names has {len(names)} names but {argname} has {n_criteria} criteria"
        )
    finite = np.isfinite(array)
    if not finite.all():
        row, col = np.argwhere(~finite)[0]
        raise ValueError(
            f"{argname}: {criterion_label(col, names)}, row {row} is {float(array[row, col])!r}; "
            "values must be finite"
        )
    return array


_DIRECTION_WORDS = {"benefit": True, "max": True, "cost": False, "min": False}


def as_directions(directions, n_criteria, names=None):
    """Directions as a boolean array: True for a benefit criterion, False for a cost one.

    Accepts ``"benefit"``/``"cost"`` (also ``"max"``/``"min"``) or ``+1``/``-1``.
    """
    if isinstance(directions, str):
        raise ValueError(f"directions must be a sequence with one entry per criterion, got {directions!r}")
    items = list(directions)
    if len(items) != n_criteria:
        raise ValueError(f"directions has {len(items)} entries but the matrix has {n_criteria} criteria")
    out = np.empty(n_criteria, dtype=bool)
    for j, item in enumerate(items):
        if isinstance(item, str) and item.lower() in _DIRECTION_WORDS:
            out[j] = _DIRECTION_WORDS[item.lower()]
        elif isinstance(item, numbers.Real) and not isinstance(item, bool) and item in (1, -1):
            out[j] = item == 1
        else:
            raise ValueError(
                f"directions: {criterion_label(j, names)} has direction {item!r}; "
                "use 'benefit' or 'cost' (or +1 / -1)"
            )
    return out


def as_weights(weights, n_criteria, names=None):
    """Non-negative finite weights, not all zero, rescaled to sum to 1."""
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"weights must be numeric: {exc}") from None
    if array.ndim != 1 or array.shape[0] != n_criteria:
        raise ValueError(f"weights must have one entry per criterion ({n_criteria}), got shape {array.shape}")
    for j in range(n_criteria):
        if not np.isfinite(array[j]):
            raise ValueError(f"weights: {criterion_label(j, names)} has weight {float(array[j])!r}; weights must be finite")
        if array[j] < 0:
            raise ValueError(f"weights: {criterion_label(j, names)} has negative weight {float(array[j])!r}")
    total = array.sum()
    if not total > 0:
        raise ValueError("weights are all zero; at least one criterion needs a positive weight")
    return array / total


def as_secondary_key(key, n_rows, *, argname="tiebreak"):
    """A finite 1-D float array with one entry per row, or None."""
    if key is None:
        return None
    try:
        array = np.asarray(key, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{argname} must be numeric: {exc}") from None
    if array.ndim != 1 or array.shape[0] != n_rows:
        raise ValueError(f"{argname} must have one entry per row ({n_rows}), got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{argname}: row {row} is {float(array[row])!r}; values must be finite")
    return array


def as_row_indices(indices, n_rows, *, argname):
    """Distinct row indices in ``range(n_rows)`` as an int64 array."""
    out = []
    for item in indices:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (numbers.Integral, np.integer)):
            raise ValueError(f"{argname}: {item!r} is not a row index")
        if not 0 <= int(item) < n_rows:
            raise ValueError(f"{argname}: row {int(item)} is out of range for {n_rows} rows")
        out.append(int(item))
    return np.asarray(out, dtype=np.int64)


def as_costs(costs, n_rows=None, *, argname="costs"):
    """Non-negative integer money amounts (minor units) as an int64 array.

    Money is never a float: float arrays are refused even when their values are whole.
    """
    items = costs if isinstance(costs, np.ndarray) else list(costs)
    if not isinstance(items, np.ndarray) and all(
        isinstance(c, (numbers.Integral, np.integer)) and not isinstance(c, (bool, np.bool_)) for c in items
    ):
        if any(not -(2**63) <= int(c) < 2**63 for c in items):
            raise ValueError(f"{argname}: amounts beyond 64-bit integers are not supported")
        array = np.asarray([int(c) for c in items], dtype=np.int64).reshape(len(items))
    else:
        array = np.asarray(items)
        if array.dtype.kind not in "iu":
            raise ValueError(
                f"{argname} must be integer minor units (cents), got dtype {array.dtype}; "
                "money is never a float"
            )
    if array.ndim != 1:
        raise ValueError(f"{argname} must be 1-D, got shape {array.shape}")
    if n_rows is not None and array.shape[0] != n_rows:
        raise ValueError(f"{argname} must have one entry per row ({n_rows}), got {array.shape[0]}")
    if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{argname}: amounts above {np.iinfo(np.int64).max} are not supported")
    array = array.astype(np.int64)
    negative = array < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise ValueError(f"{argname}: row {row} is {int(array[row])}; amounts must be >= 0")
    return array


def as_budget(budget, *, argname="budget"):
    """A non-negative integer amount (minor units) as a Python int."""
    if isinstance(budget, (bool, np.bool_)) or not isinstance(budget, (numbers.Integral, np.integer)):
        raise ValueError(f"{argname} must be an integer number of minor units, got {budget!r}")
    budget = int(budget)
    if budget < 0:
        raise ValueError(f"{argname} must be >= 0, got {budget}")
    return budget
