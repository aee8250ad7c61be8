"""Finance over HTTP: the append-only ledger, reports as JSON and CSV, who reads what."""
import csv
import io

import pytest

from cxgov.db import database
from cxgov.models import InitiativeObjective
from tests.builders import decide, vote
from tests.conftest import bearer


@pytest.fixture
def funded(client, board):
    """Two approvals in the board's round (25 M and 10 M)."""
    for iid, amount in ((board["items"][0], 25_000_000), (board["items"][1], 10_000_000)):
        for token in board["member_tokens"][:3]:
            vote(client, board, token, iid, "approve")
        assert decide(client, board, iid, "approve", approved_amount=amount).status_code == 201
    return board


def _book(client, world, iid, **body):
    payload = {"amount": 1_000_000, "fiscal_year": 2027, "fiscal_quarter": 1, "booked_on": "2027-02-01",
               "reference": "INV-1", **body}
    return client.post(f"/api/v1/initiatives/{iid}/actuals", json=payload, headers=bearer(world["tokens"]["finance"]))


def test_ledger_reversal_rules(client, funded):
    iid = funded["items"][0]
    first = _book(client, funded, iid, amount=4_000_000)
    assert first.status_code == 201
    assert _book(client, funded, iid, amount=-4_000_000).status_code == 422  # negative without reverses
    assert _book(client, funded, iid, amount=-3_000_000, reverses=first.json["id"]).status_code == 422
    reversal = _book(client, funded, iid, amount=-4_000_000, reverses=first.json["id"], reference="CN-1")
    assert reversal.status_code == 201 and reversal.json["reverses_id"] == first.json["id"]
    second = _book(client, funded, iid, amount=-4_000_000, reverses=first.json["id"])
    assert second.status_code == 409
    assert _book(client, funded, iid, amount=4_000_000, reverses=reversal.json["id"]).status_code == 422
    never = _book(client, funded, funded["items"][2])
    assert never.status_code == 422 and "never approved" in never.json["detail"]
    other = _book(client, funded, funded["items"][1], amount=-4_000_000, reverses=first.json["id"])
    assert other.status_code == 422
    assert _book(client, funded, iid, amount=1.5).status_code == 422
    entries = client.get(f"/api/v1/initiatives/{iid}/actuals", headers=bearer(funded["tokens"]["finance"])).json
    assert sum(e["amount"] for e in entries) == 0 and len(entries) == 2


def test_no_update_or_delete_path_exists(client, funded):
    iid = funded["items"][0]
    entry = _book(client, funded, iid).json
    finance = bearer(funded["tokens"]["finance"])
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/initiatives/{iid}/actuals", headers=finance, json={})
        assert response.status_code == 405
        assert getattr(client, method)(f"/api/v1/initiatives/{iid}/actuals/{entry['id']}", headers=finance,
                                       json={}).status_code == 404  # no such route at all


def test_only_finance_books(client, funded):
    for role in ("admin", "board_chair", "team_lead", "viewer"):
        response = client.post(f"/api/v1/initiatives/{funded['items'][0]}/actuals", headers=bearer(funded["tokens"][role]),
                               json={"amount": 1, "fiscal_year": 2027, "fiscal_quarter": 1, "booked_on": "2027-02-01",
                                     "reference": "x"})
        assert response.status_code == 403


def test_budget_report_flags_overspend(client, funded):
    _book(client, funded, funded["items"][1], amount=12_000_000)
    report = client.get("/api/v1/reports/budget", headers=bearer(funded["tokens"]["viewer"])).json
    line = next(line for line in report["lines"] if line["round_id"] == funded["round"])
    assert line["budget"] == 100_000_000 and line["approved"] == 35_000_000 and line["remaining"] == 65_000_000
    assert line["actual"] == 12_000_000 and line["approved_not_spent"] == 25_000_000
    assert line["initiatives_over_approved"] == 1 and line["utilization_pct"] == "35.00"
    assert report["currency"] == "EUR" and report["computed_at"]
    # the TOTAL's percentages are recomputed from the totals, in JSON and in the CSV's TOTAL row
    totals = report["totals"]
    assert totals["spent_pct_of_approved"] == "34.29"  # 12 M of 35 M approved, rounded half to even
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/reports/budget?format=csv", headers=bearer(
        funded["tokens"]["viewer"])).get_data(as_text=True))))
    assert rows[-1]["round_id"] == "TOTAL" and rows[-1]["spent_pct_of_approved"] == "34.29"
    assert rows[-1]["utilization_pct"] == totals["utilization_pct"] == "35.00"


def test_split_reports_name_their_distinct_count(client, funded):
    """Split by objective, an initiative serving two objectives is counted in both lines: the column
    says it counts distinct initiatives, and the TOTAL counts each once (it is not the lines' sum)."""
    finance = bearer(funded["tokens"]["finance"])
    second = _second_objective(client, funded)
    with client.application.app_context():  # approved initiatives are not edited through the API
        InitiativeObjective.create(initiative=funded["items"][0], objective=second, alignment=2)
        database.close()
    as_json = client.get("/api/v1/reports/approved-spend?group_by=objective", headers=finance).json
    assert sorted(line["initiatives_distinct"] for line in as_json["lines"]) == [1, 2]
    assert as_json["totals"]["initiatives_distinct"] == 2 and "count" not in as_json["totals"]
    assert all("count" not in line for line in as_json["lines"])
    as_csv = client.get("/api/v1/reports/approved-spend?group_by=objective&format=csv", headers=finance)
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert "count" not in rows[0] and [r["initiatives_distinct"] for r in rows] == ["2", "1", "2"]
    unsplit = client.get("/api/v1/reports/approved-spend?group_by=team", headers=finance).json
    assert unsplit["totals"]["count"] == sum(line["count"] for line in unsplit["lines"]) == 2


def _second_objective(client, world):
    created = client.post("/api/v1/objectives", headers=bearer(world["tokens"]["admin"]), json={
        "title": "Cut effort", "metric_id": world["metric"], "baseline": 20.0, "target": 30.0,
        "deadline": "2027-12-31", "weight": 1.0})
    assert created.status_code == 201, created.json
    return created.json["id"]


def test_approved_spend_csv_equals_json(client, funded):
    _book(client, funded, funded["items"][0], amount=333_333)
    finance = bearer(funded["tokens"]["finance"])
    as_json = client.get("/api/v1/reports/approved-spend?group_by=team,objective", headers=finance).json
    as_csv = client.get("/api/v1/reports/approved-spend?group_by=team,objective",
                        headers={**finance, "Accept": "text/csv"})
    assert as_csv.mimetype == "text/csv" and "filename=" in as_csv.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data().decode("utf-8"))))
    assert len(rows) == len(as_json["lines"]) + 1 and rows[-1]["team_id"] == "TOTAL"
    for row, line in zip(rows, as_json["lines"]):
        assert int(row["approved"]) == line["approved"] and int(row["actual"]) == line["actual"]
        assert row["approved_eur"] == f"{line['approved'] // 100}.{line['approved'] % 100:02d}"
        assert int(row["team_id"]) == line["keys"]["team_id"]
    assert int(rows[-1]["approved"]) == as_json["totals"]["approved"] == 35_000_000
    assert rows[-1]["actual_eur"] == "3333.33"


def test_team_leads_see_their_own_lines_and_viewers_no_lines(client, funded):
    lead_b = bearer(funded["tokens"]["team_lead_b"])
    own = client.get("/api/v1/reports/approved-spend?group_by=team", headers=lead_b).json
    assert own["lines"] == [] and own["filters"]["team_id"] == funded["team_b"]
    other = client.get(f"/api/v1/reports/approved-spend?group_by=team&team_id={funded['team_a']}", headers=lead_b)
    assert other.status_code == 403
    assert client.get("/api/v1/reports/approved-spend?group_by=team",
                      headers=bearer(funded["tokens"]["viewer"])).status_code == 403
    assert client.get("/api/v1/reports/approved-spend?group_by=colour",
                      headers=bearer(funded["tokens"]["finance"])).status_code == 422


def test_coverage_lists_empty_cells(client, funded):
    report = client.get(f"/api/v1/reports/coverage?round_id={funded['round']}&format=csv",
                        headers=bearer(funded["tokens"]["viewer"]))
    rows = list(csv.DictReader(io.StringIO(report.get_data(as_text=True))))
    assert len(rows) == 17 and rows[-1]["focus_area"] == "TOTAL" and rows[-1]["initiatives"] == "4"
    assert rows[-1]["approved_amount"] == "35000000" and rows[-1]["empty"] == ""
    as_json = client.get(f"/api/v1/reports/coverage?round_id={funded['round']}",
                         headers=bearer(funded["tokens"]["viewer"])).json
    cell = next(c for c in as_json["cells"] if c["focus_area"] == "technology"
                and c["building_block"] == "experience_design_operations")
    assert cell["initiatives"] == 4 and cell["approved_amount"] == 35_000_000
    assert len(as_json["empty_cells"]) == 15


def test_overrides_report(client, board):
    iid = board["items"][2]
    assert decide(client, board, iid, "reject", override=True, override_rationale="no quorum, deadline").status_code == 201
    report = client.get("/api/v1/reports/overrides", headers=bearer(board["tokens"]["finance"])).json
    assert [line["initiative_id"] for line in report["lines"]] == [iid]
    line = report["lines"][0]
    # the fill funds every board item within this budget: rejecting one also departs from the ranking
    assert line["kinds"] == ["quorum", "ranking_departure"] and line["override_rationale"] == "no quorum, deadline"
    assert line["decided_by"] == "board_chair@example.com"
    assert client.get("/api/v1/reports/overrides", headers=bearer(board["tokens"]["viewer"])).status_code == 403
