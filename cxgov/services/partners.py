"""Ecosystem partners and their dated CX-alignment assessments."""
from cxgov.db import write_transaction
from cxgov.models import Partner, PartnerAssessment
from cxgov.services.records import create_recorded, delete_recorded, get_or_404, update_recorded

DIMENSIONS = ("shared_vision", "data_sharing", "process_integration", "feedback_responsiveness")


def list_partners(kind=None, q=None):
    query = Partner.select()
    if kind:
        query = query.where(Partner.kind == kind)
    if q:
        query = query.where(Partner.name.contains(q))
    return query


def create_partner(actor, **values):
    with write_transaction():
        return create_recorded(actor, Partner, "partner", **values)


def update_partner(actor, partner_id, changes, precondition):
    with write_transaction():
        partner = get_or_404(Partner, partner_id, "partner")
        precondition(partner)
        return update_recorded(actor, partner, "partner", changes)


def delete_partner(actor, partner_id, precondition):
    with write_transaction():
        partner = get_or_404(Partner, partner_id, "partner")
        precondition(partner)
        delete_recorded(actor, partner, "partner")


def list_assessments(partner_id):
    get_or_404(Partner, partner_id, "partner")
    return (PartnerAssessment.select().where(PartnerAssessment.partner == partner_id)
            .order_by(PartnerAssessment.assessed_on.desc(), PartnerAssessment.id.desc()))


def create_assessment(actor, partner_id, **values):
    with write_transaction():
        get_or_404(Partner, partner_id, "partner")
        return create_recorded(actor, PartnerAssessment, "partner_assessment", partner=partner_id, **values)


def latest_assessment(partner_id):
    return (PartnerAssessment.select().where(PartnerAssessment.partner == partner_id)
            .order_by(PartnerAssessment.assessed_on.desc(), PartnerAssessment.id.desc()).first())
