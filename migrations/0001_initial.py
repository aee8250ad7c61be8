"""Initial schema: users and tokens, teams, partners, metrics, objectives, rounds,
initiatives, the accountability log and idempotency keys.

Generated with ``pwmigrate … initial cxgov.models:ALL_MODELS`` and then reviewed by
hand: frozen field types (no imports from the application), the CHECK constraints,
the chain head's genesis row and the PostgreSQL append-only trigger were added.
Never edit this file once it has landed; add a new numbered migration instead.
"""
from peewee import *

GENESIS_HASH = "0" * 64


def up(migrator, db):
    class Team(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(unique=True, max_length=120)
        department = CharField(index=True, max_length=120)
        customer_facing = BooleanField(default=False)
        lead_name = CharField(max_length=200)
        lead_email = CharField(null=True, max_length=254)
        class Meta:
            database = db
            table_name = 'team'
    db.create_tables([Team])

    class User(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        email = CharField(unique=True, max_length=254)
        name = CharField(max_length=200)
        role = CharField(index=True, max_length=20)
        team = ForeignKeyField(Team, null=True, on_delete='RESTRICT')
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class ApiToken(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        name = CharField(max_length=100)
        prefix = CharField(max_length=16)
        digest = CharField(unique=True, max_length=64)
        expires_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        last_used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'api_token'
    db.create_tables([ApiToken])

    class AuditEvent(Model):
        seq = BigIntegerField(unique=True)
        occurred_at = DateTimeField(index=True)
        actor_id = IntegerField(index=True, null=True)
        actor_email = CharField(null=True, max_length=254)
        action = CharField(index=True, max_length=60)
        entity_type = CharField(max_length=40)
        entity_id = CharField(null=True, max_length=40)
        request_id = CharField(null=True, max_length=64)
        payload = TextField()
        prev_hash = CharField(unique=True, max_length=64)
        hash = CharField(unique=True, max_length=64)
        class Meta:
            database = db
            table_name = 'audit_event'
            indexes = ((('entity_type', 'entity_id'), False),)
    db.create_tables([AuditEvent])

    class AuditHead(Model):
        id = IntegerField(primary_key=True, constraints=[Check('id = 1')])
        seq = BigIntegerField(default=0)
        hash = CharField(max_length=64, default=GENESIS_HASH)
        class Meta:
            database = db
            table_name = 'audit_head'
    db.create_tables([AuditHead])
    AuditHead.create(id=1, seq=0, hash=GENESIS_HASH)

    class IdempotencyKey(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        key = CharField(max_length=200)
        fingerprint = CharField(max_length=64)
        status_code = SmallIntegerField(null=True)
        response_body = TextField(null=True)
        response_headers = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'idempotency_key'
            indexes = ((('user', 'key'), True),)
    db.create_tables([IdempotencyKey])

    class Round(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(unique=True, max_length=120)
        fiscal_year = IntegerField(constraints=[Check('fiscal_year BETWEEN 2000 AND 2100')])
        fiscal_quarter = SmallIntegerField(null=True, constraints=[Check('fiscal_quarter BETWEEN 1 AND 4')])
        budget = BigIntegerField(constraints=[Check('budget >= 0')])
        committed = BigIntegerField(default=0, constraints=[Check('committed >= 0 AND committed <= budget')])
        status = CharField(index=True, max_length=20, default='planning')
        description = TextField(default='')
        class Meta:
            database = db
            table_name = 'round'
    db.create_tables([Round])

    class Initiative(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        title = CharField(max_length=200)
        problem_statement = TextField()
        team = ForeignKeyField(Team, on_delete='RESTRICT')
        owner = ForeignKeyField(User, on_delete='RESTRICT')
        sponsor = ForeignKeyField(User, on_delete='RESTRICT')
        focus_area = CharField(index=True, max_length=40)
        building_block = CharField(index=True, max_length=40)
        journey_stage = CharField(max_length=20)
        channels = TextField(default='[]')
        one_time_cost = BigIntegerField(constraints=[Check('one_time_cost >= 0')])
        annual_cost = BigIntegerField(constraints=[Check('annual_cost >= 0')])
        requested_amount = BigIntegerField(constraints=[Check('requested_amount >= 0')])
        risk = SmallIntegerField(constraints=[Check('risk BETWEEN 1 AND 5')])
        months_to_value = SmallIntegerField(constraints=[Check('months_to_value BETWEEN 0 AND 120')])
        status = CharField(index=True, max_length=20, default='draft')
        round = ForeignKeyField(Round, null=True, on_delete='RESTRICT')
        status_reason = TextField(default='')
        class Meta:
            database = db
            table_name = 'initiative'
    db.create_tables([Initiative])

    class InitiativeContributor(Model):
        initiative = ForeignKeyField(Initiative, on_delete='CASCADE')
        team = ForeignKeyField(Team, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'initiative_contributor'
            indexes = ((('initiative', 'team'), True),)
    db.create_tables([InitiativeContributor])

    class InitiativeDependency(Model):
        initiative = ForeignKeyField(Initiative, on_delete='CASCADE')
        depends_on = ForeignKeyField(Initiative, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'initiative_dependency'
            constraints = [SQL('CHECK (initiative_id <> depends_on_id)')]
            indexes = ((('initiative', 'depends_on'), True),)
    db.create_tables([InitiativeDependency])

    class Metric(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        key = CharField(unique=True, max_length=40)
        name = CharField(max_length=120)
        unit = CharField(max_length=40)
        direction = CharField(max_length=20)
        baseline = DoubleField()
        target = DoubleField()
        weight = DoubleField(constraints=[Check('weight >= 0')])
        range_min = DoubleField(null=True)
        range_max = DoubleField(null=True)
        description = TextField(default='')
        class Meta:
            database = db
            table_name = 'metric'
    db.create_tables([Metric])

    class InitiativeImpact(Model):
        initiative = ForeignKeyField(Initiative, on_delete='CASCADE')
        metric = ForeignKeyField(Metric, on_delete='RESTRICT')
        expected_change = DoubleField()
        confidence = DoubleField(constraints=[Check('confidence >= 0 AND confidence <= 1')])
        class Meta:
            database = db
            table_name = 'initiative_impact'
            indexes = ((('initiative', 'metric'), True),)
    db.create_tables([InitiativeImpact])

    class Objective(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        title = CharField(unique=True, max_length=200)
        description = TextField(default='')
        metric = ForeignKeyField(Metric, on_delete='RESTRICT')
        baseline = DoubleField()
        target = DoubleField()
        deadline = DateField()
        weight = DoubleField(constraints=[Check('weight > 0')])
        class Meta:
            database = db
            table_name = 'objective'
    db.create_tables([Objective])

    class InitiativeObjective(Model):
        initiative = ForeignKeyField(Initiative, on_delete='CASCADE')
        objective = ForeignKeyField(Objective, on_delete='RESTRICT')
        alignment = SmallIntegerField(constraints=[Check('alignment BETWEEN 0 AND 5')])
        class Meta:
            database = db
            table_name = 'initiative_objective'
            indexes = ((('initiative', 'objective'), True),)
    db.create_tables([InitiativeObjective])

    class Partner(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(unique=True, max_length=160)
        kind = CharField(max_length=20)
        description = TextField(default='')
        class Meta:
            database = db
            table_name = 'partner'
    db.create_tables([Partner])

    class InitiativePartner(Model):
        initiative = ForeignKeyField(Initiative, on_delete='CASCADE')
        partner = ForeignKeyField(Partner, on_delete='RESTRICT')
        share = DoubleField(constraints=[Check('share > 0 AND share <= 1')])
        class Meta:
            database = db
            table_name = 'initiative_partner'
            indexes = ((('initiative', 'partner'), True),)
    db.create_tables([InitiativePartner])

    class Measurement(Model):
        metric = ForeignKeyField(Metric, on_delete='CASCADE')
        measured_at = DateTimeField()
        value = DoubleField()
        segment = CharField(null=True, max_length=80)
        channel = CharField(null=True, max_length=40)
        recorded_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'measurement'
            indexes = ((('metric', 'measured_at'), False),)
    db.create_tables([Measurement])

    class PartnerAssessment(Model):
        version = IntegerField(default=1, constraints=[Check('version >= 1')])
        created_at = DateTimeField()
        updated_at = DateTimeField()
        partner = ForeignKeyField(Partner, on_delete='CASCADE')
        assessed_on = DateField()
        shared_vision = SmallIntegerField(constraints=[Check('shared_vision BETWEEN 1 AND 5')])
        data_sharing = SmallIntegerField(constraints=[Check('data_sharing BETWEEN 1 AND 5')])
        process_integration = SmallIntegerField(constraints=[Check('process_integration BETWEEN 1 AND 5')])
        feedback_responsiveness = SmallIntegerField(constraints=[Check('feedback_responsiveness BETWEEN 1 AND 5')])
        note = TextField(default='')
        assessed_by = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'partner_assessment'
            indexes = ((('partner', 'assessed_on'), False),)
    db.create_tables([PartnerAssessment])

    if isinstance(db, PostgresqlDatabase):
        # The log is append-only: refuse UPDATE and DELETE at the database.
        db.execute_sql(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only (%% refused)', TG_OP; END; "
            "$$ LANGUAGE plpgsql")
        db.execute_sql(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event')
        db.execute_sql('DROP FUNCTION IF EXISTS audit_event_append_only()')
    migrator.migrate(migrator.drop_table('partner_assessment'))
    migrator.migrate(migrator.drop_table('measurement'))
    migrator.migrate(migrator.drop_table('initiative_partner'))
    migrator.migrate(migrator.drop_table('partner'))
    migrator.migrate(migrator.drop_table('initiative_objective'))
    migrator.migrate(migrator.drop_table('objective'))
    migrator.migrate(migrator.drop_table('initiative_impact'))
    migrator.migrate(migrator.drop_table('metric'))
    migrator.migrate(migrator.drop_table('initiative_dependency'))
    migrator.migrate(migrator.drop_table('initiative_contributor'))
    migrator.migrate(migrator.drop_table('initiative'))
    migrator.migrate(migrator.drop_table('round'))
    migrator.migrate(migrator.drop_table('idempotency_key'))
    migrator.migrate(migrator.drop_table('audit_head'))
    migrator.migrate(migrator.drop_table('audit_event'))
    migrator.migrate(migrator.drop_table('api_token'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('team'))
