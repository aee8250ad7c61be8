"""Scoring models (versioned, immutable once used), ranking snapshots, portfolio scenarios."""
import peewee

from cxgov.models.base import BaseModel, JSONTextField, UTCDateTimeField, utcnow
from cxgov.models.initiatives import Initiative
from cxgov.models.rounds import Round


class ScoringModel(BaseModel):
    # ``key`` names the model across its versions; (key, version) is one immutable version
    # once a ranking has used it (``locked``).
    key = peewee.CharField(max_length=60)
    version = peewee.IntegerField(constraints=[peewee.Check("version >= 1")])
    name = peewee.CharField(max_length=120)
    method = peewee.CharField(max_length=20)
    normalization = peewee.CharField(max_length=20)
    criteria = JSONTextField()  # [{name, weight, scale: [lo, hi] | null}]
    horizon_years = peewee.IntegerField(constraints=[peewee.Check("horizon_years BETWEEN 1 AND 10")])
    ahp = JSONTextField(null=True)  # {matrices, criteria, cr, lambda_max, weights}
    locked = peewee.BooleanField(default=False)
    created_by = peewee.IntegerField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("key", "version"), True),)


class Ranking(BaseModel):
    round = peewee.ForeignKeyField(Round, backref="rankings", on_delete="RESTRICT")
    scoring_model = peewee.ForeignKeyField(ScoringModel, on_delete="RESTRICT")
    model_version = peewee.IntegerField()
    inputs_hash = peewee.CharField(max_length=64, index=True)
    budget = peewee.BigIntegerField()
    funding_line_score = peewee.DoubleField(null=True)
    criteria_names = JSONTextField()
    weights = JSONTextField()
    entry_count = peewee.IntegerField()
    created_by = peewee.IntegerField(null=True)
    created_at = UTCDateTimeField(default=utcnow)


class RankingInputs(BaseModel):
    """The canonical JSON a ranking hashed, in its own table: megabytes at 10,000 initiatives,
    read only to verify, for robustness and for portfolios.  In the ranking row itself it made
    every read of the columns stored after it walk its overflow pages on SQLite."""

    ranking = peewee.ForeignKeyField(Ranking, primary_key=True, backref="stored_inputs", on_delete="CASCADE")
    inputs = peewee.TextField()


class RankingEntry(BaseModel):
    ranking = peewee.ForeignKeyField(Ranking, backref="entries", on_delete="CASCADE")
    initiative = peewee.ForeignKeyField(Initiative, on_delete="RESTRICT")
    rank = peewee.IntegerField()
    score = peewee.DoubleField()
    cost = peewee.BigIntegerField()
    requested_amount = peewee.BigIntegerField()
    funded_by_fill = peewee.BooleanField()
    distance_to_line = peewee.DoubleField(null=True)
    detail = JSONTextField()  # raw, normalized, contributions, warnings, explanation

    class Meta:
        indexes = ((("ranking", "rank"), True), (("ranking", "initiative"), True))


class PortfolioScenario(BaseModel):
    round = peewee.ForeignKeyField(Round, backref="scenarios", on_delete="RESTRICT")
    ranking = peewee.ForeignKeyField(Ranking, on_delete="RESTRICT")
    name = peewee.CharField(max_length=120)
    request = JSONTextField()
    result = JSONTextField()
    created_by = peewee.IntegerField(null=True)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("round", "name"), True),)
