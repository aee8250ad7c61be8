"""A board meeting in a few calls: votes and decisions in batches, all or nothing.

Each item goes through the single call's own code path (``governance.cast_vote_in`` and
``governance.decide_in``), in list order, inside one outermost write transaction, so the
single call's checks, audit events and budget guard apply to each item unchanged.
"""
import peewee

from cxgov.db import write_transaction
from cxgov.errors import Busy, Conflict, DomainError, Forbidden, InvalidTransition, RuleViolation
from cxgov.services import governance

MAX_BATCH = 500


def cast_votes(actor, round_id, items):
    """A member's votes on many initiatives, all or nothing (see ``_all_or_nothing``)."""
    with write_transaction():
        rnd = governance.round_in_review(round_id, actor)
        return _all_or_nothing("votes", items, lambda item: governance.cast_vote_in(
            actor, rnd, item["initiative_id"], item["choice"], item.get("comment", ""), item.get("on_behalf_of")))


def decide_batch(actor, round_id, items):
    """The chair's decisions for a meeting, all or nothing; returns [(decision, round after it)]."""
    with write_transaction():
        rnd = governance.round_locked_for_decisions(round_id, actor)
        return _all_or_nothing("decisions", items, lambda item: governance.decide_in(actor, rnd, item))


def _all_or_nothing(name, items, apply):
    """Apply each item as the single call would, in list order, in the caller's (outermost)
    write transaction; each item in a savepoint, so that a refused one is rolled back and the
    next ones are still checked (against the items before them).  Any refusal refuses the
    batch: one error naming every refused item by index and initiative_id, nothing written.

    The budget guard is the single call's conditional UPDATE, so a batch's total holds
    against concurrent batches exactly as single approvals do."""
    results, refused = [], []
    for index, item in enumerate(items):
        try:
            with write_transaction():
                results.append(apply(item))
        except (DomainError, peewee.IntegrityError) as exc:
            if isinstance(exc, Busy):
                raise
            if isinstance(exc, peewee.IntegrityError):
                exc = Conflict("the change conflicts with an existing record")
            refused.append({"index": index, "initiative_id": item.get("initiative_id"), "title": exc.title,
                            "detail": exc.detail, "errors": exc.errors, **exc.extra})
    if refused:
        raise _batch_refusal(name, len(items), refused)
    return results


def _batch_refusal(name, count, refused):
    kinds = {item["title"] for item in refused}
    detail = (f"{len(refused)} of the {count} {name} refused, so none was recorded: "
              + "; ".join(f"#{r['index']} (initiative {r['initiative_id']}): {r['detail']}" for r in refused[:5])
              + (f"; and {len(refused) - 5} more" if len(refused) > 5 else ""))
    errors = {f"{name}.{r['index']}": [r["detail"]] for r in refused}
    cls = RuleViolation  # 422, unless every refusal is a conflict (409) or every one forbidden (403)
    if kinds <= {Conflict.title, InvalidTransition.title}:
        cls = Conflict
    elif kinds == {Forbidden.title}:
        cls = Forbidden
    return cls(detail, errors=errors, refused=refused)
