from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage, apply_sort
from cxgov.api.partners.schemas import (
    SORTABLE, AssessmentCreateSchema, AssessmentSchema, PartnerCreateSchema, PartnerQueryArgsSchema,
    PartnerSchema, PartnerUpdateSchema,
)
from cxgov.models import Partner
from cxgov.services import partners
from cxgov.services.records import get_or_404

blp = Blueprint("partners", __name__, description="Ecosystem partners and their CX-alignment assessments")
blp.url_prefix_name = "partners"


@blp.route("")
class PartnerViews(MethodView):
    @blp.login_required()
    @blp.arguments(PartnerQueryArgsSchema, location="query")
    @blp.response(200, PartnerSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, args):
        """List partners"""
        sort = args.pop("sort", None)
        return apply_sort(partners.list_partners(**args), Partner, sort, SORTABLE)

    @blp.login_required("admin")
    @blp.idempotent
    @blp.arguments(PartnerCreateSchema)
    @blp.response(201, PartnerSchema)
    def post(self, data):
        """Create a partner"""
        return partners.create_partner(current_actor(), **data)


@blp.route("/" + id_path("partner_id"))
class PartnerByIdViews(MethodView):
    @blp.login_required()
    @blp.etag
    @blp.response(200, PartnerSchema)
    def get(self, partner_id):
        """Get a partner"""
        partner = get_or_404(Partner, partner_id, "partner")
        blp.set_record_etag(partner)
        return partner

    @blp.login_required("admin")
    @blp.etag
    @blp.arguments(PartnerUpdateSchema)
    @blp.response(200, PartnerSchema)
    def patch(self, data, partner_id):
        """Update a partner"""
        partner = partners.update_partner(current_actor(), partner_id, data, blp.precondition())
        blp.set_record_etag(partner)
        return partner

    @blp.login_required("admin")
    @blp.etag
    @blp.response(204)
    def delete(self, partner_id):
        """Delete a partner (refused while initiatives depend on it)"""
        partners.delete_partner(current_actor(), partner_id, blp.precondition())


@blp.route("/" + id_path("partner_id") + "/assessments")
class AssessmentViews(MethodView):
    @blp.login_required()
    @blp.response(200, AssessmentSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, partner_id):
        """List a partner's assessments, newest first"""
        return partners.list_assessments(partner_id)

    @blp.login_required("admin")
    @blp.idempotent
    @blp.arguments(AssessmentCreateSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, data, partner_id):
        """Record a dated CX-alignment assessment"""
        return partners.create_assessment(current_actor(), partner_id, **data)
