"""Reports as JSON or CSV (``?format=csv`` or ``Accept: text/csv``).

CSV: a header row, UTF-8, amounts in integer minor units and again as an exact decimal in
the currency (computed with integers, never through a float), a filename in
Content-Disposition.  Cells go through ``csv_cells``: text that could start a spreadsheet
formula gets a leading ``'``; the columns named here as numbers are written as they are.
"""
import datetime as dt
import json
from decimal import Decimal

from flask import Response, current_app, request

from cxgov.api.csv_cells import csv_text
from cxgov.api.extensions.conditional import conditional, tag_of

MONEY_COLUMNS = {"requested", "approved", "actual", "budget", "remaining", "approved_not_spent", "approved_amount",
                 "approved_reviewed", "cost_per_realized_point"}
#: Every other report column that holds numbers (ids, counts, percentages, changes); the rest is text.
NUMBER_COLUMNS = {"round_id", "team_id", "objective_id", "partner_id", "decision_id", "initiative_id", "fiscal_year",
                  "fiscal_quarter", "count", "initiatives_distinct", "initiatives", "approved_initiatives",
                  "initiatives_over_approved", "utilization_pct", "spent_pct_of_approved", "expected", "realized",
                  "realized_share_of_expected"}


def wants_csv(args):
    if args.get("format") == "csv":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return args.get("format") is None and best == "text/csv" and request.accept_mimetypes["text/csv"] > \
        request.accept_mimetypes["application/json"]


def decimal_amount(minor, exponent):
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(int(minor)), 10 ** exponent)
    return f"{sign}{whole}.{frac:0{exponent}d}" if exponent else f"{sign}{whole}"


def csv_response(name, rows, columns):
    exponent = current_app.config["CURRENCY_EXPONENT"]
    currency = current_app.config["CURRENCY"]
    header, numeric = [], set(NUMBER_COLUMNS)
    for column in columns:
        header.append(column)
        if column in MONEY_COLUMNS:
            header.append(f"{column}_{currency.lower()}")
            numeric |= {column, header[-1]}
    lines = []
    for row in rows:
        line = []
        for column in columns:
            value = row.get(column)
            line.append(value)
            if column in MONEY_COLUMNS:
                line.append(None if value is None else decimal_amount(value, exponent))
        lines.append(line)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return conditional(Response(csv_text(header, lines, numeric).encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="cxgov-{name}-{stamp}.csv"'}, content_type="text/csv; charset=utf-8"))


def json_response(body):
    body = dict(body)
    body.setdefault("currency", current_app.config["CURRENCY"])
    # the tag is of the figures, not of the moment they were computed (which every response differs in)
    etag = tag_of(json.dumps({k: v for k, v in body.items() if k != "computed_at"}, sort_keys=True,
                             default=_json_value).encode("utf-8"))
    body.setdefault("computed_at", dt.datetime.now(dt.timezone.utc).isoformat())
    return conditional(lambda: Response(json.dumps(body, default=_json_value), mimetype="application/json"), etag)


def _json_value(value):
    """An exact decimal (a summed change) as a JSON number; anything else unknown as its text."""
    return float(value) if isinstance(value, Decimal) else str(value)
