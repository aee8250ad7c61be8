from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage, apply_sort
from cxgov.api.initiatives.schemas import (
    SORTABLE, ActualCreateSchema, ActualSchema, HistorySchema, InitiativeCreateSchema, StatusUpdateCreateSchema, StatusUpdateSchema, InitiativeQueryArgsSchema, InitiativeSchema, InitiativeTransitionSchema,
    InitiativeUpdateSchema,
)
from cxgov.models import Initiative
from cxgov.services import delivery, finance, initiatives
from cxgov.services.read_rules import ACTUAL_READERS

blp = Blueprint("initiatives", __name__, description="CX improvement initiatives and their lifecycle")
blp.url_prefix_name = "initiatives"


class InitiativePage(PeeweePage):
    @property
    def items(self):
        return initiatives.with_details(super().items, current_actor())


@blp.route("")
class InitiativeViews(MethodView):
    @blp.login_required()
    @blp.arguments(InitiativeQueryArgsSchema, location="query")
    @blp.response(200, InitiativeSchema(many=True))
    @blp.paginate(InitiativePage)
    def get(self, args):
        """List initiatives (team leads see only their own team's drafts)"""
        sort = args.pop("sort", None)
        return apply_sort(initiatives.filter_initiatives(current_actor(), **args), Initiative, sort, SORTABLE)

    @blp.login_required("admin", "team_lead")
    @blp.idempotent
    @blp.arguments(InitiativeCreateSchema)
    @blp.response(201, InitiativeSchema)
    def post(self, data):
        """Draft an initiative"""
        return initiatives.create_initiative(current_actor(), data)


@blp.route("/" + id_path("initiative_id"))
class InitiativeByIdViews(MethodView):
    @blp.login_required()
    @blp.etag
    @blp.response(200, InitiativeSchema)
    def get(self, initiative_id):
        """Get an initiative"""
        actor = current_actor()
        record = initiatives.with_details([initiatives.get_visible(actor, initiative_id)], actor)[0]
        blp.set_record_etag(record)
        return record

    @blp.login_required("admin", "team_lead")
    @blp.etag
    @blp.arguments(InitiativeUpdateSchema)
    @blp.response(200, InitiativeSchema)
    def patch(self, data, initiative_id):
        """Edit a draft (or an initiative with changes requested)"""
        record = initiatives.update_initiative(current_actor(), initiative_id, data, blp.precondition())
        blp.set_record_etag(record)
        return record

    @blp.login_required("admin", "team_lead")
    @blp.etag
    @blp.response(204)
    def delete(self, initiative_id):
        """Delete a draft"""
        initiatives.delete_initiative(current_actor(), initiative_id, blp.precondition())


@blp.route("/" + id_path("initiative_id") + "/transitions")
class InitiativeTransitionViews(MethodView):
    @blp.login_required("admin", "team_lead")
    @blp.arguments(InitiativeTransitionSchema)
    @blp.response(200, InitiativeSchema)
    def post(self, data, initiative_id):
        """Submit, withdraw, start, deliver or cancel an initiative"""
        return initiatives.transition(current_actor(), initiative_id, data["to"], data.get("round_id"),
                                      data.get("reason"))


@blp.route("/" + id_path("initiative_id") + "/status-updates")
class StatusUpdateViews(MethodView):
    @blp.login_required()
    @blp.response(200, StatusUpdateSchema(many=True))
    def get(self, initiative_id):
        """Status updates of approved work"""
        return delivery.status_updates(current_actor(), initiative_id)

    @blp.login_required("admin", "team_lead")
    @blp.arguments(StatusUpdateCreateSchema)
    @blp.response(201, StatusUpdateSchema)
    def post(self, data, initiative_id):
        """Report progress (RAG, percent complete, note)"""
        return delivery.post_status_update(current_actor(), initiative_id, **data)


@blp.route("/" + id_path("initiative_id") + "/history")
class HistoryViews(MethodView):
    @blp.login_required()
    @blp.response(200, HistorySchema)
    def get(self, initiative_id):
        """Everything that happened to an initiative, across rounds: scores, votes, decisions, updates"""
        return delivery.history(current_actor(), initiative_id)


@blp.route("/" + id_path("initiative_id") + "/actuals")
class ActualViews(MethodView):
    @blp.login_required(*ACTUAL_READERS)
    @blp.response(200, ActualSchema(many=True))
    def get(self, initiative_id):
        """The initiative's actual-spend ledger (entries are never edited or deleted)"""
        return finance.actuals_of(current_actor(), initiative_id)

    @blp.login_required("finance")
    @blp.idempotent
    @blp.arguments(ActualCreateSchema)
    @blp.response(201, ActualSchema)
    def post(self, data, initiative_id):
        """Book actual spend, or reverse an entry (finance only)"""
        return finance.book_actual(current_actor(), initiative_id, data)
