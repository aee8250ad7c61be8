"""The closed loop end to end: deliver, review, calibrate, and the next ranking learns from it."""
import csv
import io

import pytest

from tests.builders import decide, initiative_payload
from tests.conftest import bearer


def _deliver_and_review(client, world, iid, realized):
    lead = bearer(world["tokens"]["team_lead"])
    for to in ("in_progress", "delivered"):
        assert client.post(f"/api/v1/initiatives/{iid}/transitions", json={"to": to}, headers=lead).status_code == 200
    review = client.post(f"/api/v1/initiatives/{iid}/review", headers=lead, json={
        "lessons_learned": "Adoption was slower than planned",
        "realized": [{"metric_id": world["metric"], "realized_change": realized}]})
    assert review.status_code == 201, review.json
    return review.json


def test_half_delivered_claims_halve_the_next_claims(client, board):
    chair, admin = bearer(board["tokens"]["board_chair"]), bearer(board["tokens"]["admin"])
    pinned = client.get(f"/api/v1/rounds/{board['round']}", headers=admin).json["pinned_ranking_id"]
    for iid in board["items"]:
        assert decide(client, board, iid, "approve", override=True, override_rationale="pilot").status_code == 201
        review = _deliver_and_review(client, board, iid, 1.75)  # claimed 3.5
        assert review["metrics"][0]["realized_share_of_expected"] == pytest.approx(0.5)
    calibration = client.get(f"/api/v1/teams/{board['team_a']}/calibration", headers=admin).json
    # n = 3, Z = 3/6 = 0.5, R = 0.5 → k = 0.5·0.5 + 0.5 = 0.75
    assert calibration["reviews"] == 3 and calibration["factor"] == pytest.approx(0.75)
    assert [h["reviews"] for h in calibration["history"]] == [1, 2, 3]
    assert len(calibration["evidence"]) == 3

    later = client.post("/api/v1/rounds", json={"name": "FY2027 Q3", "fiscal_year": 2027, "budget": 100_000_000},
                        headers=admin).json
    client.post(f"/api/v1/rounds/{later['id']}/transitions", json={"to": "open"}, headers=admin)
    ids = {}
    for team, token in (("team_a", "team_lead"), ("team_b", "team_lead_b")):
        # 7 % of the weighted gap claimed: inside the default cx_impact scale (full credit at 8 %)
        payload = initiative_payload(board, title=f"Next of {team}", team_id=board[team], contributing_team_ids=[],
                                     impacts=[{"metric_id": board["metric"], "expected_change": 1.5, "confidence": 0.7}])
        created = client.post("/api/v1/initiatives", json=payload, headers=bearer(board["tokens"][token])).json
        client.post(f"/api/v1/initiatives/{created['id']}/transitions", json={"to": "submitted", "round_id": later["id"]},
                    headers=bearer(board["tokens"][token]))
        ids[team] = created["id"]
    ranking = client.post(f"/api/v1/rounds/{later['id']}/rankings", headers=chair).json
    entry = {e["initiative_id"]: e for e in ranking["entries"]}
    a, b = entry[ids["team_a"]], entry[ids["team_b"]]
    assert a["raw"]["cx_impact"] == pytest.approx(0.75 * b["raw"]["cx_impact"], abs=1e-12)
    assert a["rank"] == 2 and b["rank"] == 1  # A was created first: it led on the tie-break before
    summary = a["explanation"]["cx_impact"]["summary"]
    assert "team factor 0.750" in summary and "from 3 reviews" in summary
    assert b["explanation"]["cx_impact"]["team_factor"] == 1.0
    assert client.get(f"/api/v1/rankings/{pinned}/verify", headers=chair).json["ok"]
    assert client.get(f"/api/v1/rankings/{ranking['id']}/verify", headers=chair).json["ok"]


def test_review_rules(client, board):
    lead = bearer(board["tokens"]["team_lead"])
    iid = board["items"][0]
    not_delivered = client.post(f"/api/v1/initiatives/{iid}/review", headers=lead,
                                json={"lessons_learned": "x", "realized": [{"metric_id": board["metric"],
                                                                            "realized_change": 1}]})
    assert not_delivered.status_code == 409
    assert decide(client, board, iid, "approve", override=True, override_rationale="x").status_code == 201
    for to in ("in_progress", "delivered"):
        client.post(f"/api/v1/initiatives/{iid}/transitions", json={"to": to}, headers=lead)
    missing = client.post(f"/api/v1/initiatives/{iid}/review", headers=lead, json={"lessons_learned": "x"})
    assert missing.status_code == 422
    wrong_metric = client.post(f"/api/v1/initiatives/{iid}/review", headers=lead, json={
        "lessons_learned": "x", "realized": [{"metric_id": 987654, "realized_change": 1}]})
    assert wrong_metric.status_code == 422
    benefits = client.get("/api/v1/reports/benefits?review_overdue_days=0", headers=bearer(board["tokens"]["viewer"]))
    assert [o["initiative_id"] for o in benefits.json["overdue_for_review"]] == [iid]


def test_review_from_measurement_windows(client, board):
    admin, lead = bearer(board["tokens"]["admin"]), bearer(board["tokens"]["team_lead"])
    iid = board["items"][0]
    decide(client, board, iid, "approve", override=True, override_rationale="x", approved_amount=8_000_000)
    for to in ("in_progress", "delivered"):
        client.post(f"/api/v1/initiatives/{iid}/transitions", json={"to": to}, headers=lead)
    rows = [{"measured_at": f"2026-0{m}-15T00:00:00Z", "value": 20.0} for m in (1, 2, 3)]
    rows += [{"measured_at": f"2026-0{m}-15T00:00:00Z", "value": 24.0} for m in (7, 8, 9)]
    assert client.post(f"/api/v1/metrics/{board['metric']}/measurements", json={"measurements": rows},
                       headers=admin).status_code == 201
    review = client.post(f"/api/v1/initiatives/{iid}/review", headers=lead, json={
        "lessons_learned": "Measured", "window": {"before_start": "2026-01-01T00:00:00Z", "before_end": "2026-04-01T00:00:00Z",
                                                  "after_start": "2026-07-01T00:00:00Z", "after_end": "2026-10-01T00:00:00Z"}})
    assert review.status_code == 201, review.json
    metric = review.json["metrics"][0]
    assert metric["source"] == "measured" and metric["realized_change"] == pytest.approx(4.0)
    report = client.get(f"/api/v1/reports/benefits?round_id={board['round']}", headers=bearer(board["tokens"]["finance"]))
    line = report.json["lines"][0]
    # 8,000,000 approved for 4 realized NPS points → 2,000,000 minor units per point
    assert line["metrics"]["nps"]["cost_per_realized_point"] == 2_000_000
    as_csv = client.get(f"/api/v1/reports/benefits?round_id={board['round']}&format=csv",
                        headers=bearer(board["tokens"]["finance"]))
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert rows[0]["metric"] == "nps" and rows[0]["cost_per_realized_point"] == "2000000"


def test_bulk_measurements_ten_thousand_and_all_or_nothing(client, admin):
    metric = client.post("/api/v1/metrics", headers=admin, json={
        "key": "csat", "name": "CSAT", "unit": "%", "direction": "higher_is_better", "baseline": 78.0, "target": 85.0,
        "weight": 2.0, "range_min": 0.0, "range_max": 100.0}).json
    rows = [{"measured_at": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z", "value": 70 + n % 20,
             "channel": "web" if n % 2 else "app"} for n in range(10_000)]
    stored = client.post(f"/api/v1/metrics/{metric['id']}/measurements", json={"measurements": rows}, headers=admin)
    assert stored.status_code == 201 and stored.json["stored"] == 10_000
    monthly = client.get(f"/api/v1/metrics/{metric['id']}/measurements/aggregate?period=month", headers=admin).json
    assert len(monthly) == 12 and sum(p["count"] for p in monthly) == 10_000
    quarterly = client.get(f"/api/v1/metrics/{metric['id']}/measurements/aggregate?period=quarter&channel=web",
                           headers=admin).json
    assert [p["period_start"] for p in quarterly] == ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"]
    bad = rows[:50] + [{"measured_at": "2026-05-01T00:00:00Z", "value": 101}]
    refused = client.post(f"/api/v1/metrics/{metric['id']}/measurements", json={"measurements": bad}, headers=admin)
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["50"]
    too_many = client.post(f"/api/v1/metrics/{metric['id']}/measurements", json={"measurements": rows + rows[:1]},
                           headers=admin)
    assert too_many.status_code in (413, 422)
    count = client.get(f"/api/v1/metrics/{metric['id']}/measurements?page_size=1", headers=admin)
    assert '"total": 10000' in count.headers["X-Pagination"]


def test_csv_upload_names_the_bad_row(client, admin):
    metric = client.post("/api/v1/metrics", headers=admin, json={
        "key": "ces", "name": "CES", "unit": "score", "direction": "lower_is_better", "baseline": 4.0, "target": 3.0,
        "weight": 1.0, "range_min": 1.0, "range_max": 7.0}).json
    good = "measured_at,value,channel\n2026-03-01T00:00:00Z,3.9,phone\n2026-04-01T00:00:00Z,3.7,web\n"
    up = client.post(f"/api/v1/metrics/{metric['id']}/measurements/upload", data=good,
                     headers={**admin, "Content-Type": "text/csv"})
    assert up.status_code == 201 and up.json["stored"] == 2
    bad = good + "2026-05-01T00:00:00Z,not-a-number,web\n2026-06-01T00:00:00Z,9.5,web\n"
    refused = client.post(f"/api/v1/metrics/{metric['id']}/measurements/upload", data=bad,
                          headers={**admin, "Content-Type": "text/csv"})
    # the header is line 1: line 4 cannot be read and line 5 is out of range; both are named at once
    assert refused.status_code == 422 and sorted(refused.json["errors"]) == ["line 4", "line 5"]
    assert "outside" in refused.json["errors"]["line 5"][0]
    out_of_range = client.post(f"/api/v1/metrics/{metric['id']}/measurements/upload",
                               data="measured_at,value\n2026-06-01T00:00:00Z,3.5\n2026-06-02T00:00:00Z,9.5\n",
                               headers={**admin, "Content-Type": "text/csv"})
    assert out_of_range.status_code == 422 and list(out_of_range.json["errors"]) == ["line 3"]
    # every bad row is named, a quoted value spanning two lines counts both, extra fields are refused
    several = client.post(f"/api/v1/metrics/{metric['id']}/measurements/upload",
                          data='measured_at,value,channel\n2026-06-01T00:00:00Z,3.5,"web\nsite"\n'
                               "yesterday,3.1,web\n2026-06-03T00:00:00Z,3.2,web,extra\n2026-06-04T00:00:00Z,,web\n",
                          headers={**admin, "Content-Type": "text/csv"})
    assert several.status_code == 422 and sorted(several.json["errors"]) == ["line 4", "line 5", "line 6"]
    # the JSON route keeps JSON's convention: the 0-based index in the array
    json_range = client.post(f"/api/v1/metrics/{metric['id']}/measurements", headers=admin, json={"measurements": [
        {"measured_at": "2026-06-01T00:00:00Z", "value": 3.5}, {"measured_at": "2026-06-02T00:00:00Z", "value": 9.5}]})
    assert json_range.status_code == 422 and list(json_range.json["errors"]) == ["1"]
    listed = client.get(f"/api/v1/metrics/{metric['id']}/measurements", headers=admin).json
    assert len(listed) == 2


def test_maturity_assessments(client, admin):
    levels = {"cx_strategy": 2, "customer_understanding": 2, "design": 3, "measurement": 1, "governance": 2, "culture": 2}
    first = client.post("/api/v1/maturity-assessments", json={"assessed_on": "2026-01-15", "levels": levels},
                        headers=admin)
    assert first.status_code == 201
    assert client.post("/api/v1/maturity-assessments", json={"assessed_on": "2026-01-15",
                                                             "levels": {**levels, "design": 6}},
                       headers=admin).status_code == 422
    missing = dict(levels)
    missing.pop("culture")
    assert client.post("/api/v1/maturity-assessments", json={"assessed_on": "2026-01-15", "levels": missing},
                       headers=admin).status_code == 422
    client.post("/api/v1/maturity-assessments", json={"assessed_on": "2026-07-15", "levels": {**levels, "measurement": 3}},
                headers=admin)
    overview = client.get("/api/v1/maturity-assessments", headers=admin).json
    assert overview["current"]["measurement"] == 3 and len(overview["history"]) == 2
    assert overview["foundational_recommended"] is True


def test_a_measurement_batch_event_commits_to_the_stored_values(app, client, admin):
    from cxgov.db import database
    from cxgov.models import Measurement
    from cxgov.services.metrics import batch_rows, measurements_digest

    metric = client.post("/api/v1/metrics", headers=admin, json={
        "key": "ces", "name": "CES", "unit": "score", "direction": "lower_is_better", "baseline": 4.0, "target": 3.0,
        "weight": 1.0, "range_min": 1.0, "range_max": 7.0}).json
    sent = client.post(f"/api/v1/metrics/{metric['id']}/measurements", headers=admin, json={"measurements": [
        {"measured_at": "2026-03-01T10:00:00+02:00", "value": 3.9, "channel": "phone"},
        {"measured_at": "2026-03-02T00:00:00Z", "value": 4, "segment": "smb"}]})
    assert sent.status_code == 201, sent.json
    uploaded = client.post(f"/api/v1/metrics/{metric['id']}/measurements/upload", headers={**admin, "Content-Type": "text/csv"},
                           data="measured_at,value\n2026-04-01T00:00:00Z,3.7\n")
    assert uploaded.status_code == 201, uploaded.json
    events = client.get(f"/api/v1/audit?action=measurements.recorded&entity_id={metric['id']}", headers=admin).json
    assert [e["change"]["count"] for e in events] == [2, 1]
    with app.app_context():
        for event in events:
            rows = list(batch_rows(metric["id"], event["change"]["ids"]))
            assert len(rows) == event["change"]["count"]
            assert measurements_digest(rows) == event["change"]["rows_sha256"]
        first_ids = events[0]["change"]["ids"]
        assert [r.measured_at.isoformat() for r in batch_rows(metric["id"], first_ids)] == [
            "2026-03-01T08:00:00+00:00", "2026-03-02T00:00:00+00:00"]
        # a value changed behind the API's back no longer matches what the log committed to
        Measurement.update(value=3.8).where(Measurement.id == first_ids[0][0]).execute()
        assert measurements_digest(batch_rows(metric["id"], first_ids)) != events[0]["change"]["rows_sha256"]
        database.close()


def test_a_batch_with_gaps_in_its_ids_is_found_by_its_runs_only(app, client, admin):
    """Another writer's rows between a batch's runs are not the batch's; thousands of runs work."""
    from cxgov.db import database
    from cxgov.services.metrics import batch_rows, id_ranges

    assert id_ranges([7, 3, 4, 5, 9, 10]) == [[3, 5], [7, 7], [9, 10]] and id_ranges([]) == []
    metric = client.post("/api/v1/metrics", headers=admin, json={
        "key": "fcr", "name": "FCR", "unit": "%", "direction": "higher_is_better", "baseline": 60.0, "target": 70.0,
        "weight": 1.0, "range_min": 0.0, "range_max": 100.0}).json
    sent = client.post(f"/api/v1/metrics/{metric['id']}/measurements", headers=admin, json={"measurements": [
        {"measured_at": f"2026-03-01T00:{m:02d}:00Z", "value": float(m)} for m in range(60)]})
    assert sent.status_code == 201
    with app.app_context():
        ids = [m.id for m in batch_rows(metric["id"], id_ranges(range(1, 10**6)))]
        assert len(ids) == 60
        every_other = ids[::2]  # 30 runs of one id, the rows between them belong to "someone else"
        found = batch_rows(metric["id"], id_ranges(every_other))
        assert [m.id for m in found] == every_other and [m.value for m in found] == [float(m) for m in range(0, 60, 2)]
        assert len(id_ranges(range(0, 20000, 2))) == 10000
        # 10,000 runs (an OR of 10,000 BETWEENs would nest past Python's recursion limit)
        assert [m.id for m in batch_rows(metric["id"], id_ranges(range(0, 20000, 2)))] == [i for i in ids if i % 2 == 0]
        assert batch_rows(metric["id"], []) == []
        database.close()


def test_benefits_cost_per_point_is_exact_and_has_totals(app, client):
    """30,000,000 / 0.2 is 150,000,000 (float floor division gave 149,999,999) and 26,666,666.67
    rounds to 26,666,667 (it was truncated); the CSV has the exact decimal and a TOTAL per metric."""
    from cxgov import demo
    from cxgov.db import database

    with app.app_context():
        result = demo.load()
        database.close()
    finance = bearer(next(t["token"] for t in result["tokens"] if t["role"] == "finance"))
    report = client.get("/api/v1/reports/benefits", headers=finance).json
    digital = next(g for g in report["lines"] if g["team_id"] == 2)["metrics"]
    assert digital["ces"]["approved_reviewed"] == 30_000_000 and digital["ces"]["realized"] == -0.2
    assert digital["ces"]["cost_per_realized_point"] == 150_000_000
    assert digital["csat"]["approved_reviewed"] == 24_000_000 and digital["csat"]["realized"] == 0.9
    assert digital["csat"]["cost_per_realized_point"] == 26_666_667
    assert digital["nps"]["cost_per_realized_point"] == 11_803_279  # 72,000,000 / 6.1 = 11,803,278.69
    ces_total = report["totals"]["metrics"]["ces"]  # 30 M + 15 M for 0.2 + 0.3 points of less effort
    assert ces_total["approved_reviewed"] == 45_000_000 and ces_total["realized"] == -0.5
    assert ces_total["cost_per_realized_point"] == 90_000_000 and ces_total["realized_share_of_expected"] == \
        pytest.approx(0.5 / 0.7)
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/reports/benefits?format=csv",
                                                      headers=finance).get_data(as_text=True))))
    ces = next(r for r in rows if r["team_id"] == "2" and r["metric"] == "ces")
    assert ces["cost_per_realized_point"] == "150000000" and ces["cost_per_realized_point_eur"] == "1500000.00"
    assert ces["realized"] == "-0.2" and ces["approved_reviewed_eur"] == "300000.00"
    totals = [r for r in rows if r["round_id"] == "TOTAL"]
    assert [r["metric"] for r in totals] == sorted(report["totals"]["metrics"]) and rows[-len(totals):] == totals
    ces_row = next(r for r in totals if r["metric"] == "ces")
    assert ces_row["realized"] == "-0.5" and ces_row["cost_per_realized_point"] == "90000000"
