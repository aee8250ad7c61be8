"""services/governance.py's loaders: the statements a decision sends do not grow with the board."""
from cxgov.db import database
from cxgov.models import Initiative, User
from cxgov.services import auth, governance, initiatives, rounds
from cxgov.services.actor import SYSTEM
from tests.builders import actor_for, build_world, initiative_payload


def _add_members(count, start):
    return [auth.create_user(SYSTEM, f"m{n}@example.com", f"M {n}", "board_member")
            for n in range(start, start + count)]


def _in_review(world, count):
    """``count`` more initiatives submitted to the world's round, moved to in_review; their ids."""
    lead = User.get_by_id(world["lead_a"])
    items = []
    for n in range(count):
        record = initiatives.create_initiative(actor_for(lead), initiative_payload(world, title=f"Item {n}"))
        initiatives.transition(actor_for(lead), record.id, "submitted", round_id=world["round"])
        items.append(record.id)
    rounds.move_round(SYSTEM, world["round"], "in_review")
    return items


def _decide_counting(statements, chair, round_id, initiative_id, board):
    for member in board:
        governance.cast_vote(actor_for(member), round_id, initiative_id, "approve")
    del statements[:]
    governance.decide(actor_for(chair), round_id, {"initiative_id": initiative_id, "outcome": "approve",
                                                   "approved_amount": 1_000_000, "rationale": "fits"})
    return len(statements)


def test_a_decision_issues_as_many_statements_with_3_members_as_with_12(app, statements):
    world = build_world(app)
    with app.app_context():
        items = _in_review(world, 2)
        chair = User.get_by_id(world["user_board_chair"])
        board = [chair, User.get_by_id(world["user_board_member"])] + _add_members(1, 0)
        assert len(governance.board_members()) == 3
        small = _decide_counting(statements, chair, world["round"], items[0], board)
        board += _add_members(9, 1)
        assert len(governance.board_members()) == 12
        large = _decide_counting(statements, chair, world["round"], items[1], board)
        assert small == large
        assert governance.tally(world["round"], Initiative.get_by_id(items[1])).approve == 12
        database.close()


def test_the_votes_overview_issues_as_many_statements_for_1_initiative_and_3_members_as_for_3_and_12(
        app, statements):
    world = build_world(app)
    with app.app_context():
        items = _in_review(world, 3)
        board = [User.get_by_id(world["user_board_chair"]), User.get_by_id(world["user_board_member"])]
        board += _add_members(1, 0)
        for member in board:
            governance.cast_vote(actor_for(member), world["round"], items[0], "approve")
        del statements[:]
        small = governance.votes_overview(world["round"])
        small_count = len(statements)
        board += _add_members(9, 1)
        for member in board:
            for iid in items:
                governance.cast_vote(actor_for(member), world["round"], iid, "reject")
        del statements[:]
        large = governance.votes_overview(world["round"])
        assert len(statements) == small_count
        assert list(small["tallies"]) == [str(items[0])] and small["tallies"][str(items[0])]["approve"] == 3
        assert {t["reject"] for t in large["tallies"].values()} == {12} and len(large["tallies"]) == 3
        database.close()
