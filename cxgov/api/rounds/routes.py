from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage, apply_sort
from cxgov.api.rankings.routes import CSV_DOC, READERS, ranking_response
from cxgov.api.rankings.schemas import RankingPageArgsSchema, RankingSchema
from cxgov.api.rounds.schemas import (
    SORTABLE, RoundCreateSchema, RoundQueryArgsSchema, RoundSchema, RoundTransitionSchema, RoundUpdateSchema,
)
from cxgov.models import Round
from cxgov.api.portfolio.schemas import (
    CompareArgsSchema, ComparisonSchema, PortfolioRequestSchema, PortfolioScenarioSchema,
)
from cxgov.services import portfolio, rankings, rounds
from cxgov.services.records import get_or_404

blp = Blueprint("rounds", __name__, description="Funding rounds: a budget envelope and its lifecycle")
blp.url_prefix_name = "rounds"


@blp.route("")
class RoundViews(MethodView):
    @blp.login_required()
    @blp.arguments(RoundQueryArgsSchema, location="query")
    @blp.response(200, RoundSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, args):
        """List funding rounds"""
        sort = args.pop("sort", None)
        return apply_sort(rounds.list_rounds(**args), Round, sort, SORTABLE)

    @blp.login_required("admin", "finance", "board_chair")
    @blp.idempotent
    @blp.arguments(RoundCreateSchema)
    @blp.response(201, RoundSchema)
    def post(self, data):
        """Create a funding round (in planning; the chair without a budget)"""
        return rounds.create_round(current_actor(), **data)


@blp.route("/" + id_path("round_id"))
class RoundByIdViews(MethodView):
    @blp.login_required()
    @blp.etag
    @blp.response(200, RoundSchema)
    def get(self, round_id):
        """Get a round with its remaining budget"""
        rnd = get_or_404(Round, round_id, "round")
        blp.set_record_etag(rnd)
        return rnd

    @blp.login_required("admin", "finance")
    @blp.etag
    @blp.arguments(RoundUpdateSchema)
    @blp.response(200, RoundSchema)
    def patch(self, data, round_id):
        """Update a round (finance: the budget only)"""
        rnd = rounds.update_round(current_actor(), round_id, data, blp.precondition())
        blp.set_record_etag(rnd)
        return rnd


@blp.route("/" + id_path("round_id") + "/transitions")
class RoundTransitionViews(MethodView):
    @blp.login_required("admin", "board_chair")
    @blp.arguments(RoundTransitionSchema)
    @blp.response(200, RoundSchema)
    def post(self, data, round_id):
        """Move a round along planning → open → in_review → decided → closed"""
        return rounds.move_round(current_actor(), round_id, data["to"])


@blp.route("/" + id_path("round_id") + "/rankings")
class RoundRankingViews(MethodView):
    @blp.login_required("admin", "board_chair")
    @blp.response(201, RankingSchema)
    def post(self, round_id):
        """Rank the round's submitted initiatives with its pinned model; store the snapshot"""
        ranking = rankings.rank_round(current_actor(), round_id)
        response = ranking_response(ranking, {"format": "json", "page": 1, "page_size": 100})
        response.status_code = 201
        return response


@blp.route("/" + id_path("round_id") + "/rankings/latest")
class RoundLatestRankingViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(RankingPageArgsSchema, location="query")
    @blp.response(200, RankingSchema)
    @blp.alt_response(200, **CSV_DOC, success=True)
    def get(self, args, round_id):
        """The round's latest ranking (paginated entries, or ?format=csv)"""
        return ranking_response(rankings.latest_ranking(current_actor(), round_id), args)


@blp.route("/" + id_path("round_id") + "/portfolio")
class RoundPortfolioViews(MethodView):
    @blp.login_required("admin", "board_chair")
    @blp.idempotent
    @blp.arguments(PortfolioRequestSchema)
    @blp.response(201, PortfolioScenarioSchema)
    def post(self, data, round_id):
        """Optimal funded set within the budget, beside the rank-order fill, with the frontier"""
        return portfolio.optimize_round(current_actor(), round_id, data)

    @blp.login_required(*READERS)
    @blp.arguments(CompareArgsSchema, location="query")
    @blp.response(200, ComparisonSchema)
    def get(self, args, round_id):
        """Compare up to five stored scenarios (?compare=a,b,c); without it, list them"""
        actor = current_actor()
        if not args.get("compare"):
            return {"scenarios": [], "robust_core": [], "selected_in": {},
                    "available": [{"id": s.id, "name": s.name, "ranking_id": s.ranking_id}
                                  for s in portfolio.list_scenarios(actor, round_id)]}
        ids = [int(x) for x in args["compare"].split(",")]
        return portfolio.compare(actor, round_id, ids)
