from flask import request
from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage, apply_sort
from cxgov.errors import RuleViolation
from cxgov.api.metrics.schemas import (
    SORTABLE, AggregateArgsSchema, AggregatePointSchema, MeasurementBatchResultSchema, MeasurementBatchSchema, MeasurementQueryArgsSchema, MeasurementSchema,
    MetricCreateSchema, MetricQueryArgsSchema, MetricSchema, MetricUpdateSchema, parse_measurements_csv,
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
        rows, labels, unreadable = parse_measurements_csv(text)  # reported with the out-of-range rows, all at once
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
