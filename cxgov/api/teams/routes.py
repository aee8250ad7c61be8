from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage, apply_sort
from cxgov.api.teams.schemas import SORTABLE, TeamCreateSchema, TeamQueryArgsSchema, TeamSchema, TeamUpdateSchema
from cxgov.models import Team
from cxgov.services import teams
from cxgov.services.records import get_or_404

blp = Blueprint("teams", __name__, description="Teams (department, lead)")
blp.url_prefix_name = "teams"


@blp.route("")
class TeamViews(MethodView):
    @blp.login_required()
    @blp.arguments(TeamQueryArgsSchema, location="query")
    @blp.response(200, TeamSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, args):
        """List teams"""
        sort = args.pop("sort", None)
        return apply_sort(teams.list_teams(**args), Team, sort, SORTABLE)

    @blp.login_required("admin")
    @blp.idempotent
    @blp.arguments(TeamCreateSchema)
    @blp.response(201, TeamSchema)
    def post(self, data):
        """Create a team"""
        return teams.create_team(current_actor(), **data)


@blp.route("/" + id_path("team_id"))
class TeamByIdViews(MethodView):
    @blp.login_required()
    @blp.etag
    @blp.response(200, TeamSchema)
    def get(self, team_id):
        """Get a team"""
        team = get_or_404(Team, team_id, "team")
        blp.set_record_etag(team)
        return team

    @blp.login_required("admin")
    @blp.etag
    @blp.arguments(TeamUpdateSchema)
    @blp.response(200, TeamSchema)
    def patch(self, data, team_id):
        """Update a team"""
        team = teams.update_team(current_actor(), team_id, data, blp.precondition())
        blp.set_record_etag(team)
        return team

    @blp.login_required("admin")
    @blp.etag
    @blp.response(204)
    def delete(self, team_id):
        """Delete a team (refused while anything refers to it)"""
        teams.delete_team(current_actor(), team_id, blp.precondition())
