"""Fixtures of the API tests that several modules share."""
import pytest

from cxgov.db import database
from cxgov.services import auth, initiatives, rounds
from cxgov.services.actor import SYSTEM
from tests.builders import actor_for, build_world, initiative_payload


@pytest.fixture
def board(app):
    """build_world + a board of chair and four members, three more submitted initiatives
    (ranks differ by alignment), the round moved to in_review (ranking pinned)."""
    world = build_world(app)
    with app.app_context():
        from cxgov.models import User

        lead = User.get_by_id(world["lead_a"])
        ids = []
        for n, (align, amount) in enumerate([(5, 30_000_000), (3, 25_000_000), (1, 20_000_000)]):
            payload = initiative_payload(world, title=f"Board item {n}", requested_amount=amount,
                                         objectives=[{"objective_id": world["objective"], "alignment": align}])
            record = initiatives.create_initiative(actor_for(lead), payload)
            initiatives.transition(actor_for(lead), record.id, "submitted", round_id=world["round"])
            ids.append(record.id)
        members = [User.get_by_id(world["user_board_member"])]
        for n in range(3):
            user = auth.create_user(SYSTEM, f"member{n}@example.com", f"Member {n}", "board_member")
            world["tokens"][f"member{n}"] = auth.issue_token(SYSTEM, user.id, "t", 30)[1]
            members.append(user)
        world["members"] = [m.id for m in members]
        world["items"] = ids
        rounds.move_round(SYSTEM, world["round"], "in_review")
        database.close()
    world["member_tokens"] = [world["tokens"]["board_member"]] + [world["tokens"][f"member{n}"] for n in range(3)]
    return world
