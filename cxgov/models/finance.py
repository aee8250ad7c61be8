"""The actuals ledger: append-only; a correction is a reversing entry, never an edit."""
import peewee

from cxgov.models.base import BaseModel, UTCDateTimeField, utcnow
from cxgov.models.initiatives import Initiative
from cxgov.models.users import User


class ActualEntry(BaseModel):
    initiative = peewee.ForeignKeyField(Initiative, backref="actuals", on_delete="RESTRICT")
    amount = peewee.BigIntegerField(constraints=[peewee.Check("amount <> 0")])
    fiscal_year = peewee.IntegerField(constraints=[peewee.Check("fiscal_year BETWEEN 2000 AND 2100")])
    fiscal_quarter = peewee.SmallIntegerField(constraints=[peewee.Check("fiscal_quarter BETWEEN 1 AND 4")])
    booked_on = peewee.DateField()
    reference = peewee.CharField(max_length=120)
    note = peewee.TextField(default="")
    # UNIQUE: an entry is reversed at most once.
    reverses = peewee.ForeignKeyField("self", null=True, unique=True, on_delete="RESTRICT")
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        # Covering index for the reports' per-initiative sums (migration 0006).
        indexes = ((("initiative", "amount"), False),)
