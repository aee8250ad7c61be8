"""The demo dataset: a mid-sized company's CX portfolio for one funding round.

The records live in ``cxgov/demo.json`` (named fields, shipped as package data); this module
loads them through the service functions, so every row has its accountability event, by the
user who would do it in real life: the admin sets up the catalog, finance creates the round,
each team lead drafts and submits their own team's initiatives.  The data is fixed (no
randomness): two loads give the same records, only ids, timestamps and token secrets differ.

Money is in integer minor units (cents), as in the API.  :func:`initiative_payload` turns a
named initiative record into a service/API payload; tests/builders.py builds with it too.
"""
import datetime as dt
import json
from importlib import resources

from cxgov.db import write_transaction
from cxgov.models import Initiative, Metric, Objective, Partner, Round, Team, User
from cxgov.services import auth, closed_loop, governance, initiatives, metrics, partners, rounds, teams
from cxgov.services.actor import SYSTEM, Actor

CENTS = 100

DATA = json.loads(resources.files("cxgov").joinpath("demo.json").read_text(encoding="utf-8"))
TEAMS = DATA["teams"]                        # key -> team record (with its lead)
PEOPLE = DATA["people"]                      # each gets a demo token (see _tokens); the admin first
SPONSORS = DATA["sponsors"]                  # executive sponsors (role viewer)
ROLES_PRINTED = tuple(DATA["roles_printed"])
METRICS = DATA["metrics"]                    # weights add up to 1
OBJECTIVES = DATA["objectives"]
PARTNERS = DATA["partners"]
ROUND = DATA["round"]
INITIATIVES = DATA["initiatives"]            # deps name initiatives listed earlier
PAST_ROUND = DATA["past_round"]
PAST_INITIATIVES = DATA["past_initiatives"]  # realized: {metric: change}, or null (not reviewed)
NPS_2026 = DATA["nps_2026"]                  # NPS, monthly relationship survey means for 2026
MATURITY = DATA["maturity"]
#: The budget funds about a third of what the round is asked for, rounded to EUR 10,000.
BUDGET_SHARE = 1 / 3


def requested_in_round():
    return sum(spec["requested_amount"] for spec in INITIATIVES if spec["submit"])


def round_budget():
    step = 10_000 * CENTS
    return int(round(requested_in_round() * BUDGET_SHARE / step)) * step


def initiative_payload(record, ids):
    """The service/API payload of a named initiative record.

    ``ids`` maps each kind of key a record uses to ``{key: id}``: ``team``, ``owner`` (keyed by
    ``record["owner"]``, else by the record's team), ``sponsor``, ``objective``, ``metric`` and,
    when the record has partners, dependencies or contributing teams, ``partner`` and
    ``initiative``.  Optional lists appear only when the record has them.
    """
    payload = {
        "title": record["title"], "problem_statement": record["problem_statement"],
        "team_id": ids["team"][record["team"]], "owner_id": ids["owner"][record.get("owner", record["team"])],
        "sponsor_id": ids["sponsor"][record["sponsor"]],
        "focus_area": record["focus_area"], "building_block": record["building_block"],
        "journey_stage": record["journey_stage"], "channels": list(record["channels"]),
        "one_time_cost": record["one_time_cost"], "annual_cost": record["annual_cost"],
        "requested_amount": record["requested_amount"], "risk": record["risk"],
        "months_to_value": record["months_to_value"],
        "objectives": [{"objective_id": ids["objective"][k], "alignment": a} for k, a in record["objectives"].items()],
        "impacts": [{"metric_id": ids["metric"][k], "expected_change": i["expected_change"],
                     "confidence": i["confidence"]} for k, i in record["impacts"].items()],
    }
    if "partners" in record:
        payload["partners"] = [{"partner_id": ids["partner"][k], "share": s} for k, s in record["partners"].items()]
    if "deps" in record:
        payload["dependency_ids"] = [ids["initiative"][k] for k in record["deps"]]
    if "contrib" in record:
        payload["contributing_team_ids"] = [ids["team"][k] for k in record["contrib"]]
    return payload


# ---------------------------------------------------------------- loading
def existing_records():
    """Counts of the record kinds the demo would create, for the kinds already present."""
    kinds = [("teams", Team), ("users", User), ("initiatives", Initiative), ("metrics", Metric),
             ("objectives", Objective), ("partners", Partner), ("rounds", Round)]
    counts = {}
    for label, model in kinds:
        n = model.select().count()
        if n:
            counts[label] = n
    return counts


def _actor(user):
    return Actor(user_id=user.id, email=user.email, role=user.role, team_id=user.team_id)


def load(ttl_days=90):
    """Create the whole dataset in one transaction (all or nothing); return what the CLI prints."""
    with write_transaction():
        return _load(ttl_days)


def _people(as_admin, admin):
    """Teams, users, team leads and sponsors (the admin creates them all)."""
    team = {key: teams.create_team(as_admin, **t) for key, t in TEAMS.items()}
    users = {"admin": [admin]}
    for p in PEOPLE[1:]:
        users.setdefault(p["role"], []).append(auth.create_user(as_admin, p["email"], p["name"], p["role"]))
    lead = {}
    for key, t in TEAMS.items():
        lead[key] = auth.create_user(as_admin, t["lead_email"], t["lead_name"], "team_lead", team[key].id)
        users.setdefault("team_lead", []).append(lead[key])
    sponsor = {key: auth.create_user(as_admin, s["email"], f"{s['name']} ({s['title']})", "viewer")
               for key, s in SPONSORS.items()}
    return team, users, lead, sponsor


def _catalog(as_admin):
    """Metrics, objectives, partners and their assessments."""
    metric = {spec["key"]: metrics.create_metric(as_admin, **spec) for spec in METRICS}
    objective = {}
    for key, o in OBJECTIVES.items():
        fields = {k: v for k, v in o.items() if k not in ("metric", "deadline")}
        objective[key] = metrics.create_objective(as_admin, metric_id=metric[o["metric"]].id,
                                                  deadline=dt.date.fromisoformat(o["deadline"]), **fields)
    partner = {}
    for key, p in PARTNERS.items():
        partner[key] = partners.create_partner(as_admin, name=p["name"], kind=p["kind"], description=p["description"])
        for a in p["assessments"]:
            partners.create_assessment(as_admin, partner[key].id,
                                       **dict(a, assessed_on=dt.date.fromisoformat(a["assessed_on"])))
    return metric, objective, partner


def _ids(team, lead, sponsor, objective, metric, partner=None, created=None):
    return {"team": {k: t.id for k, t in team.items()}, "owner": {k: u.id for k, u in lead.items()},
            "sponsor": {k: u.id for k, u in sponsor.items()}, "objective": {k: o.id for k, o in objective.items()},
            "metric": {k: m.id for k, m in metric.items()}, "partner": {k: p.id for k, p in (partner or {}).items()},
            "initiative": {k: i.id for k, i in (created or {}).items()}}


def _tokens(as_admin, users, team, ttl_days):
    """A token for every demo user who acts: the admin, the chair, every board member (a quorum
    needs three of the four), one team lead per team, finance and the viewer.  The first user
    of each role keeps the plain name (CXGOV_TOKEN_BOARD_MEMBER, CXGOV_TOKEN_TEAM_LEAD)."""
    printed = []
    team_key = {t.id: key for key, t in team.items()}
    for role in ROLES_PRINTED:
        for n, user in enumerate(users[role]):
            if role == "team_lead":
                name = "team_lead" if n == 0 else f"team_lead_{team_key[user.team_id]}"
            else:
                name = role if n == 0 else f"{role}_{n + 1}"
            _, secret = auth.issue_token(as_admin, user.id, "demo", ttl_days)
            printed.append({"role": role, "name_in_env": name, "user_id": user.id, "name": user.name,
                            "email": user.email, "team": next((t.name for t in team.values() if t.id == user.team_id), ""),
                            "token": secret})
    return printed


def _load(ttl_days):
    # People first: the admin is created by the system, everyone else by the admin.
    admin = auth.create_user(SYSTEM, PEOPLE[0]["email"], PEOPLE[0]["name"], PEOPLE[0]["role"])
    as_admin = _actor(admin)
    team, users, lead, sponsor = _people(as_admin, admin)
    metric, objective, partner = _catalog(as_admin)

    finance = users["finance"][0]
    past = _past_round(as_admin, finance, users["board_chair"][0], users["board_member"],
                       _ids(team, lead, sponsor, objective, metric), lead, metric)

    # Finance opens the envelope; the admin opens the round for submissions.
    rnd = rounds.create_round(_actor(finance), budget=round_budget(), **ROUND)
    rnd = rounds.move_round(as_admin, rnd.id, "open")

    # Each team lead drafts their team's initiatives and submits most of them.
    created = {}
    for spec in INITIATIVES:
        as_lead = _actor(lead[spec["team"]])
        record = initiatives.create_initiative(
            as_lead, initiative_payload(spec, _ids(team, lead, sponsor, objective, metric, partner, created)))
        if spec["submit"]:
            record = initiatives.transition(as_lead, record.id, "submitted", round_id=rnd.id)
        created[spec["key"]] = record

    printed = _tokens(as_admin, users, team, ttl_days)
    submitted = [spec for spec in INITIATIVES if spec["submit"]]
    return {
        "teams": len(team),
        "users": sum(len(v) for v in users.values()) + len(sponsor),
        "metrics": len(metric),
        "objectives": len(objective),
        "partners": len(partner),
        "initiatives": len(created),
        "submitted": len(submitted),
        "drafts": len(created) - len(submitted),
        "cells": len({(s["focus_area"], s["building_block"]) for s in INITIATIVES}),
        "round_id": rnd.id,
        "round_name": rnd.name,
        "budget": rnd.budget,
        "requested": requested_in_round(),
        "team_lead_team_id": users["team_lead"][0].team_id,
        "past_round_id": past.id,
        "reviewed": sum(1 for p in PAST_INITIATIVES if p["realized"] is not None),
        "tokens": printed,
    }


# ---------------------------------------------------------------- a past round, delivered and reviewed
# So that the closed loop is visible on the first run: last year's round funded five
# initiatives; they were delivered and reviewed.  Digital Product realized about half of what
# it claimed (three reviews), Customer Support about what it claimed (one review), and one
# Logistics initiative is delivered but not yet reviewed.
def _past_round(as_admin, finance, chair, members, ids, lead, metric):
    """Fund, deliver and review last year's round through the services, as the people would."""
    past = rounds.create_round(_actor(finance), **PAST_ROUND)
    rounds.move_round(as_admin, past.id, "open")
    done = []
    for spec in PAST_INITIATIVES:
        as_lead = _actor(lead[spec["team"]])
        record = initiatives.create_initiative(as_lead, initiative_payload(spec, ids))
        initiatives.transition(as_lead, record.id, "submitted", round_id=past.id)
        done.append((record, spec["team"], spec["realized"]))
    rounds.move_round(_actor(chair), past.id, "in_review")
    for record, team_key, _ in done:
        for member in members + [chair]:
            governance.cast_vote(_actor(member), past.id, record.id, "approve", "clear customer evidence")
        governance.decide(_actor(chair), past.id, {
            "initiative_id": record.id, "outcome": "approve", "approved_amount": record.requested_amount,
            "rationale": "Approved at the Q2 2026 board", "accountable_owner_id": lead[team_key].id,
            "due_date": dt.date(2026, 12, 31), "conditions": ""})
    rounds.move_round(_actor(chair), past.id, "decided")
    rounds.move_round(as_admin, past.id, "closed")
    for record, team_key, realized in done:
        as_lead = _actor(lead[team_key])
        initiatives.transition(as_lead, record.id, "in_progress")
        initiatives.transition(as_lead, record.id, "delivered")
        if realized is not None:
            closed_loop.record_review(as_lead, record.id, {
                "lessons_learned": "Realized change measured over the two quarters after launch.",
                "realized": [{"metric_id": metric[k].id, "realized_change": v} for k, v in realized.items()]})
    rows = [{"measured_at": dt.datetime(2026, month, 28, tzinfo=dt.timezone.utc), "value": value, "segment": None,
             "channel": None} for month, value in enumerate(NPS_2026, start=1)]
    metrics.record_measurements(as_admin, metric["nps"].id, rows)
    closed_loop.record_maturity(as_admin, dict(MATURITY, assessed_on=dt.date.fromisoformat(MATURITY["assessed_on"])))
    return past


# ---------------------------------------------------------------- output
def money(cents, currency):
    return f"{currency} {cents // CENTS:,}" + (f".{cents % CENTS:02d}" if cents % CENTS else "")


def summary(result, currency="EUR"):
    share = result["budget"] / result["requested"] if result["requested"] else 0
    return "\n".join([
        "cxgov demo loaded:",
        f"  {result['teams']} teams, {result['users']} users, {result['metrics']} metrics, "
        f"{result['objectives']} objectives, {result['partners']} partners",
        f"  {result['initiatives']} initiatives over {result['cells']}/16 grid cells: "
        f"{result['submitted']} submitted, {result['drafts']} drafts",
        f"  round {result['round_id']} '{result['round_name']}' (open): budget {money(result['budget'], currency)} "
        f"for {money(result['requested'], currency)} requested ({share:.0%})",
    ])


def token_table(result):
    rows = [("role", "user", "team", "variable", "token")]
    rows += [(t["role"], f"{t['name']} <{t['email']}>", t["team"] or "-", f"CXGOV_TOKEN_{t['name_in_env'].upper()}",
              t["token"]) for t in result["tokens"]]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(f"{r[i]:<{widths[i]}}" for i in range(4)) + f"  {r[4]}" for r in rows)


def tokens_env(result):
    lines = ["# cxgov demo tokens: `source` this file, then use $CXGOV_TOKEN_<ROLE> in curl.",
             "# Each token is shown only here; revoke with DELETE /api/v1/tokens/{id}."]
    for t in result["tokens"]:
        lines.append(f"# {t['name']} <{t['email']}>" + (f", lead of {t['team']}" if t["team"] else ""))
        lines.append(f"export CXGOV_TOKEN_{t['name_in_env'].upper()}={t['token']}")
    lines.append(f"export CXGOV_DEMO_ROUND_ID={result['round_id']}")
    lines.append(f"export CXGOV_DEMO_TEAM_ID={result['team_lead_team_id']}")
    return "\n".join(lines) + "\n"
