"""What the benchmark scripts share: the PostgreSQL admin connection and the machine facts."""
import importlib.metadata
import os
import platform
import re
import subprocess

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


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
