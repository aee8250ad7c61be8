from flask.views import MethodView

from cxgov.api.extensions.auth import auth, current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage, apply_sort
from cxgov.api.users.schemas import SORTABLE, UserCreateSchema, UserQueryArgsSchema, UserSchema, UserUpdateSchema
from cxgov.models import User
from cxgov.services import auth as users
from cxgov.services.records import get_or_404

blp = Blueprint("users", __name__, description="Users and their roles")
blp.url_prefix_name = "users"


@blp.route("")
class UserViews(MethodView):
    @blp.login_required("admin", *users.DIRECTORY_ROLES)
    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(PeeweePage)
    @blp.doc(description="Admin: every user with every field. Team leads and the board: the people "
                         "directory, active users only, with id, name, role and team_id alone "
                         "(`q` searches names; sorting by email is admin-only).")
    def get(self, args):
        """List users (admin), or the people directory (team leads and the board)"""
        actor = current_actor()
        if actor.is_admin:
            query = users.list_users(args.get("role"), args.get("team_id"), args.get("q"))
        else:
            query = users.directory(args.get("role"), args.get("team_id"), args.get("q"), args.get("sort"))
        return apply_sort(query, User, args.get("sort"), SORTABLE)

    @blp.login_required("admin")
    @blp.idempotent
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user"""
        return users.create_user(current_actor(), **data)


@blp.route("/me")
class MeViews(MethodView):
    @blp.login_required()
    @blp.response(200, UserSchema)
    def get(self):
        """Who am I"""
        return auth.current_user()


@blp.route("/" + id_path("user_id"))
class UserByIdViews(MethodView):
    @blp.login_required("admin")
    @blp.etag
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """Get a user"""
        user = get_or_404(User, user_id, "user")
        blp.set_record_etag(user)
        return user

    @blp.login_required("admin")
    @blp.etag
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Update a user (role, team, deactivate)"""
        user = users.update_user(current_actor(), user_id, data, blp.precondition())
        blp.set_record_etag(user)
        return user
