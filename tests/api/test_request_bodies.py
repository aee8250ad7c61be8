"""Request bodies through the test client: over the limit however framed (413), transfer and
content codings the app does not decode (501, 415), duplicate JSON keys (400).  Each refusal
is problem+json and writes nothing.  tests/test_serve_sockets.py repeats the framing cases
over real sockets against `cxgov serve`."""
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov.api.extensions import body
from tests.builders import build_world, counts_in, initiative_payload, team_payload
from tests.conftest import bearer

LIMIT = 1024 * 1024


@pytest.fixture
def world(app):
    return build_world(app)


def big_csv(size=1_220_000):
    """About 1.22 MB of valid measurement rows (8,000 of them at the default size): each value
    is 31.987654321 written with trailing zeros, so a row cut short still parses, as in the attack."""
    lines = ["measured_at,value,segment,channel"]
    n, total = 0, 0
    while total < size:
        line = f"2026-10-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z,31.987654321{'0' * 97},smb,web"
        lines.append(line)
        total += len(line) + 1
        n += 1
    return ("\n".join(lines) + "\n").encode()


def chunked_post(client, path, raw, headers, **extra):
    """A body without Content-Length, as a server hands a de-chunked one to the app."""
    return client.post(path, input_stream=io.BytesIO(raw),
                       headers={**headers, "Transfer-Encoding": "chunked", **extra.pop("more", {})}, **extra)


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/problem+json"
    return response.json


def test_a_chunked_csv_over_the_limit_is_413_and_stores_no_row(app, client, world):
    raw = big_csv()
    assert len(raw) > LIMIT
    before = counts_in(app)
    response = chunked_post(client, f"/api/v1/metrics/{world['metric']}/measurements/upload", raw,
                            {**bearer(world["tokens"]["admin"]), "Content-Type": "text/csv"})
    assert "CXGOV_MAX_CONTENT_LENGTH" in assert_problem(response, 413)["detail"]
    assert counts_in(app) == before


def test_a_chunked_body_of_exactly_the_limit_is_read_whole(app, client, world):
    raw = big_csv(LIMIT - 100)
    raw = raw + b"\n" * (LIMIT - len(raw))  # blank lines: skipped by the CSV reader, count as body bytes
    assert len(raw) == LIMIT
    response = chunked_post(client, f"/api/v1/metrics/{world['metric']}/measurements/upload", raw,
                            {**bearer(world["tokens"]["admin"]), "Content-Type": "text/csv"})
    rows = raw.count(b"Z,31.987654321")
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    assert response.json["stored"] == rows


def test_a_chunked_json_body_over_the_limit_is_413_not_400(app, client, world):
    raw = json.dumps(team_payload(7, department="x" * (LIMIT + 10))).encode()
    before = counts_in(app)
    response = chunked_post(client, "/api/v1/teams", raw,
                            {**bearer(world["tokens"]["admin"]), "Content-Type": "application/json"})
    assert_problem(response, 413)
    assert counts_in(app) == before


def test_a_small_chunked_json_body_still_works(app, client, world):
    raw = json.dumps(team_payload(8)).encode()
    response = chunked_post(client, "/api/v1/teams", raw,
                            {**bearer(world["tokens"]["admin"]), "Content-Type": "application/json"})
    assert response.status_code == 201 and response.json["name"] == "Team 8"


@pytest.mark.parametrize("coding", ["gzip, chunked", "deflate, chunked", "gzip", "chunked, chunked"])
def test_transfer_codings_other_than_plain_chunked_are_501(app, client, world, coding):
    raw = json.dumps(team_payload(9)).encode()
    before = counts_in(app)
    response = client.post("/api/v1/teams", input_stream=io.BytesIO(raw), headers={
        **bearer(world["tokens"]["admin"]), "Content-Type": "application/json", "Transfer-Encoding": coding})
    assert "Transfer-Encoding" in assert_problem(response, 501)["detail"]
    assert counts_in(app) == before


def test_a_content_encoding_the_app_does_not_decode_is_415(app, client, world):
    import gzip

    raw = gzip.compress(json.dumps(team_payload(10)).encode())
    before = counts_in(app)
    response = client.post("/api/v1/teams", data=raw, headers={
        **bearer(world["tokens"]["admin"]), "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert "Content-Encoding" in assert_problem(response, 415)["detail"]
    assert counts_in(app) == before
    plain = client.post("/api/v1/teams", data=json.dumps(team_payload(10)), headers={
        **bearer(world["tokens"]["admin"]), "Content-Type": "application/json", "Content-Encoding": "identity"})
    assert plain.status_code == 201


# ---------------------------------------------------------------- duplicate keys
def test_a_duplicate_key_is_400_naming_it_and_creates_nothing(app, client, world):
    raw = '{"name": "Dup1", "name": "Dup2", "department": "Customer Service", "lead_name": "L"}'
    before = counts_in(app)
    response = client.post("/api/v1/teams", data=raw, headers={
        **bearer(world["tokens"]["admin"]), "Content-Type": "application/json"})
    assert "duplicate key 'name'" in assert_problem(response, 400)["detail"]
    assert counts_in(app) == before


def test_a_duplicate_key_in_a_nested_object_is_400_naming_it(app, client, world):
    payload = json.dumps(initiative_payload(world))
    one = f'{{"metric_id": {world["metric"]}'
    raw = payload.replace(one, f'{one}, "metric_id": {world["metric"]}', 1)  # inside "impacts": [{...}]
    assert raw != payload
    before = counts_in(app)
    response = client.post("/api/v1/initiatives", data=raw, headers={
        **bearer(world["tokens"]["team_lead"]), "Content-Type": "application/json"})
    assert "duplicate key 'metric_id'" in assert_problem(response, 400)["detail"]
    assert counts_in(app) == before


def test_a_duplicate_key_in_a_patch_body_is_400(app, client, world):
    team = client.get(f"/api/v1/teams/{world['team_a']}", headers=bearer(world["tokens"]["admin"]))
    before = counts_in(app)
    response = client.patch(f"/api/v1/teams/{world['team_a']}", data='{"name": "A", "name": "B"}', headers={
        **bearer(world["tokens"]["admin"]), "Content-Type": "application/json", "If-Match": team.headers["ETag"]})
    assert "duplicate key 'name'" in assert_problem(response, 400)["detail"]
    assert counts_in(app) == before


def test_flasks_own_get_json_refuses_duplicate_keys_too(app):
    from flask import request
    from werkzeug.exceptions import BadRequest

    with app.test_request_context("/", method="POST", data='{"a": {"b": 1, "b": 2}}', content_type="application/json"):
        with pytest.raises(BadRequest) as caught:
            request.get_json()
    with pytest.raises(body.DuplicateKey):
        app.json.loads('{"a": {"b": 1, "b": 2}}')


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_loads_agrees_with_json_when_no_key_repeats(value):
    assert body.loads(json.dumps(value)) == value


@settings(max_examples=200, deadline=None)
@given(json_values, st.text(max_size=3), st.integers(0, 3))
def test_loads_refuses_a_repeated_key_at_any_depth(value, key, depth):
    inner = '{"%s": 1, "%s": 2}' % (json.dumps(key)[1:-1], json.dumps(key)[1:-1])
    text = inner
    for _ in range(depth):
        text = '{"outer": %s, "other": %s}' % (text, json.dumps(value)) if depth % 2 else "[%s, %s]" % (
            json.dumps(value), text)
    with pytest.raises(body.DuplicateKey) as caught:
        body.loads(text)
    assert caught.value.key == key
