"""Finance's rounding rules, as pure functions over plain values.

Every derived figure in a report (a percentage, a cost per realized point) is computed exactly,
with integers and fractions, and rounded once, half to even, to its last shown digit: a
percentage to 0.01, a cost to the minor unit.  A measured change is stored as a float; it enters
the arithmetic as the decimal it was written as (its shortest round-tripping form, 0.2 and not
0.2000000000000000111), so 30,000,000 / 0.2 is 150,000,000 and never 149,999,999.
"""
from decimal import Decimal
from fractions import Fraction


def exact_decimal(value):
    """A stored float as the decimal it was entered as: ``exact_decimal(0.2) == Decimal("0.2")``."""
    return Decimal(repr(float(value)))


def percent(part, whole):
    """``part / whole`` as a percentage string with two decimals, rounded half to even.

    ``percent(1, 3) == "33.33"``, ``percent(1, 800) == "0.12"`` (0.125 → even), ``percent(3, 800) == "0.38"``;
    a zero ``whole`` gives ``"0.00"``.
    """
    if not whole:
        return "0.00"
    hundredths = round(Fraction(part) * 10000 / Fraction(whole))
    sign = "-" if hundredths < 0 else ""
    units, rest = divmod(abs(hundredths), 100)
    return f"{sign}{units}.{rest:02d}"


def cost_per_point(amount, improvement):
    """Minor units spent per point of improvement, rounded half to even; None unless the improvement is positive.

    ``cost_per_point(30_000_000, Decimal("0.2")) == 150_000_000``;
    ``cost_per_point(24_000_000, Decimal("0.9")) == 26_666_667`` (26,666,666.67).
    """
    if improvement <= 0:
        return None
    return round(Fraction(amount) / Fraction(improvement))


def share(part, whole):
    """``part / whole`` as the float nearest the exact ratio of two decimals; None when ``whole`` is 0."""
    if not whole:
        return None
    return float(Fraction(part) / Fraction(whole))


def largest_remainder_split(amount, weights):
    """Split ``amount`` (a non-negative integer) over ``weights`` ``{key: integer weight}``.

    The rule of the split reports (``finance._split_sql`` computes the same in SQL, and the
    tests compare the two): keys with a weight of 0 or less take no part; each other key gets
    ⌊amount·w/W⌋ (W the sum of those weights) and the units left over, fewer than the number
    of parts, go one each to the parts with the largest remainders amount·w − ⌊amount·w/W⌋·W,
    ties broken by the lower key first.  The parts add up to ``amount`` exactly.

    ``largest_remainder_split(100, {1: 1, 2: 1, 3: 1}) == {1: 34, 2: 33, 3: 33}``.
    """
    positive = {k: w for k, w in weights.items() if w > 0}
    total = sum(positive.values())
    if not total:
        return {}
    parts = {k: amount * w // total for k, w in positive.items()}
    by_remainder = sorted(positive, key=lambda k: (-(amount * positive[k] - parts[k] * total), k))
    for k in by_remainder[:amount - sum(parts.values())]:
        parts[k] += 1
    return parts
