"""The calibration rule with hand-computed values."""
import pytest

from cxgov.services.calibration import BOUNDS, PRIOR_STRENGTH, calibration_factor


def test_no_reviews_gives_one():
    assert calibration_factor([]) == (1.0, None, 0, 0.0)


def test_one_review_stays_close_to_one():
    # R = 0.5, n = 1, Z = 1/(1+3) = 0.25 → k = 0.25·0.5 + 0.75 = 0.875
    k, observed, n, z = calibration_factor([(1, 2.0, 0.5)])
    assert (observed, n, z) == (0.5, 1, 0.25) and k == pytest.approx(0.875)


def test_many_consistent_reviews_approach_the_observed_ratio():
    claims = [(i, 1.0, 0.5) for i in range(60)]
    k, observed, n, z = calibration_factor(claims)
    assert n == 60 and z == pytest.approx(60 / 63) and k == pytest.approx(60 / 63 * 0.5 + 3 / 63)
    assert abs(k - 0.5) < 0.03


def test_weighted_by_expected_impact():
    # two claims of one initiative: weights 3 and 1, ratios 1.0 and 0.0 → R = 0.75; n = 1
    k, observed, n, z = calibration_factor([(7, 3.0, 1.0), (7, 1.0, 0.0)])
    assert observed == pytest.approx(0.75) and n == 1 and k == pytest.approx(0.25 * 0.75 + 0.75)


@pytest.mark.parametrize("ratio,expected", [(-5.0, BOUNDS[0]), (10.0, BOUNDS[1])])
def test_bounds_hold(ratio, expected):
    k, *_ = calibration_factor([(i, 1.0, ratio) for i in range(100)])
    assert k == expected


def test_prior_strength_is_documented_three():
    assert PRIOR_STRENGTH == 3.0 and BOUNDS == (0.25, 1.5)
