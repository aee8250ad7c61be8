"""The schema base and every field class: money, dates and times, strict numbers, clean text.

Money, dates and times have one class each, used by every schema.

Their error messages say how to write the value, not only that it is wrong: a client that
sends ``10000.50`` for a money field learns that money is integer minor units, one that sends
``30/06/2027`` for a date learns the format.  A test walks every schema and fails on a money,
date or time field of any other class (tests/api/test_field_messages.py).
"""
import datetime as dt
import re

import marshmallow as ma
from flask import current_app, has_app_context

from cxgov.config import DEFAULTS

UTC = dt.timezone.utc
MONEY_MAX = 10**13

#: A field of this name holds money (integer minor units) in every schema, in and out.
MONEY_NAME = re.compile(r"(^|_)(amount|cost|budget|committed|remaining)$|^supermajority_above$")


def _currency():
    config = current_app.config if has_app_context() else DEFAULTS
    return config["CURRENCY"], config["CURRENCY_EXPONENT"]


def decimal_text(minor, exponent):
    """``1000050, 2`` -> ``"10,000.50"``: minor units as the amount a person writes."""
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**exponent)
    return f"{sign}{whole:,}" + (f".{frac:0{exponent}d}" if exponent else "")


def minor_units_hint():
    """``"integer minor units (cents): 10,000.50 EUR is 1000050"`` for the configured currency."""
    currency, exponent = _currency()
    unit = {0: "whole units", 2: "cents"}.get(exponent, f"1/{10**exponent} of a unit")
    example = 10_000 * 10**exponent + (5 * 10 ** (exponent - 1) if exponent else 0)
    return f"integer minor units ({unit}): {decimal_text(example, exponent)} {currency} is {example}"


class _SaysHow:
    """A field whose "invalid" message names the field and says how to write its value."""

    def how(self):
        return self.error_messages["invalid"]

    def make_error(self, key, **kwargs):
        if key == "invalid":
            return ma.ValidationError(f"{self.name or 'this field'} must be {self.how()}")
        return super().make_error(key, **kwargs)


class Money(_SaysHow, ma.fields.Integer):
    """Money: an integer number of minor units within [lo, hi] (0 … 10^13 by default); a float
    such as 10000.50, a string and a boolean are refused with the rule and an example."""

    def __init__(self, lo=0, hi=MONEY_MAX, **kwargs):
        self.lo, self.hi = lo, hi
        super().__init__(strict=True, validate=ma.validate.Range(lo, hi, error="out of range"), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ma.ValidationError as exc:
            raise self.make_error("invalid") from exc

    def _validate(self, value):
        try:
            super()._validate(value)
        except ma.ValidationError as exc:
            currency, exponent = _currency()
            raise ma.ValidationError(
                f"{self.name or 'this field'} must be from {self.lo} to {self.hi} ({decimal_text(self.lo, exponent)} "
                f"to {decimal_text(self.hi, exponent)} {currency}) in {self.how()}") from exc

    def how(self):
        return minor_units_hint()


class MoneyOut(Money):
    """Money in a response: integer minor units, with no bound documented (a total of several
    amounts, or a cost over years, can pass any one input's bound)."""

    def __init__(self, **kwargs):
        ma.fields.Integer.__init__(self, strict=True, **kwargs)
        self.lo, self.hi = None, None


class IsoDate(_SaysHow, ma.fields.Date):
    """A calendar date written YYYY-MM-DD."""

    default_error_messages = {"invalid": "a date written YYYY-MM-DD, e.g. 2027-06-30"}


class UtcDateTime(_SaysHow, ma.fields.AwareDateTime):
    """A moment in ISO 8601, read as UTC when it has no offset, and always written in UTC."""

    default_error_messages = {"invalid": "an ISO 8601 date and time, e.g. 2026-10-01T09:30:00Z "
                                         "(UTC when no offset is given)"}

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, dt.datetime):
            value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# ------------------------------------------------------------------ schema base and strict fields
MAX_ID = 9223372036854775807


class Schema(ma.Schema):
    """Unknown fields are refused; nothing is silently dropped."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


def StrictInt(lo=None, hi=None, **kwargs):
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(lo, hi), **kwargs)


def Id(**kwargs):
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_ID), **kwargs)


def QueryInt(lo=1, hi=MAX_ID, **kwargs):
    """An integer query-string argument (text to parse, so not strict)."""
    return ma.fields.Integer(validate=ma.validate.Range(lo, hi), **kwargs)


class CleanString(ma.fields.String):
    """Text a database can store: no NUL character (PostgreSQL refuses it) and no lone
    surrogate (JSON allows ``"\\ud800"``, UTF-8 cannot encode it)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ma.ValidationError("must not contain the NUL character")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ma.ValidationError("must be valid Unicode text (no lone surrogates)") from exc
        return text


def Text(max_length, min_length=1, **kwargs):
    return CleanString(validate=ma.validate.Length(min_length, max_length), **kwargs)


class StrictFloat(ma.fields.Float):
    """A JSON number only: "2.5" and true are refused, not converted."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBool(ma.fields.Boolean):
    """A JSON true or false only: "yes", 1 and "true" are refused, not converted.  (Query-string
    flags stay ``ma.fields.Boolean``: there every value is text.)"""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def Number(lo=None, hi=None, *, min_inclusive=True, **kwargs):
    """A finite JSON number (NaN and Infinity refused, text refused) within [lo, hi] (or (lo, hi]
    with min_inclusive=False)."""
    return StrictFloat(allow_nan=False, validate=ma.validate.Range(lo, hi, min_inclusive=min_inclusive), **kwargs)
