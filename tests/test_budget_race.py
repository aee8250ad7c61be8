"""Two approvals racing for the last money cannot both succeed: 20 parallel approvals of a
round whose budget fits exactly 10, repeated 20 times, each request on its own connection;
and parallel batches of approvals commit whole or not at all, within the budget."""
import threading
from collections import Counter

from cxgov.db import database
from cxgov.services import initiatives, rounds
from cxgov.services.actor import SYSTEM
from tests.builders import actor_for, build_world, initiative_payload
from tests.conftest import bearer

REPETITIONS, RACERS, FITS, AMOUNT = 20, 20, 10, 1_000_000


def _race_round(app, world, n, racers=RACERS, budget=FITS * AMOUNT):
    with app.app_context():
        from cxgov.models import User

        lead = User.get_by_id(world["lead_a"])
        rnd = rounds.create_round(SYSTEM, name=f"Race {n}", fiscal_year=2027, budget=budget)
        rounds.move_round(SYSTEM, rnd.id, "open")
        ids = []
        for k in range(racers):
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


BATCHES, PER_BATCH, BATCH_REPETITIONS = 6, 3, 5


def test_parallel_decision_batches_never_overspend_and_commit_whole(app):
    """Six chairs' batches of three approvals race for a budget of seven approvals: two
    batches commit whole, the third would fit one more approval and must write none."""
    world = build_world(app)
    chair = bearer(world["tokens"]["board_chair"])
    for n in range(BATCH_REPETITIONS):
        round_id, ids = _race_round(app, world, f"batch {n}", racers=BATCHES * PER_BATCH,
                                    budget=(2 * PER_BATCH + 1) * AMOUNT)
        statuses = []
        barrier = threading.Barrier(BATCHES)

        def decide_batch(batch):
            with app.test_client() as c:
                barrier.wait()
                r = c.post(f"/api/v1/rounds/{round_id}/decisions/batch", headers=chair, json={"decisions": [{
                    "initiative_id": iid, "outcome": "approve", "approved_amount": AMOUNT, "rationale": "race",
                    "override": True, "override_rationale": "load test, no votes"} for iid in batch]})
                statuses.append(r.status_code)

        batches = [ids[k * PER_BATCH:(k + 1) * PER_BATCH] for k in range(BATCHES)]
        threads = [threading.Thread(target=decide_batch, args=(b,)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [201] * 2 + [409] * (BATCHES - 2), statuses
        with app.test_client() as c:
            rnd = c.get(f"/api/v1/rounds/{round_id}", headers=chair).json
            assert rnd["committed"] == 2 * PER_BATCH * AMOUNT and rnd["remaining"] == AMOUNT
            approved = c.get(f"/api/v1/initiatives?round_id={round_id}&status=approved&page_size=100", headers=chair).json
            assert len(approved) == 2 * PER_BATCH
            assert {i["id"] for i in approved} in [set(b) | set(o) for b in batches for o in batches if b < o]
            decisions = c.get(f"/api/v1/rounds/{round_id}/decisions", headers=chair).json
            assert len(decisions) == 2 * PER_BATCH
    with app.test_client() as c:
        assert c.get("/api/v1/audit/verify", headers=chair).json["ok"]
