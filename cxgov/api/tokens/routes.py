from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.extensions.pagination import PeeweePage
from cxgov.api.tokens.schemas import IssuedTokenSchema, TokenCreateSchema, TokenSchema
from cxgov.services import auth as tokens

blp = Blueprint("tokens", __name__, description="API tokens: issued once, stored as a hash, revocable")
blp.url_prefix_name = "tokens"


@blp.route("")
class TokenViews(MethodView):
    @blp.login_required()
    @blp.response(200, TokenSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self):
        """List tokens (an admin sees all, others their own)"""
        return tokens.visible_tokens(current_actor())

    # Not idempotent on purpose: replaying would mean storing the secret.
    @blp.login_required()
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, data):
        """Issue a token (the secret is in this response only)"""
        actor = current_actor()
        record, secret = tokens.issue_token(actor, data.get("user_id", actor.user_id), data["name"],
                                            data["expires_in_days"])
        record.token = secret
        return record


@blp.route("/" + id_path("token_id"))
class TokenByIdViews(MethodView):
    @blp.login_required()
    @blp.etag
    @blp.response(200, TokenSchema)
    def get(self, token_id):
        """Get a token's metadata"""
        token = tokens.get_token(current_actor(), token_id)
        blp.set_record_etag(token)
        return token

    @blp.login_required()
    @blp.etag
    @blp.response(200, TokenSchema)
    def delete(self, token_id):
        """Revoke a token"""
        return tokens.revoke_token(current_actor(), token_id, blp.precondition())
