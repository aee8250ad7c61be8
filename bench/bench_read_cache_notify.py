#!/usr/bin/env python
"""Benchmark: how soon a worker's read cache hears of a change on PostgreSQL.  A script, not a test.

With ``CXGOV_READ_CACHE_MS`` on (PostgreSQL's default), a process answers the token check from
memory until the database notifies it that ``api_token``, ``user`` or ``ranking`` changed
(migration 0008).  Between a writer's COMMIT returning and the notification reaching another
process's listening socket, that process would still answer from memory: this measures that
window.  The writer commits ``UPDATE "api_token" ... WHERE id = -1`` (the statement-level
trigger fires whatever the row count) on one connection; the listener is cxgov's own
(``cxgov.db.listener_of``) on another; the time is from the writer's ``execute`` returning to
the listener's socket turning readable (0 when it already was).

Baseline in the same run: one ``SELECT 1`` round trip on a third connection, the least a
request without the cache spends to read the token afresh.

Each is measured idle, then with two busy-looping processes on the two cores (a loaded
server).  Run: ``.venv/bin/python bench/bench_read_cache_notify.py`` (about a minute).
Options: ``--samples 2000``.  The database ``cxgov_bench_notify`` is dropped at the end.
"""
import argparse
import json
import multiprocessing
import os
import select
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from _common import PG_SERVER, machine, pg_admin  # noqa: E402

PG_NAME = "cxgov_bench_notify"


def _spin(stop):
    while not stop.is_set():
        sum(range(1000))


def summary(values):
    ordered = sorted(values)
    return {"median_us": statistics.median(ordered) * 1e6, "p99_us": ordered[int(len(ordered) * 0.99) - 1] * 1e6,
            "max_us": ordered[-1] * 1e6, "n": len(ordered)}


def measure(db, samples):
    import peewee

    from cxgov.db import listener_of

    listener = listener_of(db)
    listener.changes_heard()  # opens it (LISTEN)
    writer = peewee.PostgresqlDatabase._connect(db)
    reader = peewee.PostgresqlDatabase._connect(db)
    windows, already, trips = [], 0, []
    with writer.cursor() as w, reader.cursor() as r:
        for _ in range(samples):
            w.execute('UPDATE "api_token" SET "revoked_at" = NULL WHERE "id" = -1')
            committed = time.perf_counter()
            if select.select([listener.connection], [], [], 0)[0]:
                already += 1
                windows.append(0.0)
            else:
                if not listener.wait_readable(5):
                    raise SystemExit("no notification within 5 s: is migration 0008 applied?")
                windows.append(time.perf_counter() - committed)
            assert listener.changes_heard() >= 1
            t0 = time.perf_counter()
            r.execute("SELECT 1")
            r.fetchone()
            trips.append(time.perf_counter() - t0)
    writer.close()
    reader.close()
    return {"window": summary(windows), "already_readable": already / samples, "round_trip": summary(trips)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    from cxgov.db import close_listener, open_database
    from cxgov.schema_version import upgrade

    env = machine(("psycopg2-binary", "peewee"))
    print(json.dumps(env), flush=True)
    pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{PG_NAME}"')
    db = open_database(f"{PG_SERVER}/{PG_NAME}")
    results = {}
    try:
        db.connect()
        upgrade(db)
        db.close_all()
        results["idle"] = measure(db, args.samples)
        stop = multiprocessing.Event()
        spinners = [multiprocessing.Process(target=_spin, args=(stop,)) for _ in range(2)]
        for p in spinners:
            p.start()
        try:
            time.sleep(0.5)
            results["two busy cores"] = measure(db, args.samples)
        finally:
            stop.set()
            for p in spinners:
                p.join()
    finally:
        close_listener(db)
        db.close_all()
        pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    print()
    print("| condition | commit → listener readable: median / p99 / max (µs) | readable when commit returned "
          "| baseline SELECT 1 round trip: median / p99 (µs) |")
    print("|---|---:|---:|---:|")
    for label, r in results.items():
        w, t = r["window"], r["round_trip"]
        print(f"| {label} | {w['median_us']:.0f} / {w['p99_us']:.0f} / {w['max_us']:.0f} "
              f"| {r['already_readable']:.0%} | {t['median_us']:.0f} / {t['p99_us']:.0f} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"environment": env, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
