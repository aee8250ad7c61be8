"""Governance: votes (one current vote per member), delegations, decisions with their override
accounting and the tally they were taken on, delivery status updates; a round's approval
threshold; an initiative's approved amount, accountable owner and due date.

Generated with ``pwmigrate … generate governance cxgov.models:ALL_MODELS`` and reviewed by
hand (frozen field types, CHECK constraints).
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

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Decision(Model):
        round = ForeignKeyField(Round, on_delete='RESTRICT')
        initiative = ForeignKeyField(Initiative, on_delete='RESTRICT')
        outcome = CharField(max_length=20)
        approved_amount = BigIntegerField(null=True, constraints=[Check('approved_amount >= 0')])
        rationale = TextField()
        conditions = TextField(default='')
        accountable_owner = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        due_date = DateField(null=True)
        deferred_to = ForeignKeyField(Round, null=True, on_delete='RESTRICT')
        override = BooleanField(default=False)
        override_kinds = TextField(default='[]')
        override_rationale = TextField(default='')
        tally = TextField()
        ranking = IntegerField(null=True)
        decided_by = ForeignKeyField(User, on_delete='RESTRICT')
        decided_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'decision'
    db.create_tables([Decision])

    class Delegation(Model):
        round = ForeignKeyField(Round, on_delete='RESTRICT')
        member = ForeignKeyField(User, on_delete='RESTRICT')
        delegate = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'delegation'
            constraints = [SQL('CHECK (member_id <> delegate_id)')]
            indexes = ((('round', 'member'), True),)
    db.create_tables([Delegation])

    class StatusUpdate(Model):
        initiative = ForeignKeyField(Initiative, on_delete='RESTRICT')
        rag = CharField(max_length=5)
        percent_complete = SmallIntegerField(constraints=[Check('percent_complete BETWEEN 0 AND 100')])
        note = TextField(default='')
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'status_update'
    db.create_tables([StatusUpdate])

    class Vote(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        round = ForeignKeyField(Round, on_delete='RESTRICT')
        initiative = ForeignKeyField(Initiative, on_delete='RESTRICT')
        member = ForeignKeyField(User, on_delete='RESTRICT')
        cast_by = ForeignKeyField(User, on_delete='RESTRICT')
        choice = CharField(max_length=10)
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'vote'
            indexes = ((('round', 'initiative', 'member'), True),)
    db.create_tables([Vote])

    migrator.migrate(migrator.add_column('round', 'supermajority_above', BigIntegerField(null=True, constraints=[Check('supermajority_above >= 0')])))
    migrator.migrate(migrator.add_column('initiative', 'approved_amount', BigIntegerField(null=True, constraints=[Check('approved_amount >= 0')])))
    migrator.migrate(migrator.add_column('initiative', 'accountable_owner_id', ForeignKeyField(User, field=User.id, null=True, on_delete='RESTRICT')))
    migrator.migrate(migrator.add_column('initiative', 'due_date', DateField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('initiative', 'initiative_accountable_owner_id'))
    migrator.migrate(migrator.drop_column('initiative', 'due_date'))
    migrator.migrate(migrator.drop_column('initiative', 'accountable_owner_id'))
    migrator.migrate(migrator.drop_column('initiative', 'approved_amount'))
    migrator.migrate(migrator.drop_column('round', 'supermajority_above'))
    migrator.migrate(migrator.drop_table('vote'))
    migrator.migrate(migrator.drop_table('status_update'))
    migrator.migrate(migrator.drop_table('delegation'))
    migrator.migrate(migrator.drop_table('decision'))
