"""Every report's TOTAL, in JSON and in CSV, for every group_by, over random portfolios.

The rule (README, "Finance pulls a CSV"): each numeric TOTAL column is the sum of its lines,
exactly, except the documented ones: ratios (recomputed from the totals, rounded half to even)
and ``initiatives_distinct`` (an initiative counted once however many lines it is split over).
A CSV column this file does not know is taken to be a sum, so a new column must either add up
or be named here and in the README.
"""
import csv
import datetime as dt
import io
import itertools
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxgov.db import database
from cxgov.models import ActualEntry, Decision, Initiative, InitiativeImpact, Review, ReviewMetric, Round
from cxgov.services import metrics
from cxgov.services.actor import SYSTEM
from cxgov.services.finance import GROUPS
from tests.builders import build_ledger_world, insert_funded, metric_payload
from tests.conftest import bearer

GROUPINGS = [[g] for g in GROUPS] + [list(p) for p in itertools.combinations(GROUPS, 2)
                                       if not set(p) >= {"objective", "partner"}]
#: Columns that label a line (ids, names, enums): blank or a label in TOTAL, never summed.
KEYS = {"round_id", "round_name", "fiscal_year", "fiscal_quarter", "status", "team_id", "team_name", "department",
        "focus_area", "building_block", "objective_id", "objective_title", "partner_id", "partner_name",
        "decision_id", "initiative_id", "outcome", "kinds", "override_rationale", "rationale", "decided_by",
        "decided_at", "metric", "unit", "empty"}
RATIOS = {"utilization_pct", "spent_pct_of_approved", "realized_share_of_expected", "cost_per_realized_point",
          "cost_per_realized_point_eur"}
DISTINCT = {"initiatives_distinct"}

changes = st.decimals(min_value="-50", max_value="50", places=3).map(float)
portfolio = st.lists(st.fixed_dictionaries({
    "team": st.integers(0, 2), "round": st.integers(0, 1), "focus": st.integers(0, 3), "block": st.integers(0, 3),
    "approved": st.integers(0, 10**10), "extra_request": st.integers(0, 10**8),
    "alignments": st.lists(st.integers(0, 5), min_size=3, max_size=3),
    "shares": st.lists(st.integers(0, 40), min_size=3, max_size=3),
    "actuals": st.lists(st.integers(1, 10**8), max_size=2), "reverse_first": st.booleans(),
    "status": st.sampled_from(["approved", "in_progress", "delivered", "reviewed", "cancelled"]),
    "impacts": st.lists(st.tuples(changes, changes), min_size=2, max_size=2),  # (expected, realized) per metric
    "override": st.booleans(),
}), min_size=1, max_size=6)


@pytest.fixture
def portfolio_world(app):
    world = build_ledger_world(app)
    with app.app_context():
        ces = metrics.create_metric(SYSTEM, **metric_payload("ces", direction="lower_is_better", baseline=4.0,
                                                             target=3.0, range_min=1.0, range_max=7.0))
        world["metric_ids"] = [world["metric"], ces.id]
        database.close()
    return world


def _insert(w, rows):
    """Funded work, some reversed, reviewed or decided by override; rounds' committed follow."""
    for row in rows:
        record, entries = insert_funded(w, row)
        if entries and row["reverse_first"]:
            ActualEntry.create(initiative=record.id, amount=-entries[0].amount, reverses=entries[0].id,
                               fiscal_year=2027, fiscal_quarter=1, booked_on=dt.date(2027, 2, 2), reference="CN",
                               created_by=w["user_finance"])
        for metric_id, (expected, _) in zip(w["metric_ids"], row["impacts"]):
            InitiativeImpact.create(initiative=record.id, metric=metric_id, expected_change=expected, confidence=0.5)
        if row["status"] == "reviewed":
            review = Review.create(initiative=record.id, lessons_learned="l", created_by=w["user_admin"])
            for metric_id, (expected, realized) in zip(w["metric_ids"], row["impacts"]):
                ReviewMetric.create(review=review.id, metric=metric_id, expected_change=expected, confidence=0.5,
                                    realized_change=realized, source="entered")
        if row["override"]:
            Decision.create(round=record.round_id, initiative=record.id, outcome="approve",
                            approved_amount=row["approved"], rationale="r", override=True, override_kinds=["quorum"],
                            override_rationale="o", tally={}, decided_by=w["user_board_chair"])
    for rid in w["round_ids"]:
        rnd = Round.get_by_id(rid)
        approved = sum(i.approved_amount or 0 for i in Initiative.select().where(Initiative.round == rid))
        Round.update(committed=min(rnd.budget, approved)).where(Round.id == rid).execute()


def _half_even(numerator, denominator, places):
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)


def _pct(part, whole):
    return "0.00" if not whole else str(_half_even(part * 100, whole, 2))


def _num(value):
    """A JSON or CSV number as the exact decimal it prints as."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _csv(client, headers, url):
    response = client.get(url + ("&" if "?" in url else "?") + "format=csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv", url
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _check_csv_total(rows, total, lines, json_totals, context):
    """Every column of a TOTAL row: a key (blank or a label), a ratio or distinct count (checked by the
    caller against the JSON), or a sum of the lines, exactly, in minor units or decimals."""
    for column, cell in total.items():
        if column in KEYS:
            continue
        if column in RATIOS | DISTINCT:
            json_value = json_totals.get(column.removesuffix("_eur"))
            if column.endswith("_eur") or json_value is None:
                continue
            assert cell == (repr(json_value) if isinstance(json_value, float) else str(json_value)), (context, column)
            continue
        assert cell != "", (context, column, "a summable column left blank in TOTAL")
        assert _num(cell) == sum((_num(line[column] or 0) for line in lines), Decimal(0)), (context, column)
        if column in json_totals:
            assert _num(cell) == _num(json_totals[column]), (context, column)


def _check_approved_spend(client, headers, args):
    unsplit = client.get(f"/api/v1/reports/approved-spend?group_by=round{args}", headers=headers).json
    initiatives = unsplit["totals"]["count"]
    for grouping in GROUPINGS:
        url = f"/api/v1/reports/approved-spend?group_by={','.join(grouping)}{args}"
        report = client.get(url, headers=headers).json
        totals, lines = report["totals"], report["lines"]
        split = bool(set(grouping) & {"objective", "partner"})
        assert set(totals) == {"initiatives_distinct" if split else "count", "requested", "approved", "actual"}
        for column in ("requested", "approved", "actual") + (() if split else ("count",)):
            assert totals[column] == sum(line[column] for line in lines), (grouping, column)
        if split:
            assert totals["initiatives_distinct"] == initiatives
            assert all(line["initiatives_distinct"] <= initiatives for line in lines)
        rows = _csv(client, headers, url)
        assert rows[-1][report["key_columns"][0]] == "TOTAL" and len(rows) == len(lines) + 1
        _check_csv_total(rows, rows[-1], rows[:-1], totals, grouping)


def _check_budget(client, headers):
    report = client.get("/api/v1/reports/budget", headers=headers).json
    totals, lines = report["totals"], report["lines"]
    sums = ("budget", "approved", "remaining", "actual", "approved_not_spent", "initiatives_over_approved")
    assert set(totals) == set(sums) | {"utilization_pct", "spent_pct_of_approved"}
    for column in sums:
        assert totals[column] == sum(line[column] for line in lines), column
    assert totals["utilization_pct"] == _pct(totals["approved"], totals["budget"])
    assert totals["spent_pct_of_approved"] == _pct(totals["actual"], totals["approved"])
    for line in lines:
        assert line["spent_pct_of_approved"] == _pct(line["actual"], line["approved"])
    rows = _csv(client, headers, "/api/v1/reports/budget")
    assert rows[-1]["round_id"] == "TOTAL"
    _check_csv_total(rows, rows[-1], rows[:-1], totals, "budget")


def _check_coverage(client, headers):
    report = client.get("/api/v1/reports/coverage", headers=headers).json
    assert set(report["totals"]) == {"initiatives", "approved_initiatives", "approved_amount"}
    for column, total in report["totals"].items():
        assert total == sum(cell[column] for cell in report["cells"]), column
    rows = _csv(client, headers, "/api/v1/reports/coverage")
    assert rows[-1]["focus_area"] == "TOTAL" and len(rows) == 17
    _check_csv_total(rows, rows[-1], rows[:-1], report["totals"], "coverage")


def _check_overrides(client, headers):
    report = client.get("/api/v1/reports/overrides", headers=headers).json
    assert report["totals"] == {"count": len(report["lines"]),
                                "approved_amount": sum(line["approved_amount"] or 0 for line in report["lines"])}
    rows = _csv(client, headers, "/api/v1/reports/overrides")
    assert rows[-1]["decision_id"] == "TOTAL" and len(rows) == len(report["lines"]) + 1
    _check_csv_total(rows, rows[-1], rows[:-1], report["totals"], "overrides")


def _check_benefits(client, headers, metric_signs):
    report = client.get("/api/v1/reports/benefits", headers=headers).json
    totals, lines = report["totals"], report["lines"]
    for column in ("initiatives", "reviewed", "approved"):
        assert totals[column] == sum(line[column] for line in lines), column
    for key, total in totals["metrics"].items():
        parts = [line["metrics"][key] for line in lines if key in line["metrics"]]
        for column in ("expected", "realized", "approved_reviewed"):
            assert _num(total[column]) == sum((_num(p[column]) for p in parts), Decimal(0)), (key, column)
        improvement = _num(total["realized"]) * metric_signs[key]
        assert total["cost_per_realized_point"] == (
            int(_half_even(total["approved_reviewed"], improvement, 0)) if improvement > 0 else None), key
    rows = _csv(client, headers, "/api/v1/reports/benefits")
    total_rows = [r for r in rows if r["round_id"] == "TOTAL"]
    assert [r["metric"] for r in total_rows] == sorted(totals["metrics"]) and rows[len(rows) - len(total_rows):] == \
        total_rows
    for total in total_rows:
        mine = [r for r in rows if r["metric"] == total["metric"] and r["round_id"] != "TOTAL"]
        _check_csv_total(rows, total, mine, totals["metrics"][total["metric"]], ("benefits", total["metric"]))


def test_every_total_is_the_sum_of_its_lines_or_a_documented_ratio(app, client, portfolio_world):
    w = portfolio_world
    headers = bearer(w["tokens"]["finance"])
    signs = {"nps": 1, "ces": -1}

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=portfolio, round_filter=st.sampled_from([None, 0, 1]))
    def check(rows, round_filter):
        # the data accumulates from one example to the next: the rule holds for any data, and the
        # ledger and the log are append-only
        with app.app_context():
            _insert(w, rows)
            database.close()
        args = "" if round_filter is None else f"&round_id={w['round_ids'][round_filter]}"
        _check_approved_spend(client, headers, args)
        _check_budget(client, headers)
        _check_coverage(client, headers)
        _check_overrides(client, headers)
        _check_benefits(client, headers, signs)

    check()
