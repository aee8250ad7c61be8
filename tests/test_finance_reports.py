"""Finance reports add up to the cent for any portfolio and every grouping; splits conserve cents."""
import itertools
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxgov.db import database
from cxgov.services import finance, finance_rules
from cxgov.services.actor import Actor
from cxgov.services.finance import GROUPS
from tests.builders import build_ledger_world, insert_funded

GROUPINGS = [[g] for g in GROUPS] + [list(p) for p in itertools.combinations(GROUPS, 2)
                                       if not set(p) >= {"objective", "partner"}]
FINANCE = Actor(user_id=None, email="finance@example.com", role="finance")

initiative_rows = st.lists(st.fixed_dictionaries({
    "team": st.integers(0, 2), "round": st.integers(0, 1), "focus": st.integers(0, 3), "block": st.integers(0, 3),
    "approved": st.integers(0, 10**11), "extra_request": st.integers(0, 10**9),
    "alignments": st.lists(st.integers(0, 5), min_size=3, max_size=3),
    "shares": st.lists(st.integers(0, 40), min_size=3, max_size=3),
    "actuals": st.lists(st.integers(1, 10**9), max_size=3),
    "status": st.sampled_from(["approved", "in_progress", "delivered"]),
}), min_size=1, max_size=12)


@pytest.fixture
def ledger_world(app):
    return build_ledger_world(app)


def _insert(w, rows):
    expected = {"requested": 0, "approved": 0, "actual": 0, "count": len(rows)}
    for row in rows:
        insert_funded(w, row)
        expected["requested"] += row["approved"] + row["extra_request"]
        expected["approved"] += row["approved"]
        expected["actual"] += sum(row["actuals"])
    return expected


def test_every_grouping_adds_up_exactly(app, ledger_world):
    w = ledger_world

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=initiative_rows, round_filter=st.sampled_from([None, 0, 1]))
    def check(rows, round_filter):
        with app.app_context():
            with database.atomic() as txn:
                expected = _insert(w, rows)
                args = {} if round_filter is None else {"round_id": w["round_ids"][round_filter]}
                if round_filter is not None:
                    kept = [r for r in rows if r["round"] == round_filter]
                    expected = {"requested": sum(r["approved"] + r["extra_request"] for r in kept),
                                "approved": sum(r["approved"] for r in kept),
                                "actual": sum(sum(r["actuals"]) for r in kept), "count": len(kept)}
                for grouping in GROUPINGS:
                    report = finance.approved_spend(FINANCE, grouping, args)
                    counted = finance.count_column(grouping)
                    assert report["totals"] == {**expected, counted: expected["count"]} if counted == "count" else \
                        {**{k: v for k, v in expected.items() if k != "count"}, counted: expected["count"]}, grouping
                    for measure in ("requested", "approved", "actual"):
                        assert sum(line[measure] for line in report["lines"]) == expected[measure], (grouping, measure)
                    for line in report["lines"]:
                        assert all(isinstance(line[m], int) and line[m] >= 0 for m in ("requested", "approved", "actual"))
                    if counted == "count":
                        assert sum(line["count"] for line in report["lines"]) == expected["count"]
                    else:  # a split initiative is counted once in each of its lines, never more than once in a line
                        assert all(1 <= line[counted] <= expected["count"] for line in report["lines"])
                txn.rollback()
            database.close()

    check()


def test_split_conserves_every_cent_of_one_initiative(app, ledger_world):
    w = ledger_world
    with app.app_context():
        with database.atomic() as txn:
            _insert(w, [{"team": 0, "round": 0, "focus": 0, "block": 0, "approved": 100, "extra_request": 1,
                         "alignments": [1, 1, 1], "shares": [40, 40, 40], "actuals": [1], "status": "approved"}])
            by_objective = finance.approved_spend(FINANCE, ["objective"], {})
            assert sorted(line["approved"] for line in by_objective["lines"]) == [33, 33, 34]
            assert sum(line["actual"] for line in by_objective["lines"]) == 1
            by_partner = finance.approved_spend(FINANCE, ["partner"], {})
            assert sum(line["approved"] for line in by_partner["lines"]) == 100
            own = [line for line in by_partner["lines"] if line["keys"]["partner_id"] == 0]
            assert own and own[0]["keys"]["partner_name"] == "(own work)" and own[0]["approved"] == 0
            txn.rollback()
        database.close()


# ------------------------------------------------------------------ rounding rules
def _half_even(numerator, denominator, places):
    """Oracle: Decimal's own ROUND_HALF_EVEN, at a precision no quotient here can outrun."""
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)


def test_rounding_rules_on_the_cases_that_were_wrong():
    assert finance_rules.cost_per_point(30_000_000, Decimal("0.2")) == 150_000_000  # float: 149,999,999
    assert finance_rules.cost_per_point(24_000_000, Decimal("0.9")) == 26_666_667  # was truncated to 26,666,666
    assert finance_rules.cost_per_point(5, Decimal("2")) == 2 and finance_rules.cost_per_point(7, Decimal("2")) == 4
    assert finance_rules.cost_per_point(1, Decimal(0)) is None and finance_rules.cost_per_point(1, Decimal("-1")) is None
    assert finance_rules.exact_decimal(0.2) == Decimal("0.2") and finance_rules.exact_decimal(-0.3) == Decimal("-0.3")
    assert finance_rules.percent(1, 800) == "0.12" and finance_rules.percent(3, 800) == "0.38"  # ties to even
    assert finance_rules.percent(1, 3) == "33.33" and finance_rules.percent(2, 3) == "66.67"
    assert finance_rules.percent(5, 0) == "0.00" and finance_rules.percent(-1, 3) == "-33.33"


@given(part=st.integers(-10**13, 10**13), whole=st.integers(1, 10**13))
def test_percent_is_the_half_even_rounding_of_the_exact_ratio(part, whole):
    assert Decimal(finance_rules.percent(part, whole)) == _half_even(part * 100, whole, 2)


@given(amount=st.integers(0, 10**13), change=st.decimals(min_value="0.0001", max_value="1000", places=4))
def test_cost_per_point_is_the_half_even_rounding_of_the_exact_quotient(amount, change):
    assert finance_rules.cost_per_point(amount, change) == int(_half_even(amount, change, 0))


@given(value=st.decimals(min_value="-1000", max_value="1000", places=6))
def test_a_stored_change_enters_as_the_decimal_it_was_written_as(value):
    assert finance_rules.exact_decimal(float(value)) == value
