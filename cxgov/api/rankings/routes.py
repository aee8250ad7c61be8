import json
import threading
from collections import OrderedDict

from flask import Response
from flask.views import MethodView

from cxgov import __version__
from cxgov.api.csv_cells import csv_text
from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.conditional import conditional, tag_of
from cxgov.api.rankings.schemas import (
    AcceptabilityRequestSchema, AcceptabilitySchema, RankingPageArgsSchema, RankingSchema, RankingVerifySchema,
    StabilityArgsSchema, StabilitySchema,
)
from cxgov.models import RankingEntry
from cxgov.services import rankings, robustness

blp = Blueprint("rankings", __name__, description="Ranking snapshots: scores explained, verifiable, robust")
blp.url_prefix_name = "rankings"

READERS = ("admin", "board_chair", "board_member", "finance", "viewer", "team_lead")
CSV_DOC = {"description": "The ranking: a page of entries as JSON, or all of it as CSV with ?format=csv", "content_type": "text/csv",
           "schema": {"type": "string"}}


#: A ranking without its entries; the page of entries is built by ``_entry_body``.
_HEADER = RankingSchema(exclude=("entries",))
_ENTRY_COLUMNS = (RankingEntry.initiative, RankingEntry.rank, RankingEntry.score, RankingEntry.cost,
                  RankingEntry.requested_amount, RankingEntry.funded_by_fill, RankingEntry.distance_to_line,
                  RankingEntry.detail)


def _entry_body(row):
    """One entry exactly as ``RankingEntrySchema`` dumps it, from a row of ``_ENTRY_COLUMNS``
    (plain tuples: marshmallow and model instances cost more than the query at 100 per page)."""
    initiative_id, rank, score, cost, requested_amount, funded_by_fill, distance_to_line, d = row
    return {"initiative_id": initiative_id, "title": d["title"], "team_id": d["team_id"], "rank": rank,
            "score": float(score), "cost": cost, "requested_amount": requested_amount,
            "funded_by_fill": bool(funded_by_fill),
            "distance_to_line": None if distance_to_line is None else float(distance_to_line),
            "raw": d["raw"], "normalized": d["normalized"], "contributions": d["contributions"],
            "warnings": d["warnings"], "explanation": d["explanation"]}


#: Rendered pages by (ranking id, its inputs hash and time, page, page size).  A ranking snapshot never changes, so a
#: page rendered once is valid for ever; the cache is per process and bounded.
_PAGES = OrderedDict()
_PAGES_MAX = 256
_PAGES_LOCK = threading.Lock()


def _render_page(ranking, page, page_size):
    body = _HEADER.dump(ranking)
    body["entries"] = [_entry_body(row) for row in rankings.entries_of(ranking).select(*_ENTRY_COLUMNS)
                       .paginate(page, page_size).tuples()]
    total = ranking.entry_count
    last = max(1, -(-total // page_size))
    pagination = {"total": total, "total_pages": last, "first_page": 1, "last_page": last, "page": page}
    return json.dumps(body).encode("utf-8"), json.dumps(pagination)


def ranking_response(ranking, args):
    """One page of a ranking's entries as JSON (X-Pagination), or all of it as CSV, with a strong
    ETag from the snapshot and the page (a snapshot never changes): 304 for If-None-Match."""
    # the hash and time guard against another database (tests, a restored copy) reusing the id;
    # the version, against a release that renders the same snapshot differently
    snapshot = (ranking.id, ranking.inputs_hash, ranking.created_at, __version__)
    if args["format"] == "csv":
        return conditional(lambda: _csv(ranking, rankings.entries_of(ranking)), tag_of(*snapshot, "csv"))
    key = (*snapshot, args["page"], args["page_size"])
    return conditional(lambda: _page_response(key, ranking, args), tag_of(*key))


def _page_response(key, ranking, args):
    with _PAGES_LOCK:
        cached = _PAGES.get(key)
        if cached is not None:
            _PAGES.move_to_end(key)
    if cached is None:
        cached = _render_page(ranking, args["page"], args["page_size"])
        with _PAGES_LOCK:
            _PAGES[key] = cached
            while len(_PAGES) > _PAGES_MAX:
                _PAGES.popitem(last=False)
    body, pagination = cached
    return Response(body, mimetype="application/json", headers={"X-Pagination": pagination})


#: Columns of the ranking CSV that hold numbers; the title, funded_by_fill and warnings are text.
_CSV_NUMBERS = ("rank", "initiative_id", "team_id", "score", "requested_amount", "cost", "distance_to_line")


def _csv(ranking, entries):
    names = list(ranking.criteria_names)
    per_criterion = [f"{kind}_{n}" for kind in ("raw", "normalized", "contribution") for n in names]
    header = ["rank", "initiative_id", "title", "team_id", "score", "requested_amount", "cost", "funded_by_fill",
              "distance_to_line"] + per_criterion + ["warnings"]
    rows = ([e.rank, e.initiative_id, e.detail["title"], e.detail["team_id"], e.score, e.requested_amount, e.cost,
             e.funded_by_fill, e.distance_to_line]
            + [e.detail[kind][n] for kind in ("raw", "normalized", "contributions") for n in names]
            + ["; ".join(e.detail["warnings"])] for e in entries.iterator())
    body = csv_text(header, rows, numeric={*_CSV_NUMBERS, *per_criterion})
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=cxgov-ranking-{ranking.id}.csv"})


@blp.route("/" + id_path("ranking_id"))
class RankingByIdViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(RankingPageArgsSchema, location="query")
    @blp.response(200, RankingSchema)
    @blp.alt_response(200, **CSV_DOC, success=True)
    def get(self, args, ranking_id):
        """Get a ranking: per initiative raw, normalized, contributions, score, rank, warnings"""
        return ranking_response(rankings.get_ranking(current_actor(), ranking_id), args)


@blp.route("/" + id_path("ranking_id") + "/verify")
class RankingVerifyViews(MethodView):
    @blp.login_required(*READERS)
    @blp.response(200, RankingVerifySchema)
    def get(self, ranking_id):
        """Recompute a ranking from its stored inputs and say whether it matches"""
        return rankings.verify_ranking(current_actor(), ranking_id)


@blp.route("/" + id_path("ranking_id") + "/stability")
class RankingStabilityViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(StabilityArgsSchema, location="query")
    @blp.response(200, StabilitySchema)
    def get(self, args, ranking_id):
        """Weight intervals per criterion inside which the top-k set stays the same"""
        return robustness.stability(current_actor(), ranking_id, args.get("k"))


@blp.route("/" + id_path("ranking_id") + "/acceptability")
class RankingAcceptabilityViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(AcceptabilityRequestSchema, required=False)  # every field has a default
    @blp.response(200, AcceptabilitySchema)
    def post(self, data, ranking_id):
        """SMAA: probability of each rank, of the top k, and of being funded, under sampled weights"""
        return robustness.acceptability(current_actor(), ranking_id, data.get("k"), data["samples"], data["seed"],
                                        data["concentration"])
