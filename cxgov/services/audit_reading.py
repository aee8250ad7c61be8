"""Reading the accountability log: every event row, its content only where the reader may read
the record it describes.

Every event stays listed with ``seq``, ``action``, ``entity_type``, ``occurred_at``,
``actor_id``, ``request_id``, ``prev_hash`` and ``hash`` (the chain must stay whole for
everyone to check).  What the reader may not read directly is withheld, and named in
``redacted``:

* ``change``: when a direct GET of the record would refuse the reader (403 or 404);
* ``entity_id``: when that refusal is a 404 that hides the record's existence (another
  team's or any draft for a non-admin, another user's token);
* ``actor``: the actor's e-mail, unless the reader may read that user (admin; oneself).

Then ``payload`` is withheld too and ``proof`` replaces it (see ``audit_proof``): the SHA-256
state after the hidden bytes and the rest of the hashed bytes, which still give the hash.
"""
from dataclasses import dataclass
import json
import re

import rfc8785

from cxgov.models import ActualEntry, ApiToken, AuditEvent, Initiative, PortfolioScenario, Ranking
from cxgov.services import audit, read_rules
from cxgov.services.audit_proof import prefix_state
from cxgov.services.rankings import rounds_submitted_by

#: Records every role reads (their GET has no role or scope check).
PUBLIC_TYPES = frozenset({"team", "partner", "partner_assessment", "metric", "objective", "round",
                          "scoring_model", "maturity_assessment"})
#: Records read by role only.
ROLE_TYPES = {"vote": read_rules.BOARD_RECORD_READERS, "delegation": read_rules.BOARD_RECORD_READERS,
              "decision": read_rules.BOARD_RECORD_READERS}
#: Records whose rule needs facts from the database (loaded in batches by ``load_facts``).
SCOPED_TYPES = frozenset({"initiative", "actual_entry", "ranking", "portfolio_scenario", "token", "user"})
KNOWN_TYPES = PUBLIC_TYPES | frozenset(ROLE_TYPES) | SCOPED_TYPES
MISSING = object()
MAX_ROW_ID = 2 ** 63 - 1


@dataclass(frozen=True)
class EventAccess:
    """What of one event the reader may see."""
    change: bool
    entity: bool
    actor: bool

    @property
    def redacted(self):
        return [name for name, seen in (("actor", self.actor), ("change", self.change), ("entity_id", self.entity))
                if not seen]


@dataclass
class Facts:
    """What the rules need to know about the records a batch of events describes."""
    initiatives: dict  # id -> (team_id, status)
    actual_initiatives: dict  # actual entry id -> initiative id
    ranking_rounds: dict  # ranking id -> round id
    scenario_rounds: dict  # scenario id -> round id
    token_owners: dict  # token id -> user id
    rounds_of_team: frozenset  # rounds a team lead's team submitted to


def _int(value):
    """An entity id as a row id, or None (it names no row: not digits, or past 64 bits)."""
    if not isinstance(value, str) or not re.fullmatch(r"[1-9][0-9]{0,18}", value):
        return None
    number = int(value)
    return number if number <= MAX_ROW_ID else None


def event_access(actor, entity_type, entity_id, actor_id, facts):
    """Pure: may ``actor`` read this event's change, its entity id, its actor's e-mail?"""
    actor_seen = read_rules.user_readable(actor, actor_id)
    if actor.is_admin:
        return EventAccess(True, True, True)
    key = _int(entity_id)
    if entity_type in PUBLIC_TYPES:
        return EventAccess(True, True, actor_seen)
    if entity_type in ROLE_TYPES:
        return EventAccess(actor.role in ROLE_TYPES[entity_type], True, actor_seen)
    if entity_type == "initiative":
        seen = _initiative_seen(actor, facts.initiatives.get(key, MISSING))
        return EventAccess(seen, seen, actor_seen)
    if entity_type == "actual_entry":
        found = facts.initiatives.get(facts.actual_initiatives.get(key), MISSING)
        exists = _initiative_seen(actor, found)
        return EventAccess(exists and read_rules.actuals_readable(actor, *found), exists, actor_seen)
    if entity_type in ("ranking", "portfolio_scenario"):
        rounds = facts.ranking_rounds if entity_type == "ranking" else facts.scenario_rounds
        seen = read_rules.ranking_readable(actor, rounds.get(key) in facts.rounds_of_team)
        return EventAccess(seen, True, actor_seen)
    if entity_type == "token":
        seen = read_rules.token_readable(actor, facts.token_owners.get(key, MISSING))
        return EventAccess(seen, seen, actor_seen)
    if entity_type == "user":
        return EventAccess(read_rules.user_readable(actor, key), True, actor_seen)
    return EventAccess(False, False, actor_seen)  # a type without a rule: withheld until it has one


def _initiative_seen(actor, found):
    # a record that is gone was a draft (only drafts are deleted): admin's alone, like any draft
    return found is not MISSING and read_rules.initiative_readable(actor, *found)


def load_facts(actor, pairs):
    """The facts for ``(entity_type, entity_id)`` pairs, one query per kind of record."""
    ids = {}
    for entity_type, entity_id in pairs:
        key = _int(entity_id)
        if key is not None:
            ids.setdefault(entity_type, set()).add(key)
    actual_initiatives = ranking_rounds = scenario_rounds = token_owners = {}
    if ids.get("actual_entry"):
        actual_initiatives = dict(ActualEntry.select(ActualEntry.id, ActualEntry.initiative)
                                  .where(ActualEntry.id.in_(sorted(ids["actual_entry"]))).tuples())
    wanted = ids.get("initiative", set()) | set(actual_initiatives.values())
    initiatives = {}
    if wanted:
        initiatives = {iid: (team, status) for iid, team, status in
                       Initiative.select(Initiative.id, Initiative.team, Initiative.status)
                       .where(Initiative.id.in_(sorted(wanted))).tuples()}
    if ids.get("ranking"):
        ranking_rounds = dict(Ranking.select(Ranking.id, Ranking.round).where(Ranking.id.in_(sorted(ids["ranking"])))
                              .tuples())
    if ids.get("portfolio_scenario"):
        scenario_rounds = dict(PortfolioScenario.select(PortfolioScenario.id, PortfolioScenario.round)
                               .where(PortfolioScenario.id.in_(sorted(ids["portfolio_scenario"]))).tuples())
    if ids.get("token"):
        token_owners = dict(ApiToken.select(ApiToken.id, ApiToken.user).where(ApiToken.id.in_(sorted(ids["token"])))
                            .tuples())
    return Facts(initiatives, actual_initiatives, ranking_rounds, scenario_rounds, token_owners,
                 rounds_submitted_by(actor))


# ------------------------------------------------------------------ the rows a reader gets
def reader_rows(actor, events):
    """Each event as ``actor`` may see it (the rules' facts read once for the whole batch)."""
    events = list(events)
    facts = load_facts(actor, [(e.entity_type, e.entity_id) for e in events])
    return [reader_row(e, event_access(actor, e.entity_type, e.entity_id, e.actor_id, facts)) for e in events]


def exported_rows(actor, query, batch=500):
    """``reader_rows`` over a whole query in chain order, a batch of events (and facts) at a time."""
    last_id = 0
    while True:  # paged by id, which rises with seq and which no stored value can disorder
        events = list(query.where(AuditEvent.id > last_id).limit(batch))
        if not events:
            return
        last_id = events[-1].id
        yield from reader_rows(actor, events)


def reader_row(event, access):
    try:
        body = json.loads(event.payload)
        change = body["change"]
    except (TypeError, ValueError, KeyError, RecursionError):  # a tampered payload: /audit/verify names it; show nothing of it
        body, change = None, None
    row = {"id": event.id, "seq": event.seq, "occurred_at": event.occurred_at, "actor_id": event.actor_id,
           "actor_email": event.actor_email if access.actor else None, "action": event.action,
           "entity_type": event.entity_type, "entity_id": event.entity_id if access.entity else None,
           "request_id": event.request_id, "change": change if access.change else None,
           "redacted": access.redacted, "payload": event.payload, "proof": None,
           "prev_hash": event.prev_hash, "hash": event.hash}
    if access.redacted:
        row["payload"] = None
        row["proof"] = _proof(event.payload, body, access.redacted)
    return row


def _proof(payload, body, hidden):
    """SHA-256 state after the hidden members (whole blocks) and the hashed bytes after it."""
    data = payload.encode("utf-8") if isinstance(payload, str) else None
    if not isinstance(body, dict) or data is None or rfc8785.dumps(body) != data:
        return None  # not the canonical bytes: nothing provable, and nothing of it shown
    keys = sorted(body)  # the members' order in canonical JSON (the keys are ASCII)
    present = [keys.index(name) for name in hidden if name in body]
    if not present:
        return None
    last = max(present)
    hidden_end = len(rfc8785.dumps({k: body[k] for k in keys[:last + 1]})) - 1
    length = -(-hidden_end // 64) * 64
    while length < len(data) and data[length] & 0xC0 == 0x80:  # never cut a character: the suffix is text
        length += 64
    before_prev = len(rfc8785.dumps({k: body[k] for k in keys if k < "prev_hash"}))
    if "prev_hash" not in body or length > before_prev + len('"prev_hash":'):
        return None  # the link would not be checkable; cannot happen with the members the log writes
    return {"state": prefix_state(data[:length]), "length": length, "suffix": data[length:].decode("utf-8")}

def readable_query(actor, **filters):
    """``audit.query_events`` for ``actor``: an ``entity_id`` filter never matches a hidden identity
    (so neither the rows nor their count tell a hidden draft from an id never used)."""
    query = audit.query_events(**filters)
    entity_id = filters.get("entity_id")
    if entity_id is None or actor.is_admin:
        return query
    types = [filters["entity_type"]] if filters.get("entity_type") else [
        t for (t,) in AuditEvent.select(AuditEvent.entity_type).distinct()
        .where(AuditEvent.entity_id == str(entity_id)).tuples()]
    facts = load_facts(actor, [(t, entity_id) for t in types])
    shown = [t for t in types if event_access(actor, t, entity_id, None, facts).entity]
    return query.where(AuditEvent.entity_type.in_(shown or [""]))
