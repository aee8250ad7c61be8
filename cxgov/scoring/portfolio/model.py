"""Model building: the MILP over ``z = [x, f, u]`` (funded flags, shares of the divisible
rows, whole-unit amounts of the cheaper divisible rows) as an immutable :class:`Model`.

A cut or a tightened row derives a new model (:func:`with_row`, :func:`tightened`); no model
is changed after it is built.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_array, csc_array, vstack

from .._exact import ExactFloor, min_amounts, share_limit


@dataclass(frozen=True)
class MoneyRow:
    """A budget or cap row: its members' amounts total at most ``limit`` minor units."""

    row: int                 # index in the model's rows
    members: np.ndarray
    limit: int               # minor units, exact


@dataclass(frozen=True)
class FloorRow:
    """A metric floor, decided exactly by ``exact``; the solver's row is scaled by 1 / unit."""

    row: int
    exact: ExactFloor
    unit: float


@dataclass(frozen=True)
class Model:
    """Minimize ``c @ z`` subject to bounds, integrality and ``row_lb <= A @ z <= row_ub``."""

    c: np.ndarray
    integrality: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    A: csc_array
    row_lb: np.ndarray
    row_ub: np.ndarray
    n: int
    frac: bool               # partial funding: some rows are divisible
    money_rows: tuple        # MoneyRow per budget / cap row
    floor_rows: tuple        # FloorRow per floor
    costs: np.ndarray
    divisible: np.ndarray    # rows funded by a share f (partial funding)
    min_amounts: np.ndarray  # least amount per row when funded (= cost if not divisible)
    scale: float
    whole: np.ndarray        # divisible rows with an integer amount variable u


# Divisible rows up to this cost get an integer amount variable, so the solver's optimum is
# the optimum over whole minor units; above it one minor unit is below the solver's
# resolution (HiGHS drops coefficients below 1e-9, as 1/cost would be), so the share is
# continuous, rounded and repaired (package docstring).
INTEGER_AMOUNT_MAX = 10**6


class _Rows:
    """Collects sparse rows (coordinates and bounds) while the model is built."""

    def __init__(self, share_col):
        self.rows, self.cols, self.vals, self.lb, self.ub = [], [], [], [], []
        self.count = 0
        self.share_col = share_col

    def add(self, coefs, lo, hi):
        for col, val in coefs:
            self.rows.append(self.count)
            self.cols.append(col)
            self.vals.append(val)
        self.lb.append(lo)
        self.ub.append(hi)
        self.count += 1
        return self.count - 1

    def funded(self, members, per_row):
        """Coefficients of sum(per_row[i] * funded share of i): on the share f_i of a divisible
        row, on x_i otherwise."""
        col = np.where(self.share_col[members] >= 0, self.share_col[members], members)
        keep = per_row[members] != 0
        return zip(col[keep].tolist(), per_row[members][keep].tolist())


def _money_rows(spec, budget, rows, scale):
    money_rows = []
    for members, limit in [(np.arange(spec.n), budget)] + [
        (members, share_limit(share, budget)) for members, share in spec.group_caps
    ]:
        idx = rows.add(rows.funded(members, spec.costs / scale), -np.inf, limit / scale)
        money_rows.append(MoneyRow(idx, members, limit))
    return tuple(money_rows)


def _logic_rows(spec, rows):
    for i, j in spec.requires:
        rows.add([(i, 1.0), (j, -1.0)], -np.inf, 0.0)
    for i, j in spec.excludes:
        rows.add([(i, 1.0), (j, 1.0)], -np.inf, 1.0)
    for group in spec.groups:
        for a, b in zip(group[:-1], group[1:]):
            rows.add([(int(a), 1.0), (int(b), -1.0)], 0.0, 0.0)


def _floor_rows(spec, rows):
    floor_rows = []
    for impact, minimum in spec.floors:
        # Scaled to max(1, |minimum|); met exactly (decimal arithmetic) after the solve.
        unit = max(1.0, abs(minimum))
        idx = rows.add(rows.funded(np.flatnonzero(impact), impact / unit), minimum / unit, np.inf)
        floor_rows.append(FloorRow(idx, ExactFloor.of(impact, minimum), unit))
    return tuple(floor_rows)


def _share_rows(spec, rows, divisible, whole, lo):
    n, share_col = spec.n, rows.share_col
    for i in divisible.tolist():  # (lo_i / c_i) x_i <= f_i <= x_i
        f = int(share_col[i])
        rows.add([(f, 1.0), (i, -1.0)], -np.inf, 0.0)
        rows.add([(i, float(lo[i] / spec.costs[i])), (f, -1.0)], -np.inf, 0.0)
    for k, i in enumerate(whole.tolist()):  # u_i / c_i = f_i, u_i integer
        rows.add([(n + divisible.size + k, 1.0 / float(spec.costs[i])), (int(share_col[i]), -1.0)], 0.0, 0.0)


def build_model(spec, budget):
    """The MILP of one budget level: budget and cap rows, dependencies, exclusions, groups,
    floors and, with partial funding, the share and whole-amount links."""
    n = spec.n
    lo = min_amounts(spec.min_share, spec.costs)
    if spec.min_share is not None:
        divisible = np.flatnonzero((lo < spec.costs) & (spec.costs > 0))
    else:
        divisible = np.zeros(0, np.int64)
    whole = divisible[spec.costs[divisible] <= INTEGER_AMOUNT_MAX]
    nvar = n + divisible.size + whole.size
    share_col = np.full(n, -1, dtype=np.int64)
    share_col[divisible] = n + np.arange(divisible.size)
    rows = _Rows(share_col)
    scale = float(max(budget, int(spec.costs.max()) if n else 0, 1))
    money_rows = _money_rows(spec, budget, rows, scale)
    _logic_rows(spec, rows)
    floor_rows = _floor_rows(spec, rows)
    _share_rows(spec, rows, divisible, whole, lo)
    A = coo_array((rows.vals, (rows.rows, rows.cols)), shape=(rows.count, nvar)).tocsc()
    c = np.zeros(nvar)
    c[:n] = -spec.values
    c[divisible] = 0.0
    c[share_col[divisible]] = -spec.values[divisible]
    integrality = np.ones(nvar)
    integrality[n:n + divisible.size] = 0
    lb = np.zeros(nvar)
    ub = np.ones(nvar)
    ub[n + divisible.size:] = spec.costs[whole]
    lb[spec.must_fund] = 1.0
    ub[spec.must_not_fund] = 0.0
    return Model(
        c=c, integrality=integrality, lb=lb, ub=ub, A=A,
        row_lb=np.asarray(rows.lb, float), row_ub=np.asarray(rows.ub, float), n=n,
        frac=bool(divisible.size), money_rows=money_rows, floor_rows=floor_rows, costs=spec.costs,
        divisible=divisible, min_amounts=lo, scale=scale, whole=whole,
    )


def with_row(model, coefs, hi):
    """A new model with the row ``coefs @ z <= hi`` (a cut) appended."""
    extra = coo_array((list(coefs.values()), ([0] * len(coefs), list(coefs.keys()))), shape=(1, model.c.shape[0]))
    return dataclasses.replace(
        model,
        A=vstack([model.A, extra]).tocsc(),
        row_lb=np.append(model.row_lb, -np.inf),
        row_ub=np.append(model.row_ub, float(hi)),
    )


def tightened(model, breach):
    """Last resort for partial funding: a new model with the broken row moved inward by its
    miss, and by at least one part in 10^6 of the row (far outside the solver's tolerance), so
    the next solve cannot return the same point."""
    if breach.kind == "money":
        money = model.money_rows[breach.index]
        row_ub = model.row_ub.copy()
        row_ub[money.row] -= max(float(breach.excess), 1e-6 * max(money.limit, 1.0)) / model.scale
        return dataclasses.replace(model, row_ub=row_ub)
    floor = model.floor_rows[breach.index]
    row_lb = model.row_lb.copy()
    row_lb[floor.row] += (float(breach.excess) + 1e-6 * floor.unit) / floor.unit
    return dataclasses.replace(model, row_lb=row_lb)
