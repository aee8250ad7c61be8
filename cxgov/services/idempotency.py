"""The Idempotency-Key store: one creating request per (user, key), replayed on a retry.

The key is claimed (INSERT under UNIQUE(user, key)) in the same transaction as the work, so of
concurrent identical requests one runs and the others replay its stored response; a key reused
with another body is a 422, one still in flight a 409.  The HTTP layer
(``cxgov.api.extensions.blueprint``) reads the header and turns responses into ``Stored``
values and back.
"""
import json
from dataclasses import dataclass

import peewee

from cxgov import errors
from cxgov.db import write_transaction
from cxgov.models import IdempotencyKey


@dataclass(frozen=True)
class Stored:
    """The first response to a key, as kept: status, body text and the headers worth replaying."""

    status_code: int
    body: str
    headers: dict


def run_once(user_id, key, fingerprint, run, describe):
    """``run()`` under the claim of ``key`` for ``user_id``, or the ``Stored`` first response.

    ``fingerprint`` identifies the request (method, path, body); ``describe(result)`` gives the
    ``Stored`` form of what ``run`` returned, kept for later replays.  A failure of ``run``
    rolls the claim back with the work, so a refused request does not burn the key."""
    for _attempt in range(3):
        with write_transaction():
            existing = IdempotencyKey.get_or_none((IdempotencyKey.user == user_id) & (IdempotencyKey.key == key))
            if existing is not None:
                return _replay(existing, fingerprint)
            try:
                with write_transaction():  # a savepoint around the claim alone
                    claim = IdempotencyKey.create(user=user_id, key=key, fingerprint=fingerprint)
            except peewee.IntegrityError:
                continue  # another request claimed the key first: read it again and replay
            # the operation's own errors (a 409 for a duplicate, say) pass through as they are
            result = run()
            stored = describe(result)
            claim.status_code = stored.status_code
            claim.response_body = stored.body
            claim.response_headers = json.dumps(stored.headers)
            claim.save()
            return result
    raise errors.Conflict("a request with this Idempotency-Key is still in flight; retry shortly")


def _replay(existing, fingerprint):
    if existing.fingerprint != fingerprint:
        raise errors.RuleViolation("this Idempotency-Key was used with a different request body",
                                   errors={"Idempotency-Key": ["already used with another body"]})
    if existing.status_code is None:
        raise errors.Conflict("a request with this Idempotency-Key is still in flight; retry shortly")
    return Stored(existing.status_code, existing.response_body, json.loads(existing.response_headers or "{}"))
