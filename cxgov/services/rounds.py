"""Funding rounds: the budget envelope and its lifecycle."""
from cxgov.db import write_transaction
from cxgov.errors import Forbidden, InvalidTransition, RuleViolation
from cxgov.models import Initiative, Round
from cxgov.services.records import create_recorded, get_or_404, update_recorded

#: Moves of a round's lifecycle (DESIGN: planning → open → in review → decided → closed).
ROUND_MOVES = {
    "planning": ("open",),
    "open": ("in_review", "planning"),
    "in_review": ("decided", "open"),
    "decided": ("closed",),
    "closed": (),
}
FINANCE_FIELDS = {"budget"}


def list_rounds(status=None, fiscal_year=None):
    query = Round.select()
    if status:
        query = query.where(Round.status == status)
    if fiscal_year:
        query = query.where(Round.fiscal_year == fiscal_year)
    return query


def _scoring_model(model_id):
    from cxgov.models import ScoringModel
    from cxgov.services.scoring_models import default_model

    model = default_model() if model_id is None else ScoringModel.get_or_none(ScoringModel.id == model_id)
    if model is None and model_id is not None:
        raise RuleViolation(f"scoring model {model_id} does not exist", errors={"scoring_model_id": ["unknown model"]})
    return None if model is None else model.id


def create_round(actor, **values):
    """A round in planning.  Finance and admin set its budget (required); the chair creates one
    without a budget or threshold (budget 0 until finance sets it)."""
    if actor.role == "board_chair":
        money = [k for k in ("budget", "supermajority_above") if values.get(k) is not None]
        if money:
            raise Forbidden(f"only finance and admin set {' and '.join(money)}; the chair creates a round "
                            "without them (budget 0 until finance sets it)", errors={k: ["finance or admin"] for k in money})
        values["budget"] = 0
    elif values.get("budget") is None:
        raise RuleViolation("a round needs a budget (integer minor units)", errors={"budget": ["required"]})
    return create_planning_round(actor, **values)


def create_planning_round(actor, **values):
    """Create the round as given (no role rules: callers check them)."""
    with write_transaction():
        values["scoring_model"] = _scoring_model(values.pop("scoring_model_id", None))
        return create_recorded(actor, Round, "round", **values)


def update_round(actor, round_id, changes, precondition):
    if actor.role == "finance" and set(changes) - FINANCE_FIELDS:
        raise Forbidden("finance may change only the budget of a round")
    with write_transaction():
        rnd = get_or_404(Round, round_id, "round")
        precondition(rnd)
        if "scoring_model_id" in changes:
            if rnd.status not in ("planning", "open"):
                raise InvalidTransition(f"round {rnd.id} is {rnd.status}; its scoring model is pinned",
                                        current=rnd.status, **round_moves(actor, rnd))
            changes["scoring_model"] = _scoring_model(changes.pop("scoring_model_id"))
        if "budget" in changes and changes["budget"] < rnd.committed:
            raise RuleViolation(
                f"the budget cannot go below the {rnd.committed} already approved in this round",
                errors={"budget": [f"must be at least {rnd.committed}"]})
        return update_recorded(actor, rnd, "round", changes)


#: Who moves a round along its lifecycle (POST /rounds/{id}/transitions).
ROUND_MOVERS = ("admin", "board_chair")


def round_moves(actor, rnd, undecided=None, has_submissions=None):
    """``allowed``: the moves this caller may make from the round's state now (a round with
    undecided initiatives cannot be decided, one with submissions cannot go back to planning);
    ``all_moves``: every move of the lifecycle from that state."""
    every = list(ROUND_MOVES[rnd.status])
    allowed = every if actor is not None and actor.role in ROUND_MOVERS else []
    if "decided" in allowed:
        undecided = _undecided(rnd) if undecided is None else undecided
        allowed = [m for m in allowed if not (m == "decided" and undecided)]
    if "planning" in allowed:
        if has_submissions is None:
            has_submissions = Initiative.select().where(Initiative.round == rnd.id).exists()
        allowed = [m for m in allowed if not (m == "planning" and has_submissions)]
    return {"allowed": allowed, "all_moves": every}


def _undecided(rnd):
    return [i.id for i in Initiative.select(Initiative.id).where(
        (Initiative.round == rnd.id) & (Initiative.status == "submitted")).order_by(Initiative.id)]


def move_round(actor, round_id, to, precondition=None):
    with write_transaction():
        rnd = get_or_404(Round, round_id, "round")
        if precondition:
            precondition(rnd)
        if to not in ROUND_MOVES[rnd.status]:
            raise InvalidTransition(f"round {rnd.id} cannot move from {rnd.status} to {to}",
                                    current=rnd.status, **round_moves(actor, rnd))
        if to == "decided":
            waiting = _undecided(rnd)
            if waiting:
                raise InvalidTransition(
                    f"{len(waiting)} submitted initiative(s) of this round have no decision yet: "
                    f"{', '.join(map(str, waiting[:50]))}{' …' if len(waiting) > 50 else ''}",
                    current=rnd.status, undecided_initiative_ids=waiting, **round_moves(actor, rnd, waiting))
        if to == "planning":
            if Initiative.select().where(Initiative.round == rnd.id).exists():
                raise InvalidTransition("a round with submissions cannot go back to planning",
                                        current=rnd.status, **round_moves(actor, rnd, has_submissions=True))
        changes = {"status": to}
        if to == "in_review":
            changes["pinned_ranking"] = _pin_ranking(actor, rnd)
        return update_recorded(actor, rnd, "round", changes, action="round.moved")


def _pin_ranking(actor, rnd):
    """Rank the round as it enters review: the board decides on exactly this snapshot."""
    from cxgov.services.rankings import rank_round

    if not Initiative.select().where((Initiative.round == rnd.id) & (Initiative.status == "submitted")).exists():
        return None
    return rank_round(actor, rnd.id).id
