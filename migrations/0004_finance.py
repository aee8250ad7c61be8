"""The actuals ledger (append-only; a reversal points at the entry it corrects, at most once).

Generated with ``pwmigrate … generate finance cxgov.models:ALL_MODELS`` and reviewed by hand
(frozen field types, CHECK constraints, the PostgreSQL append-only trigger).
"""
from peewee import *


def up(migrator, db):
    class Initiative(Model):
        class Meta:
            database = db
            table_name = 'initiative'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ActualEntry(Model):
        initiative = ForeignKeyField(Initiative, on_delete='RESTRICT')
        amount = BigIntegerField(constraints=[Check('amount <> 0')])
        fiscal_year = IntegerField(constraints=[Check('fiscal_year BETWEEN 2000 AND 2100')])
        fiscal_quarter = SmallIntegerField(constraints=[Check('fiscal_quarter BETWEEN 1 AND 4')])
        booked_on = DateField()
        reference = CharField(max_length=120)
        note = TextField(default='')
        reverses = ForeignKeyField('self', unique=True, null=True, on_delete='RESTRICT')
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'actual_entry'
    db.create_tables([ActualEntry])
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE FUNCTION actual_entry_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'actual_entry is append-only (%% refused): book a reversing entry', TG_OP; END; "
            "$$ LANGUAGE plpgsql")
        db.execute_sql(
            "CREATE TRIGGER actual_entry_append_only BEFORE UPDATE OR DELETE ON actual_entry "
            "FOR EACH ROW EXECUTE FUNCTION actual_entry_append_only()")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TRIGGER IF EXISTS actual_entry_append_only ON actual_entry')
        db.execute_sql('DROP FUNCTION IF EXISTS actual_entry_append_only()')
    migrator.migrate(migrator.drop_table('actual_entry'))
