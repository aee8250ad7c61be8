"""Idempotency-Key on creating POSTs: replay, refuse a changed body, never burn a key on failure."""
import threading

import pytest

from tests.builders import team_payload
from tests.conftest import bearer


def test_retry_replays_and_creates_nothing(client, admin, app):
    headers = {**admin, "Idempotency-Key": "create-team-1"}
    first = client.post("/api/v1/teams", json=team_payload(1), headers=headers)
    second = client.post("/api/v1/teams", json=team_payload(1), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json and second.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/api/v1/teams", headers=admin).json) == 1


def test_same_key_other_body_is_refused(client, admin):
    headers = {**admin, "Idempotency-Key": "k"}
    assert client.post("/api/v1/teams", json=team_payload(1), headers=headers).status_code == 201
    other = client.post("/api/v1/teams", json=team_payload(2), headers=headers)
    assert other.status_code == 422 and other.content_type == "application/problem+json"
    assert "Idempotency-Key" in other.json["errors"]
    assert len(client.get("/api/v1/teams", headers=admin).json) == 1


def test_validation_failure_does_not_burn_the_key(client, admin):
    headers = {**admin, "Idempotency-Key": "k2"}
    assert client.post("/api/v1/teams", json={"name": "x"}, headers=headers).status_code == 422
    assert client.post("/api/v1/teams", json=team_payload(3), headers=headers).status_code == 201


def test_the_operations_own_conflict_answers_as_without_a_key(client, admin, app):
    """A duplicate e-mail is the service's 409, run once, with or without Idempotency-Key (the
    key's race handling must not swallow it into "still in flight"), and burns no key."""
    from tests.builders import table_counts

    body = {"email": "dup@example.com", "name": "Dup", "role": "viewer"}
    assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201
    with app.app_context():
        before = table_counts()
    plain = client.post("/api/v1/users", json=body, headers=admin)
    keyed = client.post("/api/v1/users", json=body, headers={**admin, "Idempotency-Key": "dup-1"})
    assert plain.status_code == keyed.status_code == 409
    assert keyed.content_type == "application/problem+json" and keyed.json["detail"] == plain.json["detail"]
    with app.app_context():
        assert table_counts() == before
    retry = client.post("/api/v1/users", json=dict(body, email="fresh@example.com"),
                        headers={**admin, "Idempotency-Key": "dup-1"})
    assert retry.status_code == 201


def test_keys_are_scoped_per_client(client, admin, make_user):
    _, other_token = make_user("admin")
    assert client.post("/api/v1/teams", json=team_payload(1), headers={**admin, "Idempotency-Key": "same"}).status_code == 201
    theirs = client.post("/api/v1/teams", json=team_payload(2), headers={**bearer(other_token), "Idempotency-Key": "same"})
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers


def test_concurrent_identical_posts_create_once(app, admin):
    results = []

    def post():
        with app.test_client() as c:
            r = c.post("/api/v1/teams", json=team_payload(9), headers={**admin, "Idempotency-Key": "race"})
            results.append((r.status_code, r.json.get("id") if r.is_json else None))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for s, _ in results) == [201] * 8, results
    assert len({i for _, i in results}) == 1
    with app.test_client() as c:
        assert len(c.get("/api/v1/teams", headers=admin).json) == 1
        assert c.get("/api/v1/audit/verify", headers=admin).json["ok"]


@pytest.mark.parametrize("key", ["", "x" * 201])
def test_bad_keys_are_refused(client, admin, key):
    response = client.post("/api/v1/teams", json=team_payload(1), headers={**admin, "Idempotency-Key": key})
    assert response.status_code == 422
