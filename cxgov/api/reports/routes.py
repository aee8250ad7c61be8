from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint
from cxgov.api.reports.rendering import csv_response, json_response, wants_csv
from cxgov.api.reports.schemas import (
    ApprovedSpendArgsSchema, CoverageArgsSchema, CoverageSchema, OverdueSchema, OverridesArgsSchema, ReportSchema,
    RoundFilterArgsSchema,
)
from cxgov.services import delivery, finance

blp = Blueprint("reports", __name__, description="Reports for the board and finance (JSON, or CSV)")
blp.url_prefix_name = "reports"

READERS = ("admin", "board_chair", "board_member", "finance", "viewer")
FINANCIAL = ("admin", "board_chair", "board_member", "finance")
CSV = {"description": "The report as CSV (?format=csv or Accept: text/csv)", "content_type": "text/csv",
       "schema": {"type": "string"}, "success": True}


def _args(args):
    return {k: v for k, v in args.items() if k != "format"}


@blp.route("/approved-spend")
class ApprovedSpendViews(MethodView):
    @blp.login_required(*FINANCIAL, "team_lead")
    @blp.arguments(ApprovedSpendArgsSchema, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(200, **CSV)
    def get(self, args):
        """Approved spend grouped by one or two keys (team leads: their own team's lines)"""
        group_by = args["group_by"].split(",")
        report = finance.approved_spend(current_actor(), group_by, _args({k: v for k, v in args.items()
                                                                          if k != "group_by"}))
        if wants_csv(args):
            measures = [finance.count_column(group_by), "requested", "approved", "actual"]
            rows = [{**line["keys"], **{k: line[k] for k in measures}} for line in report["lines"]]
            rows.append({report["key_columns"][0]: "TOTAL", **report["totals"]})
            return csv_response("approved-spend", rows, report["key_columns"] + measures)
        return json_response(report)


@blp.route("/budget")
class BudgetViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(RoundFilterArgsSchema, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(200, **CSV)
    def get(self, args):
        """Budget vs approved vs actual per round"""
        report = finance.budget_report(_args(args))
        if wants_csv(args):
            columns = ["round_id", "round_name", "fiscal_year", "fiscal_quarter", "status", "budget", "approved",
                       "remaining", "actual", "approved_not_spent", "utilization_pct", "spent_pct_of_approved",
                       "initiatives_over_approved"]
            return csv_response("budget", report["lines"] + [{"round_id": "TOTAL", **report["totals"]}], columns)
        return json_response(report)


@blp.route("/coverage")
class CoverageViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(CoverageArgsSchema, location="query")
    @blp.response(200, CoverageSchema)
    @blp.alt_response(200, **CSV)
    def get(self, args):
        """The 4 × 4 grid of focus areas × building blocks: initiatives and approved amount; empty cells listed"""
        report = finance.coverage(_args(args))
        if wants_csv(args):
            columns = ["focus_area", "building_block", "initiatives", "approved_initiatives", "approved_amount", "empty"]
            return csv_response("coverage", report["cells"] + [{"focus_area": "TOTAL", **report["totals"]}], columns)
        return json_response(report)


@blp.route("/overrides")
class OverridesViews(MethodView):
    @blp.login_required(*FINANCIAL)
    @blp.arguments(OverridesArgsSchema, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(200, **CSV)
    def get(self, args):
        """Every override and every departure from the ranking, once each, with its kinds and rationale"""
        report = finance.overrides(_args(args))
        if wants_csv(args):
            columns = ["decision_id", "round_id", "initiative_id", "outcome", "approved_amount", "kinds",
                       "override_rationale", "rationale", "decided_by", "decided_at"]
            rows = [{**line, "kinds": "+".join(line["kinds"])} for line in report["lines"]]
            rows.append({"decision_id": "TOTAL", "approved_amount": report["totals"]["approved_amount"]})
            return csv_response("overrides", rows, columns)
        return json_response(report)


@blp.route("/overdue")
class OverdueViews(MethodView):
    @blp.login_required(*READERS)
    @blp.response(200, OverdueSchema(many=True))
    def get(self):
        """Approved work past its due date, with its accountable owner and sponsor"""
        return delivery.overdue()
