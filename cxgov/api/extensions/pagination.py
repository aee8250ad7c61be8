"""Listing: peewee pagination (COUNT + LIMIT/OFFSET) and ``?sort=field`` / ``?sort=-field``."""
import marshmallow as ma
from flask_smorest import Page

from cxgov import errors
from cxgov.api.extensions.fields import MAX_ID


class PeeweePage(Page):
    """Paginate a peewee query with COUNT + LIMIT/OFFSET."""

    @property
    def item_count(self):
        return self.collection.count()

    @property
    def items(self):
        if (self.page_params.page - 1) * self.page_params.page_size > MAX_ID:
            return []  # past any row; the database could not even take this OFFSET (a 500 before)
        return list(self.collection.paginate(self.page_params.page, self.page_params.page_size))


def apply_sort(query, model, sort, allowed):
    if not sort:
        return query.order_by(model.id)
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in allowed:
        raise errors.RuleViolation(f"cannot sort by {name!r}", errors={"sort": [f"one of {', '.join(allowed)}"]})
    field = getattr(model, name)
    return query.order_by(field.desc() if descending else field.asc(), model.id)


def sort_field(allowed):
    choices = list(allowed) + ["-" + a for a in allowed]
    return ma.fields.String(validate=ma.validate.OneOf(choices), metadata={"description": "field, or -field for descending"})
