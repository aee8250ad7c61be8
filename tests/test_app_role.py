"""The README's recipe for running the app under a PostgreSQL role that does not own the
tables (docs/postgres-app-role.sql), run as written: the app works under that role, and the
role cannot truncate, disable the triggers, or rewrite the log and the ledger."""
import os
import shutil
import subprocess
from urllib.parse import urlparse

import peewee
import psycopg2
import pytest

from cxgov.app import create_app
from cxgov.db import database
from cxgov.schema_version import MIGRATIONS_DIR
from tests.builders import team_payload
from tests.conftest import ON_POSTGRES, PG_URL, bearer, close_database
from tests.test_audit_guards import ledger  # noqa: F401  (a fixture)

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="roles and table ownership are PostgreSQL's")

RECIPE = os.path.join(os.path.dirname(MIGRATIONS_DIR), "docs", "postgres-app-role.sql")


def _superuser(sql):
    conn = psycopg2.connect(PG_URL)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def _run_recipe(role):
    if shutil.which("psql"):
        subprocess.run(["psql", PG_URL, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"app_role={role}", "-f", RECIPE],
                       check=True, capture_output=True, timeout=60)
    else:  # the same statements, with psql's variable filled in
        text = open(RECIPE).read().replace(':"app_role"', f'"{role}"')
        _superuser("\n".join(line for line in text.splitlines() if not line.startswith("--")))


@pytest.fixture
def app_role(app):
    """A login role of this test process's own (roles are cluster-wide), given the recipe's
    rights on the test database; dropped afterwards."""
    role = f"cxgov_app_{os.getpid()}"
    _superuser(f'CREATE ROLE "{role}" LOGIN')
    try:
        _run_recipe(role)
        url = urlparse(PG_URL)
        yield role, f"postgresql://{role}@{url.hostname}:{url.port or 5432}{url.path}"
    finally:
        close_database()
        _superuser(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')


def test_the_app_runs_under_a_role_that_cannot_truncate_or_disable_triggers(ledger, app_role):  # noqa: F811
    world = ledger["world"]
    admin, finance = bearer(world["tokens"]["admin"]), bearer(world["tokens"]["finance"])
    role, url = app_role
    close_database()  # the superuser's connections; from here on the app connects as the role
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    team = client.post("/api/v1/teams", json=team_payload(9), headers=admin)
    assert team.status_code == 201
    etag = client.get(f"/api/v1/teams/{team.json['id']}", headers=admin).headers["ETag"]
    assert client.delete(f"/api/v1/teams/{team.json['id']}", headers={**admin, "If-Match": etag}).status_code == 204
    booked = client.post(f"/api/v1/initiatives/{world['submitted_a']}/actuals", headers=finance, json={
        "amount": 5_000, "fiscal_year": 2027, "fiscal_quarter": 2, "booked_on": "2027-04-01", "reference": "INV-R"})
    assert booked.status_code == 201, booked.json
    verified = client.get("/api/v1/audit/verify", headers=admin).json
    assert verified["ok"] is True, verified

    with app.app_context():
        assert database.execute_sql("SELECT current_user").fetchone()[0] == role
        for sql, refusal in (
                ("TRUNCATE actual_entry", "permission denied"),
                ("TRUNCATE audit_event", "permission denied"),
                ("ALTER TABLE actual_entry DISABLE TRIGGER USER", "must be owner"),
                ("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only", "must be owner"),
                ("DROP TRIGGER actual_entry_no_truncate ON actual_entry", "must be owner"),
                ("SET session_replication_role = replica", "permission denied"),
                ("UPDATE actual_entry SET amount = 1", "permission denied"),
                ("DELETE FROM audit_event", "permission denied"),
                ("DELETE FROM audit_head", "permission denied"),
                ("DELETE FROM schema_migration", "permission denied")):
            with pytest.raises(peewee.DatabaseError, match=refusal):
                with database.atomic():
                    database.execute_sql(sql)
    assert client.get("/api/v1/audit/verify", headers=admin).json["ok"] is True
    close_database()
