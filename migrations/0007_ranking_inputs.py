"""A ranking's canonical inputs move out of the ``ranking`` row into ``ranking_inputs``.

Hand-written.  The inputs are megabytes at 10,000 initiatives (3.3 MB in the benchmark) and
were declared before ``budget``, ``criteria_names``, ``created_at`` and the other columns
every read of a ranking needs; on SQLite that read walked the text's overflow pages, which
made GET latest at 10,000 initiatives half as fast as at 1,000.  Existing inputs are copied
byte for byte, so every stored hash still verifies.
"""
from peewee import *


def up(migrator, db):
    class Ranking(Model):
        class Meta:
            database = db
            table_name = 'ranking'

    class RankingInputs(Model):
        ranking = ForeignKeyField(Ranking, primary_key=True, on_delete='CASCADE')
        inputs = TextField()
        class Meta:
            database = db
            table_name = 'ranking_inputs'
    db.create_tables([RankingInputs])
    db.execute_sql('INSERT INTO "ranking_inputs" ("ranking_id", "inputs") SELECT "id", "inputs" FROM "ranking"')
    migrator.migrate(migrator.drop_column('ranking', 'inputs'))


def down(migrator, db):
    migrator.migrate(migrator.add_column('ranking', 'inputs', TextField(null=True)))
    db.execute_sql('UPDATE "ranking" SET "inputs" = (SELECT "inputs" FROM "ranking_inputs" '
                   'WHERE "ranking_inputs"."ranking_id" = "ranking"."id")')
    migrator.migrate(migrator.add_not_null('ranking', 'inputs'))
    migrator.migrate(migrator.drop_table('ranking_inputs'))
