"""Finance: the append-only actuals ledger and the reports, computed with grouped SQL.

Splitting rule (documented): an initiative serving several objectives is split by its
alignment ratings (0-rated objectives take nothing; none rated → the line "(no objective)");
one working with partners is split by the partners' shares, the rest being the company's
own work.  Each measure (requested, approved, actual) is split by the largest-remainder
method: every part gets ⌊amount·w/W⌋ and the cents left over go one each to the parts with
the largest remainders (ties: lower key first, the "(no objective)"/"(own work)" line's key 0
before any other), so the parts add up to the amount exactly.  Partner shares enter as integer
weights in hundred-thousandths.  ``finance_rules.largest_remainder_split`` is the same rule in
Python, the oracle the tests compare this SQL with.

TOTAL rule (documented): every numeric column of ``totals`` is the sum of the lines, except
ratios, which are recomputed from the totals (``utilization_pct`` = total approved / total
budget), and, in split reports, ``initiatives_distinct``: an initiative split over several
lines is counted once in each of them, and once in the total.  Outside split reports that
column is ``count`` and adds up like the rest.  Percentages: ``finance_rules.percent``.
"""
import datetime as dt

from cxgov.db import database, write_transaction
from cxgov.errors import Conflict, Forbidden, NotFound, RuleViolation
from cxgov.models import ActualEntry, Initiative
from cxgov.models.base import utcnow
from cxgov.models.initiatives import BUILDING_BLOCKS, FOCUS_AREAS
from cxgov.services.audit import append_event
from cxgov.services.finance_rules import percent
from cxgov.services.initiatives import get_visible
from cxgov.services.read_rules import actuals_readable
from cxgov.services.records import snapshot

SHARE_SCALE = 100_000
APPROVED_STATES = ("approved", "in_progress", "delivered", "reviewed", "cancelled")
GROUPS = ("round", "fiscal_year", "fiscal_quarter", "team", "department", "focus_area", "building_block",
          "objective", "partner")
SPLIT_GROUPS = ("objective", "partner")


def count_column(group_by):
    """``initiatives_distinct`` when the lines split initiatives (their counts overlap), else ``count``."""
    return "initiatives_distinct" if set(group_by) & set(SPLIT_GROUPS) else "count"


# ------------------------------------------------------------------ ledger
def book_actual(actor, initiative_id, data):
    with write_transaction():
        initiative = Initiative.get_or_none(Initiative.id == initiative_id)
        if initiative is None:
            raise NotFound(f"initiative {initiative_id} does not exist")
        if initiative.approved_amount is None:
            raise RuleViolation(f"initiative {initiative.id} was never approved: no actuals can be booked on it",
                                errors={"initiative": ["never approved"]})
        amount = data["amount"]
        reverses = data.get("reverses")
        if reverses is not None:
            original = ActualEntry.get_or_none(ActualEntry.id == reverses)
            if original is None or original.initiative_id != initiative.id:
                raise RuleViolation(f"entry {reverses} is not an entry of initiative {initiative.id}",
                                    errors={"reverses": ["unknown entry of this initiative"]})
            if original.reverses_id is not None:
                raise RuleViolation(f"entry {reverses} is itself a reversal; book a new entry instead",
                                    errors={"reverses": ["a reversal cannot be reversed"]})
            if amount != -original.amount:
                raise RuleViolation(f"a reversal of entry {reverses} must be {-original.amount}",
                                    errors={"amount": [f"must be {-original.amount}"]})
            if ActualEntry.select().where(ActualEntry.reverses == reverses).exists():
                raise Conflict(f"entry {reverses} is already reversed")
        elif amount <= 0:
            raise RuleViolation("an entry books a positive amount; corrections are reversals",
                                errors={"amount": ["must be positive (or a reversal)"]})
        entry = ActualEntry.create(initiative=initiative.id, created_by=actor.user_id, **data)
        append_event(actor, "actual.booked", "actual_entry", entry.id,
                     {"after": snapshot(entry), "initiative_id": initiative.id})
        return entry


def actuals_of(actor, initiative_id):
    initiative = get_visible(actor, initiative_id)
    if not actuals_readable(actor, initiative.team_id, initiative.status):
        raise Forbidden("team leads read their own team's actuals")
    return ActualEntry.select().where(ActualEntry.initiative == initiative_id).order_by(ActualEntry.id)


# ------------------------------------------------------------------ SQL helpers
def _p():
    return database.obj.param


def _filters(args, alias="i"):
    """WHERE clause over initiative i and round r, with parameters."""
    clauses = [f"{alias}.approved_amount IS NOT NULL"]
    params = []
    for key, column in (("round_id", f"{alias}.round_id"), ("fiscal_year", "r.fiscal_year"),
                        ("fiscal_quarter", "r.fiscal_quarter"), ("team_id", f"{alias}.team_id"),
                        ("status", f"{alias}.status")):
        if args.get(key) is not None:
            clauses.append(f"{column} = {_p()}")
            params.append(args[key])
    return " AND ".join(clauses), params


_MEASURES = ("requested", "approved", "actual")


def _split_sql(kind):
    """A CTE body ``facts(iid, k, requested, approved, actual)`` split by objective or partner
    (``finance_rules.largest_remainder_split`` per initiative and measure)."""
    if kind == "objective":
        weights = ("SELECT o.initiative_id AS iid, o.objective_id AS k, CAST(o.alignment AS BIGINT) AS w FROM initiative_objective o "
                   "JOIN base b ON b.iid = o.initiative_id WHERE o.alignment > 0 "
                   "UNION ALL SELECT b.iid, 0, CAST(1 AS BIGINT) FROM base b WHERE NOT EXISTS (SELECT 1 FROM initiative_objective o "
                   "WHERE o.initiative_id = b.iid AND o.alignment > 0)")
    else:
        scaled = f"CAST(ROUND(p.share * {SHARE_SCALE}) AS BIGINT)"
        weights = (f"SELECT p.initiative_id AS iid, p.partner_id AS k, {scaled} AS w FROM initiative_partner p "
                   f"JOIN base b ON b.iid = p.initiative_id "
                   f"UNION ALL SELECT b.iid, 0, CAST({SHARE_SCALE} - COALESCE((SELECT SUM({scaled}) "
                   f"FROM initiative_partner p WHERE p.initiative_id = b.iid), 0) AS BIGINT) FROM base b")
    measures = []
    total = "CAST(SUM(w.w) OVER (PARTITION BY b.iid) AS BIGINT)"
    for m in _MEASURES:
        # remainder as a - (a / b) * b: portable, and no '%' to escape for psycopg2
        measures.append(f"(b.{m} * w.w) / {total} AS {m}_base, "
                        f"(b.{m} * w.w) - ((b.{m} * w.w) / {total}) * {total} AS {m}_rem, b.{m} AS {m}_total")
    parts = (f"SELECT b.iid, w.k, {', '.join(measures)} FROM base b JOIN weights w ON w.iid = b.iid WHERE w.w > 0")
    ranked_cols = []
    for m in _MEASURES:
        ranked_cols.append(f"{m}_base, {m}_total - CAST(SUM({m}_base) OVER (PARTITION BY iid) AS BIGINT) AS {m}_left, "
                           f"ROW_NUMBER() OVER (PARTITION BY iid ORDER BY {m}_rem DESC, k) AS {m}_rn")
    ranked = f"SELECT iid, k, {', '.join(ranked_cols)} FROM parts"
    final = ", ".join(f"{m}_base + CASE WHEN {m}_rn <= {m}_left THEN 1 ELSE 0 END AS {m}" for m in _MEASURES)
    return (f"weights AS ({weights}), parts AS ({parts}), ranked AS ({ranked}), "
            f"facts AS (SELECT iid, k, {final} FROM ranked)")


_KEY_SQL = {
    "round": (["r.id", "r.name"], ["round_id", "round_name"]),
    "fiscal_year": (["r.fiscal_year"], ["fiscal_year"]),
    "fiscal_quarter": (["r.fiscal_year", "r.fiscal_quarter"], ["fiscal_year", "fiscal_quarter"]),
    "team": (["t.id", "t.name"], ["team_id", "team_name"]),
    "department": (["t.department"], ["department"]),
    "focus_area": (["i.focus_area"], ["focus_area"]),
    "building_block": (["i.building_block"], ["building_block"]),
    "objective": (["f.k", "COALESCE(ob.title, '(no objective)')"], ["objective_id", "objective_title"]),
    "partner": (["f.k", "COALESCE(pa.name, '(own work)')"], ["partner_id", "partner_name"]),
}


def approved_spend(actor, group_by, args):
    """Lines grouped by one or two keys, their totals, computed in the database."""
    args = dict(args)
    if actor.role == "team_lead":
        if args.get("team_id") not in (None, actor.team_id):
            raise Forbidden("team leads read their own team's lines")
        args["team_id"] = actor.team_id
    if not 1 <= len(group_by) <= 2 or len(set(group_by)) != len(group_by):
        raise RuleViolation("group_by takes one or two different keys", errors={"group_by": ["one or two keys"]})
    splits = [g for g in group_by if g in SPLIT_GROUPS]
    if len(splits) > 1:
        raise RuleViolation("objective and partner splits cannot be combined", errors={"group_by": ["one split"]})
    where, params = _filters(args)
    base = ("base AS (SELECT i.id AS iid, i.requested_amount AS requested, i.approved_amount AS approved, "
            "COALESCE(a.actual, 0) AS actual FROM initiative i JOIN round r ON r.id = i.round_id "
            "LEFT JOIN (SELECT initiative_id, CAST(SUM(amount) AS BIGINT) AS actual FROM actual_entry "
            "GROUP BY initiative_id) a "
            f"ON a.initiative_id = i.id WHERE {where})")
    if splits:
        ctes = f"WITH {base}, {_split_sql(splits[0])}"
    else:
        ctes = f"WITH {base}, facts AS (SELECT iid, 0 AS k, requested, approved, actual FROM base)"
    select_cols, names = [], []
    for g in group_by:
        cols, labels = _KEY_SQL[g]
        select_cols += cols
        names += labels
    joins = ("JOIN initiative i ON i.id = f.iid JOIN round r ON r.id = i.round_id JOIN team t ON t.id = i.team_id "
             "LEFT JOIN objective ob ON ob.id = f.k LEFT JOIN partner pa ON pa.id = f.k")
    if "objective" not in group_by:
        joins = joins.replace(" LEFT JOIN objective ob ON ob.id = f.k", "")
    if "partner" not in group_by:
        joins = joins.replace(" LEFT JOIN partner pa ON pa.id = f.k", "")
    group_cols = ", ".join(select_cols)
    sql = (f"{ctes} SELECT {group_cols}, COUNT(DISTINCT f.iid), SUM(f.requested), SUM(f.approved), SUM(f.actual) "
           f"FROM facts f {joins} GROUP BY {group_cols} ORDER BY {group_cols}")
    counted = count_column(group_by)
    lines = []
    for row in database.execute_sql(sql, params).fetchall():
        keys = dict(zip(names, row[:len(names)]))
        count, requested, approved, actual = row[len(names):]
        lines.append({"keys": keys, counted: int(count), "requested": int(requested or 0),
                      "approved": int(approved or 0), "actual": int(actual or 0)})
    totals_sql = (f"WITH {base} SELECT COUNT(*), COALESCE(SUM(requested), 0), COALESCE(SUM(approved), 0), "
                  f"COALESCE(SUM(actual), 0) FROM base")
    count, requested, approved, actual = database.execute_sql(totals_sql, params).fetchone()
    return {"group_by": list(group_by), "key_columns": names, "filters": {k: v for k, v in args.items() if v is not None},
            "lines": lines,
            "totals": {counted: int(count), "requested": int(requested), "approved": int(approved), "actual": int(actual)}}


def budget_report(args):
    where, params = ["1 = 1"], []
    for key, column in (("round_id", "r.id"), ("fiscal_year", "r.fiscal_year"), ("fiscal_quarter", "r.fiscal_quarter")):
        if args.get(key) is not None:
            where.append(f"{column} = {_p()}")
            params.append(args[key])
    sql = ("WITH spent AS (SELECT initiative_id, CAST(SUM(amount) AS BIGINT) AS actual FROM actual_entry "
           "GROUP BY initiative_id), "
           "per AS (SELECT i.round_id, i.approved_amount AS approved, COALESCE(s.actual, 0) AS actual "
           "FROM initiative i LEFT JOIN spent s ON s.initiative_id = i.id WHERE i.approved_amount IS NOT NULL) "
           "SELECT r.id, r.name, r.fiscal_year, r.fiscal_quarter, r.status, r.budget, r.committed, "
           "COALESCE(SUM(per.approved), 0), COALESCE(SUM(per.actual), 0), "
           "COALESCE(SUM(CASE WHEN per.approved > per.actual THEN per.approved - per.actual ELSE 0 END), 0), "
           "COALESCE(SUM(CASE WHEN per.actual > per.approved THEN 1 ELSE 0 END), 0) "
           f"FROM round r LEFT JOIN per ON per.round_id = r.id WHERE {' AND '.join(where)} "
           "GROUP BY r.id, r.name, r.fiscal_year, r.fiscal_quarter, r.status, r.budget, r.committed ORDER BY r.id")
    lines = []
    for row in database.execute_sql(sql, params).fetchall():
        rid, name, fy, fq, status, budget, committed, approved, actual, unspent, over = row
        budget, committed, approved, actual, unspent = (int(x) for x in (budget, committed, approved, actual, unspent))
        lines.append({"round_id": rid, "round_name": name, "fiscal_year": fy, "fiscal_quarter": fq, "status": status,
                      "budget": budget, "approved": committed, "remaining": budget - committed, "actual": actual,
                      "approved_not_spent": unspent,
                      "utilization_pct": percent(committed, budget), "spent_pct_of_approved": percent(actual, committed),
                      "initiatives_over_approved": int(over)})
    totals = {k: sum(line[k] for line in lines) for k in ("budget", "approved", "remaining", "actual",
                                                          "approved_not_spent", "initiatives_over_approved")}
    totals["utilization_pct"] = percent(totals["approved"], totals["budget"])
    totals["spent_pct_of_approved"] = percent(totals["actual"], totals["approved"])
    return {"filters": {k: v for k, v in args.items() if v is not None}, "lines": lines, "totals": totals}


def coverage(args):
    where, params = ["i.status NOT IN ('draft', 'cancelled')"], []
    for key, column in (("round_id", "i.round_id"), ("fiscal_year", "r.fiscal_year")):
        if args.get(key) is not None:
            where.append(f"{column} = {_p()}")
            params.append(args[key])
    sql = ("SELECT i.focus_area, i.building_block, COUNT(*), COALESCE(SUM(i.approved_amount), 0), "
           "SUM(CASE WHEN i.approved_amount IS NOT NULL THEN 1 ELSE 0 END) "
           f"FROM initiative i LEFT JOIN round r ON r.id = i.round_id WHERE {' AND '.join(where)} "
           "GROUP BY i.focus_area, i.building_block")
    found = {(fa, bb): (int(n), int(amount), int(approved)) for fa, bb, n, amount, approved
             in database.execute_sql(sql, params).fetchall()}
    cells = []
    for fa in FOCUS_AREAS:
        for bb in BUILDING_BLOCKS:
            n, amount, approved = found.get((fa, bb), (0, 0, 0))
            cells.append({"focus_area": fa, "building_block": bb, "initiatives": n, "approved_initiatives": approved,
                          "approved_amount": amount, "empty": n == 0})
    return {"filters": {k: v for k, v in args.items() if v is not None}, "cells": cells,
            "empty_cells": [f"{c['focus_area']} × {c['building_block']}" for c in cells if c["empty"]],
            "totals": {"initiatives": sum(c["initiatives"] for c in cells),
                       "approved_initiatives": sum(c["approved_initiatives"] for c in cells),
                       "approved_amount": sum(c["approved_amount"] for c in cells)}}


def overrides(args):
    from cxgov.models import Decision, User

    query = (Decision.select(Decision, User).join(User, on=(Decision.decided_by == User.id))
             .where((Decision.override == True) | Decision.departure.is_null(False)).order_by(Decision.id))  # noqa: E712
    if args.get("round_id") is not None:
        query = query.where(Decision.round == args["round_id"])
    lines = [{"decision_id": d.id, "round_id": d.round_id, "initiative_id": d.initiative_id,
              "outcome": d.outcome, "approved_amount": d.approved_amount,
              "kinds": d.override_kinds + ([d.departure["kind"]] if d.departure else []), "departure": d.departure,
              "override_rationale": d.override_rationale, "rationale": d.rationale,
              "decided_by": d.decided_by.email, "decided_at": d.decided_at.isoformat()} for d in query]
    return {"filters": {k: v for k, v in args.items() if v is not None}, "lines": lines,
            "totals": {"count": len(lines), "approved_amount": sum(line["approved_amount"] or 0 for line in lines)}}


def today():
    return dt.datetime.now(dt.timezone.utc).date()


__all__ = ["GROUPS", "utcnow"]
