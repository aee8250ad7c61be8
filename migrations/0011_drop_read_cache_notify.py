"""PostgreSQL: drop migration 0008's NOTIFY triggers and their function.

Hand-written.  Nothing LISTENs on ``cxgov_read_cache`` any more: every request reads the token
and the rankings afresh, so the notifications only cost each write to ``api_token``, ``user`` and
``ranking`` a trigger call.  Down re-creates them exactly as 0008 did.  SQLite: no-op.
"""
from peewee import *

TABLES = ('api_token', 'user', 'ranking')


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    for table in TABLES:
        db.execute_sql(f'DROP TRIGGER IF EXISTS cxgov_read_cache_changed ON "{table}"')
    db.execute_sql('DROP FUNCTION IF EXISTS cxgov_read_cache_changed()')


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql(
        "CREATE FUNCTION cxgov_read_cache_changed() RETURNS trigger AS $$ "
        "BEGIN PERFORM pg_notify('cxgov_read_cache', TG_TABLE_NAME); RETURN NULL; END; "
        "$$ LANGUAGE plpgsql")
    for table in TABLES:
        db.execute_sql(
            f'CREATE TRIGGER cxgov_read_cache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            'FOR EACH STATEMENT EXECUTE FUNCTION cxgov_read_cache_changed()')
