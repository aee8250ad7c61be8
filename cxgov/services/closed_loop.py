"""Benefits realization: delivery reviews, CX maturity, the benefits report."""
import datetime as dt
import statistics
from decimal import Decimal

from cxgov.db import write_transaction
from cxgov.errors import Conflict, InvalidTransition, NotFound, RuleViolation
from cxgov.models import (
    Initiative, InitiativeImpact, MaturityAssessment, Measurement, Metric, Review, ReviewMetric, Team,
)
from cxgov.models.base import UTC, utcnow
from cxgov.models.closed_loop import MATURITY_ELEMENTS
from cxgov.services import calibration
from cxgov.services.audit import append_event
from cxgov.services.finance_rules import cost_per_point, exact_decimal, share
from cxgov.services.initiatives import _require_own_team, get_visible
from cxgov.services.lifecycle import MOVES
from cxgov.services.records import snapshot


def _window_mean(metric_id, window):
    start, end = window
    values = [m.value for m in Measurement.select(Measurement.value).where(
        (Measurement.metric == metric_id) & (Measurement.measured_at >= start) & (Measurement.measured_at < end))]
    return (statistics.fmean(values), len(values)) if values else (None, 0)


def record_review(actor, initiative_id, data):
    """Realized change per expected metric (entered, or measured in before/after windows)."""
    with write_transaction():
        initiative = get_visible(actor, initiative_id)
        _require_own_team(actor, initiative.team_id)
        if initiative.status != "delivered":
            raise InvalidTransition(f"initiative {initiative.id} is {initiative.status}; only delivered work is "
                                    "reviewed", current=initiative.status, allowed=list(MOVES[initiative.status]))
        if Review.select().where(Review.initiative == initiative.id).exists():
            raise Conflict(f"initiative {initiative.id} is already reviewed")
        expected = {i.metric_id: i for i in InitiativeImpact.select().where(InitiativeImpact.initiative == initiative.id)}
        entered = {r["metric_id"]: r["realized_change"] for r in data.get("realized", [])}
        errs = {}
        if unknown := sorted(set(entered) - set(expected)):
            errs["realized"] = [f"metrics {unknown} were not claimed by this initiative"]
        window = data.get("window")
        rows = []
        for metric_id, claim in sorted(expected.items()):
            if metric_id in entered:
                rows.append((claim, entered[metric_id], "entered", None))
            elif window:
                before, n_before = _window_mean(metric_id, (window["before_start"], window["before_end"]))
                after, n_after = _window_mean(metric_id, (window["after_start"], window["after_end"]))
                if before is None or after is None:
                    errs.setdefault("window", []).append(
                        f"metric {metric_id}: no measurements in the {'before' if before is None else 'after'} window")
                    continue
                rows.append((claim, after - before, "measured",
                             {"before_mean": before, "before_count": n_before, "after_mean": after,
                              "after_count": n_after, **{k: v.isoformat() for k, v in window.items()}}))
            else:
                errs.setdefault("realized", []).append(f"metric {metric_id}: give its realized change or a window")
        if errs:
            raise RuleViolation("the review does not cover the claimed metrics", errors=errs)
        review = Review.create(initiative=initiative.id, lessons_learned=data["lessons_learned"],
                               created_by=actor.user_id)
        for claim, realized, source, detail in rows:
            ReviewMetric.create(review=review.id, metric=claim.metric_id, expected_change=claim.expected_change,
                                confidence=claim.confidence, realized_change=realized, source=source, window=detail)
        moved = Initiative.update(status="reviewed", version=Initiative.version + 1, updated_at=utcnow()).where(
            (Initiative.id == initiative.id) & (Initiative.status == "delivered")).execute()
        if moved != 1:  # another request reviewed or moved it since it was read
            raise Conflict(f"initiative {initiative.id} is no longer delivered; GET it again")
        snap = calibration.recompute(initiative.team_id, review.id)
        append_event(actor, "review.recorded", "initiative", initiative.id, {
            "review": snapshot(review), "metrics": [snapshot(m) for m in review.metrics],
            "status": ["delivered", "reviewed"],
            "team_calibration": {"team_id": initiative.team_id, "factor": snap.factor, "reviews": snap.reviews}})
        return review


def review_view(actor, initiative_id):
    initiative = get_visible(actor, initiative_id)
    review = Review.get_or_none(Review.initiative == initiative.id)
    if review is None:
        raise NotFound(f"initiative {initiative.id} has not been reviewed")
    return review


def calibration_view(team_id):
    team = Team.get_or_none(Team.id == team_id)
    if team is None:
        raise NotFound(f"team {team_id} does not exist")
    snap = calibration.current(team.id)
    claims = calibration.team_claims(team.id)
    history = list(team.calibrations.order_by(calibration.CalibrationSnapshot.id))
    return {
        "team_id": team.id,
        "factor": snap.factor if snap else 1.0,
        "reviews": snap.reviews if snap else 0,
        "observed_ratio": snap.observed_ratio if snap else None,
        "credibility": snap.credibility if snap else 0.0,
        "prior_strength": calibration.PRIOR_STRENGTH,
        "bounds": list(calibration.BOUNDS),
        "rule": "k = clip(Z·R + (1 − Z), 0.25, 1.5), Z = n/(n + K), R = Σ w·(realized/expected) / Σ w, "
                "w = metric weight × |expected / (target − baseline)|",
        "evidence": [{"initiative_id": i, "weight": w, "ratio": r} for i, w, r in claims],
        "history": [{"factor": h.factor, "observed_ratio": h.observed_ratio, "reviews": h.reviews,
                     "credibility": h.credibility, "review_id": h.review_id, "computed_at": h.computed_at.isoformat()}
                    for h in history],
    }


# ------------------------------------------------------------------ maturity
def record_maturity(actor, data):
    levels = data["levels"]
    if missing := [e for e in MATURITY_ELEMENTS if e not in levels]:
        raise RuleViolation(f"assess every element; missing {missing}", errors={"levels": [f"missing {missing}"]})
    with write_transaction():
        record = MaturityAssessment.create(assessed_on=data["assessed_on"], levels=levels, note=data.get("note", ""),
                                           created_by=actor.user_id)
        append_event(actor, "maturity.assessed", "maturity_assessment", record.id, {"after": snapshot(record)})
        return record


def maturity_view():
    history = list(MaturityAssessment.select().order_by(MaturityAssessment.assessed_on, MaturityAssessment.id))
    latest = history[-1] if history else None
    current = {e: (latest.levels[e] if latest else None) for e in MATURITY_ELEMENTS}
    overall = round(sum(current.values()) / len(current), 2) if latest else None
    return {"elements": list(MATURITY_ELEMENTS), "current": current, "overall": overall,
            "foundational_recommended": overall is not None and overall < 3,
            "history": [{"id": h.id, "assessed_on": h.assessed_on.isoformat(), "levels": h.levels, "note": h.note}
                        for h in history]}


# ------------------------------------------------------------------ benefits report
def benefits(args):
    """Expected vs realized change per round, team and metric, with per-metric totals.

    Changes are summed exactly as decimals (``finance_rules.exact_decimal``) and returned as
    ``Decimal``; cost per realized point is approved amount / improvement, rounded half to even
    to the minor unit.  ``totals["metrics"]`` sums each metric over the lines; its cost and share
    are recomputed from those sums, not added up.
    """
    initiatives = _delivered_initiatives(args)
    ids = [i.id for i in initiatives]
    metrics = {m.id: m for m in Metric.select()}
    expected, realized = _claimed_and_realized(ids)
    lines = _benefit_lines(initiatives, metrics, expected, realized)
    totals = _metric_totals(lines, {m.key: m for m in metrics.values()})
    overdue = _overdue_for_review(initiatives, args.get("review_overdue_days", 90))
    return {"filters": {k: v for k, v in args.items() if v is not None}, "lines": lines,
            "overdue_for_review": overdue,
            "totals": {"initiatives": len(initiatives), "reviewed": sum(1 for i in initiatives if i.id in realized),
                       "approved": sum(i.approved_amount or 0 for i in initiatives),
                       "metrics": dict(sorted(totals.items()))}}


def _delivered_initiatives(args):
    """Delivered and reviewed initiatives, filtered by round and team, in id order."""
    query = Initiative.select().where(Initiative.status.in_(["delivered", "reviewed"]))
    if args.get("round_id"):
        query = query.where(Initiative.round == args["round_id"])
    if args.get("team_id"):
        query = query.where(Initiative.team == args["team_id"])
    return list(query.order_by(Initiative.id))


def _claimed_and_realized(ids):
    """``{initiative: {metric: change}}`` as claimed on the initiative and as realized in its review."""
    expected = {}
    for imp in InitiativeImpact.select().where(InitiativeImpact.initiative.in_(ids or [0])):
        expected.setdefault(imp.initiative_id, {})[imp.metric_id] = imp.expected_change
    realized = {}
    for row in ReviewMetric.select(ReviewMetric, Review).join(Review).where(Review.initiative.in_(ids or [0])):
        realized.setdefault(row.review.initiative_id, {})[row.metric_id] = row.realized_change
    return expected, realized


def _benefit_lines(initiatives, metrics, expected, realized):
    """One line per (round, team): counts, approved money and per-metric sums of reviewed claims."""
    groups = {}
    for i in initiatives:
        g = groups.setdefault((i.round_id, i.team_id), {"round_id": i.round_id, "team_id": i.team_id, "initiatives": 0,
                                                         "reviewed": 0, "approved": 0, "metrics": {}})
        g["initiatives"] += 1
        g["approved"] += i.approved_amount or 0
        if i.id in realized:
            g["reviewed"] += 1
        for metric_id, change in expected.get(i.id, {}).items():
            m = g["metrics"].setdefault(metrics[metric_id].key, _metric_sums(metrics[metric_id]))
            if i.id in realized:  # compare like with like: only reviewed claims
                m["expected"] += exact_decimal(change)
                m["realized"] += exact_decimal(realized[i.id].get(metric_id, 0.0))
                m["approved_reviewed"] += i.approved_amount or 0
    return list(groups.values())


def _metric_totals(lines, by_key):
    """Sum each metric over the lines; set the ratios on every line's metric and on the totals."""
    totals = {}
    for line in lines:
        for key, m in line["metrics"].items():
            total = totals.setdefault(key, _metric_sums(by_key[key]))
            for measure in ("expected", "realized", "approved_reviewed"):
                total[measure] += m[measure]
            _metric_ratios(m, by_key[key])
    for key, total in totals.items():
        _metric_ratios(total, by_key[key])
    return totals


def _overdue_for_review(initiatives, overdue_days):
    """Delivered initiatives not reviewed within ``overdue_days`` of delivery."""
    cutoff = dt.datetime.now(UTC) - dt.timedelta(days=overdue_days)
    return [{"initiative_id": i.id, "title": i.title, "team_id": i.team_id, "delivered_at": i.delivered_at.isoformat(),
             "days_since_delivery": (dt.datetime.now(UTC) - i.delivered_at).days}
            for i in initiatives if i.status == "delivered" and i.delivered_at is not None and i.delivered_at < cutoff]


def _metric_sums(metric):
    return {"expected": Decimal(0), "realized": Decimal(0), "approved_reviewed": 0, "unit": metric.unit}


def _metric_ratios(sums, metric):
    """Cost per realized point (a change toward the target counts as improvement) and realized / expected."""
    gap_sign = 1 if metric.target >= metric.baseline else -1
    sums["cost_per_realized_point"] = cost_per_point(sums["approved_reviewed"], sums["realized"] * gap_sign)
    sums["realized_share_of_expected"] = share(sums["realized"], sums["expected"])
