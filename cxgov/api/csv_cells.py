"""Every CSV the API writes goes through ``csv_text``, so that no cell runs as a spreadsheet formula.

OWASP "CSV injection": Excel, LibreOffice and Google Sheets read a cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return as a formula (``=HYPERLINK(…&B2, …)`` sends a
neighbouring cell away).  Such a text cell gets a leading ``'``, which spreadsheets take as
"this is text".  Whether a cell is text is decided by its column, not by how its value looks:
a writer names its numeric columns, and a number there is written as it is (-500 stays -500).
Anything else, in any column, is text.
"""
import csv
import io
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def neutralize(text):
    """A text cell that cannot start a formula: ``'`` before one of ``FORMULA_STARTS``."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _numeric_cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str) and _DECIMAL.fullmatch(value):  # a decimal already rendered (an amount, a percentage)
        return value
    return _text_cell(value)  # a label such as TOTAL in a key column, or anything unexpected


def _text_cell(value):
    return "" if value is None else neutralize(str(value))


def csv_text(header, rows, numeric=frozenset()):
    """``header`` and ``rows`` (sequences of cells in header order) as CSV text; columns named in
    ``numeric`` keep their numbers, every other cell is neutralised text."""
    cell = [_numeric_cell if name in numeric else _text_cell for name in header]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralize(name) for name in header])
    for row in rows:
        writer.writerow([convert(value) for convert, value in zip(cell, row, strict=True)])
    return out.getvalue()
