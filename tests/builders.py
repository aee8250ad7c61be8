"""Small builders of valid records, through the services (fast) or as API payloads."""
import datetime as dt

from cxgov.db import database
from cxgov.demo import initiative_payload as payload_from_record
from cxgov.services import auth, initiatives, metrics, partners, rounds, teams
from cxgov.services.actor import SYSTEM, Actor

DUE = "2027-06-30"


def team_payload(n=1, **over):
    return {"name": f"Team {n}", "department": "Customer Service", "lead_name": f"Lead {n}", **over}


def metric_payload(key="nps", **over):
    return {"key": key, "name": key.upper(), "unit": "points", "direction": "higher_is_better",
            "baseline": 20.0, "target": 35.0, "weight": 3.0, "range_min": -100.0, "range_max": 100.0, **over}


def objective_payload(metric_id, **over):
    return {"title": "Raise NPS to 35 by 2027", "metric_id": metric_id, "baseline": 20.0, "target": 35.0,
            "deadline": "2027-12-31", "weight": 2.0, **over}


def round_payload(**over):
    return {"name": "FY2027 Q1", "fiscal_year": 2027, "fiscal_quarter": 1, "budget": 100_000_000, **over}


#: The default initiative as a named record (the shape of cxgov/demo.json's initiatives).
INITIATIVE = {
    "title": "Self-service returns portal",
    "problem_statement": "Customers wait 3 days for a return label from the call centre.",
    "team": "a", "owner": "owner", "sponsor": "sponsor",
    "focus_area": "technology", "building_block": "experience_design_operations",
    "journey_stage": "support", "channels": ["web", "app"],
    "one_time_cost": 12_000_000, "annual_cost": 1_500_000, "requested_amount": 12_000_000,
    "risk": 2, "months_to_value": 6,
    "objectives": {"objective": 4},
    "impacts": {"metric": {"expected_change": 3.5, "confidence": 0.7}},
    "partners": {"partner": 0.4}, "deps": [], "contrib": ["b"],
}


def initiative_payload(world, **over):
    """The API payload of :data:`INITIATIVE` in ``world``, built as the demo builds its own."""
    ids = {"team": {"a": world["team_a"], "b": world["team_b"]}, "owner": {"owner": world["owner"]},
           "sponsor": {"sponsor": world["sponsor"]}, "objective": {"objective": world["objective"]},
           "metric": {"metric": world["metric"]}, "partner": {"partner": world["partner"]}, "initiative": {}}
    return {**payload_from_record(INITIATIVE, ids), **over}


def actor_for(user):
    return Actor(user_id=user.id, email=user.email, role=user.role, team_id=user.team_id)


def build_world(app):
    """Two teams with leads, a metric, an objective, a partner (assessed), an open round, a
    draft and a submitted initiative of team A and a draft of team B.  Returns ids."""
    with app.app_context():
        ta = teams.create_team(SYSTEM, name="Support", department="Customer Service", lead_name="Ana")
        tb = teams.create_team(SYSTEM, name="Logistics", department="Operations", lead_name="Ben")
        owner = auth.create_user(SYSTEM, "owner@example.com", "Olga Owner", "viewer")
        sponsor = auth.create_user(SYSTEM, "sponsor@example.com", "Sam Sponsor", "viewer")
        lead_a = auth.create_user(SYSTEM, "lead.a@example.com", "Lead A", "team_lead", ta.id)
        lead_b = auth.create_user(SYSTEM, "lead.b@example.com", "Lead B", "team_lead", tb.id)
        metric = metrics.create_metric(SYSTEM, **metric_payload())
        objective = metrics.create_objective(SYSTEM, **{**objective_payload(metric.id),
                                                        "deadline": dt.date(2027, 12, 31)})
        partner = partners.create_partner(SYSTEM, name="ShipFast", kind="provider", description="")
        partners.create_assessment(SYSTEM, partner.id, assessed_on=dt.date(2026, 6, 1), shared_vision=4,
                                   data_sharing=3, process_integration=3, feedback_responsiveness=4)
        rnd = rounds.create_round(SYSTEM, **round_payload())
        rounds.move_round(SYSTEM, rnd.id, "open")
        world = {"team_a": ta.id, "team_b": tb.id, "owner": owner.id, "sponsor": sponsor.id,
                 "metric": metric.id, "objective": objective.id, "partner": partner.id, "round": rnd.id,
                 "lead_a": lead_a.id, "lead_b": lead_b.id}
        payload = initiative_payload(world)
        payload.pop("round_id", None)
        draft_a = initiatives.create_initiative(actor_for(lead_a), dict(payload, title="Draft A"))
        sub_a = initiatives.create_initiative(actor_for(lead_a), dict(payload, title="Submitted A"))
        initiatives.transition(actor_for(lead_a), sub_a.id, "submitted", round_id=rnd.id)
        draft_b = initiatives.create_initiative(actor_for(lead_b), dict(payload, title="Draft B", team_id=tb.id,
                                                                        contributing_team_ids=[]))
        world.update(draft_a=draft_a.id, submitted_a=sub_a.id, draft_b=draft_b.id)
        tokens = {}
        for role in ("admin", "board_chair", "board_member", "finance", "viewer"):
            user = auth.create_user(SYSTEM, f"{role}@example.com", role, role)
            tokens[role] = auth.issue_token(SYSTEM, user.id, "t", 30)[1]
            world[f"user_{role}"] = user.id
        tokens["team_lead"] = auth.issue_token(SYSTEM, lead_a.id, "t", 30)[1]
        tokens["team_lead_b"] = auth.issue_token(SYSTEM, lead_b.id, "t", 30)[1]
        world["tokens"] = tokens
        database.close()
    return world


FOCUS = ("vision_strategy", "employees", "operations", "technology")
BLOCKS = ("experience_design_operations", "customer_insights_metrics", "culture_management", "leadership_governance")


def build_ledger_world(app):
    """build_world + three teams, objectives, partners and two rounds to spread funded work over."""
    world = build_world(app)
    with app.app_context():
        world["team_ids"] = [world["team_a"], world["team_b"],
                             teams.create_team(SYSTEM, name="Marketing", department="Marketing", lead_name="M").id]
        world["objective_ids"] = [world["objective"]] + [
            metrics.create_objective(SYSTEM, title=f"Objective {n}", metric_id=world["metric"], baseline=20.0,
                                     target=30.0 + n, deadline=dt.date(2027, 12, 31), weight=1.0).id for n in (1, 2)]
        world["partner_ids"] = [world["partner"]] + [
            partners.create_partner(SYSTEM, name=f"P{n}", kind="vendor", description="").id for n in (1, 2)]
        world["round_ids"] = [world["round"], rounds.create_round(SYSTEM, name="FY2028 Q1", fiscal_year=2028,
                                                                  fiscal_quarter=1, budget=10**12).id]
        database.close()
    return world


def insert_funded(w, row):
    """A funded initiative straight into the tables (team, round, cell, approved amount, objective
    alignments, partner shares in 120ths, actuals: indexes and values from a generated ``row``)."""
    from cxgov.models import ActualEntry, Initiative, InitiativeObjective, InitiativePartner

    requested = row["approved"] + row["extra_request"]
    record = Initiative.create(
        title="x", problem_statement="y", team=w["team_ids"][row["team"]], owner=w["owner"], sponsor=w["sponsor"],
        focus_area=FOCUS[row["focus"]], building_block=BLOCKS[row["block"]], journey_stage="support",
        one_time_cost=requested, annual_cost=0, requested_amount=requested, risk=2, months_to_value=3,
        status=row["status"], round=w["round_ids"][row["round"]], approved_amount=row["approved"],
        delivered_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    for oid, alignment in zip(w["objective_ids"], row["alignments"]):
        InitiativeObjective.create(initiative=record.id, objective=oid, alignment=alignment)
    for pid, share in zip(w["partner_ids"], row["shares"]):
        if share:
            InitiativePartner.create(initiative=record.id, partner=pid, share=share / 120)
    entries = [ActualEntry.create(initiative=record.id, amount=amount, fiscal_year=2027, fiscal_quarter=1,
                                  booked_on=dt.date(2027, 2, 1), reference="INV", created_by=w["user_finance"])
               for amount in row["actuals"]]
    return record, entries


def table_counts():
    """Row counts of every table and the chain head: 'nothing was written' is equality of this."""
    from cxgov.models import ALL_MODELS, AuditHead

    counts = {m.__name__: m.select().count() for m in ALL_MODELS}
    head = AuditHead.get_by_id(1)
    counts["head"] = (head.seq, head.hash)
    return counts


def counts_in(app):
    """``table_counts()`` of ``app``'s database, its connection handed back afterwards."""
    from cxgov.db import database

    with app.app_context():
        counts = table_counts()
        database.close()
    return counts


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def vote(client, world, token, initiative_id, choice, **extra):
    return client.post(f"/api/v1/rounds/{world['round']}/votes", headers=_bearer(token),
                       json={"initiative_id": initiative_id, "choice": choice, **extra})


def decide(client, world, initiative_id, outcome, **extra):
    body = {"initiative_id": initiative_id, "outcome": outcome, "rationale": "Board minutes 2027-01-15", **extra}
    if outcome == "approve":
        body.setdefault("approved_amount", 10_000_000)
        body.setdefault("accountable_owner_id", world["owner"])
        body.setdefault("due_date", DUE)
    return client.post(f"/api/v1/rounds/{world['round']}/decisions", json=body,
                       headers=_bearer(world["tokens"]["board_chair"]))


def every_kind_of_record(client, world):
    """On the ``board`` world, over HTTP: a delegation, votes with comments, an approval, a
    booked actual, a status update, delivery and its review, a portfolio scenario, a maturity
    assessment, measurements, a scoring model, a token issued and revoked, a user edited, team
    B's draft edited and another draft deleted: at least one event of every entity type."""
    def call(method, url, token, status, **kwargs):
        headers = _bearer(world["tokens"][token])
        if method in ("PATCH", "DELETE"):
            headers["If-Match"] = client.get(url, headers=_bearer(world["tokens"]["admin"])).headers["ETag"]
        response = client.open(url, method=method, headers=headers, **kwargs)
        assert response.status_code == status, (method, url, response.status_code, response.get_data(as_text=True))
        return response.json if response.data else None

    rid, iid = world["round"], world["items"][0]
    call("POST", f"/api/v1/rounds/{rid}/delegations", "member2", 201, json={"delegate_id": world["members"][0]})
    for token in world["member_tokens"][:3]:
        vote(client, world, token, iid, "approve", comment="Vote comment only the board reads")
    assert decide(client, world, iid, "approve", approved_amount=25_000_000,
                  rationale="Decision rationale only the board reads").status_code == 201
    call("POST", f"/api/v1/initiatives/{iid}/actuals", "finance", 201, json={
        "amount": 1_234_567, "fiscal_year": 2027, "fiscal_quarter": 1, "booked_on": "2027-02-01",
        "reference": "INV-ONLY-FINANCE-READS"})
    call("POST", f"/api/v1/initiatives/{iid}/status-updates", "team_lead", 201,
         json={"rag": "green", "percent_complete": 40, "note": "On track"})
    for to in ("in_progress", "delivered"):
        call("POST", f"/api/v1/initiatives/{iid}/transitions", "team_lead", 200, json={"to": to})
    call("POST", f"/api/v1/initiatives/{iid}/review", "team_lead", 201, json={
        "lessons_learned": "Worth it", "realized": [{"metric_id": world["metric"], "realized_change": 1.0}]})
    call("POST", f"/api/v1/rounds/{rid}/portfolio", "board_chair", 201, json={"name": "base"})
    levels = {"cx_strategy": 2, "customer_understanding": 2, "design": 3, "measurement": 1, "governance": 2,
              "culture": 2}
    call("POST", "/api/v1/maturity-assessments", "admin", 201, json={"assessed_on": "2026-01-15", "levels": levels})
    call("POST", f"/api/v1/metrics/{world['metric']}/measurements", "admin", 201,
         json={"measurements": [{"measured_at": "2026-06-30T00:00:00Z", "value": 24.0}]})
    call("POST", "/api/v1/scoring-models", "admin", 201, json={"name": "Every record", "criteria": [
        {"name": "strategic_fit", "weight": 1.0}, {"name": "cx_impact", "weight": 2.0}]})
    token = call("POST", "/api/v1/tokens", "viewer", 201, json={"name": "short-lived", "expires_in_days": 1})
    world["secret_of_revoked_token"] = token["token"]
    call("DELETE", f"/api/v1/tokens/{token['id']}", "viewer", 200)
    call("PATCH", f"/api/v1/users/{world['sponsor']}", "admin", 200, json={"name": "Sam S. Sponsor"})
    call("PATCH", f"/api/v1/initiatives/{world['draft_b']}", "team_lead_b", 200,
         json={"title": "Draft B, edited", "problem_statement": "Only team B reads this"})
    doomed = call("POST", "/api/v1/initiatives", "team_lead_b", 201,
                  json=initiative_payload(world, title="Doomed draft", team_id=world["team_b"],
                                          contributing_team_ids=[]))
    call("DELETE", f"/api/v1/initiatives/{doomed['id']}", "team_lead_b", 204)
    world["deleted_draft"] = doomed["id"]
    return world
