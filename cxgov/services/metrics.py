"""The CX metric catalog, its measurements, and the strategic objectives tied to it."""
import bisect
import datetime as dt
import hashlib

import rfc8785

from cxgov.db import write_transaction
from cxgov.errors import RuleViolation
from cxgov.models import Measurement, Metric, Objective
from cxgov.services.audit import append_event
from cxgov.services.records import create_recorded, delete_recorded, get_or_404, update_recorded


def _check_metric(values):
    baseline, target = values.get("baseline"), values.get("target")
    if baseline is not None and target is not None and baseline == target:
        raise RuleViolation("a metric's target must differ from its baseline (impact is measured "
                            "as a share of the gap between them)", errors={"target": ["must differ from baseline"]})
    lo, hi = values.get("range_min"), values.get("range_max")
    if lo is not None and hi is not None and lo >= hi:
        raise RuleViolation("range_min must be below range_max", errors={"range_min": ["must be below range_max"]})
    for name in ("baseline", "target"):
        v = values.get(name)
        if v is not None and ((lo is not None and v < lo) or (hi is not None and v > hi)):
            raise RuleViolation(f"{name} {v} is outside the metric's range [{lo}, {hi}]",
                                errors={name: ["outside range_min … range_max"]})
    direction = values.get("direction")
    if direction and baseline is not None and target is not None:
        better = target > baseline if direction == "higher_is_better" else target < baseline
        if not better:
            raise RuleViolation(f"a {direction} metric's target must be better than its baseline",
                                errors={"target": [f"must be on the better side of the baseline ({direction})"]})


def list_metrics(q=None):
    query = Metric.select()
    if q:
        query = query.where(Metric.name.contains(q) | Metric.key.contains(q))
    return query


def create_metric(actor, **values):
    _check_metric(values)
    with write_transaction():
        return create_recorded(actor, Metric, "metric", **values)


def update_metric(actor, metric_id, changes, precondition):
    with write_transaction():
        metric = get_or_404(Metric, metric_id, "metric")
        precondition(metric)
        merged = {k: getattr(metric, k) for k in ("baseline", "target", "range_min", "range_max", "direction")}
        merged.update(changes)
        _check_metric(merged)
        return update_recorded(actor, metric, "metric", changes)


def delete_metric(actor, metric_id, precondition):
    with write_transaction():
        metric = get_or_404(Metric, metric_id, "metric")
        precondition(metric)
        delete_recorded(actor, metric, "metric")


def list_measurements(metric_id, since=None, until=None, segment=None, channel=None):
    get_or_404(Metric, metric_id, "metric")
    query = Measurement.select().where(Measurement.metric == metric_id)
    if since:
        query = query.where(Measurement.measured_at >= since)
    if until:
        query = query.where(Measurement.measured_at < until)
    if segment:
        query = query.where(Measurement.segment == segment)
    if channel:
        query = query.where(Measurement.channel == channel)
    return query.order_by(Measurement.measured_at, Measurement.id)


def id_ranges(ids):
    """Sorted ids as [[first, last], ...] runs (one run when nothing interleaved)."""
    ranges = []
    for i in sorted(ids):
        if ranges and i == ranges[-1][1] + 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    return ranges


def batch_rows(metric_id, ranges):
    """The stored measurements of a batch, by the id runs its event recorded, in id order.

    One range scan from the first id to the last, kept to the runs in Python: a batch that
    interleaved with another writer can have thousands of runs, and an OR of that many
    BETWEENs would nest too deep to build."""
    ranges = sorted((int(first), int(last)) for first, last in ranges)
    if not ranges:
        return []
    starts = [first for first, _ in ranges]

    def recorded(row_id):
        k = bisect.bisect_right(starts, row_id) - 1
        return k >= 0 and row_id <= ranges[k][1]

    scan = Measurement.select().where((Measurement.metric == metric_id)
                                      & Measurement.id.between(ranges[0][0], max(last for _, last in ranges)))
    return [m for m in scan.order_by(Measurement.id) if recorded(m.id)]


def measurements_digest(rows):
    """SHA-256 of the canonical JSON (RFC 8785) of measurement rows: id, time (UTC), value,
    segment, channel.  Recompute it from ``batch_rows`` to check a batch against its event."""
    return hashlib.sha256(rfc8785.dumps([
        {"id": m.id, "measured_at": m.measured_at.astimezone(dt.timezone.utc).isoformat(), "value": m.value,
         "segment": m.segment, "channel": m.channel} for m in rows])).hexdigest()


def _bound(limit):
    return "no limit" if limit is None else f"{limit:g}"


def record_measurements(actor, metric_id, rows, labels=None, refused=None):
    """Insert all rows or none; values outside the metric's range are refused, each named by its
    label (``labels[i]`` for ``rows[i]``: a CSV's line; by default the 0-based index, as a JSON
    array's errors are).  ``refused``: label -> messages of rows the caller could not even read
    (a CSV's unparseable lines), reported together with the out-of-range ones."""
    with write_transaction():
        metric = get_or_404(Metric, metric_id, "metric")
        bad = dict(refused or {})
        for index, row in enumerate(rows):
            value = row["value"]
            if (metric.range_min is not None and value < metric.range_min) or \
                    (metric.range_max is not None and value > metric.range_max):
                label = str(index) if labels is None else labels[index]
                bad[label] = [f"value {value} is outside the range of metric {metric.key}, "
                              f"{_bound(metric.range_min)} to {_bound(metric.range_max)}"]
        if bad:
            raise RuleViolation(f"{len(bad)} measurement(s) unreadable or outside the range of metric {metric.key}; "
                                "nothing stored", errors=bad)
        if not rows:
            raise RuleViolation("no measurements to store", errors={"rows": ["at least one"]})
        ids = []
        for start in range(0, len(rows), 500):
            ids += [i for (i,) in Measurement.insert_many([{**row, "metric": metric_id} for row in rows[start:start + 500]])
                    .returning(Measurement.id).tuples().execute()]
        ranges = id_ranges(ids)
        append_event(actor, "measurements.recorded", "metric", metric_id, {
            "count": len(rows),
            "first": min(r["measured_at"] for r in rows).isoformat() if rows else None,
            "last": max(r["measured_at"] for r in rows).isoformat() if rows else None,
            # which rows, and what they held as stored: the log commits to the values, not just their number
            "ids": ranges,
            "rows_sha256": measurements_digest(batch_rows(metric_id, ranges)),
        })
        return len(rows)


def list_objectives(metric_id=None, q=None):
    query = Objective.select()
    if metric_id:
        query = query.where(Objective.metric == metric_id)
    if q:
        query = query.where(Objective.title.contains(q))
    return query


def _check_objective(values):
    if values.get("baseline") == values.get("target"):
        raise RuleViolation("an objective's target must differ from its baseline (a goal with no measurable "
                            "change is refused)", errors={"target": ["must differ from baseline"]})


def create_objective(actor, **values):
    _check_objective(values)
    with write_transaction():
        metric = Metric.get_or_none(Metric.id == values["metric_id"])
        if metric is None:
            raise RuleViolation(f"metric {values['metric_id']} does not exist", errors={"metric_id": ["unknown metric"]})
        values["metric"] = values.pop("metric_id")
        return create_recorded(actor, Objective, "objective", **values)


def update_objective(actor, objective_id, changes, precondition):
    with write_transaction():
        objective = get_or_404(Objective, objective_id, "objective")
        precondition(objective)
        merged = {"baseline": objective.baseline, "target": objective.target, **changes}
        _check_objective(merged)
        if "metric_id" in changes:
            if Metric.get_or_none(Metric.id == changes["metric_id"]) is None:
                raise RuleViolation(f"metric {changes['metric_id']} does not exist",
                                    errors={"metric_id": ["unknown metric"]})
            changes["metric"] = changes.pop("metric_id")
        return update_recorded(actor, objective, "objective", changes)


def delete_objective(actor, objective_id, precondition):
    with write_transaction():
        objective = get_or_404(Objective, objective_id, "objective")
        precondition(objective)
        delete_recorded(actor, objective, "objective")


PERIODS = ("day", "week", "month", "quarter")


def _period_start(moment, period):
    day = moment.date()
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def aggregate_measurements(metric_id, period, **filters):
    """Mean, count, min and max per day/week (Monday)/month/quarter, in time order."""
    buckets = {}
    for m in list_measurements(metric_id, **filters).iterator():
        start = _period_start(m.measured_at, period)
        bucket = buckets.setdefault(start, [0, 0.0, m.value, m.value])
        bucket[0] += 1
        bucket[1] += m.value
        bucket[2] = min(bucket[2], m.value)
        bucket[3] = max(bucket[3], m.value)
    return [{"period_start": start, "count": n, "mean": total / n, "min": lo, "max": hi}
            for start, (n, total, lo, hi) in sorted(buckets.items())]
