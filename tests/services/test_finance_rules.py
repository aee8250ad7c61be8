"""The cent split: the pure largest-remainder rule (finance_rules), and the SQL reports
(finance._split_sql) checked against it as the oracle, on the suite's database."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxgov.db import database
from cxgov.services import finance
from cxgov.services.actor import Actor
from cxgov.services.finance import SHARE_SCALE
from cxgov.services.finance_rules import largest_remainder_split
from tests.builders import build_ledger_world, insert_funded

FINANCE = Actor(user_id=None, email="finance@example.com", role="finance")


def test_leftover_units_go_to_the_largest_remainders_ties_to_the_lower_key():
    assert largest_remainder_split(100, {1: 1, 2: 1, 3: 1}) == {1: 34, 2: 33, 3: 33}
    assert largest_remainder_split(100, {3: 1, 2: 1, 1: 1}) == {1: 34, 2: 33, 3: 33}
    assert largest_remainder_split(2, {0: 1, 5: 1, 7: 1}) == {0: 1, 5: 1, 7: 0}
    # remainders 10·2 mod 7 = 6 and 10·5 mod 7 = 1: the larger takes the cent
    assert largest_remainder_split(10, {1: 2, 2: 5}) == {1: 3, 2: 7}


def test_zero_and_negative_weights_take_no_part():
    assert largest_remainder_split(10, {1: 0, 2: 3, 3: -1}) == {2: 10}
    assert largest_remainder_split(10, {1: 0}) == {}
    assert largest_remainder_split(0, {1: 1, 2: 1}) == {1: 0, 2: 0}


@given(st.integers(0, 10**13), st.dictionaries(st.integers(0, 50), st.integers(0, SHARE_SCALE), min_size=1))
def test_parts_add_up_and_differ_from_the_exact_share_by_less_than_one(amount, weights):
    parts = largest_remainder_split(amount, weights)
    total = sum(w for w in weights.values() if w > 0)
    assert set(parts) == {k for k, w in weights.items() if w > 0}
    if parts:
        assert sum(parts.values()) == amount
        assert all(abs(parts[k] * total - amount * weights[k]) < total for k in parts)


def _weights(w, row, kind):
    """The weights the SQL reads for ``row`` (what insert_funded writes), as plain integers."""
    if kind == "objective":
        found = {oid: a for oid, a in zip(w["objective_ids"], row["alignments"]) if a > 0}
        return found or {0: 1}
    # shares are stored as k/120 and read back as ROUND(share · 100,000): never a .5, so
    # Python's round and either database's ROUND agree
    found = {pid: round(s / 120 * SHARE_SCALE) for pid, s in zip(w["partner_ids"], row["shares"]) if s}
    return {**found, 0: SHARE_SCALE - sum(found.values())}


rows = st.lists(st.fixed_dictionaries({
    "team": st.just(0), "round": st.just(0), "focus": st.just(0), "block": st.just(0),
    "approved": st.one_of(st.integers(0, 10), st.integers(0, 10**13)), "extra_request": st.integers(0, 10**6),
    # equal alignments and equal shares make remainders tie
    "alignments": st.lists(st.sampled_from([0, 1, 1, 2, 5]), min_size=3, max_size=3),
    "shares": st.lists(st.sampled_from([0, 1, 12, 12, 40]), min_size=3, max_size=3),
    "actuals": st.lists(st.integers(1, 10**12), max_size=2),
    "status": st.just("approved"),
}), min_size=1, max_size=3)


@pytest.mark.parametrize("kind", ["objective", "partner"])
def test_sql_split_equals_the_python_oracle(app, kind):
    w = build_ledger_world(app)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=rows)
    def check(rows):
        with app.app_context():
            with database.atomic() as txn:
                expected = {}
                for row in rows:
                    insert_funded(w, row)
                    requested = row["approved"] + row["extra_request"]
                    weights = _weights(w, row, kind)
                    for measure, amount in (("requested", requested), ("approved", row["approved"]),
                                            ("actual", sum(row["actuals"]))):
                        for key, part in largest_remainder_split(amount, weights).items():
                            line = expected.setdefault(key, {"requested": 0, "approved": 0, "actual": 0})
                            line[measure] += part
                report = finance.approved_spend(FINANCE, [kind], {"round_id": w["round_ids"][0]})
                got = {line["keys"][f"{kind}_id"]: {m: line[m] for m in ("requested", "approved", "actual")}
                       for line in report["lines"]}
                assert got == expected
                txn.rollback()

    check()
