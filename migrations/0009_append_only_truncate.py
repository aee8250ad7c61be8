"""PostgreSQL: TRUNCATE is refused on the append-only tables, and the chain head cannot be
deleted.

Hand-written.  The row triggers of 0001 (``audit_event``) and 0004 (``actual_entry``) refuse
UPDATE and DELETE, but a ``FOR EACH ROW`` trigger never sees TRUNCATE: the table's owner (by
default the app's own role) could empty the ledger or the log in one statement.  A
``BEFORE TRUNCATE … FOR EACH STATEMENT`` trigger fires for a TRUNCATE of the table itself and
for one that reaches it through ``CASCADE``.  ``audit_head`` (the one row appenders lock) is
not append-only, it moves with every event, but deleting or truncating it would stop every
write: both are refused too.  An owner can still disable triggers; run the app under a role
that does not own the tables (README, "Anyone verifies the log").  SQLite has no TRUNCATE and
no such triggers: no-op.
"""
from peewee import *

GUARDS = (
    ('audit_event', 'audit_event is append-only (TRUNCATE refused)'),
    ('actual_entry', 'actual_entry is append-only (TRUNCATE refused): book reversing entries'),
    ('audit_head', 'audit_head is the chain head (TRUNCATE refused)'),
)


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql(
        "CREATE FUNCTION cxgov_refuse_truncate() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION '%%', TG_ARGV[0]; END; "
        "$$ LANGUAGE plpgsql")
    for table, message in GUARDS:
        db.execute_sql(
            f'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION cxgov_refuse_truncate('{message}')")
    db.execute_sql(
        "CREATE FUNCTION audit_head_kept() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_head is the chain head (DELETE refused)'; END; "
        "$$ LANGUAGE plpgsql")
    db.execute_sql(
        "CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head "
        "FOR EACH ROW EXECUTE FUNCTION audit_head_kept()")


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    db.execute_sql('DROP TRIGGER IF EXISTS audit_head_kept ON audit_head')
    db.execute_sql('DROP FUNCTION IF EXISTS audit_head_kept()')
    for table, _ in GUARDS:
        db.execute_sql(f'DROP TRIGGER IF EXISTS {table}_no_truncate ON "{table}"')
    db.execute_sql('DROP FUNCTION IF EXISTS cxgov_refuse_truncate()')
