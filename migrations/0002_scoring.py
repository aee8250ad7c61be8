"""Scoring models, ranking snapshots and their entries, portfolio scenarios; a round pins
its scoring model and (from in_review on) the ranking the board decides on.

Generated with ``pwmigrate … generate scoring cxgov.models:ALL_MODELS`` and reviewed by hand
(frozen field types, CHECK constraints).  The default scoring model is not seeded here but
by ``cxgov db upgrade`` through the services, so that its creation is in the accountability log.
"""
from peewee import *


def up(migrator, db):
    class Initiative(Model):
        class Meta:
            database = db
            table_name = 'initiative'

    class Round(Model):
        class Meta:
            database = db
            table_name = 'round'

    class ScoringModel(Model):
        key = CharField(max_length=60)
        version = IntegerField(constraints=[Check('version >= 1')])
        name = CharField(max_length=120)
        method = CharField(max_length=20)
        normalization = CharField(max_length=20)
        criteria = TextField()
        horizon_years = IntegerField(constraints=[Check('horizon_years BETWEEN 1 AND 10')])
        ahp = TextField(null=True)
        locked = BooleanField(default=False)
        created_by = IntegerField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'scoring_model'
            indexes = ((('key', 'version'), True),)
    db.create_tables([ScoringModel])

    class Ranking(Model):
        round = ForeignKeyField(Round, on_delete='RESTRICT')
        scoring_model = ForeignKeyField(ScoringModel, on_delete='RESTRICT')
        model_version = IntegerField()
        inputs_hash = CharField(index=True, max_length=64)
        inputs = TextField()
        budget = BigIntegerField()
        funding_line_score = DoubleField(null=True)
        criteria_names = TextField()
        weights = TextField()
        entry_count = IntegerField()
        created_by = IntegerField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ranking'
    db.create_tables([Ranking])

    class PortfolioScenario(Model):
        round = ForeignKeyField(Round, on_delete='RESTRICT')
        ranking = ForeignKeyField(Ranking, on_delete='RESTRICT')
        name = CharField(max_length=120)
        request = TextField()
        result = TextField()
        created_by = IntegerField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'portfolio_scenario'
            indexes = ((('round', 'name'), True),)
    db.create_tables([PortfolioScenario])

    class RankingEntry(Model):
        ranking = ForeignKeyField(Ranking, on_delete='CASCADE')
        initiative = ForeignKeyField(Initiative, on_delete='RESTRICT')
        rank = IntegerField()
        score = DoubleField()
        cost = BigIntegerField()
        requested_amount = BigIntegerField()
        funded_by_fill = BooleanField()
        distance_to_line = DoubleField(null=True)
        detail = TextField()
        class Meta:
            database = db
            table_name = 'ranking_entry'
            indexes = ((('ranking', 'rank'), True), (('ranking', 'initiative'), True))
    db.create_tables([RankingEntry])

    migrator.migrate(migrator.add_column('round', 'scoring_model_id', ForeignKeyField(ScoringModel, field=ScoringModel.id, null=True, on_delete='RESTRICT')))
    migrator.migrate(migrator.add_column('round', 'pinned_ranking_id', ForeignKeyField(Ranking, field=Ranking.id, null=True, on_delete='RESTRICT')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('round', 'round_scoring_model_id'))
    migrator.migrate(migrator.drop_index('round', 'round_pinned_ranking_id'))
    migrator.migrate(migrator.drop_column('round', 'pinned_ranking_id'))
    migrator.migrate(migrator.drop_column('round', 'scoring_model_id'))
    migrator.migrate(migrator.drop_table('ranking_entry'))
    migrator.migrate(migrator.drop_table('portfolio_scenario'))
    migrator.migrate(migrator.drop_table('ranking'))
    migrator.migrate(migrator.drop_table('scoring_model'))
