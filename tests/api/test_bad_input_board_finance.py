"""Bad input on the board, finance, ranking and closed-loop endpoints: a 4xx problem+json and
nothing written (row counts of every table and the chain head unchanged)."""
import pytest

from tests.builders import counts_in
from tests.conftest import bearer


def cases(w):
    iid, rid, metric = w["items"][0], w["round"], w["metric"]
    return {
        "vote: unknown choice": ("board_member", "post", f"/api/v1/rounds/{rid}/votes",
                                 {"initiative_id": iid, "choice": "maybe"}, 422),
        "vote: unknown initiative": ("board_member", "post", f"/api/v1/rounds/{rid}/votes",
                                     {"initiative_id": 987654, "choice": "approve"}, 422),
        "vote: draft of another round": ("board_member", "post", f"/api/v1/rounds/{rid}/votes",
                                         {"initiative_id": w["draft_a"], "choice": "approve"}, 422),
        "vote: unknown field": ("board_member", "post", f"/api/v1/rounds/{rid}/votes",
                                {"initiative_id": iid, "choice": "approve", "weight": 2}, 422),
        "delegation: to yourself": ("board_member", "post", f"/api/v1/rounds/{rid}/delegations",
                                    {"delegate_id": w["user_board_member"]}, 422),
        "delegation: to a viewer": ("board_member", "post", f"/api/v1/rounds/{rid}/delegations",
                                    {"delegate_id": w["user_viewer"]}, 422),
        "decision: no rationale": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions",
                                   {"initiative_id": iid, "outcome": "reject", "override": True,
                                    "override_rationale": "x"}, 422),
        "decision: amount as float": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions",
                                      {"initiative_id": iid, "outcome": "approve", "rationale": "r",
                                       "approved_amount": 10.5, "accountable_owner_id": w["owner"],
                                       "due_date": "2027-01-01", "override": True, "override_rationale": "x"}, 422),
        # the owner and due date default (issue 15); an amount does not, nor does a due date in the past
        "decision: approve without amount": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions",
                                             {"initiative_id": iid, "outcome": "approve", "rationale": "r",
                                              "override": True, "override_rationale": "x"}, 422),
        "decision: due date in the past": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions",
                                           {"initiative_id": iid, "outcome": "approve", "rationale": "r",
                                            "approved_amount": 10, "due_date": "2020-01-01", "override": True,
                                            "override_rationale": "x"}, 422),
        "decision: batch with an unknown owner": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions/batch",
                                                  {"decisions": [{"initiative_id": iid, "outcome": "approve",
                                                                  "rationale": "r", "approved_amount": 10,
                                                                  "accountable_owner_id": 999_999, "override": True,
                                                                  "override_rationale": "x"}]}, 422),
        "decision: unknown outcome": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions",
                                      {"initiative_id": iid, "outcome": "veto", "rationale": "r"}, 422),
        "portfolio: cap share above 1": ("board_chair", "post", f"/api/v1/rounds/{rid}/portfolio",
                                         {"name": "x", "caps": [{"by": "team", "value": "1", "max_share": 2}]}, 422),
        "portfolio: cap on unknown focus area": ("board_chair", "post", f"/api/v1/rounds/{rid}/portfolio",
                                                 {"name": "x", "caps": [{"by": "focus_area", "value": "moon",
                                                                         "max_share": 0.5}]}, 422),
        "portfolio: cap on a team id past 64 bits": ("board_chair", "post", f"/api/v1/rounds/{rid}/portfolio",
                                                     {"name": "x", "caps": [{"by": "team", "value": "9" * 20,
                                                                             "max_share": 0.5}]}, 422),
        "portfolio: partial share 0": ("board_chair", "post", f"/api/v1/rounds/{rid}/portfolio",
                                       {"name": "x", "partial": {"enabled": True, "min_share": 0}}, 422),
        "scoring model: NaN weight": ("board_chair", "post", "/api/v1/scoring-models",
                                      {"name": "x", "criteria": [{"name": "cost", "weight": float("nan")}]}, 422),
        "scoring model: horizon 11": ("board_chair", "post", "/api/v1/scoring-models",
                                      {"name": "x", "horizon_years": 11, "criteria": [{"name": "cost", "weight": 1}]},
                                      422),
        "status update: 101 %": ("team_lead", "post", f"/api/v1/initiatives/{iid}/status-updates",
                                 {"rag": "green", "percent_complete": 101}, 422),
        "status update: not approved yet": ("team_lead", "post", f"/api/v1/initiatives/{iid}/status-updates",
                                            {"rag": "green", "percent_complete": 10}, 409),
        "actual: zero": ("finance", "post", f"/api/v1/initiatives/{iid}/actuals",
                         {"amount": 0, "fiscal_year": 2027, "fiscal_quarter": 1, "booked_on": "2027-02-01",
                          "reference": "x"}, 422),
        "actual: quarter 5": ("finance", "post", f"/api/v1/initiatives/{iid}/actuals",
                              {"amount": 5, "fiscal_year": 2027, "fiscal_quarter": 5, "booked_on": "2027-02-01",
                               "reference": "x"}, 422),
        "review: windows out of order": ("team_lead", "post", f"/api/v1/initiatives/{iid}/review",
                                         {"lessons_learned": "x", "window": {
                                             "before_start": "2026-05-01T00:00:00Z", "before_end": "2026-04-01T00:00:00Z",
                                             "after_start": "2026-06-01T00:00:00Z", "after_end": "2026-07-01T00:00:00Z"}},
                                         422),
        "maturity: level 6": ("admin", "post", "/api/v1/maturity-assessments",
                              {"assessed_on": "2026-01-01", "levels": {"cx_strategy": 6, "customer_understanding": 1,
                                                                       "design": 1, "measurement": 1, "governance": 1,
                                                                       "culture": 1}}, 422),
        "maturity: unknown element": ("admin", "post", "/api/v1/maturity-assessments",
                                      {"assessed_on": "2026-01-01", "levels": {"cx_strategy": 1, "luck": 3}}, 422),
        "measurements: value Infinity": ("admin", "post", f"/api/v1/metrics/{metric}/measurements",
                                         {"measurements": [{"measured_at": "2026-01-01T00:00:00Z",
                                                            "value": float("inf")}]}, 422),
        "measurements upload: JSON instead of CSV": ("admin", "post", f"/api/v1/metrics/{metric}/measurements/upload",
                                                     {"measured_at": "2026-01-01T00:00:00Z"}, 422),
        "acceptability: 0 samples": ("board_member", "post", f"/api/v1/rankings/{w['pinned']}/acceptability",
                                     {"samples": 0}, 422),
        # ids in bodies that name nothing
        "delegation: to an unknown user": ("board_member", "post", f"/api/v1/rounds/{rid}/delegations",
                                           {"delegate_id": 987654}, 422),
        "decision: unknown initiative": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions",
                                         {"initiative_id": 987654, "outcome": "reject", "rationale": "r"}, 422),
        "decision: unknown accountable owner": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions",
                                                {"initiative_id": iid, "outcome": "approve", "rationale": "r",
                                                 "approved_amount": 10, "accountable_owner_id": 987654,
                                                 "due_date": "2027-01-01", "override": True,
                                                 "override_rationale": "x"}, 422),
        "decision: deferred to an unknown round": ("board_chair", "post", f"/api/v1/rounds/{rid}/decisions",
                                                   {"initiative_id": iid, "outcome": "defer", "rationale": "r",
                                                    "deferred_to_round_id": 987654}, 422),
        "portfolio: floor on an unknown metric": ("board_chair", "post", f"/api/v1/rounds/{rid}/portfolio",
                                                  {"name": "x", "floors": [{"metric_id": 987654, "minimum": 1}]}, 422),
        "portfolio: an unknown ranking": ("board_chair", "post", f"/api/v1/rounds/{rid}/portfolio",
                                          {"name": "x", "ranking_id": 987654}, 404),
        "portfolio: exclusion of unknown ids": ("board_chair", "post", f"/api/v1/rounds/{rid}/portfolio",
                                                {"name": "x", "exclusions": [[987654, 987655]]}, 422),
        "actual: on an unknown initiative": ("finance", "post", "/api/v1/initiatives/987654/actuals",
                                             {"amount": 5, "fiscal_year": 2027, "fiscal_quarter": 1,
                                              "booked_on": "2027-02-01", "reference": "x"}, 404),
        "vote: on an unknown round": ("board_member", "post", "/api/v1/rounds/987654/votes",
                                      {"initiative_id": iid, "choice": "approve"}, 404),
    }


NAMES = sorted(cases({"items": [1], "round": 1, "metric": 1, "draft_a": 1, "user_board_member": 1,
                      "user_viewer": 1, "owner": 1, "pinned": 1}))


@pytest.mark.parametrize("case", NAMES)
def test_refused_and_nothing_written(app, client, board, case):
    rnd = client.get(f"/api/v1/rounds/{board['round']}", headers=bearer(board["tokens"]["admin"])).json
    role, method, path, body, status = cases({**board, "pinned": rnd["pinned_ranking_id"]})[case]
    before = counts_in(app)
    response = getattr(client, method)(path, json=body, headers=bearer(board["tokens"][role]))
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json" and response.json["status"] == status
    assert counts_in(app) == before
    if status == 422:  # a refused field is named
        assert response.json.get("errors"), response.json
