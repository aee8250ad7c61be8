"""Initiatives: drafting, editing, submitting to a round, withdrawing, cancelling.

Team leads act only for their own team; they never see another team's drafts
(those answer 404, as if they did not exist).
"""
import peewee

from cxgov.db import write_transaction
from cxgov.errors import Forbidden, InvalidTransition, NotFound, RuleViolation
from cxgov.models import (
    Initiative, InitiativeContributor, InitiativeDependency, InitiativeImpact, InitiativeObjective,
    InitiativePartner, Metric, Objective, Partner, Round, Team, User,
)
from cxgov.services.audit import append_event
from cxgov.services.lifecycle import caller_moves, endpoint_moves
from cxgov.services.records import snapshot, update_recorded

EDITABLE_STATES = ("draft", "changes_requested")
SHARE_TOLERANCE = 1e-9


# ---------------------------------------------------------------- visibility
def visible_initiatives(actor):
    query = Initiative.select()
    if actor.is_admin:
        return query
    if actor.role == "team_lead":
        return query.where((Initiative.status != "draft") | (Initiative.team == actor.team_id))
    return query.where(Initiative.status != "draft")


def get_visible(actor, initiative_id):
    record = visible_initiatives(actor).where(Initiative.id == initiative_id).first()
    if record is None:
        raise NotFound(f"initiative {initiative_id} does not exist")
    return record


def _require_own_team(actor, team_id):
    if actor.role == "team_lead" and team_id != actor.team_id:
        raise Forbidden("a team lead may act only on their own team's initiatives")


def filter_initiatives(actor, team_id=None, status=None, round_id=None, focus_area=None,
                       building_block=None, q=None):
    query = visible_initiatives(actor)
    if team_id:
        query = query.where(Initiative.team == team_id)
    if status:
        query = query.where(Initiative.status == status)
    if round_id:
        query = query.where(Initiative.round == round_id)
    if focus_area:
        query = query.where(Initiative.focus_area == focus_area)
    if building_block:
        query = query.where(Initiative.building_block == building_block)
    if q:
        query = query.where(Initiative.title.contains(q))
    return query


def moves_of(actor, record, round_status=None):
    """``allowed``: the moves this caller may make from the record's state; ``all_moves``: every
    move the transitions endpoint knows from it (they differ for other roles and teams)."""
    if round_status is None and record.round_id is not None:
        rnd = Round.get_or_none(Round.id == record.round_id)
        round_status = rnd.status if rnd else None
    own = actor is not None and actor.team_id == record.team_id
    allowed = caller_moves(record.status, actor.role, own, round_status) if actor else endpoint_moves(record.status)
    return {"allowed": allowed, "all_moves": endpoint_moves(record.status)}


def with_details(records, actor=None):
    """Attach the child lists in a bounded number of queries (one per list), and the moves
    ``actor`` may make (``allowed_transitions``) beside every move (``all_moves``)."""
    records = list(records)
    ids = [r.id for r in records]
    by_id = {r.id: r for r in records}
    for r in records:
        r.objective_rows, r.impact_rows, r.partner_rows, r.dependency_ids, r.contributing_team_ids = [], [], [], [], []
    if not ids:
        return records
    for row in InitiativeObjective.select().where(InitiativeObjective.initiative.in_(ids)).order_by(InitiativeObjective.id):
        by_id[row.initiative_id].objective_rows.append(row)
    for row in InitiativeImpact.select().where(InitiativeImpact.initiative.in_(ids)).order_by(InitiativeImpact.id):
        by_id[row.initiative_id].impact_rows.append(row)
    for row in InitiativePartner.select().where(InitiativePartner.initiative.in_(ids)).order_by(InitiativePartner.id):
        by_id[row.initiative_id].partner_rows.append(row)
    for row in InitiativeDependency.select().where(InitiativeDependency.initiative.in_(ids)).order_by(InitiativeDependency.id):
        by_id[row.initiative_id].dependency_ids.append(row.depends_on_id)
    for row in InitiativeContributor.select().where(InitiativeContributor.initiative.in_(ids)).order_by(InitiativeContributor.id):
        by_id[row.initiative_id].contributing_team_ids.append(row.team_id)
    round_ids = {r.round_id for r in records if r.round_id is not None}
    round_status = {r.id: r.status for r in Round.select(Round.id, Round.status).where(Round.id.in_(sorted(round_ids)))}
    for r in records:
        moves = moves_of(actor, r, round_status.get(r.round_id))
        r.allowed_transitions, r.all_moves = moves["allowed"], moves["all_moves"]
    return records


# ---------------------------------------------------------------- validation
def _unknown(model, ids):
    ids = set(ids)
    if not ids:
        return set()
    found = {row.id for row in model.select(model.id).where(model.id.in_(list(ids)))}
    return ids - found


def _validate_refs(actor, data, initiative_id=None):
    """Check every reference and cross-field rule; raise one 422 naming all bad fields."""
    errs = {}

    def bad(field, message):
        errs.setdefault(field, []).append(message)

    _check_people_and_round(data, bad)
    _check_contributors(data, bad)
    _check_child_lists(data, bad)
    _check_dependencies(actor, data, initiative_id, bad)
    if errs:
        raise RuleViolation("the initiative refers to records that do not exist or breaks a rule: "
                            + ", ".join(sorted(errs)), errors=errs)


def _check_people_and_round(data, bad):
    """The owning team, owner, sponsor and round exist (users also active)."""
    if "team_id" in data and _unknown(Team, [data["team_id"]]):
        bad("team_id", f"team {data['team_id']} does not exist")
    for field in ("owner_id", "sponsor_id"):
        if field in data:
            user = User.get_or_none(User.id == data[field])
            if user is None or not user.active:
                bad(field, f"user {data[field]} does not exist or is inactive")
    if "round_id" in data and data["round_id"] is not None and _unknown(Round, [data["round_id"]]):
        bad("round_id", f"round {data['round_id']} does not exist")


def _check_contributors(data, bad):
    """Contributing teams exist, appear once, and exclude the owning team."""
    if "contributing_team_ids" not in data:
        return
    ids = data["contributing_team_ids"]
    if len(set(ids)) != len(ids):
        bad("contributing_team_ids", "duplicates")
    if missing := _unknown(Team, ids):
        bad("contributing_team_ids", f"unknown teams {sorted(missing)}")
    if data.get("team_id") in ids:
        bad("contributing_team_ids", "the owning team is not also a contributor")


_CHILD_LISTS = (("objectives", "objective_id", Objective), ("impacts", "metric_id", Metric),
                ("partners", "partner_id", Partner))


def _check_child_lists(data, bad):
    """Objectives, impacts and partners name existing records once each; shares add up to 1 at most."""
    for field, key, model in _CHILD_LISTS:
        if field in data:
            ids = [item[key] for item in data[field]]
            if len(set(ids)) != len(ids):
                bad(field, f"each {key} may appear once")
            if missing := _unknown(model, ids):
                bad(field, f"unknown {key} {sorted(missing)}")
    if "partners" in data:
        total = sum(item["share"] for item in data["partners"])
        if total > 1 + SHARE_TOLERANCE:
            bad("partners", f"partner shares add up to {total:g}; at most 1 (the company does the rest)")


def _check_dependencies(actor, data, initiative_id, bad):
    """Dependencies are distinct, visible to ``actor``, not the initiative itself, and acyclic."""
    if "dependency_ids" not in data:
        return
    ids = data["dependency_ids"]
    if len(set(ids)) != len(ids):
        bad("dependency_ids", "duplicates")
    if initiative_id is not None and initiative_id in ids:
        bad("dependency_ids", "an initiative cannot depend on itself")
    visible = {r.id for r in visible_initiatives(actor).select(Initiative.id).where(Initiative.id.in_(ids or [0]))}
    if missing := set(ids) - visible - {initiative_id}:
        bad("dependency_ids", f"unknown initiatives {sorted(missing)}")
    elif initiative_id is not None and _creates_cycle(initiative_id, ids):
        bad("dependency_ids", "these dependencies would create a cycle")


def _creates_cycle(initiative_id, new_deps):
    """Would ``initiative_id → new_deps`` close a loop through existing dependencies?"""
    edges = {}
    for row in InitiativeDependency.select(InitiativeDependency.initiative, InitiativeDependency.depends_on):
        edges.setdefault(row.initiative_id, set()).add(row.depends_on_id)
    edges[initiative_id] = set(new_deps)
    stack, seen = list(new_deps), set()
    while stack:
        node = stack.pop()
        if node == initiative_id:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return False


# ---------------------------------------------------------------- writes
LIST_FIELDS = ("objectives", "impacts", "partners", "dependency_ids", "contributing_team_ids")
_RENAMES = {"team_id": "team", "owner_id": "owner", "sponsor_id": "sponsor", "round_id": "round"}


def _write_lists(record, data):
    iid = record.id
    if "objectives" in data:
        InitiativeObjective.delete().where(InitiativeObjective.initiative == iid).execute()
        for o in data["objectives"]:
            InitiativeObjective.create(initiative=iid, objective=o["objective_id"], alignment=o["alignment"])
    if "impacts" in data:
        InitiativeImpact.delete().where(InitiativeImpact.initiative == iid).execute()
        for m in data["impacts"]:
            InitiativeImpact.create(initiative=iid, metric=m["metric_id"], expected_change=m["expected_change"],
                                    confidence=m["confidence"])
    if "partners" in data:
        InitiativePartner.delete().where(InitiativePartner.initiative == iid).execute()
        for p in data["partners"]:
            InitiativePartner.create(initiative=iid, partner=p["partner_id"], share=p["share"])
    if "dependency_ids" in data:
        InitiativeDependency.delete().where(InitiativeDependency.initiative == iid).execute()
        for dep in data["dependency_ids"]:
            InitiativeDependency.create(initiative=iid, depends_on=dep)
    if "contributing_team_ids" in data:
        InitiativeContributor.delete().where(InitiativeContributor.initiative == iid).execute()
        for team in data["contributing_team_ids"]:
            InitiativeContributor.create(initiative=iid, team=team)


def full_snapshot(record):
    (record,) = with_details([record])
    snap = snapshot(record)
    snap["objectives"] = [{"objective_id": r.objective_id, "alignment": r.alignment} for r in record.objective_rows]
    snap["impacts"] = [{"metric_id": r.metric_id, "expected_change": r.expected_change, "confidence": r.confidence}
                       for r in record.impact_rows]
    snap["partners"] = [{"partner_id": r.partner_id, "share": r.share} for r in record.partner_rows]
    snap["dependency_ids"] = list(record.dependency_ids)
    snap["contributing_team_ids"] = list(record.contributing_team_ids)
    return snap


def create_initiative(actor, data):
    _require_own_team(actor, data["team_id"])
    with write_transaction():
        _validate_refs(actor, data)
        scalars = {_RENAMES.get(k, k): v for k, v in data.items() if k not in LIST_FIELDS}
        record = Initiative.create(status="draft", **scalars)
        _write_lists(record, data)
        append_event(actor, "initiative.created", "initiative", record.id, {"after": full_snapshot(record)})
        return with_details([record], actor)[0]


def _editable(actor, initiative_id):
    record = get_visible(actor, initiative_id)
    _require_own_team(actor, record.team_id)
    return record


def update_initiative(actor, initiative_id, data, precondition):
    with write_transaction():
        record = _editable(actor, initiative_id)
        precondition(record)
        if record.status not in EDITABLE_STATES:
            raise InvalidTransition(f"initiative {record.id} is {record.status}; only drafts and initiatives "
                                    "with changes requested can be edited", current=record.status,
                                    **moves_of(actor, record))
        if "team_id" in data:
            _require_own_team(actor, data["team_id"])
        merged = {"team_id": data.get("team_id", record.team_id), **data}
        if "contributing_team_ids" not in data and "team_id" in data:
            merged["contributing_team_ids"] = list(with_details([record])[0].contributing_team_ids)
        _validate_refs(actor, merged, initiative_id=record.id)
        before = full_snapshot(record)
        scalars = {_RENAMES.get(k, k): v for k, v in data.items() if k not in LIST_FIELDS}
        _write_lists(record, data)
        record = _versioned_update(actor, record, scalars)
        after = full_snapshot(record)
        append_event(actor, "initiative.updated", "initiative", record.id,
                     {"before": before, "after": after,
                      "changed": {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}})
        return with_details([record], actor)[0]


def _versioned_update(actor, record, scalars):
    from cxgov.errors import PreconditionFailed
    from cxgov.models.base import utcnow

    values = {Initiative._meta.fields[k]: v for k, v in scalars.items()}
    values[Initiative.version] = Initiative.version + 1
    values[Initiative.updated_at] = utcnow()
    n = Initiative.update(values).where((Initiative.id == record.id) & (Initiative.version == record.version)).execute()
    if n != 1:
        raise PreconditionFailed(f"initiative {record.id} was changed by someone else since you read it; GET it again")
    return Initiative.get_by_id(record.id)


def delete_initiative(actor, initiative_id, precondition):
    with write_transaction():
        record = _editable(actor, initiative_id)
        precondition(record)
        if record.status != "draft":
            raise InvalidTransition(f"only drafts can be deleted; initiative {record.id} is {record.status} "
                                    "(cancel it instead)", current=record.status, **moves_of(actor, record))
        if InitiativeDependency.select().where(InitiativeDependency.depends_on == record.id).exists():
            raise InvalidTransition(f"other initiatives depend on initiative {record.id}", current=record.status,
                                    **moves_of(actor, record))
        before = full_snapshot(record)
        try:
            Initiative.delete().where((Initiative.id == record.id) & (Initiative.version == record.version)).execute()
        except peewee.IntegrityError as exc:
            raise InvalidTransition(f"initiative {record.id} is still referenced", current=record.status,
                                    **moves_of(actor, record)) from exc
        append_event(actor, "initiative.deleted", "initiative", record.id, {"before": before})


def _deferring_round(initiative_id):
    from cxgov.models import Decision

    last = (Decision.select(Decision.round).where((Decision.initiative == initiative_id) & (Decision.outcome == "defer"))
            .order_by(Decision.id.desc()).first())
    return None if last is None else last.round_id


def transition(actor, initiative_id, to, round_id=None, reason=None):
    """Move an initiative along the lifecycle (the moves a team takes itself)."""
    with write_transaction():
        record = _editable(actor, initiative_id)
        moves = moves_of(actor, record)
        if to not in moves["all_moves"]:
            raise InvalidTransition(f"initiative {record.id} cannot move from {record.status} to {to}",
                                    current=record.status, **moves)
        changes = {"status": to}
        if to == "submitted":
            target = round_id if round_id is not None else record.round_id
            if target is None:
                raise RuleViolation("name the round to submit to", errors={"round_id": ["required to submit"]})
            rnd = Round.get_or_none(Round.id == target)
            if rnd is None:
                raise RuleViolation(f"round {target} does not exist", errors={"round_id": ["unknown round"]})
            if rnd.status != "open":
                raise InvalidTransition(f"round {rnd.id} is {rnd.status}; submissions only go to an open round",
                                        current=record.status, **moves)
            if record.status == "deferred" and rnd.id == _deferring_round(record.id):
                raise RuleViolation("a deferred initiative is resubmitted to a later round",
                                    errors={"round_id": ["must differ from the round that deferred it"]})
            changes["round"] = rnd.id
        if to == "draft":
            rnd = Round.get_or_none(Round.id == record.round_id)
            if rnd is not None and rnd.status != "open":
                raise InvalidTransition(f"round {rnd.id} is {rnd.status}; withdrawal is possible only while it is open",
                                        current=record.status, **moves)
        if to == "cancelled":
            if not reason:
                raise RuleViolation("a cancellation needs a reason", errors={"reason": ["required to cancel"]})
        if to == "delivered":
            from cxgov.models.base import utcnow

            changes["delivered_at"] = utcnow()
        changes["status_reason"] = reason or ""
        before_status = record.status
        record = update_recorded(actor, record, "initiative", changes, action="initiative.transitioned",
                                 extra_change={"from": before_status, "to": to})
        return with_details([record], actor)[0]
