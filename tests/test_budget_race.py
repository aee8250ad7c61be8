"""Two approvals racing for the last money cannot both succeed: 20 parallel approvals of a
round whose budget fits exactly 10, repeated 20 times, each request on its own connection."""
import threading
from collections import Counter

from cxgov.db import database
from cxgov.services import initiatives, rounds
from cxgov.services.actor import SYSTEM
from tests.builders import actor_for, build_world, initiative_payload
from tests.conftest import bearer

REPETITIONS, RACERS, FITS, AMOUNT = 20, 20, 10, 1_000_000


def _race_round(app, world, n):
    with app.app_context():
        from cxgov.models import User

        lead = User.get_by_id(world["lead_a"])
        rnd = rounds.create_round(SYSTEM, name=f"Race {n}", fiscal_year=2027, budget=FITS * AMOUNT)
        rounds.move_round(SYSTEM, rnd.id, "open")
        ids = []
        for k in range(RACERS):
            record = initiatives.create_initiative(actor_for(lead), initiative_payload(
                world, title=f"Racer {n}.{k}", requested_amount=AMOUNT, partners=[], contributing_team_ids=[]))
            initiatives.transition(actor_for(lead), record.id, "submitted", round_id=rnd.id)
            ids.append(record.id)
        rounds.move_round(SYSTEM, rnd.id, "in_review")
        database.close()
    return rnd.id, ids


def test_parallel_approvals_never_overspend(app):
    world = build_world(app)
    chair = bearer(world["tokens"]["board_chair"])
    outcomes = Counter()
    for n in range(REPETITIONS):
        round_id, ids = _race_round(app, world, n)
        statuses = []
        barrier = threading.Barrier(RACERS)

        def approve(iid):
            with app.test_client() as c:
                barrier.wait()
                r = c.post(f"/api/v1/rounds/{round_id}/decisions", headers=chair, json={
                    "initiative_id": iid, "outcome": "approve", "approved_amount": AMOUNT,
                    "accountable_owner_id": world["owner"], "due_date": "2027-12-31",
                    "rationale": "race", "override": True, "override_rationale": "load test, no votes"})
                statuses.append(r.status_code)

        threads = [threading.Thread(target=approve, args=(iid,)) for iid in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcomes.update(statuses)
        assert sorted(statuses) == [201] * FITS + [409] * (RACERS - FITS), statuses
        with app.test_client() as c:
            rnd = c.get(f"/api/v1/rounds/{round_id}", headers=chair).json
            assert rnd["committed"] == rnd["budget"] and rnd["remaining"] == 0
            approved = c.get(f"/api/v1/initiatives?round_id={round_id}&status=approved&page_size=100", headers=chair).json
            assert len(approved) == FITS and sum(i["approved_amount"] for i in approved) == rnd["budget"]
    with app.test_client() as c:
        assert c.get("/api/v1/audit/verify", headers=chair).json["ok"]
    assert outcomes == Counter({201: REPETITIONS * FITS, 409: REPETITIONS * (RACERS - FITS)})
