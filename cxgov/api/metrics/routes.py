import csv
import io

import marshmallow as ma
from flask import request
from flask.views import MethodView

from cxgov.api.base import Blueprint, PeeweePage, apply_sort, current_actor, id_path
from cxgov.errors import RuleViolation
from cxgov.api.metrics.schemas import (
    SORTABLE, AggregateArgsSchema, AggregatePointSchema, MeasurementBatchResultSchema, MeasurementInSchema, MeasurementBatchSchema, MeasurementQueryArgsSchema, MeasurementSchema,
    MetricCreateSchema, MetricQueryArgsSchema, MetricSchema, MetricUpdateSchema,
)
from cxgov.models import Metric
from cxgov.services import metrics
from cxgov.services.records import get_or_404

blp = Blueprint("metrics", __name__, description="The CX metric catalog and its measurements")
blp.url_prefix_name = "metrics"


@blp.route("")
class MetricViews(MethodView):
    @blp.login_required()
    @blp.arguments(MetricQueryArgsSchema, location="query")
    @blp.response(200, MetricSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, args):
        """List metrics"""
        sort = args.pop("sort", None)
        return apply_sort(metrics.list_metrics(**args), Metric, sort, SORTABLE)

    @blp.login_required("admin")
    @blp.idempotent
    @blp.arguments(MetricCreateSchema)
    @blp.response(201, MetricSchema)
    def post(self, data):
        """Add a metric to the catalog"""
        return metrics.create_metric(current_actor(), **data)


@blp.route("/" + id_path("metric_id"))
class MetricByIdViews(MethodView):
    @blp.login_required()
    @blp.etag
    @blp.response(200, MetricSchema)
    def get(self, metric_id):
        """Get a metric"""
        metric = get_or_404(Metric, metric_id, "metric")
        blp.set_record_etag(metric)
        return metric

    @blp.login_required("admin")
    @blp.etag
    @blp.arguments(MetricUpdateSchema)
    @blp.response(200, MetricSchema)
    def patch(self, data, metric_id):
        """Update a metric"""
        metric = metrics.update_metric(current_actor(), metric_id, data, blp.precondition())
        blp.set_record_etag(metric)
        return metric

    @blp.login_required("admin")
    @blp.etag
    @blp.response(204)
    def delete(self, metric_id):
        """Delete a metric (refused while objectives or impacts use it)"""
        metrics.delete_metric(current_actor(), metric_id, blp.precondition())


@blp.route("/" + id_path("metric_id") + "/measurements")
class MeasurementViews(MethodView):
    @blp.login_required()
    @blp.arguments(MeasurementQueryArgsSchema, location="query")
    @blp.response(200, MeasurementSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, args, metric_id):
        """List a metric's measurements in time order"""
        return metrics.list_measurements(metric_id, **args)

    @blp.login_required("admin")
    @blp.idempotent
    @blp.arguments(MeasurementBatchSchema)
    @blp.response(201, MeasurementBatchResultSchema)
    def post(self, data, metric_id):
        """Record measurements (all or nothing, up to 10,000)"""
        stored = metrics.record_measurements(current_actor(), metric_id, data["measurements"])
        return {"metric_id": metric_id, "stored": stored}


CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}, "example":
            "measured_at,value,segment,channel\n2026-10-01T00:00:00Z,31.5,smb,web\n"}}}}


def _parse_csv(text):
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
        raise RuleViolation(f"unknown CSV columns {sorted(extra)}", errors={"header": [f"unknown {sorted(extra)}"]})
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
            errors[label] = [f"{len(raw[None])} field(s) more than the header's {len(fieldnames)}"]
            continue
        cleaned = {k: v for k, v in raw.items() if v not in (None, "") or k in ("measured_at", "value")}
        try:
            cleaned["value"] = float(cleaned["value"]) if cleaned.get("value") not in (None, "") else None
            rows.append(schema.load(cleaned))
            labels.append(label)
        except (ValueError, ma.ValidationError) as exc:
            errors[label] = [str(getattr(exc, "messages", exc))]
    if not rows and not errors:
        raise RuleViolation("the CSV has no rows", errors={"rows": ["at least one"]})
    return rows, labels, errors


@blp.route("/" + id_path("metric_id") + "/measurements/upload")
class MeasurementUploadViews(MethodView):
    @blp.login_required("admin")
    @blp.doc(**CSV_BODY)
    @blp.response(201, MeasurementBatchResultSchema)
    def post(self, metric_id):
        """Upload measurements as CSV (text/csv; all rows or none; errors name each bad row as "line N", the header being line 1)"""
        if request.mimetype != "text/csv":
            raise RuleViolation("send the upload as text/csv", errors={"Content-Type": ["text/csv"]})
        try:
            text = request.get_data().decode("utf-8-sig")  # strict: bad bytes are refused, not replaced
        except UnicodeDecodeError as exc:
            raise RuleViolation(f"the upload is not UTF-8 text (byte {exc.start})",
                                errors={"body": ["UTF-8 text"]}) from exc
        rows, labels, unreadable = _parse_csv(text)  # reported with the out-of-range rows, all at once
        stored = metrics.record_measurements(current_actor(), metric_id, rows, labels, unreadable)
        return {"metric_id": metric_id, "stored": stored}


@blp.route("/" + id_path("metric_id") + "/measurements/aggregate")
class MeasurementAggregateViews(MethodView):
    @blp.login_required()
    @blp.arguments(AggregateArgsSchema, location="query")
    @blp.response(200, AggregatePointSchema(many=True))
    def get(self, args, metric_id):
        """Mean per day, week, month or quarter over a time range"""
        period = args.pop("period")
        return metrics.aggregate_measurements(metric_id, period, **args)
