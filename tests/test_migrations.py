"""Migrations: up, down, up again on an empty database; no drift from the models; the app
refuses an unmigrated database with the command to run."""
import os
import subprocess
import sys

import pytest

from cxgov.app import create_app
from cxgov.db import database, open_database
from cxgov.schema_version import MIGRATIONS_DIR, downgrade_all, pending_migrations, runner, upgrade
from cxgov.services import rankings
from cxgov.services.actor import SYSTEM
from tests.builders import build_world
from tests.conftest import ON_POSTGRES, PG_URL

ROOT = os.path.dirname(MIGRATIONS_DIR)
PWMIGRATE = os.path.join(os.path.dirname(sys.executable), "pwmigrate")


@pytest.fixture
def empty_url(tmp_path, migrated_template):
    """An empty database (the PostgreSQL one is emptied, then re-migrated afterwards)."""
    if ON_POSTGRES:
        db = open_database(PG_URL)
        downgrade_all(db)
        db.close_all()
        yield PG_URL
        db = open_database(PG_URL)
        upgrade(db)
        db.close_all()
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


def _tables(db):
    return sorted(t for t in db.get_tables() if t != "schema_migration")


def _pwmigrate_diff(url):
    target = url if ON_POSTGRES else url[len("sqlite:///"):]
    return subprocess.run([PWMIGRATE, target, "diff", "cxgov.models:ALL_MODELS"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_up_down_up_and_no_drift(empty_url):
    db = open_database(empty_url)
    if not ON_POSTGRES:
        db.connect()
    assert _tables(db) == []
    assert pending_migrations(db) == sorted(pending_migrations(db))
    applied = upgrade(db)
    assert applied and pending_migrations(db) == []
    tables = _tables(db)
    assert "initiative" in tables and "audit_event" in tables
    downgrade_all(db)
    assert _tables(db) == []
    upgrade(db)
    assert _tables(db) == tables
    db.close_all()
    result = _pwmigrate_diff(empty_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "schema matches models.", result.stdout


def test_unmigrated_database_is_refused_with_the_command(empty_url):
    if ON_POSTGRES:
        db = open_database(empty_url)
        downgrade_all(db)
        db.close_all()
    app = create_app({"DATABASE_URL": empty_url})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503 and response.content_type == "application/problem+json"
    assert "cxgov db upgrade" in response.json["detail"] and "0001_initial" in response.json["detail"]
    assert client.get("/api/v1/teams").status_code == 503
    database.obj.close_all()


def test_0007_carries_a_rankings_inputs_over_and_back(app):
    """The inputs leave the ranking row for ranking_inputs byte for byte (and come back on
    down), so a ranking stored before the move still verifies after it."""
    world = build_world(app)
    with app.app_context():
        from cxgov.models import Round

        # two rankings with different inputs (the round's budget is among them), so a copy that
        # paired rows up wrongly would show
        first = rankings.rank_round(SYSTEM, world["round"])
        Round.update(budget=Round.budget + 1).where(Round.id == world["round"]).execute()
        second = rankings.rank_round(SYSTEM, world["round"])
        texts = {r.id: rankings.inputs_of(r) for r in (first, second)}
        assert texts[first.id] != texts[second.id] and first.inputs_hash != second.inputs_hash
        db = database.obj
        assert "inputs" not in [c.name for c in db.get_columns("ranking")]
        try:
            while (reverted := runner(db).down()) != ["0007_ranking_inputs"]:
                assert reverted and reverted[0] > "0007"  # the later migrations first
            assert "ranking_inputs" not in db.get_tables()
            stored = dict(db.execute_sql('SELECT "id", "inputs" FROM "ranking"').fetchall())
            assert stored == texts
        finally:
            upgrade(db)
        assert "inputs" not in [c.name for c in db.get_columns("ranking")]
        for ranking in (first, second):
            assert rankings.inputs_of(ranking) == texts[ranking.id]
            assert rankings.verify_ranking(SYSTEM, ranking.id)["ok"] is True


def _read_cache_triggers(db):
    return sorted(db.execute_sql(
        "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'cxgov_read_cache_changed'").fetchall())


@pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY triggers are PostgreSQL's; on SQLite 0008 and 0011 do nothing")
def test_0011_drops_0008s_notify_triggers_and_down_brings_them_back_as_0008_made_them(app):
    """0008 made statement-level AFTER INSERT, UPDATE, DELETE and TRUNCATE triggers on api_token,
    user and ranking (tgtype bits: 1 row, 4 insert, 8 delete, 16 update, 32 truncate); 0011
    drops them and their function; its down re-creates exactly those, and 0008's down removes
    them again."""
    with app.app_context():
        db = database.obj
        function = "SELECT 1 FROM pg_proc WHERE proname = 'cxgov_read_cache_changed'"
        assert _read_cache_triggers(db) == [] and not db.execute_sql(function).fetchall()
        try:
            assert runner(db).down() == ["0011_drop_read_cache_notify"]
            assert _read_cache_triggers(db) == [("api_token", 60), ("ranking", 60), ("user", 60)]
            assert db.execute_sql(function).fetchall()
            while (reverted := runner(db).down()) != ["0008_read_cache_notify"]:
                assert reverted and reverted[0] > "0008"  # the later migrations first
            assert _read_cache_triggers(db) == [] and not db.execute_sql(function).fetchall()
        finally:
            upgrade(db)
        assert _read_cache_triggers(db) == [] and not db.execute_sql(function).fetchall()


def _append_only_guards(db):
    return sorted(db.execute_sql(
        "SELECT c.relname, t.tgname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname LIKE '%%_no_truncate' OR t.tgname = 'audit_head_kept'").fetchall())


@pytest.mark.skipif(not ON_POSTGRES, reason="TRUNCATE triggers are PostgreSQL's; on SQLite 0009 does nothing")
def test_0009_guards_truncate_of_the_log_and_the_ledger_and_goes_on_down(app):
    """BEFORE TRUNCATE statement triggers (tgtype bits: 2 before, 32 truncate; row triggers add 1)
    on audit_event, actual_entry and audit_head, and a row trigger refusing DELETE of the head;
    down removes them and their functions, up brings them back."""
    expected = [("actual_entry", "actual_entry_no_truncate", 34), ("audit_event", "audit_event_no_truncate", 34),
                ("audit_head", "audit_head_kept", 11), ("audit_head", "audit_head_no_truncate", 34)]
    with app.app_context():
        db = database.obj
        assert _append_only_guards(db) == expected
        try:
            while (reverted := runner(db).down()) != ["0009_append_only_truncate"]:
                assert reverted and reverted[0] > "0009"  # the later migrations first
            assert _append_only_guards(db) == []
            assert not db.execute_sql("SELECT 1 FROM pg_proc WHERE proname IN "
                                      "('cxgov_refuse_truncate', 'audit_head_kept')").fetchall()
        finally:
            upgrade(db)
        assert _append_only_guards(db) == expected
