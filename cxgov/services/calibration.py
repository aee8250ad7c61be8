"""Team calibration: how much of its claimed impact a team really delivers.

For each reviewed initiative i of team t and each metric m it claimed to move (expected
change e ≠ 0), with gap g = target − baseline and metric weight V:

* weight   w = V · |e / g|                (the claim's size in the engine's units)
* ratio    r = realized change / e        (1 = delivered exactly what it claimed)
* observed R = Σ w·r / Σ w                over all the team's reviewed claims
* credibility Z = n / (n + K)             n reviewed initiatives, K = PRIOR_STRENGTH
* factor   k = clip(Z·R + (1 − Z)·1, 0.25, 1.5)

This is Bühlmann's credibility rule: with no reviews k = 1; one review moves k only a
quarter of the way (K = 3) toward what it showed; many consistent reviews bring k close to
the observed ratio.  cx_impact multiplies each claim by its team's k.
"""
from cxgov.models import CalibrationSnapshot, Metric, Review, ReviewMetric, Initiative

PRIOR_STRENGTH = 3.0
BOUNDS = (0.25, 1.5)


def calibration_factor(claims, prior_strength=PRIOR_STRENGTH, bounds=BOUNDS):
    """k from ``claims``: an iterable of (initiative_id, weight, ratio).  Returns (k, R, n, Z)."""
    claims = [(i, w, r) for i, w, r in claims if w > 0]
    n = len({i for i, _, _ in claims})
    if n == 0:
        return 1.0, None, 0, 0.0
    total = sum(w for _, w, _ in claims)
    observed = sum(w * r for _, w, r in claims) / total
    credibility = n / (n + prior_strength)
    factor = credibility * observed + (1 - credibility) * 1.0
    return min(bounds[1], max(bounds[0], factor)), observed, n, credibility


def team_claims(team_id):
    """(initiative_id, weight, ratio) of every reviewed claim of the team."""
    metrics = {m.id: m for m in Metric.select()}
    rows = (ReviewMetric.select(ReviewMetric, Review, Initiative).join(Review).join(Initiative)
            .where(Initiative.team == team_id).order_by(ReviewMetric.id))
    claims = []
    for row in rows:
        metric = metrics[row.metric_id]
        gap = metric.target - metric.baseline
        if row.expected_change == 0 or gap == 0:
            continue
        weight = metric.weight * abs(row.expected_change / gap)
        claims.append((row.review.initiative_id, weight, row.realized_change / row.expected_change))
    return claims


def recompute(team_id, review_id=None):
    factor, observed, n, credibility = calibration_factor(team_claims(team_id))
    return CalibrationSnapshot.create(team=team_id, factor=factor, observed_ratio=observed, reviews=n,
                                      credibility=credibility, review=review_id)


def current(team_id):
    return (CalibrationSnapshot.select().where(CalibrationSnapshot.team == team_id)
            .order_by(CalibrationSnapshot.id.desc()).first())


def factors_for_teams(team_ids):
    """{team_id: {"factor", "reviews"}} for teams with reviewed work (others count 1)."""
    out = {}
    for team_id in sorted(team_ids):
        snap = current(team_id)
        if snap is not None and snap.reviews > 0:
            out[team_id] = {"factor": snap.factor, "reviews": snap.reviews}
    return out
