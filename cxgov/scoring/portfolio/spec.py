"""Spec and validation: the caller's arrays and constraint lists checked once and turned into
a frozen :class:`Spec`, which the diagnosis, the model builder and the solver share."""

from dataclasses import dataclass

import numpy as np

from .._validate import as_costs, as_row_indices


class InfeasiblePortfolio(ValueError):
    """No funded set satisfies the constraints; the message names the conflict."""


def frozen(array):
    """Mark an array read-only and return it (results hold read-only arrays)."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Spec:
    """Validated constraints (plain Python and numpy values)."""

    n: int
    values: np.ndarray
    costs: np.ndarray
    requires: list
    excludes: list
    groups: list
    must_fund: np.ndarray
    must_not_fund: np.ndarray
    min_share: np.ndarray | None
    group_caps: list
    floors: list


def as_values(values):
    """Values as a 1-D finite float array, or ValueError naming the bad row."""
    try:
        v = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"values must be numeric: {exc}") from None
    if v.ndim != 1:
        raise ValueError(f"values must be 1-D (one per row), got shape {v.shape}")
    bad = ~np.isfinite(v)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"values: row {row} is {float(v[row])!r}; values must be finite")
    return v


def _as_pairs(pairs, n, argname):
    out = []
    for item in pairs or ():
        try:
            i, j = item
        except (TypeError, ValueError):
            raise ValueError(f"{argname}: {item!r} is not a pair of row indices") from None
        i, j = as_row_indices([i, j], n, argname=argname)
        if i == j:
            raise ValueError(f"{argname}: pair ({i}, {j}) names the same row twice")
        out.append((int(i), int(j)))
    return out


def _as_groups(groups_all_or_none, n):
    groups = []
    for gi, group in enumerate(groups_all_or_none or ()):
        members = as_row_indices(group, n, argname=f"groups_all_or_none[{gi}]")
        if len(members) < 2:
            continue
        groups.append(np.unique(members))
    return groups


def _as_min_share(partial, n):
    if partial is None:
        return None
    min_share = np.asarray(partial, dtype=np.float64)
    if min_share.ndim == 0:
        min_share = np.full(n, float(min_share))
    if min_share.shape != (n,):
        raise ValueError(f"partial must be one minimum share per row ({n}), got shape {min_share.shape}")
    bad = ~(np.isfinite(min_share) & (min_share > 0) & (min_share <= 1))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"partial: row {row} has minimum share {float(min_share[row])!r}; need 0 < share <= 1 "
            "(1 = not divisible)"
        )
    return min_share


def _as_caps(group_caps, n):
    caps = []
    for ci, cap in enumerate(group_caps or ()):
        try:
            members, share = cap
        except (TypeError, ValueError):
            raise ValueError(f"group_caps[{ci}] must be (member_rows, max_share_of_budget)") from None
        members = np.unique(as_row_indices(members, n, argname=f"group_caps[{ci}]"))
        share = float(share)
        if not (np.isfinite(share) and share >= 0):
            raise ValueError(f"group_caps[{ci}] has share {share!r}; need a finite share >= 0")
        caps.append((members, share))
    return caps


def _as_floors(floors, n):
    floor_list = []
    for fi, floor in enumerate(floors or ()):
        try:
            impact, minimum = floor
        except (TypeError, ValueError):
            raise ValueError(f"floors[{fi}] must be (impact_per_row, minimum)") from None
        impact = np.asarray(impact, dtype=np.float64)
        if impact.shape != (n,) or not np.isfinite(impact).all():
            raise ValueError(f"floors[{fi}]: impact must be {n} finite numbers, got shape {impact.shape}")
        minimum = float(minimum)
        if not np.isfinite(minimum):
            raise ValueError(f"floors[{fi}] has minimum {minimum!r}; need a finite number")
        floor_list.append((impact, minimum))
    return floor_list


def make_spec(values, costs, requires=(), excludes=(), groups_all_or_none=(), must_fund=(),
              must_not_fund=(), partial=None, group_caps=(), floors=()):
    """Validate the inputs of :func:`optimize_portfolio` into a :class:`Spec`."""
    v = as_values(values)
    n = v.shape[0]
    c = as_costs(costs, n)
    groups = _as_groups(groups_all_or_none, n)
    min_share = _as_min_share(partial, n)
    caps = _as_caps(group_caps, n)
    floor_list = _as_floors(floors, n)
    return Spec(
        n=n,
        values=v,
        costs=c,
        requires=_as_pairs(requires, n, "requires"),
        excludes=_as_pairs(excludes, n, "excludes"),
        groups=groups,
        must_fund=np.unique(as_row_indices(must_fund or (), n, argname="must_fund")),
        must_not_fund=np.unique(as_row_indices(must_not_fund or (), n, argname="must_not_fund")),
        min_share=min_share,
        group_caps=caps,
        floors=floor_list,
    )
