import json

from flask import Response, stream_with_context
from flask.views import MethodView

from cxgov.api.base import Blueprint, PeeweePage
from cxgov.api.audit.schemas import AuditEventSchema, AuditQueryArgsSchema, VerifyArgsSchema, VerifySchema
from cxgov.services import audit

blp = Blueprint("audit", __name__, description="The hash-chained accountability log")
blp.url_prefix_name = "audit"

READERS = ("admin", "board_chair", "board_member", "finance", "viewer")


@blp.route("")
class AuditViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, args):
        """List accountability events in chain order"""
        return audit.query_events(**args)


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
        """Export events as JSON Lines (one stored event per line, chain order)"""
        query = audit.query_events(**args)

        def lines():
            for event in query.iterator():
                yield json.dumps({"id": event.id, "seq": event.seq, "payload": event.payload,
                                  "prev_hash": event.prev_hash, "hash": event.hash}) + "\n"

        # streamed inside the request context, so its teardown (connection back to the pool)
        # runs after the last line, not before the first
        return Response(stream_with_context(lines()), mimetype="application/x-ndjson",
                        headers={"Content-Disposition": "attachment; filename=cxgov-audit.jsonl"})
