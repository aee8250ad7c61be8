"""What the benchmark scripts share: the PostgreSQL admin connection, the machine facts, the data vocabulary."""
import importlib.metadata
import os
import platform
import re
import subprocess

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"

# The vocabulary the bench data draws from (the values the API accepts).
FOCUS = ("vision_strategy", "employees", "operations", "technology")
BLOCKS = ("experience_design_operations", "customer_insights_metrics", "culture_management", "leadership_governance")
STAGES = ("awareness", "consideration", "purchase", "onboarding", "usage", "support", "renewal", "advocacy")
CHANNELS = ("web", "app", "store", "phone", "email", "chat", "social", "partner", "field", "mail")
METRICS = [  # key, unit, direction, baseline, target, weight, range
    ("nps", "points", "higher_is_better", 20.0, 35.0, 3.0, (-100.0, 100.0)),
    ("csat", "percent", "higher_is_better", 72.0, 85.0, 2.0, (0.0, 100.0)),
    ("ces", "score", "lower_is_better", 4.1, 3.2, 1.5, (1.0, 7.0)),
    ("churn", "percent", "lower_is_better", 12.0, 9.0, 2.5, (0.0, 100.0)),
    ("fcr", "percent", "higher_is_better", 64.0, 75.0, 1.0, (0.0, 100.0)),
    ("aht", "seconds", "lower_is_better", 420.0, 360.0, 0.5, (0.0, 3600.0)),
]


def metrics_and_objectives(rng):
    """The six METRICS and eight objectives on them, through the services; returns both id lists."""
    import datetime as dt

    from cxgov.services import metrics
    from cxgov.services.actor import SYSTEM

    metric_ids = [metrics.create_metric(SYSTEM, key=key, name=key.upper(), unit=unit, direction=direction,
                                        baseline=baseline, target=target, weight=weight, range_min=lo,
                                        range_max=hi).id
                  for key, unit, direction, baseline, target, weight, (lo, hi) in METRICS]
    objective_ids = []
    for o in range(8):
        key, _, _, baseline, target, _, _ = METRICS[o % len(METRICS)]
        objective_ids.append(metrics.create_objective(
            SYSTEM, title=f"Objective {o}: move {key}", metric_id=metric_ids[o % len(METRICS)], baseline=baseline,
            target=target, deadline=dt.date(2027, 12, 31), weight=float(rng.choice([1, 1, 2, 2, 3]))).id)
    return metric_ids, objective_ids


def pg_admin(sql, server=PG_SERVER):
    """Run one statement on the server's ``postgres`` database, outside a transaction."""
    import psycopg2

    conn = psycopg2.connect(f"{server}/postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def machine(packages):
    """nproc, CPU model, memory, Python and the versions of ``packages``."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = re.search(r"Model name:\s*(.+)", out).group(1).strip()
    except (OSError, AttributeError):
        cpu = "unknown"
    with open("/proc/meminfo") as f:
        mem_kib = int(re.search(r"MemTotal:\s*(\d+)", f.read()).group(1))
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kib / 1024 ** 2, 1),
            "python": platform.python_version(),
            "versions": {p: importlib.metadata.version(p) for p in packages}}
