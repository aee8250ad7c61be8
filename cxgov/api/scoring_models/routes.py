from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage
from cxgov.api.scoring_models.schemas import (
    AHPRequestSchema, AHPResultSchema, ScoringModelCreateSchema, ScoringModelQueryArgsSchema, ScoringModelSchema,
    ScoringModelUpdateSchema,
)
from cxgov.services import scoring_models

blp = Blueprint("scoring-models", __name__, description="Versioned scoring models (weights directly or from AHP)")
blp.url_prefix_name = "scoring-models"

AUTHORS = ("admin", "board_chair")


@blp.route("")
class ScoringModelViews(MethodView):
    @blp.login_required()
    @blp.arguments(ScoringModelQueryArgsSchema, location="query")
    @blp.response(200, ScoringModelSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, args):
        """List scoring models (every version)"""
        return scoring_models.list_models(args.get("key"), args["latest"])

    @blp.login_required(*AUTHORS)
    @blp.idempotent
    @blp.arguments(ScoringModelCreateSchema)
    @blp.response(201, ScoringModelSchema)
    def post(self, data):
        """Create a scoring model"""
        return scoring_models.create_model(current_actor(), data)


@blp.route("/ahp")
class AHPViews(MethodView):
    @blp.login_required("admin", "board_chair", "board_member")
    @blp.arguments(AHPRequestSchema)
    @blp.response(200, AHPResultSchema)
    def post(self, data):
        """Weights, consistency ratio and worst triple from pairwise matrices (nothing stored)"""
        return scoring_models.ahp_evaluate(data["criteria"], data["matrices"])


@blp.route("/" + id_path("model_id"))
class ScoringModelByIdViews(MethodView):
    @blp.login_required()
    @blp.etag
    @blp.response(200, ScoringModelSchema)
    def get(self, model_id):
        """Get one version of a scoring model"""
        model = scoring_models.get_model(model_id)
        blp.set_record_etag(model)
        return model

    @blp.login_required(*AUTHORS)
    @blp.etag
    @blp.arguments(ScoringModelUpdateSchema)
    @blp.response(201, ScoringModelSchema)
    def put(self, data, model_id):
        """Edit a model: writes and returns a new version (the old one stays as it was)"""
        model = scoring_models.new_version(current_actor(), model_id, data, blp.precondition())
        blp.set_record_etag(model)
        return model
