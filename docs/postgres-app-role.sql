-- Run cxgov under a PostgreSQL role that does not own its tables.
--
-- The owner role (the one that runs `cxgov db upgrade`) owns every table; the app connects as
-- another role with only the rights it needs.  Not owning the tables, the app's role cannot
-- TRUNCATE them, ALTER TABLE … DISABLE TRIGGER, drop the append-only triggers, or UPDATE or
-- DELETE the log and the actuals ledger.  Run this file as the owner after every upgrade (a
-- migration may add tables):
--
--     psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -v app_role=cxgov_app -f docs/postgres-app-role.sql
--
-- Once, beforehand, as a superuser: CREATE ROLE cxgov_app LOGIN PASSWORD '…';
-- then point CXGOV_DATABASE_URL at postgresql://cxgov_app:…@host/db.
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- append-only: read and append
REVOKE UPDATE, DELETE ON audit_event, actual_entry FROM :"app_role";
-- the chain head: read and move (appends lock it with an UPDATE)
REVOKE INSERT, DELETE ON audit_head FROM :"app_role";
-- the migration history is the owner's to write
REVOKE INSERT, UPDATE, DELETE ON schema_migration FROM :"app_role";
