"""Fixtures: an app on a freshly migrated database (SQLite file, or PostgreSQL when
``CXGOV_TEST_DATABASE_URL`` names one), a client, and users with tokens per role."""
import os
import shutil

import pytest

from cxgov.app import create_app
from cxgov.db import database, open_database
from cxgov.models import ALL_MODELS, AuditHead
from cxgov.models.audit import GENESIS_HASH
from cxgov.schema_version import upgrade

PG_URL = os.environ.get("CXGOV_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgres")


def _private_database(url):
    """CXGOV_TEST_PG_PRIVATE=1: a database of this process's own on the same server, so two
    developers' (or helpers') runs against one server cannot trample each other."""
    import psycopg2

    name = f"cxgov_test_{os.getpid()}"
    base = url.rsplit("/", 1)[0]
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"{base}/{name}"


if ON_POSTGRES and os.environ.get("CXGOV_TEST_PG_PRIVATE") == "1":
    PG_URL = _private_database(PG_URL)


def pytest_report_header(config):
    return f"cxgov test database: {'PostgreSQL ' + PG_URL if ON_POSTGRES else 'SQLite (temporary files)'}"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """SQLite: one migrated file copied per test.  PostgreSQL: migrate once, truncate per test."""
    if ON_POSTGRES:
        db = open_database(PG_URL)
        db.connect()
        db.execute_sql("DROP SCHEMA public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
        upgrade(db)
        seed_reference_data(db)
        db.close_all()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = open_database(f"sqlite:///{path}")
    upgrade(db)
    seed_reference_data(db)
    db.close_all()
    return str(path)


def seed_reference_data(db):
    """What `cxgov db upgrade` adds after the migrations: the default scoring model."""
    from cxgov.services.actor import SYSTEM
    from cxgov.services.scoring_models import ensure_default_model

    database.initialize(db)
    ensure_default_model(SYSTEM)


def _reset_postgres(url):
    db = open_database(url)
    db.connect()
    tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS if m is not AuditHead)
    extra = [r[0] for r in db.execute_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN %s",
        (tuple(m._meta.table_name for m in ALL_MODELS) + ("schema_migration",),)).fetchall()]
    all_tables = tables + "".join(f', "{t}"' for t in extra)
    with db.atomic():
        # Migration 0009 refuses TRUNCATE of the log and the ledger.  The tests connect as a
        # superuser, which may switch this one transaction to replica mode, where ordinary
        # triggers do not fire (the app's role could not: tests/test_app_role.py).
        db.execute_sql("SET LOCAL session_replication_role = replica")
        db.execute_sql(f"TRUNCATE {all_tables} RESTART IDENTITY CASCADE")
    # an upsert: a test may have deleted the head behind the app (tests/test_audit_tamper.py)
    db.execute_sql("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, %s) "
                   "ON CONFLICT (id) DO UPDATE SET seq = 0, hash = EXCLUDED.hash", (GENESIS_HASH,))
    seed_reference_data(db)
    db.close_all()


@pytest.fixture
def database_url(migrated_template, tmp_path):
    if ON_POSTGRES:
        _reset_postgres(migrated_template)
        return migrated_template
    path = tmp_path / "cxgov.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


def close_database():
    """Close every connection of the current database (the pool's too)."""
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
    elif not database.is_closed():
        database.close()


@pytest.fixture
def app(database_url):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    yield app
    close_database()


@pytest.fixture
def statements(monkeypatch):
    """The SQL statements the app sends from now on, in order."""
    import peewee

    sent = []
    execute_sql = peewee.Database.execute_sql

    def counting(self, sql, params=None, *args, **kwargs):
        sent.append(sql)
        return execute_sql(self, sql, params, *args, **kwargs)

    monkeypatch.setattr(peewee.Database, "execute_sql", counting)
    return sent


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_user(app):
    """make_user(role, team_id=None, email=None) -> (user, token)"""
    from cxgov.services import auth as auth_service
    from cxgov.services.actor import SYSTEM

    counter = {"n": 0}

    def _make(role, team_id=None, email=None):
        counter["n"] += 1
        with app.app_context():
            user = auth_service.create_user(SYSTEM, email or f"{role}{counter['n']}@example.com",
                                            f"{role.title()} {counter['n']}", role, team_id)
            _, token = auth_service.issue_token(SYSTEM, user.id, "test", 30)
            database.close()
        return user, token

    return _make


@pytest.fixture
def admin(make_user):
    _, token = make_user("admin")
    return bearer(token)
