"""A board meeting in a few calls: votes and decisions in batches, all or nothing."""
from tests.builders import DUE
from tests.conftest import bearer


def _votes(client, board, token, items, key=None):
    headers = {**bearer(token), **({"Idempotency-Key": key} if key else {})}
    return client.post(f"/api/v1/rounds/{board['round']}/votes/batch", headers=headers, json={"votes": items})


def _decisions(client, board, items):
    return client.post(f"/api/v1/rounds/{board['round']}/decisions/batch",
                       headers=bearer(board["tokens"]["board_chair"]), json={"decisions": items})


def _all(board):
    return [board["submitted_a"]] + board["items"]


def _audit(client, board, entity_type):
    return [e for e in client.get(f"/api/v1/audit?entity_type={entity_type}&page_size=100",
                                  headers=bearer(board["tokens"]["admin"])).json]


def test_a_quorum_votes_in_three_calls_and_the_chair_decides_in_one(client, board):
    for token in board["member_tokens"][:3]:
        cast = _votes(client, board, token, [{"initiative_id": i, "choice": "approve"} for i in _all(board)])
        assert cast.status_code == 201, cast.json
        assert [v["initiative_id"] for v in cast.json["votes"]] == _all(board)
    tallies = client.get(f"/api/v1/rounds/{board['round']}/votes", headers=bearer(board["tokens"]["viewer"])).json
    assert all(t["quorum"] and t["majority_approves"] for t in tallies["tallies"].values())
    first, *rest = _all(board)
    decided = _decisions(client, board, [
        {"initiative_id": first, "outcome": "approve", "approved_amount": 1_000_000, "rationale": "minutes"},
        *[{"initiative_id": i, "outcome": "reject", "rationale": "minutes", "override": True,
           "override_rationale": "the board approved, the chair refuses: test"} for i in rest]])
    assert decided.status_code == 201, decided.json
    assert [d["initiative_id"] for d in decided.json["decisions"]] == _all(board)
    assert decided.json["decisions"][0]["round_remaining"] == decided.json["round_remaining"]
    assert decided.json["round_committed"] == 1_000_000
    assert len(_audit(client, board, "decision")) == len(_all(board))  # one event per decision
    closed = client.post(f"/api/v1/rounds/{board['round']}/transitions", json={"to": "decided"},
                         headers=bearer(board["tokens"]["board_chair"]))
    assert closed.status_code == 200


def test_one_refused_item_refuses_the_batch_naming_each_and_writing_nothing(client, board):
    chair_token = board["tokens"]["board_chair"]
    first, second, third, fourth = _all(board)
    refused = _decisions(client, board, [
        {"initiative_id": first, "outcome": "reject", "rationale": "x", "override": True, "override_rationale": "x"},
        {"initiative_id": second, "outcome": "approve", "approved_amount": 1, "rationale": "no quorum"},
        {"initiative_id": third, "outcome": "approve", "approved_amount": 10**12, "rationale": "x",
         "override": True, "override_rationale": "x"},
        {"initiative_id": fourth, "outcome": "reject", "rationale": "x", "override": True, "override_rationale": "x"}])
    assert refused.status_code == 422, refused.json
    assert [(r["index"], r["initiative_id"]) for r in refused.json["refused"]] == [(1, second), (2, third)]
    assert refused.json["refused"][0]["override_needed"] == ["quorum", "majority"]
    assert set(refused.json["errors"]) == {"decisions.1", "decisions.2"}
    assert client.get(f"/api/v1/rounds/{board['round']}/decisions", headers=bearer(chair_token)).json == []
    statuses = {client.get(f"/api/v1/initiatives/{i}", headers=bearer(chair_token)).json["status"] for i in _all(board)}
    assert statuses == {"submitted"}
    assert _audit(client, board, "decision") == []
    # the same initiative twice: the second is a conflict, and so is the whole batch
    twice = _decisions(client, board, [
        {"initiative_id": first, "outcome": "reject", "rationale": "x", "override": True, "override_rationale": "x"},
        {"initiative_id": first, "outcome": "reject", "rationale": "x", "override": True, "override_rationale": "x"}])
    assert twice.status_code == 409 and [r["index"] for r in twice.json["refused"]] == [1]
    # votes likewise: an unknown initiative refuses the member's whole batch
    votes = _votes(client, board, board["member_tokens"][0], [{"initiative_id": first, "choice": "approve"},
                                                               {"initiative_id": 999_999, "choice": "approve"}])
    assert votes.status_code == 422 and [(r["index"], r["initiative_id"]) for r in votes.json["refused"]] == [
        (1, 999_999)]
    assert client.get(f"/api/v1/rounds/{board['round']}/votes", headers=bearer(chair_token)).json["votes"] == []


def test_the_batch_budget_guard_counts_the_batch_total(client, board):
    admin = bearer(board["tokens"]["admin"])
    etag = client.get(f"/api/v1/rounds/{board['round']}", headers=admin).headers["ETag"]
    client.patch(f"/api/v1/rounds/{board['round']}", json={"budget": 15_000_000}, headers={**admin, "If-Match": etag})
    items = [{"initiative_id": i, "outcome": "approve", "approved_amount": 10_000_000, "rationale": "x",
              "accountable_owner_id": board["owner"], "due_date": DUE, "override": True, "override_rationale": "x"}
             for i in _all(board)[:2]]
    over = _decisions(client, board, items)
    assert over.status_code == 409 and [r["index"] for r in over.json["refused"]] == [1]
    assert over.json["refused"][0]["remaining"] == 5_000_000
    assert client.get(f"/api/v1/rounds/{board['round']}", headers=admin).json["committed"] == 0


def test_batch_size_is_one_to_500_and_every_item_is_checked(client, board):
    token = board["member_tokens"][0]
    assert _votes(client, board, token, []).status_code == 422
    too_many = _votes(client, board, token, [{"initiative_id": 1, "choice": "approve"}] * 501)
    assert too_many.status_code == 422 and "votes" in too_many.json["errors"]
    at_limit = _votes(client, board, token, [{"initiative_id": 900_000 + k, "choice": "approve"} for k in range(500)])
    assert at_limit.status_code == 422 and len(at_limit.json["refused"]) == 500
    bad_item = _decisions(client, board, [{"initiative_id": _all(board)[0], "outcome": "maybe", "rationale": "x"}])
    assert bad_item.status_code == 422 and "decisions" in bad_item.json["errors"]
    member = client.post(f"/api/v1/rounds/{board['round']}/decisions/batch", headers=bearer(token),
                         json={"decisions": [{"initiative_id": 1, "outcome": "reject", "rationale": "x"}]})
    assert member.status_code == 403


def test_a_batch_replays_with_its_idempotency_key(client, board):
    items = [{"initiative_id": i, "choice": "abstain"} for i in _all(board)]
    token = board["member_tokens"][0]
    first = _votes(client, board, token, items, key="meeting-1")
    again = _votes(client, board, token, items, key="meeting-1")
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert [e["action"] for e in _audit(client, board, "vote")] == ["vote.cast"] * len(items)
