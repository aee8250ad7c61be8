"""Across two real `cxgov serve` workers: a token revoked, or a user deactivated, through the API
is refused on the very next request, whichever worker answers it (nothing about who you are is
remembered by a worker between requests)."""
import json

from tests.test_serve_sockets import exchange, request, served  # noqa: F401 (served is a fixture)

N = 20  # new connections each: gunicorn hands them to both workers


def _call(port, method, path, token, body=None, headers=None):
    raw = json.dumps(body).encode() if body is not None else b""
    head = {"Authorization": f"Bearer {token}", **(headers or {})}
    if body is not None:
        head["Content-Type"] = "application/json"
    status, answer_headers, answer = exchange(port, request(method, path, head, raw))
    return status, answer_headers, (json.loads(answer) if answer.strip() else None)


def _statuses(port, token):
    return {_call(port, "GET", "/api/v1/users/me", token)[0] for _ in range(N)}


def test_revocation_and_deactivation_count_on_the_next_request_in_every_worker(served):  # noqa: F811
    port, world = served["port"], served["world"]
    admin = world["tokens"]["admin"]
    status, _, issued = _call(port, "POST", "/api/v1/tokens", admin,
                              {"user_id": world["user_board_member"], "name": "two workers"})
    assert status == 201, issued
    assert _statuses(port, issued["token"]) == {200}
    _, headers, _ = _call(port, "GET", f"/api/v1/tokens/{issued['id']}", admin)
    status, _, _ = _call(port, "DELETE", f"/api/v1/tokens/{issued['id']}", admin, headers={"If-Match": headers["etag"]})
    assert status == 200
    assert _statuses(port, issued["token"]) == {401}

    chair = world["tokens"]["board_chair"]
    assert _statuses(port, chair) == {200}
    _, headers, _ = _call(port, "GET", f"/api/v1/users/{world['user_board_chair']}", admin)
    status, _, body = _call(port, "PATCH", f"/api/v1/users/{world['user_board_chair']}", admin, {"active": False},
                            headers={"If-Match": headers["etag"]})
    assert status == 200, body
    assert _statuses(port, chair) == {401}
