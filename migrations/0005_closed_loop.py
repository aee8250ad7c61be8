"""The closed loop: delivery reviews with realized change per metric, the history of each
team's calibration factor, CX maturity assessments; when an initiative was delivered.

Generated with ``pwmigrate … generate closed_loop cxgov.models:ALL_MODELS`` and reviewed by hand
(frozen field types).
"""
from peewee import *


def up(migrator, db):
    class Initiative(Model):
        class Meta:
            database = db
            table_name = 'initiative'

    class Metric(Model):
        class Meta:
            database = db
            table_name = 'metric'

    class Team(Model):
        class Meta:
            database = db
            table_name = 'team'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Review(Model):
        initiative = ForeignKeyField(Initiative, unique=True, on_delete='RESTRICT')
        lessons_learned = TextField()
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'review'
    db.create_tables([Review])

    class CalibrationSnapshot(Model):
        team = ForeignKeyField(Team, on_delete='RESTRICT')
        factor = DoubleField()
        observed_ratio = DoubleField(null=True)
        reviews = IntegerField()
        credibility = DoubleField()
        review = ForeignKeyField(Review, null=True, on_delete='RESTRICT')
        computed_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'calibration_snapshot'
    db.create_tables([CalibrationSnapshot])

    class MaturityAssessment(Model):
        assessed_on = DateField()
        levels = TextField()
        note = TextField(default='')
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'maturity_assessment'
    db.create_tables([MaturityAssessment])

    class ReviewMetric(Model):
        review = ForeignKeyField(Review, on_delete='CASCADE')
        metric = ForeignKeyField(Metric, on_delete='RESTRICT')
        expected_change = DoubleField()
        confidence = DoubleField()
        realized_change = DoubleField()
        source = CharField(max_length=10)
        window = TextField(null=True)
        class Meta:
            database = db
            table_name = 'review_metric'
            indexes = ((('review', 'metric'), True),)
    db.create_tables([ReviewMetric])

    migrator.migrate(migrator.add_column('initiative', 'delivered_at', DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('initiative', 'delivered_at'))
    migrator.migrate(migrator.drop_table('review_metric'))
    migrator.migrate(migrator.drop_table('maturity_assessment'))
    migrator.migrate(migrator.drop_table('calibration_snapshot'))
    migrator.migrate(migrator.drop_table('review'))
