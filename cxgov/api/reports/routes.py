from flask.views import MethodView

from cxgov.api.base import Blueprint
from cxgov.api.reports.schemas import OverdueSchema
from cxgov.services import delivery

blp = Blueprint("reports", __name__, description="Reports for the board and finance")
blp.url_prefix_name = "reports"

READERS = ("admin", "board_chair", "board_member", "finance", "viewer")


@blp.route("/overdue")
class OverdueViews(MethodView):
    @blp.login_required(*READERS)
    @blp.response(200, OverdueSchema(many=True))
    def get(self):
        """Approved work past its due date, with its accountable owner and sponsor"""
        return delivery.overdue()
