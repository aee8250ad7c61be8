"""Errors that say how to fix them, and times written as ISO 8601 in every response."""
import datetime as dt
import re

import pytest

from tests.builders import build_world, decide, initiative_payload, objective_payload, vote
from tests.conftest import bearer

HINT = "integer minor units (cents): 10,000.50 EUR is 1000050"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


@pytest.fixture
def world(app):
    return build_world(app)


def _refused(response, status=422):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    return response.json


@pytest.mark.parametrize("amount", [10000.50, "10000.50", "1000050"])
def test_money_sent_as_a_decimal_or_text_is_explained(client, world, amount):
    lead = bearer(world["tokens"]["team_lead"])
    problem = _refused(client.post("/api/v1/initiatives", headers=lead,
                                   json=initiative_payload(world, requested_amount=amount)))
    (message,) = problem["errors"]["requested_amount"]
    assert message == f"requested_amount must be {HINT}"


def test_a_date_in_another_format_names_the_format(client, world):
    admin = bearer(world["tokens"]["admin"])
    problem = _refused(client.post("/api/v1/objectives", headers=admin,
                                   json=objective_payload(world["metric"], deadline="30/06/2027")))
    assert problem["errors"]["deadline"] == ["deadline must be a date written YYYY-MM-DD, e.g. 2027-06-30"]


def test_a_time_in_another_format_names_iso_8601(client, world):
    admin = bearer(world["tokens"]["admin"])
    problem = _refused(client.get(f"/api/v1/metrics/{world['metric']}/measurements?since=yesterday", headers=admin))
    (message,) = problem["errors"]["since"]
    assert "ISO 8601" in message and "2026-10-01T09:30:00Z" in message


def test_428_and_412_say_to_get_the_etag_first(client, world):
    admin = bearer(world["tokens"]["admin"])
    path = f"/api/v1/teams/{world['team_a']}"
    etag = client.get(path, headers=admin).headers["ETag"]
    missing = _refused(client.patch(path, headers=admin, json={"name": "Care"}), 428)
    assert missing["detail"] == "This change needs the record's ETag: GET the record and send its ETag in If-Match."
    assert client.patch(path, headers={**admin, "If-Match": etag}, json={"name": "Care"}).status_code == 200
    stale = _refused(client.patch(path, headers={**admin, "If-Match": etag}, json={"name": "Care 2"}), 412)
    assert stale["detail"] == f"team {world['team_a']} changed since you read it; GET it again and send its new " \
                              "ETag in If-Match"
    star = _refused(client.patch(path, headers={**admin, "If-Match": "*"}, json={"name": "Care 3"}), 412)
    assert "GET the record and send its ETag in If-Match" in star["detail"]
    unparsed = _refused(client.delete(path, headers={**admin, "If-Match": "W/"}), 412)
    assert "failed positive evaluation" not in unparsed["detail"] and "GET it again" in unparsed["detail"]


def test_403_names_the_roles_that_may_act(client, world):
    viewer = bearer(world["tokens"]["viewer"])
    problem = _refused(client.post("/api/v1/teams", headers=viewer, json={"name": "X", "department": "Y",
                                                                         "lead_name": "Z"}), 403)
    assert problem["detail"] == "Your role (viewer) may not perform this action; it is open to: admin."
    assert problem["roles_allowed"] == ["admin"]
    lead = bearer(world["tokens"]["team_lead"])
    actuals = _refused(client.post(f"/api/v1/initiatives/{world['submitted_a']}/actuals", headers=lead, json={}), 403)
    assert actuals["roles_allowed"] == ["finance"] and "(team_lead)" in actuals["detail"]


def test_csv_upload_errors_are_plain_sentences_per_line(client, world):
    admin = {**bearer(world["tokens"]["admin"]), "Content-Type": "text/csv"}
    body = ("measured_at,value,channel\n"
            "2026-06-01T00:00:00Z,,web\n"           # 2: empty value
            "30/06/2026,31.5,web\n"                  # 3: a date in another format
            "2026-06-03T00:00:00Z,abc,web\n"         # 4: not a number
            "2026-06-04T00:00:00Z,nan,web\n"         # 5: not a finite number
            ",31.5,web\n"                            # 6: no time
            "2026-06-05T00:00:00Z,31.5," + "w" * 41 + "\n"  # 7: too long
            "2026-06-06T00:00:00Z,31.5,web,extra\n"  # 8: a field too many
            "2026-06-07T00:00:00Z,31.5,web\n")
    problem = _refused(client.post(f"/api/v1/metrics/{world['metric']}/measurements/upload", data=body, headers=admin))
    errors = problem["errors"]
    assert sorted(errors, key=lambda k: int(k.split()[1])) == [f"line {n}" for n in range(2, 9)]
    for label, messages in errors.items():
        for message in messages:
            assert not re.search(r"[{}\[\]]", message), (label, message)  # no dict or list repr
    assert errors["line 2"] == ["value is empty: write a number, e.g. 31.5"]
    assert errors["line 3"][0].startswith("measured_at must be an ISO 8601 date and time")
    assert errors["line 4"] == ['value "abc" is not a number: write one with a dot for decimals, e.g. 31.5']
    assert errors["line 5"] == ['value "nan" is not a number: write one with a dot for decimals, e.g. 31.5']
    assert errors["line 6"][0].startswith("measured_at is empty")
    assert errors["line 7"][0].startswith("channel: ")
    assert errors["line 8"] == ["this line has 4 fields where the header names 3: put a value that holds a comma "
                                "in double quotes"]
    unknown = _refused(client.post(f"/api/v1/metrics/{world['metric']}/measurements/upload",
                                   data="measured_at,value,colour\n2026-06-07T00:00:00Z,31.5,red\n", headers=admin))
    assert unknown["errors"]["header"] == ['unknown column(s) "colour"; the columns are measured_at, value, segment, '
                                           'channel']


def _times_in(body, path="$"):
    if isinstance(body, dict):
        for key, value in body.items():
            yield from _times_in(value, f"{path}.{key}")
    elif isinstance(body, list):
        for n, value in enumerate(body):
            yield from _times_in(value, f"{path}[{n}]")
    elif isinstance(body, str) and (re.search(r"\d\d:\d\d:\d\d", body) or "GMT" in body):
        yield path, body


def test_history_writes_every_time_in_iso_8601_utc(client, board):
    iid = board["items"][0]
    for token in board["member_tokens"][:3]:
        assert vote(client, board, token, iid, "reject").status_code in (200, 201)
    assert decide(client, board, iid, "reject").status_code == 201
    history = client.get(f"/api/v1/initiatives/{iid}/history", headers=bearer(board["tokens"]["admin"])).json
    times = dict(_times_in(history))
    assert {"$.scores[0].ranked_at", "$.votes[0].at", "$.decisions[0].decided_at"} <= set(times)
    assert {path: t for path, t in times.items() if not ISO_UTC.match(t)} == {}


def test_a_time_in_a_body_built_by_hand_is_iso_8601_utc(app):
    plus_one = dt.timezone(dt.timedelta(hours=1))
    with app.app_context():
        text = app.json.dumps({"at": dt.datetime(2026, 12, 1, 18, 51, 33, tzinfo=plus_one),
                               "naive": dt.datetime(2026, 12, 1, 17, 51, 33), "day": dt.date(2027, 6, 30)})
    assert app.json.loads(text) == {"at": "2026-12-01T17:51:33+00:00", "naive": "2026-12-01T17:51:33+00:00",
                                    "day": "2027-06-30"}
