#!/usr/bin/env python
"""Benchmark: ranking a round over HTTP (issue 4, "Proof").  A script, not a test.

For each database (an SQLite file in a temporary directory, and a freshly created
PostgreSQL database ``cxgov_bench``) and each round size N (1,000 and 10,000 submitted
initiatives):

1. migrate, seed the default scoring model, bulk-load the round (``insert_many`` straight
   into the tables: the accountability log is not what is measured here, so the initiatives
   themselves are not logged; the reference records — teams, users, metrics, objectives,
   partners, assessments, rounds — go through the services);
2. in-process through Flask's test client: latency of ``POST /api/v1/rounds/{id}/rankings``
   and of ``GET /api/v1/rounds/{id}/rankings/latest?page_size=100``;
3. beside them, a bare Flask app that returns the captured bytes of that same GET from
   memory, measured the same way;
4. under gunicorn with 2 sync workers (the real app with ``CXGOV_DATABASE_URL`` on the bench
   database, and the bare app), requests per second of the same GET from ``wrk`` on loopback
   (or a bounded thread-pool ``http.client`` client when ``wrk`` is not installed).

Run: ``.venv/bin/python bench/bench_http_ranking.py`` (about 8 minutes on 2 cores).
Options: ``--sizes 1000,10000``, ``--databases sqlite,postgres``, ``--load-seconds 10``,
``--json out.json``.  The PostgreSQL bench database is dropped at the end.
"""
import argparse
import concurrent.futures
import datetime as dt
import http.client
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from _common import BLOCKS, CHANNELS, FOCUS, METRICS, PG_SERVER, STAGES, machine, metrics_and_objectives, pg_admin  # noqa: E402,E501
PG_NAME = "cxgov_bench"
PG_URL = f"{PG_SERVER}/{PG_NAME}"
LATEST = "/api/v1/rounds/{}/rankings/latest?page_size=100"
REPS_POST = {1_000: 5, 10_000: 3}
REPS_GET = 30
REPS_BARE = 200
ROUNDS = 3  # alternated real/bare load runs per size


# --------------------------------------------------------------------------- the bare app
def make_bare_app(bodies=None):
    """A minimal Flask app returning captured response bytes from memory.

    ``bodies``: {round_id: (body bytes, X-Pagination header)}; under gunicorn it is read from
    the JSON file named by ``BENCH_BARE_BODIES`` (gunicorn ``'bench_http_ranking:make_bare_app()'``).
    """
    from flask import Flask, Response

    if bodies is None:
        with open(os.environ["BENCH_BARE_BODIES"], encoding="utf-8") as f:
            bodies = {int(k): (v["body"].encode("utf-8"), v["pagination"]) for k, v in json.load(f).items()}
    app = Flask("bare")

    @app.get("/api/v1/rounds/<int:round_id>/rankings/latest")
    def latest(round_id):
        body, pagination = bodies[round_id]
        return Response(body, mimetype="application/json", headers={"X-Pagination": pagination})

    return app


# --------------------------------------------------------------------------- helpers
def stats(samples):
    ordered = sorted(samples)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]  # nearest rank
    return {"median": statistics.median(ordered), "p90": p90, "n": len(ordered),
            "min": ordered[0], "max": ordered[-1]}


def timed(call, reps, expect):
    """Wall-clock latency of ``reps`` calls, plus this process's CPU time per call (client and
    app; the PostgreSQL server's CPU is not in it) - the machine may be shared."""
    samples, cpu = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if response.status_code != expect:
            raise SystemExit(f"unexpected {response.status_code}: {response.get_data(as_text=True)[:500]}")
    return {**stats(samples), "cpu_median": statistics.median(cpu)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- data
def reference_data(rng):
    """Teams, users, metrics, objectives, partners and assessments through the services."""
    from cxgov.services import auth, partners, teams
    from cxgov.services.actor import SYSTEM

    team_ids = [teams.create_team(SYSTEM, name=f"Team {t}", department=f"Dept {t % 5}", lead_name=f"Lead {t}").id
                for t in range(20)]
    user_ids = [auth.create_user(SYSTEM, f"person{u}@example.com", f"Person {u}", "viewer").id for u in range(30)]
    metric_ids, objective_ids = metrics_and_objectives(rng)
    partner_ids = []
    for p in range(40):
        partner = partners.create_partner(SYSTEM, name=f"Partner {p}", kind=rng.choice(["supplier", "vendor", "provider"]),
                                          description="")
        partner_ids.append(partner.id)
        for a in range(0 if p % 5 == 4 else rng.choice([1, 1, 2])):  # one in five never assessed
            partners.create_assessment(SYSTEM, partner.id, assessed_on=dt.date(2026, 1 + 3 * a, 1 + p % 28),
                                       **{k: rng.randint(1, 5) for k in ("shared_vision", "data_sharing",
                                                                         "process_integration",
                                                                         "feedback_responsiveness")})
    chair = auth.create_user(SYSTEM, "chair@example.com", "Chair", "board_chair")
    token = auth.issue_token(SYSTEM, chair.id, "bench", 30)[1]
    return {"teams": team_ids, "users": user_ids, "metrics": metric_ids, "objectives": objective_ids,
            "partners": partner_ids, "token": token}


def load_round(rng, ref, n):
    """A round with ``n`` submitted initiatives, bulk-inserted (bounded number of statements)."""
    from cxgov.db import database
    from cxgov.models import (
        Initiative, InitiativeDependency, InitiativeImpact, InitiativeObjective, InitiativePartner,
    )
    from cxgov.services import rounds
    from cxgov.services.actor import SYSTEM

    mean_request = 5_000_000
    rnd = rounds.create_round(SYSTEM, name=f"Bench {n}", fiscal_year=2027, fiscal_quarter=1,
                              budget=int(n * mean_request * 0.3))  # funds roughly a third
    now = dt.datetime.now(dt.timezone.utc)
    rows = []
    for i in range(n):
        one_time = rng.randrange(200_000, 15_000_000, 1_000)
        rows.append({
            "title": f"Initiative {n}-{i}", "problem_statement": "Customers wait too long; bench data.",
            "team": rng.choice(ref["teams"]), "owner": rng.choice(ref["users"]), "sponsor": rng.choice(ref["users"]),
            "focus_area": rng.choice(FOCUS), "building_block": rng.choice(BLOCKS), "journey_stage": rng.choice(STAGES),
            "channels": rng.sample(CHANNELS, rng.randint(1, 3)), "one_time_cost": one_time,
            "annual_cost": rng.randrange(0, 3_000_000, 1_000),
            "requested_amount": int(one_time * rng.uniform(0.5, 1.0)), "risk": rng.randint(1, 5),
            "months_to_value": rng.randint(1, 40), "status": "submitted", "round": rnd.id, "status_reason": "",
            "version": 1, "created_at": now, "updated_at": now,
        })
    with database.atomic():
        for start in range(0, n, 500):
            Initiative.insert_many(rows[start:start + 500]).execute()
        ids = [r.id for r in Initiative.select(Initiative.id).where(Initiative.round == rnd.id).order_by(Initiative.id)]
        objectives, impacts, partner_links, deps = [], [], [], []
        for pos, iid in enumerate(ids):
            for o in rng.sample(ref["objectives"], rng.choice([0, 1, 1, 2, 2, 3])):
                objectives.append({"initiative": iid, "objective": o, "alignment": rng.randint(1, 5)})
            for m in rng.sample(range(len(METRICS)), rng.choice([0, 1, 1, 2, 3])):
                _, _, _, baseline, target, _, _ = METRICS[m]
                impacts.append({"initiative": iid, "metric": ref["metrics"][m],
                                "expected_change": round((target - baseline) * rng.uniform(-0.1, 0.8), 3),
                                "confidence": round(rng.uniform(0.3, 0.95), 2)})
            k = rng.choice([0, 0, 1, 1, 2])
            shares = [0.5, 0.3] if k == 2 else [round(rng.uniform(0.1, 0.8), 2)]
            for p, share in zip(rng.sample(ref["partners"], k), shares):
                partner_links.append({"initiative": iid, "partner": p, "share": share})
            if pos > 10 and rng.random() < 0.15:  # ~15 % depend on one or two earlier initiatives
                for d in rng.sample(ids[:pos], rng.choice([1, 1, 2])):
                    deps.append({"initiative": iid, "depends_on": d})
        for model, batch in ((InitiativeObjective, objectives), (InitiativeImpact, impacts),
                             (InitiativePartner, partner_links), (InitiativeDependency, deps)):
            for start in range(0, len(batch), 1000):
                model.insert_many(batch[start:start + 1000]).execute()
    return rnd.id, {"objectives": len(objectives), "impacts": len(impacts), "partners": len(partner_links),
                    "dependencies": len(deps)}


def prepare(url, sizes, seed=7):
    """Migrate, seed the default model, load one round per size; return (app, token, rounds)."""
    import peewee

    from cxgov.app import create_app
    from cxgov.db import database
    from cxgov.schema_version import upgrade
    from cxgov.services.actor import SYSTEM
    from cxgov.services.scoring_models import ensure_default_model

    app = create_app({"DATABASE_URL": url, "TESTING": False})
    rng = random.Random(seed)
    with app.app_context():
        upgrade(database.obj)
        ensure_default_model(SYSTEM)
        ref = reference_data(rng)
        rounds = {}
        for n in sizes:
            t0 = time.perf_counter()
            round_id, counts = load_round(rng, ref, n)
            rounds[n] = round_id
            print(f"  loaded N={n}: round {round_id}, {counts} in {time.perf_counter() - t0:.1f} s", flush=True)
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        database.obj.close_all()
    elif not database.is_closed():
        database.close()
    return app, ref["token"], rounds


# --------------------------------------------------------------------------- load (gunicorn)
def start_gunicorn(args, env, chdir):
    port = free_port()
    cmd = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
           "--chdir", chdir, "--log-level", "warning", *args]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise SystemExit("gunicorn did not start within 30 s")


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def check_get(port, path, token):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def load_wrk(port, path, token, seconds):
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "--latency",
                          "-H", f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if errors or socket_errors:
        raise SystemExit(f"wrk saw errors against :{port}{path}:\n{out}")
    latency = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    return {"rps": rps, "p50": latency.group(1) if latency else None, "client": "wrk -t2 -c8"}


def load_threads(port, path, token, seconds, threads=4, max_requests=200_000):
    """Bounded fallback client: ``threads`` keep-alive connections for ``seconds``."""
    stop_at = time.perf_counter() + seconds
    counter, lock, failures = [0], threading.Lock(), []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = 0
        while time.perf_counter() < stop_at and counter[0] < max_requests:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
            done += 1
            with lock:
                counter[0] += 1
        conn.close()
        return done

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(lambda _: worker(), range(threads)))
    if failures:
        raise SystemExit(f"load client saw non-200 answers: {failures[:5]}")
    return {"rps": total / (time.perf_counter() - t0), "p50": None, "client": f"http.client x{threads} threads"}


def warm(port, path, token, timeout=90):
    """Until 8 parallel requests all answer 200 within 0.5 s: both workers have imported the
    app, checked the schema and opened their first connection."""
    deadline = time.time() + timeout
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        while time.time() < deadline:
            def one(_):
                t0 = time.perf_counter()
                status, _ = check_get(port, path, token)
                return status, time.perf_counter() - t0
            answers = list(pool.map(one, range(8)))
            if all(s == 200 for s, _ in answers) and max(t for _, t in answers) < 0.5:
                return
    raise SystemExit(f"gunicorn on :{port} did not warm up within {timeout} s")


def load(port, path, token, seconds):
    # Warm both workers (schema check, imports, first connection) before counting.
    warm(port, path, token)
    if shutil.which("wrk"):
        load_wrk(port, path, token, 2)
        return load_wrk(port, path, token, seconds)
    load_threads(port, path, token, 2)
    return load_threads(port, path, token, seconds)


# --------------------------------------------------------------------------- one database
def bench_database(label, url, sizes, load_seconds, workdir):
    print(f"[{label}] preparing {url} (load average {os.getloadavg()})",
          flush=True)
    app, token, rounds = prepare(url, sizes)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    results, bodies = {}, {}
    warm = client.get(f"/api/v1/rounds/{rounds[sizes[0]]}", headers=auth)  # schema check, first connection
    assert warm.status_code == 200, warm.get_data(as_text=True)
    for n in sizes:
        rid = rounds[n]
        post = timed(lambda: client.post(f"/api/v1/rounds/{rid}/rankings", headers=auth), REPS_POST.get(n, 3), 201)
        print(f"[{label}] N={n} POST rankings median {post['median']:.3f} s p90 {post['p90']:.3f} s "
              f"(CPU {post['cpu_median']:.3f} s; load average {os.getloadavg()})", flush=True)
        get = timed(lambda: client.get(LATEST.format(rid), headers=auth), REPS_GET, 200)
        captured = client.get(LATEST.format(rid), headers=auth)
        body = captured.get_data()
        assert len(json.loads(body)["entries"]) == 100
        bodies[rid] = (body, captured.headers["X-Pagination"])
        bare_client = make_bare_app(bodies).test_client()
        bare = timed(lambda: bare_client.get(LATEST.format(rid), headers=auth), REPS_BARE, 200)
        assert bare_client.get(LATEST.format(rid)).get_data() == body
        print(f"[{label}] N={n} GET latest median {get['median'] * 1e3:.2f} ms (CPU {get['cpu_median'] * 1e3:.2f}), "
              f"bare {bare['median'] * 1e3:.3f} ms (body {len(body)} bytes)", flush=True)
        results[n] = {"round_id": rid, "post": post, "get": get, "bare": bare, "body_bytes": len(body)}

    # A steady state before the load runs: bulk loads and rankings leave work for PostgreSQL's
    # autovacuum, which would otherwise compete for the two cores in the middle of a run.
    from cxgov.db import database
    if not isinstance(database.obj, __import__("peewee").SqliteDatabase):
        with app.app_context():
            database.execute_sql("VACUUM ANALYZE")
            database.close()

    # gunicorn, 2 workers each: the real app on the bench database, and the bare app.
    bodies_file = os.path.join(workdir, f"bare-bodies-{label}.json")
    with open(bodies_file, "w", encoding="utf-8") as f:
        json.dump({str(k): {"body": b.decode("utf-8"), "pagination": p} for k, (b, p) in bodies.items()}, f)
    real_proc, real_port = start_gunicorn(["wsgi:app"], {"CXGOV_DATABASE_URL": url, "CXGOV_LOG_LEVEL": "WARNING"}, ROOT)
    bare_proc, bare_port = None, None
    try:
        bare_proc, bare_port = start_gunicorn(["bench_http_ranking:make_bare_app()"],
                                              {"BENCH_BARE_BODIES": bodies_file}, HERE)
        for n in sizes:
            path = LATEST.format(rounds[n])
            status, body = check_get(real_port, path, token)
            assert status == 200, body[:500]
            assert json.loads(body)["entries"] == json.loads(bodies[rounds[n]][0])["entries"]
            assert check_get(bare_port, path, token)[1] == bodies[rounds[n]][0]
            # alternated, ROUNDS times each: the machine is shared, so a one-off pair is noisy;
            # the verdict takes the median of the pairwise ratios
            pairs = []
            for _ in range(ROUNDS):
                real = load(real_port, path, token, load_seconds)
                bare = load(bare_port, path, token, load_seconds)
                pairs.append((real, bare, real["rps"] / bare["rps"]))
            real, bare, ratio = sorted(pairs, key=lambda p: p[2])[len(pairs) // 2]
            results[n]["gunicorn"] = {"real": real, "bare": bare, "ratio": ratio,
                                      "ratios": [round(p[2], 3) for p in pairs]}
            print(f"[{label}] N={n} gunicorn -w 2 GET latest: {real['rps']:.0f} rps vs bare {bare['rps']:.0f} rps "
                  f"(median ratio {ratio:.2f} of {', '.join(f'{p[2]:.2f}' for p in pairs)})", flush=True)
        # Reference floors of the same app and workers: an authenticated one-row read, and a
        # route with no auth and no query.  No ranking code runs in either.
        floor = {"round": load(real_port, f"/api/v1/rounds/{rounds[sizes[0]]}", token, load_seconds),
                 "healthz": load(real_port, "/healthz", token, load_seconds)}
        results["floor"] = floor
        print(f"[{label}] gunicorn -w 2 floors: GET /api/v1/rounds/{{id}} {floor['round']['rps']:.0f} rps, "
              f"/healthz {floor['healthz']['rps']:.0f} rps", flush=True)
    finally:
        stop(real_proc)
        if bare_proc is not None:
            stop(bare_proc)
    return results


# --------------------------------------------------------------------------- report
def environment():
    env = machine(("Flask", "flask-smorest", "marshmallow", "peewee", "psycopg2-binary", "gunicorn", "numpy",
                   "rfc8785", "Werkzeug"))
    wrk = shutil.which("wrk")
    env["load_client"] = (subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()
                          if wrk else "python http.client thread pool")
    return env


def table(all_results):
    lines = ["| database | N | POST rankings median / p90 (s) [CPU] | GET latest median (ms) [CPU] "
             "| bare GET median (ms) | gunicorn rps real / bare | ratio |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, per_n in all_results.items():
        for n, r in per_n.items():
            if n == "floor":
                continue
            g = r.get("gunicorn")
            lines.append(f"| {label} | {n:,} | {r['post']['median']:.3f} / {r['post']['p90']:.3f} (n={r['post']['n']}) "
                         f"[{r['post']['cpu_median']:.3f}] "
                         f"| {r['get']['median'] * 1e3:.2f} [{r['get']['cpu_median'] * 1e3:.2f}] "
                         f"| {r['bare']['median'] * 1e3:.3f} "
                         f"| {g['real']['rps']:.0f} / {g['bare']['rps']:.0f} | {g['ratio']:.2f} |")
    for label, per_n in all_results.items():
        if "floor" in per_n:
            f = per_n["floor"]
            lines.append(f"\n{label}, same gunicorn (2 workers): authenticated GET /api/v1/rounds/{{id}} "
                         f"{f['round']['rps']:.0f} rps, /healthz {f['healthz']['rps']:.0f} rps")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    env = environment()
    print(json.dumps(env), flush=True)
    workdir = tempfile.mkdtemp(prefix="cxgov-bench-")
    all_results = {}
    try:
        for label in args.databases.split(","):
            if label == "sqlite":
                url = f"sqlite:///{os.path.join(workdir, 'bench.db')}"
            elif label == "postgres":
                pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
                pg_admin(f'CREATE DATABASE "{PG_NAME}"')
                url = PG_URL
            else:
                raise SystemExit(f"unknown database {label!r}")
            all_results[label] = bench_database(label, url, sizes, args.load_seconds, workdir)
    finally:
        from cxgov.db import database

        if database.obj is not None:
            if hasattr(database.obj, "close_all"):
                database.obj.close_all()
            elif not database.is_closed():
                database.close()
        if "postgres" in args.databases.split(","):
            pg_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(all_results))
    targets = []
    for label, per_n in all_results.items():
        for n, r in per_n.items():
            if n == "floor":
                continue
            limit = {1_000: 0.5, 10_000: 5.0}.get(n)
            if limit:
                targets.append(f"{label} N={n:,}: POST median {r['post']['median']:.3f} s "
                               f"{'<' if r['post']['median'] < limit else '>='} {limit} s -> "
                               f"{'met' if r['post']['median'] < limit else 'MISSED'}")
            ratio = r["gunicorn"]["ratio"]
            targets.append(f"{label} N={n:,}: gunicorn rps ratio {ratio:.2f} (runs {r['gunicorn']['ratios']}) -> "
                           f"{'met' if ratio >= 0.5 else 'MISSED'}")
    print("\n".join(targets))
    print(f"\ntotal run {time.perf_counter() - started:.0f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"environment": env, "results": {k: {str(n): v for n, v in r.items()}
                                                       for k, r in all_results.items()}}, f, indent=2)


if __name__ == "__main__":
    main()
