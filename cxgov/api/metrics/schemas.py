import csv
import io
import math

import marshmallow as ma

from cxgov.api.extensions.fields import IsoDate, Number, Schema, Text, UtcDateTime
from cxgov.api.extensions.pagination import sort_field
from cxgov.errors import RuleViolation

DIRECTIONS = ("higher_is_better", "lower_is_better")
SORTABLE = ("id", "key", "name", "weight")
BIG = 1e12


class MetricSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    key = ma.fields.String()
    name = ma.fields.String()
    unit = ma.fields.String()
    direction = ma.fields.String()
    baseline = ma.fields.Float()
    target = ma.fields.Float()
    weight = ma.fields.Float()
    range_min = ma.fields.Float(allow_none=True)
    range_max = ma.fields.Float(allow_none=True)
    description = ma.fields.String()
    version = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class MetricCreateSchema(Schema):
    key = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$",
                           error="lowercase letters, digits and _, starting with a letter, at most 40"))
    name = Text(120, required=True)
    unit = Text(40, required=True)
    direction = ma.fields.String(required=True, validate=ma.validate.OneOf(DIRECTIONS))
    baseline = Number(-BIG, BIG, required=True)
    target = Number(-BIG, BIG, required=True)
    weight = Number(0, 1000, required=True)
    range_min = Number(-BIG, BIG, allow_none=True, load_default=None)
    range_max = Number(-BIG, BIG, allow_none=True, load_default=None)
    description = Text(5000, min_length=0, load_default="")


class MetricUpdateSchema(Schema):
    name = Text(120)
    unit = Text(40)
    direction = ma.fields.String(validate=ma.validate.OneOf(DIRECTIONS))
    baseline = Number(-BIG, BIG)
    target = Number(-BIG, BIG)
    weight = Number(0, 1000)
    range_min = Number(-BIG, BIG, allow_none=True)
    range_max = Number(-BIG, BIG, allow_none=True)
    description = Text(5000, min_length=0)


class MetricQueryArgsSchema(Schema):
    q = Text(120)
    sort = sort_field(SORTABLE)


class MeasurementSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    metric_id = ma.fields.Integer(dump_only=True)
    measured_at = UtcDateTime()
    value = ma.fields.Float()
    segment = ma.fields.String(allow_none=True)
    channel = ma.fields.String(allow_none=True)


class MeasurementInSchema(Schema):
    measured_at = UtcDateTime(required=True)
    value = Number(-BIG, BIG, required=True)
    segment = Text(80, allow_none=True, load_default=None)
    channel = Text(40, allow_none=True, load_default=None)


class MeasurementBatchSchema(Schema):
    measurements = ma.fields.List(ma.fields.Nested(MeasurementInSchema), required=True,
                                  validate=ma.validate.Length(1, 10000))


class MeasurementBatchResultSchema(Schema):
    metric_id = ma.fields.Integer()
    stored = ma.fields.Integer()


class MeasurementQueryArgsSchema(Schema):
    since = UtcDateTime()
    until = UtcDateTime()
    segment = Text(80)
    channel = Text(40)


class AggregateArgsSchema(MeasurementQueryArgsSchema):
    period = ma.fields.String(required=True, validate=ma.validate.OneOf(["day", "week", "month", "quarter"]))


class AggregatePointSchema(Schema):
    period_start = IsoDate()
    count = ma.fields.Integer()
    mean = ma.fields.Float()
    min = ma.fields.Float()
    max = ma.fields.Float()


# --------------------------------------------------------------------------- CSV upload
def parse_measurements_csv(text):
    """Rows of a measurement CSV upload, validated one by one: (rows, the label of each, errors of
    the rows that could not be read).  A label is "line N", N counting the file's lines as a
    spreadsheet or an editor shows them (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise RuleViolation(f"the CSV cannot be read: {exc}", errors={"body": [str(exc)]}) from exc
    if fieldnames is None or not {"measured_at", "value"} <= set(reader.fieldnames):
        raise RuleViolation("the CSV needs a header row with measured_at and value (segment, channel optional)",
                            errors={"header": ["measured_at,value[,segment,channel]"]})
    if extra := set(reader.fieldnames) - {"measured_at", "value", "segment", "channel"}:
        named = ", ".join(f'"{name}"' for name in sorted(extra))
        raise RuleViolation(f"unknown CSV column(s) {named}: the columns are measured_at, value, segment, channel",
                            errors={"header": [f"unknown column(s) {named}; the columns are measured_at, value, "
                                               "segment, channel"]})
    schema, rows, labels, errors = MeasurementInSchema(), [], [], {}
    while True:
        line = reader.line_num + 1  # where the next record starts
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RuleViolation(f"the CSV cannot be read at line {line}: {exc}",
                                errors={f"line {line}": [str(exc)]}) from exc
        if len(labels) + len(errors) >= 10000:
            raise RuleViolation("at most 10,000 rows per upload", errors={"rows": ["at most 10,000"]})
        label = f"line {line}"
        if None in raw:  # more fields than the header names
            errors[label] = [f"this line has {len(fieldnames) + len(raw[None])} fields where the header names "
                             f"{len(fieldnames)}: put a value that holds a comma in double quotes"]
            continue
        if problems := _unreadable_cells(raw):
            errors[label] = problems
            continue
        cleaned = {k: v for k, v in raw.items() if v not in (None, "")}
        cleaned["value"] = float(cleaned["value"])
        try:
            rows.append(schema.load(cleaned))
            labels.append(label)
        except ma.ValidationError as exc:
            errors[label] = list(_sentences(exc.messages))
    if not rows and not errors:
        raise RuleViolation("the CSV has no rows", errors={"rows": ["at least one"]})
    return rows, labels, errors


def _unreadable_cells(raw):
    """What a person must fix in a row's required cells, as sentences ([] when they read)."""
    problems = []
    if raw.get("measured_at") in (None, ""):
        problems.append("measured_at is empty: write an ISO 8601 date and time, e.g. 2026-10-01T09:30:00Z")
    value = raw.get("value")
    if value in (None, ""):
        problems.append("value is empty: write a number, e.g. 31.5")
    else:
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is None or not math.isfinite(number):
            problems.append(f'value "{value[:40]}" is not a number: write one with a dot for decimals, e.g. 31.5')
    return problems


def _sentences(messages, field=None):
    """marshmallow's nested messages as flat sentences, each naming its column."""
    if isinstance(messages, dict):
        for key, inner in messages.items():
            yield from _sentences(inner, field if key == ma.exceptions.SCHEMA else key)
    elif isinstance(messages, (list, tuple)):
        for inner in messages:
            yield from _sentences(inner, field)
    else:
        text = str(messages)
        yield text if field is None or text.startswith(field) else f"{field}: {text}"
