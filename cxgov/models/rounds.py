"""Funding rounds."""
import peewee

from cxgov.models.base import VersionedModel

ROUND_STATUSES = ("planning", "open", "in_review", "decided", "closed")


class Round(VersionedModel):
    name = peewee.CharField(max_length=120, unique=True)
    fiscal_year = peewee.IntegerField(constraints=[peewee.Check("fiscal_year BETWEEN 2000 AND 2100")])
    fiscal_quarter = peewee.SmallIntegerField(
        null=True, constraints=[peewee.Check("fiscal_quarter BETWEEN 1 AND 4")]
    )
    budget = peewee.BigIntegerField(constraints=[peewee.Check("budget >= 0")])
    # The running sum of approved amounts; the budget guard moves it with a
    # conditional UPDATE, and this CHECK is the last line of defence.
    committed = peewee.BigIntegerField(
        default=0, constraints=[peewee.Check("committed >= 0 AND committed <= budget")]
    )
    status = peewee.CharField(max_length=20, default="planning", index=True)
    description = peewee.TextField(default="")
    # Pinned: the scoring model version its rankings use, and (from in_review on) the
    # ranking snapshot the board decides on.
    # Decision authority: an approval above this amount needs two thirds of the non-recused
    # board approving (below it, the votes of a quorum).  Null: no such threshold.
    supermajority_above = peewee.BigIntegerField(null=True, constraints=[peewee.Check("supermajority_above >= 0")])
    scoring_model = peewee.DeferredForeignKey("ScoringModel", null=True, on_delete="RESTRICT")
    pinned_ranking = peewee.DeferredForeignKey("Ranking", null=True, on_delete="RESTRICT")
