#!/usr/bin/env python
"""Benchmark: the approved-spend report (issue 6, "Proof").  A script, not a test.

For each database (an SQLite file in a temporary directory, and a freshly created
PostgreSQL database ``cxgov_bench_fin``), in one process run:

1. migrate (``cxgov.schema_version.upgrade``), seed the default scoring model, create the
   reference records through the services (30 teams in 6 departments, 50 people, 6 metrics,
   8 objectives, 40 partners, 4 rounds, a finance user and its token);
2. bulk-load 100,000 approved initiatives (statuses approved / in progress / delivered /
   reviewed / cancelled; skewed over the 30 teams and the 16 focus-area × building-block
   cells; spread over the 4 rounds), their objective alignments (0–3 each, some rated 0) and
   partner shares (0–2 each), and 300,000 actual entries (about 1 % of them reversals of an
   earlier entry) — ``insert_many`` in batches inside one transaction on SQLite, ``COPY`` on
   PostgreSQL — then ``ANALYZE`` (``VACUUM ANALYZE`` on PostgreSQL, the steady state
   autovacuum would reach anyway);
3. median latency (after one warm-up) of ``GET /api/v1/reports/approved-spend?group_by=…``
   through Flask's test client with the finance token, for team and focus_area (the targets)
   and objective and partner (the split paths), next to the bare SQL: the exact statements
   (SQL text and parameters) the service ran for that request, captured from peewee's query
   logger, executed again on a plain DB-API connection (``sqlite3`` / ``psycopg2``) and
   fetched, with no Flask, no peewee and no serialisation around them.

Target (issue 6): the endpoint within 2x of its bare query, and under 1 s.

Run: ``.venv/bin/python bench/bench_finance_reports.py`` (a few minutes on 2 cores).
Options: ``--databases sqlite,postgres``, ``--initiatives 100000``, ``--actuals 300000``,
``--reps 5``, ``--json out.json``, ``--explain`` (print the query plans).  The PostgreSQL
bench database is dropped at the end.
"""
import argparse
import csv
import datetime as dt
import io
import json
import logging
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from _common import BLOCKS, CHANNELS, FOCUS, PG_SERVER, STAGES, machine, metrics_and_objectives, pg_admin  # noqa: E402,E501
PG_NAME = "cxgov_bench_fin"
PG_URL = f"{PG_SERVER}/{PG_NAME}"
ENDPOINT = "/api/v1/reports/approved-spend?group_by={}"
TARGET_GROUPS = ("team", "focus_area")
SPLIT_GROUPS = ("objective", "partner")

STATUSES = (("approved", 25), ("in_progress", 40), ("delivered", 20), ("reviewed", 12), ("cancelled", 3))
ROUNDS = (("FY2026 Q3", 2026, 3), ("FY2026 Q4", 2026, 4), ("FY2027 Q1", 2027, 1), ("FY2027 Q2", 2027, 2))


# --------------------------------------------------------------------------- helpers
def median_of(call, reps):
    call()  # warm-up, not counted
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


class QueryCapture(logging.Handler):
    """Collects the (sql, params) peewee logs for every statement it executes."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            self.statements.append(record.msg)


def capture_statements(call):
    logger = logging.getLogger("peewee")
    handler, level = QueryCapture(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        call()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return handler.statements


# --------------------------------------------------------------------------- data
def reference_data(rng):
    from cxgov.services import auth, partners, rounds, teams
    from cxgov.services.actor import SYSTEM

    team_ids = [teams.create_team(SYSTEM, name=f"Team {t:02d}", department=f"Dept {t % 6}", lead_name=f"Lead {t}",
                                  customer_facing=t % 3 == 0).id for t in range(30)]
    user_ids = [auth.create_user(SYSTEM, f"person{u}@example.com", f"Person {u}", "viewer").id for u in range(50)]
    metric_ids, objective_ids = metrics_and_objectives(rng)
    partner_ids = [partners.create_partner(SYSTEM, name=f"Partner {p:02d}",
                                           kind=rng.choice(["supplier", "vendor", "provider"]), description="").id
                   for p in range(40)]
    round_ids = [rounds.create_round(SYSTEM, name=name, fiscal_year=fy, fiscal_quarter=fq, budget=10**15).id
                 for name, fy, fq in ROUNDS]
    finance = auth.create_user(SYSTEM, "finance@example.com", "Finance", "finance")
    token = auth.issue_token(SYSTEM, finance.id, "bench", 30)[1]
    return {"teams": team_ids, "users": user_ids, "objectives": objective_ids, "partners": partner_ids,
            "rounds": round_ids, "finance_user": finance.id, "token": token}


def generate(rng, ref, n_initiatives, n_actuals, first_initiative_id, first_entry_id):
    """Rows as tuples, with explicit ids (so entries can point at the initiatives and reversals
    at their entries without reading anything back)."""
    now = dt.datetime(2026, 11, 1, 12, 0, 0)
    team_w = [1.0 / (1 + t) ** 0.8 for t in range(len(ref["teams"]))]  # a few big teams, a long tail
    cells = [(f, b) for f in FOCUS for b in BLOCKS]
    cell_w = [rng.choice([1, 2, 3, 5, 8]) for _ in cells]
    cell_w[-1] = 0.2  # one thin cell (a gap the board should see)
    statuses, status_w = zip(*STATUSES)
    round_w = [2, 3, 4, 3]
    initiatives, objectives, partner_links = [], [], []
    for k in range(n_initiatives):
        iid = first_initiative_id + k
        requested = int(rng.lognormvariate(14.5, 0.9)) // 100 * 100 + 50_000  # minor units, ~ 2 M median
        approved = requested if rng.random() < 0.6 else int(requested * rng.uniform(0.4, 1.0))
        focus, block = rng.choices(cells, cell_w)[0]
        initiatives.append((
            iid, f"Initiative {k}", "Customers wait too long; bench data.", rng.choices(ref["teams"], team_w)[0],
            rng.choice(ref["users"]), rng.choice(ref["users"]), focus, block, rng.choice(STAGES),
            sorted(rng.sample(CHANNELS, rng.randint(1, 3))),
            requested, rng.randrange(0, 3_000_000, 1_000), requested, rng.randint(1, 5), rng.randint(1, 40),
            rng.choices(statuses, status_w)[0], rng.choices(ref["rounds"], round_w)[0], "", approved,
            rng.choice(ref["users"]), dt.date(2027, rng.randint(1, 12), 1), 1, now, now))
        for o in rng.sample(ref["objectives"], rng.choice([0, 1, 1, 2, 2, 2, 3])):
            objectives.append((iid, o, rng.choice([0, 1, 2, 3, 3, 4, 5])))
        n_partners = rng.choice([0, 0, 0, 1, 1, 2])
        shares = [0.5, 0.3] if n_partners == 2 and rng.random() < 0.5 else \
            [round(rng.uniform(0.05, 0.45), 3) for _ in range(n_partners)]
        for p, share in zip(rng.sample(ref["partners"], n_partners), shares):
            partner_links.append((iid, p, share))
    # Actuals: about 1 % reversals; the rest spread unevenly (some initiatives have none).
    n_reversals = n_actuals // 100
    n_plain = n_actuals - n_reversals
    weights = [rng.choice([0, 1, 2, 3, 4, 6]) for _ in range(n_initiatives)]
    owners = rng.choices(range(n_initiatives), weights, k=n_plain)
    entries = []
    for e, k in enumerate(owners):
        row = initiatives[k]
        approved = row[18]
        amount = max(1, int(approved * rng.uniform(0.05, 0.45)))
        fy, fq = rng.choice(((2026, 3), (2026, 4), (2027, 1), (2027, 2), (2027, 3)))
        entries.append((first_entry_id + e, row[0], amount, fy, fq, dt.date(fy, 3 * fq - 1, rng.randint(1, 28)),
                        f"INV-{e:07d}", "", None, ref["finance_user"], now))
    for e, original in enumerate(rng.sample(entries, n_reversals)):
        eid, iid, amount, fy, fq, booked, reference = original[:7]
        entries.append((first_entry_id + n_plain + e, iid, -amount, fy, fq, booked, f"REV-{reference}",
                        "correction", eid, ref["finance_user"], now))
    return initiatives, objectives, partner_links, entries


INITIATIVE_COLUMNS = ("id", "title", "problem_statement", "team_id", "owner_id", "sponsor_id", "focus_area",
                      "building_block", "journey_stage", "channels", "one_time_cost", "annual_cost",
                      "requested_amount", "risk", "months_to_value", "status", "round_id", "status_reason",
                      "approved_amount", "accountable_owner_id", "due_date", "version", "created_at", "updated_at")
OBJECTIVE_COLUMNS = ("initiative_id", "objective_id", "alignment")
PARTNER_COLUMNS = ("initiative_id", "partner_id", "share")
ENTRY_COLUMNS = ("id", "initiative_id", "amount", "fiscal_year", "fiscal_quarter", "booked_on", "reference", "note",
                 "reverses_id", "created_by_id", "created_at")


def bulk_insert(model, columns, rows, postgres):
    """PostgreSQL: COPY through psycopg2.  SQLite: peewee ``insert_many`` in batches (the
    caller holds the transaction)."""
    from cxgov.db import database

    if postgres:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        for row in rows:
            writer.writerow(["\\N" if v is None else v.isoformat() if isinstance(v, (dt.date, dt.datetime))
                             else json.dumps(v, sort_keys=True, separators=(",", ":")) if isinstance(v, list) else v
                             for v in row])
        buf.seek(0)
        table = model._meta.table_name
        with database.obj.connection().cursor() as cur:
            cur.copy_expert(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')', buf)
        return
    fields = [model._meta.columns[c] for c in columns]
    batch = max(1, 30_000 // len(columns))  # under SQLite's 32,766 bound parameters per statement
    for start in range(0, len(rows), batch):
        model.insert_many(rows[start:start + batch], fields=fields).execute()


def load(url, postgres, n_initiatives, n_actuals, seed=11):
    from cxgov.db import database
    from cxgov.models import ActualEntry, Initiative, InitiativeObjective, InitiativePartner, Round
    from cxgov.schema_version import upgrade
    from cxgov.services.actor import SYSTEM
    from cxgov.services.scoring_models import ensure_default_model

    rng = random.Random(seed)
    t0 = time.perf_counter()
    upgrade(database.obj)
    ensure_default_model(SYSTEM)
    ref = reference_data(rng)
    t_ref = time.perf_counter()
    initiatives, objectives, partner_links, entries = generate(rng, ref, n_initiatives, n_actuals, 1, 1)
    t_gen = time.perf_counter()
    with database.atomic():
        bulk_insert(Initiative, INITIATIVE_COLUMNS, initiatives, postgres)
        bulk_insert(InitiativeObjective, OBJECTIVE_COLUMNS, objectives, postgres)
        bulk_insert(InitiativePartner, PARTNER_COLUMNS, partner_links, postgres)
        bulk_insert(ActualEntry, ENTRY_COLUMNS, entries, postgres)
        # The rounds' running sums, as the budget guard would have left them.
        for rid in ref["rounds"]:
            committed = sum(r[18] for r in initiatives if r[16] == rid)
            Round.update(committed=committed, budget=committed + committed // 4, status="decided").where(
                Round.id == rid).execute()
        if postgres:
            for table in ("initiative", "actual_entry"):
                database.execute_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT MAX(id) FROM {table}))")
    t_load = time.perf_counter()
    if postgres:
        database.obj.connection().autocommit = True
        try:
            database.execute_sql("VACUUM ANALYZE")
        finally:
            database.obj.connection().autocommit = False
    else:
        database.execute_sql("ANALYZE")
    t_analyze = time.perf_counter()
    counts = {"initiatives": len(initiatives), "objective_links": len(objectives),
              "partner_links": len(partner_links), "actual_entries": len(entries),
              "reversals": sum(1 for e in entries if e[8] is not None)}
    timings = {"migrate_and_reference_s": t_ref - t0, "generate_s": t_gen - t_ref, "insert_s": t_load - t_gen,
               "analyze_s": t_analyze - t_load}
    return ref, counts, timings


# --------------------------------------------------------------------------- one database
def raw_connection(url, postgres):
    if postgres:
        import psycopg2

        return psycopg2.connect(url)
    from cxgov.db import SQLITE_PRAGMAS

    conn = sqlite3.connect(url[len("sqlite:///"):])
    for key, value in SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {key} = {value}")
    return conn


def run_bare(conn, statements, postgres):
    rows = []
    if postgres:
        with conn.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)
                rows.append(cur.fetchall())
        conn.rollback()  # end the read transaction, as the app's request teardown does
    else:
        for sql, params in statements:
            rows.append(conn.execute(sql, params).fetchall())
    return rows


def explain(conn, statements, postgres):
    for sql, params in statements:
        if postgres:
            with conn.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(r[0] for r in cur.fetchall())
            conn.rollback()
        else:
            plan = "\n".join(f"{r[0]:>4} {r[1]:>4} {r[3]}" for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        print(f"---- {sql[:120]}…\n{plan}\n", flush=True)


def bench_database(label, url, args):
    import peewee

    from cxgov.app import create_app
    from cxgov.db import database

    postgres = label == "postgres"
    print(f"[{label}] preparing {url}", flush=True)
    app = create_app({"DATABASE_URL": url, "TESTING": False})
    with app.app_context():
        ref, counts, timings = load(url, postgres, args.initiatives, args.actuals)
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        database.obj.close_all()
    elif not database.is_closed():
        database.close()
    print(f"[{label}] loaded {counts}; " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()), flush=True)

    client = app.test_client()
    auth = {"Authorization": f"Bearer {ref['token']}"}
    conn = raw_connection(url, postgres)
    results = {}
    try:
        for group in TARGET_GROUPS + SPLIT_GROUPS:
            path = ENDPOINT.format(group)

            def call(path=path):
                response = client.get(path, headers=auth)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code} {response.get_data(as_text=True)[:500]}")
                return response

            # The statements this request runs (the report's two queries; nothing else should
            # reach the database for a finance token beyond the token lookup).
            statements = capture_statements(call)
            report_statements = [(sql, params) for sql, params in statements if "base AS (" in sql]
            if len(report_statements) != 2:
                raise SystemExit(f"expected the report's 2 statements, captured {len(statements)}: {statements}")
            body = call().get_json()
            bare_rows = run_bare(conn, report_statements, postgres)
            assert len(bare_rows[0]) == len(body["lines"]), (len(bare_rows[0]), len(body["lines"]))
            assert int(bare_rows[1][0][2]) == body["totals"]["approved"]
            if args.explain:
                explain(conn, report_statements, postgres)
            endpoint = median_of(call, args.reps)
            bare = median_of(lambda: run_bare(conn, report_statements, postgres), args.reps)
            ratio = endpoint["median"] / bare["median"]
            results[group] = {"endpoint": endpoint, "bare": bare, "ratio": ratio, "lines": len(body["lines"]),
                              "statements_per_request": len(statements),
                              "met": ratio <= 2.0 and endpoint["median"] < 1.0}
            print(f"[{label}] group_by={group}: endpoint {endpoint['median'] * 1e3:.1f} ms, bare "
                  f"{bare['median'] * 1e3:.1f} ms, ratio {ratio:.2f}, {len(body['lines'])} lines, "
                  f"{len(statements)} statements/request", flush=True)
    finally:
        conn.close()
        if isinstance(database.obj, peewee.PostgresqlDatabase):
            database.obj.close_all()
        elif not database.is_closed():
            database.close()
    return {"counts": counts, "load": timings, "groups": results}


# --------------------------------------------------------------------------- report
def environment():
    env = machine(("Flask", "flask-smorest", "peewee", "psycopg2-binary", "Werkzeug"))
    env["versions"]["sqlite"] = sqlite3.sqlite_version
    try:
        import psycopg2

        conn = psycopg2.connect(f"{PG_SERVER}/postgres")
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            env["versions"]["postgresql"] = cur.fetchone()[0]
        conn.close()
    except Exception:  # noqa: BLE001
        env["versions"]["postgresql"] = "unavailable"
    return env


def table(all_results):
    lines = ["| database | group_by | endpoint median (ms) | bare query median (ms) | ratio | lines | target met? |",
             "|---|---|---:|---:|---:|---:|---|"]
    for label, result in all_results.items():
        for group, r in result["groups"].items():
            target = ("yes" if r["met"] else "**no**") if group in TARGET_GROUPS else \
                f"(extra: {'yes' if r['met'] else 'no'})"
            lines.append(f"| {label} | {group} | {r['endpoint']['median'] * 1e3:.1f} | {r['bare']['median'] * 1e3:.1f} "
                         f"| {r['ratio']:.2f} | {r['lines']} | {target} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--initiatives", type=int, default=100_000)
    parser.add_argument("--actuals", type=int, default=300_000)
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions after one warm-up (>= 5)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (QUERY PLAN) of the report's SQL")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    env = environment()
    print(json.dumps(env), flush=True)
    databases = args.databases.split(",")
    workdir = tempfile.mkdtemp(prefix="cxgov-bench-fin-")
    all_results = {}
    try:
        for label in databases:
            if label == "sqlite":
                url = f"sqlite:///{os.path.join(workdir, 'bench.db')}"
            elif label == "postgres":
                pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
                pg_admin(f'CREATE DATABASE "{PG_NAME}"')
                url = PG_URL
            else:
                raise SystemExit(f"unknown database {label!r}")
            all_results[label] = bench_database(label, url, args)
    finally:
        from cxgov.db import database

        if database.obj is not None:
            if hasattr(database.obj, "close_all"):
                database.obj.close_all()
            elif not database.is_closed():
                database.close()
        if "postgres" in databases:
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(all_results))
    for label, result in all_results.items():
        for group in TARGET_GROUPS:
            r = result["groups"][group]
            print(f"{label} group_by={group}: endpoint {r['endpoint']['median']:.3f} s "
                  f"({'<' if r['endpoint']['median'] < 1 else '>='} 1 s), ratio {r['ratio']:.2f} "
                  f"({'<=' if r['ratio'] <= 2 else '>'} 2) -> {'met' if r['met'] else 'MISSED'}")
    print(f"\ntotal run {time.perf_counter() - started:.0f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"environment": env, "results": all_results}, f, indent=2)


if __name__ == "__main__":
    main()
