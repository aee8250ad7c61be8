"""The per-criterion formulas of cxgov.services.criteria, as pure functions over plain values."""
import pytest

from cxgov.services.criteria import _cost, _cx_impact, _partner_alignment, _strategic_fit


def test_strategic_fit_is_the_weighted_alignment_over_five_times_the_total_weight():
    notes = []
    fit = _strategic_fit({"objectives": [[1, 5], [2, 2]]}, {1: 3.0, 2: 1.0}, 4.0, notes)
    assert fit == pytest.approx((3 * 5 + 1 * 2) / (5 * 4))
    assert notes == []


def test_strategic_fit_without_objectives_is_zero_with_both_notes():
    notes = []
    assert _strategic_fit({"objectives": []}, {}, 0, notes) == 0.0
    assert notes == ["no strategic objectives are defined: strategic fit is 0",
                     "aligned to no objective: strategic fit is 0"]


def test_cx_impact_applies_confidence_and_team_factor_and_skips_a_zero_gap():
    metrics = {1: {"key": "nps", "weight": 2.0, "baseline": 10.0, "target": 30.0, "unit": "pt"},
               2: {"key": "flat", "weight": 2.0, "baseline": 5.0, "target": 5.0, "unit": "pt"}}
    notes = []
    impact, explain = _cx_impact({"impacts": [[1, 5.0, 0.5], [2, 1.0, 1.0]]}, metrics, 4.0,
                                 {"factor": 0.8, "reviews": 3}, notes)
    assert impact == pytest.approx(2.0 * 0.5 * 0.8 * (5.0 / 20.0) / 4.0)
    assert [t["metric"] for t in explain["terms"]] == ["nps"]
    assert explain["team_factor"] == 0.8 and explain["team_reviews"] == 3 and "summary" in explain
    assert notes == ["metric flat: target equals baseline, impact not computable (counted 0)"]


def test_cost_adds_the_annual_cost_over_the_horizon():
    value, explain = _cost({"one_time_cost": 1_000, "annual_cost": 250}, 3)
    assert value == 1_750.0
    assert explain == {"one_time": 1_000, "annual": 250, "horizon_years": 3, "total": 1_750}


def test_partner_alignment_counts_an_unassessed_partner_as_zero_and_the_own_share_as_one():
    assessments = {7: {"assessed_on": "2026-01-01", "scores": [5, 5, 5, 5]}}
    notes = []
    value, explain = _partner_alignment({"partners": [[7, 0.25], [8, 0.25]]}, assessments, notes)
    assert value == pytest.approx(0.5 + 0.25 * 1.0 + 0.25 * 0.0)
    assert explain["own_share"] == 0.5
    assert notes == ["partner 8 was never assessed: counted as not aligned (0)"]
