"""Issue 13 item 4 over HTTP: values outside a criterion's scale are clipped and said."""
import pytest

from cxgov.services import calibration
from tests.builders import build_world, initiative_payload
from tests.conftest import bearer


@pytest.fixture
def world(app):
    return build_world(app)


def _submit(client, world, **over):
    lead = bearer(world["tokens"]["team_lead"])
    created = client.post("/api/v1/initiatives", json=initiative_payload(world, **over), headers=lead)
    assert created.status_code == 201, created.json
    moved = client.post(f"/api/v1/initiatives/{created.json['id']}/transitions",
                        json={"to": "submitted", "round_id": world["round"]}, headers=lead)
    assert moved.status_code == 200, moved.json
    return created.json["id"]


def _pin(client, world, body):
    admin = bearer(world["tokens"]["admin"])
    model = client.post("/api/v1/scoring-models", json=body, headers=admin)
    assert model.status_code == 201, model.json
    etag = client.get(f"/api/v1/rounds/{world['round']}", headers=admin).headers["ETag"]
    pinned = client.patch(f"/api/v1/rounds/{world['round']}", json={"scoring_model_id": model.json["id"]},
                          headers={**admin, "If-Match": etag})
    assert pinned.status_code == 200, pinned.json
    return model.json


def _rank(client, world):
    ranked = client.post(f"/api/v1/rounds/{world['round']}/rankings", headers=bearer(world["tokens"]["board_chair"]))
    assert ranked.status_code == 201, ranked.json
    return ranked.json


def _entry(ranking, initiative_id):
    return next(e for e in ranking["entries"] if e["initiative_id"] == initiative_id)


@pytest.mark.parametrize("scale", [None, [-1, 1]])
def test_a_calibrated_full_claim_beyond_the_scale_is_clipped_and_said_not_a_500(client, world, monkeypatch, scale):
    """The reproduction: team factor 1.5 × confidence 1 × 0.67 of the (only) metric's gap gives
    cx_impact 1.005, beyond [-1, 1] (the default's scale, and a model's own). This was a 500;
    now it is clipped to the scale's top and the entry's warnings say so."""
    monkeypatch.setattr(calibration, "factors_for_teams",
                        lambda team_ids: {t: {"factor": 1.5, "reviews": 12} for t in team_ids})
    if scale is not None:
        _pin(client, world, {"name": "Old scale", "criteria": [
            {"name": "strategic_fit", "weight": 0.30}, {"name": "cx_impact", "weight": 0.35, "scale": scale},
            {"name": "cost", "weight": 0.20}, {"name": "partner_alignment", "weight": 0.15}]})
    bold = _submit(client, world, title="Everything, surely", one_time_cost=150_000_000, annual_cost=0,
                   impacts=[{"metric_id": world["metric"], "expected_change": 0.67 * 15, "confidence": 1.0}])
    ranking = _rank(client, world)
    entry = _entry(ranking, bold)
    assert entry["raw"]["cx_impact"] == pytest.approx(1.005, abs=1e-12)
    top = 1
    assert entry["normalized"]["cx_impact"] == 1.0
    raw = entry["raw"]["cx_impact"]
    assert f"cx_impact {raw!r} is above its absolute scale [{-top!r}, {top!r}]: clipped to {top!r} " \
           "(the best value)" in entry["warnings"]
    # every criterion: a cost above the budget is clipped to the worst end and said too
    assert entry["raw"]["cost"] == 150_000_000 and entry["normalized"]["cost"] == 0.0
    assert "cost 150000000 is above its absolute scale [0, 100000000]: clipped to 100000000 " \
           "(the worst value)" in entry["warnings"]
    assert client.get(f"/api/v1/rankings/{ranking['id']}/verify",
                      headers=bearer(world["tokens"]["viewer"])).json["ok"] is True
