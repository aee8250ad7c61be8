from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.closed_loop.schemas import (
    BenefitsArgsSchema, CalibrationSchema, MaturityCreateSchema, MaturityOverviewSchema, MaturitySchema,
    ReviewCreateSchema, ReviewSchema,
)
from cxgov.api.reports.rendering import csv_response, json_response, wants_csv
from cxgov.api.reports.schemas import ReportSchema
from cxgov.services import closed_loop

blp = Blueprint("closed-loop", __name__, description="Benefits realization, team calibration, CX maturity")
blp.url_prefix_name = ""

READERS = ("admin", "board_chair", "board_member", "finance", "viewer")
BENEFIT_COLUMNS = ["round_id", "team_id", "metric", "unit", "expected", "realized", "realized_share_of_expected",
                   "approved_reviewed", "cost_per_realized_point"]


def _benefit_rows(report):
    """A line per round, team and metric, then a TOTAL line per metric (units differ: no grand total)."""
    rows = [{"round_id": g["round_id"], "team_id": g["team_id"], "metric": key, **m}
            for g in report["lines"] for key, m in g["metrics"].items()]
    return rows + [{"round_id": "TOTAL", "metric": key, **m} for key, m in report["totals"]["metrics"].items()]


@blp.route("/initiatives/" + id_path("initiative_id") + "/review")
class ReviewViews(MethodView):
    @blp.login_required()
    @blp.response(200, ReviewSchema)
    def get(self, initiative_id):
        """The delivery review: realized vs expected per metric"""
        return closed_loop.review_view(current_actor(), initiative_id)

    @blp.login_required("admin", "team_lead")
    @blp.arguments(ReviewCreateSchema)
    @blp.response(201, ReviewSchema)
    def post(self, data, initiative_id):
        """Review delivered work (delivered → reviewed); updates the team's calibration"""
        return closed_loop.record_review(current_actor(), initiative_id, data)


@blp.route("/teams/" + id_path("team_id") + "/calibration")
class CalibrationViews(MethodView):
    @blp.login_required()
    @blp.response(200, CalibrationSchema)
    def get(self, team_id):
        """The team's calibration factor, the evidence behind it and its history"""
        return closed_loop.calibration_view(team_id)


@blp.route("/maturity-assessments")
class MaturityViews(MethodView):
    @blp.login_required()
    @blp.response(200, MaturityOverviewSchema)
    def get(self):
        """CX maturity: current level per element and the history"""
        return closed_loop.maturity_view()

    @blp.login_required("admin")
    @blp.arguments(MaturityCreateSchema)
    @blp.response(201, MaturitySchema)
    def post(self, data):
        """Record a maturity assessment (level 1–5 per element)"""
        return closed_loop.record_maturity(current_actor(), data)


@blp.route("/reports/benefits")
class BenefitsViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(BenefitsArgsSchema, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(200, description="The report as CSV", content_type="text/csv", schema={"type": "string"},
                      success=True)
    def get(self, args):
        """Expected vs realized impact per round and team, cost per realized point, reviews overdue"""
        report = closed_loop.benefits({k: v for k, v in args.items() if k != "format"})
        if wants_csv(args):
            return csv_response("benefits", _benefit_rows(report), BENEFIT_COLUMNS)
        return json_response(report)
