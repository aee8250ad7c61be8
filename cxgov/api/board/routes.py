from flask.views import MethodView

from cxgov.api.extensions.auth import current_actor
from cxgov.api.extensions.blueprint import Blueprint, id_path
from cxgov.api.board.schemas import (
    DecisionBatchResultSchema, DecisionBatchSchema, DecisionCreateSchema, DecisionSchema, VoteBatchResultSchema,
    VoteBatchSchema, DelegationCreateSchema, DelegationSchema, VoteCreateSchema, VoteListSchema,
    VoteQueryArgsSchema, VoteSchema,
)
from cxgov.services import governance, governance_batches
from cxgov.services.read_rules import BOARD_RECORD_READERS as READERS

blp = Blueprint("board", __name__, description="The governance board: votes, delegations, decisions")
blp.url_prefix_name = "rounds"

BOARD = ("board_member", "board_chair")


def _with_budget(decision, rnd):
    decision.round_budget, decision.round_committed = rnd.budget, rnd.committed
    decision.round_remaining = rnd.budget - rnd.committed
    return decision


@blp.route("/" + id_path("round_id") + "/votes")
class VoteViews(MethodView):
    @blp.login_required(*READERS)
    @blp.arguments(VoteQueryArgsSchema, location="query")
    @blp.response(200, VoteListSchema)
    def get(self, args, round_id):
        """Votes of a round with a tally per initiative"""
        return governance.votes_overview(round_id, args.get("initiative_id"))

    @blp.login_required(*BOARD)
    @blp.arguments(VoteCreateSchema)
    @blp.response(201, VoteSchema)
    def post(self, data, round_id):
        """Cast (or replace) your vote, or your delegator's, on a submitted initiative"""
        return governance.cast_vote(current_actor(), round_id, data["initiative_id"], data["choice"],
                                    data["comment"], data.get("on_behalf_of"))


@blp.route("/" + id_path("round_id") + "/delegations")
class DelegationViews(MethodView):
    @blp.login_required(*READERS)
    @blp.response(200, DelegationSchema(many=True))
    def get(self, round_id):
        """Delegations of a round"""
        return governance.delegations(round_id)

    @blp.login_required(*BOARD)
    @blp.arguments(DelegationCreateSchema)
    @blp.response(201, DelegationSchema)
    def post(self, data, round_id):
        """Delegate your vote in this round to another board member"""
        return governance.delegate_vote(current_actor(), round_id, data["delegate_id"])


@blp.route("/" + id_path("round_id") + "/decisions")
class DecisionViews(MethodView):
    @blp.login_required(*READERS)
    @blp.response(200, DecisionSchema(many=True))
    def get(self, round_id):
        """Decisions of a round"""
        decisions, rnd = governance.decisions_of(round_id)
        return [_with_budget(d, rnd) for d in decisions]

    @blp.login_required("board_chair")
    @blp.arguments(DecisionCreateSchema)
    @blp.response(201, DecisionSchema)
    def post(self, data, round_id):
        """Record the board's decision (chair only); shows the budget left"""
        decision, rnd = governance.decide(current_actor(), round_id, data)
        return _with_budget(decision, rnd)


BATCH_DOC = ("All or nothing: each item is checked as the single call checks it, in list order, in one "
             "transaction; one refused item refuses the batch (422, or 409 when every refusal is a "
             "conflict) with `refused`: [{index, initiative_id, detail, …}], and nothing is written.")


@blp.route("/" + id_path("round_id") + "/votes/batch")
class VoteBatchViews(MethodView):
    @blp.login_required(*BOARD)
    @blp.idempotent
    @blp.arguments(VoteBatchSchema)
    @blp.response(201, VoteBatchResultSchema)
    @blp.doc(description=BATCH_DOC)
    def post(self, data, round_id):
        """Cast (or replace) your votes on many initiatives at once, all or nothing"""
        return {"votes": governance_batches.cast_votes(current_actor(), round_id, data["votes"])}


@blp.route("/" + id_path("round_id") + "/decisions/batch")
class DecisionBatchViews(MethodView):
    @blp.login_required("board_chair")
    @blp.idempotent
    @blp.arguments(DecisionBatchSchema)
    @blp.response(201, DecisionBatchResultSchema)
    @blp.doc(description=BATCH_DOC + " The budget guard holds for the batch's total.")
    def post(self, data, round_id):
        """Record a meeting's decisions at once (chair only), all or nothing"""
        results = governance_batches.decide_batch(current_actor(), round_id, data["decisions"])
        rnd = results[-1][1]
        return {"decisions": [_with_budget(d, r) for d, r in results], "round_budget": rnd.budget,
                "round_committed": rnd.committed, "round_remaining": rnd.budget - rnd.committed}
