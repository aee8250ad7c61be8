from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage, apply_sort
from cxgov.api.objectives.schemas import (
    SORTABLE, ObjectiveCreateSchema, ObjectiveQueryArgsSchema, ObjectiveSchema, ObjectiveUpdateSchema,
)
from cxgov.models import Objective
from cxgov.services import metrics
from cxgov.services.records import get_or_404

blp = Blueprint("objectives", __name__, description="Strategic objectives: measurable, weighted, dated")
blp.url_prefix_name = "objectives"


@blp.route("")
class ObjectiveViews(MethodView):
    @blp.login_required()
    @blp.arguments(ObjectiveQueryArgsSchema, location="query")
    @blp.response(200, ObjectiveSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, args):
        """List objectives"""
        sort = args.pop("sort", None)
        return apply_sort(metrics.list_objectives(**args), Objective, sort, SORTABLE)

    @blp.login_required("admin")
    @blp.idempotent
    @blp.arguments(ObjectiveCreateSchema)
    @blp.response(201, ObjectiveSchema)
    def post(self, data):
        """Create an objective"""
        return metrics.create_objective(current_actor(), **data)


@blp.route("/" + id_path("objective_id"))
class ObjectiveByIdViews(MethodView):
    @blp.login_required()
    @blp.etag
    @blp.response(200, ObjectiveSchema)
    def get(self, objective_id):
        """Get an objective"""
        objective = get_or_404(Objective, objective_id, "objective")
        blp.set_record_etag(objective)
        return objective

    @blp.login_required("admin")
    @blp.etag
    @blp.arguments(ObjectiveUpdateSchema)
    @blp.response(200, ObjectiveSchema)
    def patch(self, data, objective_id):
        """Update an objective"""
        objective = metrics.update_objective(current_actor(), objective_id, data, blp.precondition())
        blp.set_record_etag(objective)
        return objective

    @blp.login_required("admin")
    @blp.etag
    @blp.response(204)
    def delete(self, objective_id):
        """Delete an objective (refused while initiatives are aligned to it)"""
        metrics.delete_objective(current_actor(), objective_id, blp.precondition())
