import marshmallow as ma

from cxgov.api.extensions.fields import IsoDate, Schema, StrictInt, Text, UtcDateTime
from cxgov.api.extensions.pagination import sort_field

KINDS = ("supplier", "vendor", "provider", "reseller", "agency", "other")
SORTABLE = ("id", "name", "kind")


class PartnerSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String()
    kind = ma.fields.String()
    description = ma.fields.String()
    version = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class PartnerCreateSchema(Schema):
    name = Text(160, required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    description = Text(5000, min_length=0, load_default="")


class PartnerUpdateSchema(Schema):
    name = Text(160)
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    description = Text(5000, min_length=0)


class PartnerQueryArgsSchema(Schema):
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    q = Text(120)
    sort = sort_field(SORTABLE)


def Score(**kwargs):
    return StrictInt(1, 5, **kwargs)


class AssessmentSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    partner_id = ma.fields.Integer(dump_only=True)
    assessed_on = IsoDate()
    shared_vision = ma.fields.Integer()
    data_sharing = ma.fields.Integer()
    process_integration = ma.fields.Integer()
    feedback_responsiveness = ma.fields.Integer()
    note = ma.fields.String()
    assessed_by = ma.fields.String()
    created_at = UtcDateTime(dump_only=True)


class AssessmentCreateSchema(Schema):
    assessed_on = IsoDate(required=True)
    shared_vision = Score(required=True, metadata={"description": "shared CX vision, 1–5"})
    data_sharing = Score(required=True, metadata={"description": "customer-data sharing, 1–5"})
    process_integration = Score(required=True, metadata={"description": "process integration, 1–5"})
    feedback_responsiveness = Score(required=True, metadata={"description": "responsiveness to customer feedback, 1–5"})
    note = Text(5000, min_length=0, load_default="")
    assessed_by = Text(200, min_length=0, load_default="")
