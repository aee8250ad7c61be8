"""Exact arithmetic for the portfolio's money limits and metric floors.

The MILP solver works in floats and accepts small violations; these helpers decide, in
integers and rationals, what "within the budget", "within the cap" and "meets the floor"
mean. A float given by a caller (a cap share, a minimum share, a floor's impact or minimum) is
read as the decimal it prints as (``repr``), so ``0.29`` is 29/100 and ``0.1 + 0.2`` reaches a
floor of ``0.3``.
"""

import math
import numbers
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

__all__ = ["decimal_fraction", "share_limit", "min_amounts", "ExactFloor"]


def decimal_fraction(x):
    """The exact rational a number denotes: ints, Fractions and Decimals as they are, a float
    as the shortest decimal that prints as it (``0.29`` -> 29/100)."""
    if isinstance(x, (Fraction, Decimal, numbers.Integral)) and not isinstance(x, bool):
        return Fraction(x)
    return Fraction(repr(float(x)))


def share_limit(share, amount):
    """``floor(share * amount)`` in exact arithmetic: the largest whole minor unit within the
    share (rounded down, so a cap is never exceeded)."""
    return math.floor(decimal_fraction(share) * int(amount))


def min_amounts(min_share, costs):
    """Per row, the least amount a partly funded row may receive: ``ceil(share * cost)``
    exactly (rounded up, so a row is never funded below its minimum share)."""
    if min_share is None:
        return costs.copy()
    return np.asarray(
        [math.ceil(decimal_fraction(s) * int(c)) for s, c in zip(min_share.tolist(), costs.tolist())],
        dtype=np.int64,
    )


@dataclass(frozen=True)
class ExactFloor:
    """A floor ``sum(impact * amount / cost) >= minimum`` over decimals, as integers.

    ``numerators[i] / denominator`` is row i's impact and ``minimum / denominator`` the
    floor's minimum (a Fraction), with one common power-of-ten denominator.
    """

    numerators: tuple
    denominator: int
    minimum: Fraction

    @classmethod
    def of(cls, impact, minimum):
        parts = [decimal_fraction(v) for v in impact.tolist()]
        low = decimal_fraction(minimum)
        denominator = math.lcm(low.denominator, *(p.denominator for p in parts))
        return cls(tuple(int(p * denominator) for p in parts), denominator, low * denominator)

    def reached(self, selected, amounts, costs):
        """The floor's activity times ``denominator``, exactly: a fully funded row counts its
        whole impact, a partly funded row ``impact * amount / cost``."""
        whole = 0
        part = Fraction(0)
        for i in np.flatnonzero(selected).tolist():
            num = self.numerators[i]
            if not num:
                continue
            cost, amount = int(costs[i]), int(amounts[i])
            if amount == cost:
                whole += num
            else:
                part += Fraction(num * amount, cost)
        return whole + part

    def deficit(self, selected, amounts, costs):
        """How far the floor is missed (a Fraction in impact units, <= 0 when met)."""
        return (self.minimum - self.reached(selected, amounts, costs)) / self.denominator
