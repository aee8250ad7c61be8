import json

from flask import Response, stream_with_context
from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint
from cxgov.api.extensions.pagination import PeeweePage
from cxgov.api.audit.schemas import AuditEventSchema, AuditQueryArgsSchema, VerifyArgsSchema, VerifySchema
from cxgov.services import audit, audit_reading
from cxgov.services.read_rules import LOG_READERS as READERS

blp = Blueprint("audit", __name__, description="The hash-chained accountability log")
blp.url_prefix_name = "audit"
EXPORT_FIELDS = ("id", "seq", "payload", "proof", "redacted", "prev_hash", "hash")


class AuditPage(PeeweePage):
    @property
    def items(self):
        return audit_reading.reader_rows(current_actor(), super().items)


@blp.route("")
class AuditViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate(AuditPage)
    def get(self, args):
        """List accountability events in chain order (what the caller may not read is redacted)"""
        return audit_reading.readable_query(current_actor(), **args)


@blp.route("/verify")
class AuditVerifyViews(MethodView):
    @blp.login_required()
    @blp.arguments(VerifyArgsSchema, location="query")
    @blp.response(200, VerifySchema)
    def get(self, args):
        """Verify the whole chain (and optionally that it contains a recorded head)"""
        return audit.verify_chain(expected_head=args.get("expected_head"))


@blp.route("/export")
class AuditExportViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, {"type": "string"}, content_type="application/x-ndjson")
    def get(self, args):
        """Export events as JSON Lines (one event per line, chain order; redacted as in the listing)"""
        actor = current_actor()
        query = audit_reading.readable_query(actor, **args)

        def lines():
            for row in audit_reading.exported_rows(actor, query):
                yield json.dumps({key: row[key] for key in EXPORT_FIELDS}) + "\n"

        # streamed inside the request context, so its teardown (connection back to the pool)
        # runs after the last line, not before the first
        return Response(stream_with_context(lines()), mimetype="application/x-ndjson",
                        headers={"Content-Disposition": "attachment; filename=cxgov-audit.jsonl"})
