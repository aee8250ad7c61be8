"""PostgreSQL: every transaction that writes ``api_token``, ``user`` or ``ranking`` notifies
channel ``cxgov_read_cache`` when it commits.

Hand-written.  A process that answers the token check or a round's latest ranking from memory
(``CXGOV_READ_CACHE_MS``, on by default on PostgreSQL) LISTENs on that channel and drops what
it remembers as soon as a notification arrives, so a token revoked or a user deactivated by any
writer (another worker, the CLI, psql) counts at once instead of after the cache's time bound.
Statement-level triggers: one notification per statement (PostgreSQL folds identical ones in a
transaction into one), none on rollback, TRUNCATE included.  SQLite has no notifications: no-op.
"""
from peewee import *

TABLES = ('api_token', 'user', 'ranking')


def up(migrator, db):
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


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    for table in TABLES:
        db.execute_sql(f'DROP TRIGGER IF EXISTS cxgov_read_cache_changed ON "{table}"')
    db.execute_sql('DROP FUNCTION IF EXISTS cxgov_read_cache_changed()')
