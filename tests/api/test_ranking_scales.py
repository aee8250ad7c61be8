"""Issue 13 items 4–6 over HTTP: values outside a criterion's scale are clipped and said, the
default cx_impact scale (a new default version on upgrade, old ones untouched), exact ties."""
import json

import pytest

from cxgov.cli import cli
from cxgov.db import database
from cxgov.models import Ranking, RankingEntry, RankingInputs, Round, ScoringModel
from cxgov.schema_version import upgrade
from cxgov.services import calibration, rankings
from cxgov.services.actor import SYSTEM
from cxgov.services.scoring_models import DEFAULT_KEY, PAST_DEFAULT_MODELS, _stored_as, ensure_default_model
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
    cx_impact 1.005, beyond [-1, 1] (the old default) and beyond the new default's [-0.08, 0.08].
    This was a 500; now it is clipped to the scale's top and the entry's warnings say so."""
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
    top = 1 if scale else 0.08
    assert entry["normalized"]["cx_impact"] == 1.0
    raw = entry["raw"]["cx_impact"]
    assert f"cx_impact {raw!r} is above its absolute scale [{-top!r}, {top!r}]: clipped to {top!r} " \
           "(the best value)" in entry["warnings"]
    # every criterion: a cost above the budget is clipped to the worst end and said too
    assert entry["raw"]["cost"] == 150_000_000 and entry["normalized"]["cost"] == 0.0
    assert "cost 150000000 is above its absolute scale [0, 100000000]: clipped to 100000000 " \
           "(the worst value)" in entry["warnings"]
    assert entry["explanation"]["cx_impact"]["share_of_weighted_gap_pct"] == pytest.approx(100.5)
    assert client.get(f"/api/v1/rankings/{ranking['id']}/verify",
                      headers=bearer(world["tokens"]["viewer"])).json["ok"] is True


def test_a_row_and_its_permutation_under_equal_weights_tie_and_the_tie_break_decides(client, world):
    """Equal weights on risk, strategic fit and time to value (on the scale [1, 5], like risk):
    A = (1, 0.4, 0.75) and B = (0.75, 0.4, 1) normalized.  Added left to right, A's score came out
    one bit above B's, so A ranked first although the documented tie-break (lower requested
    amount) puts B first."""
    _pin(client, world, {"name": "Permutation", "criteria": [
        {"name": "risk", "weight": 1}, {"name": "strategic_fit", "weight": 1},
        {"name": "time_to_value", "weight": 1, "scale": [1, 5]}]})
    fit = [{"objective_id": world["objective"], "alignment": 2}]
    a = _submit(client, world, title="A", risk=1, months_to_value=2, objectives=fit, requested_amount=20_000_000)
    b = _submit(client, world, title="B", risk=2, months_to_value=1, objectives=fit, requested_amount=10_000_000)
    ranking = _rank(client, world)
    ea, eb = _entry(ranking, a), _entry(ranking, b)
    assert sorted(ea["normalized"].values()) == sorted(eb["normalized"].values()) == [0.4, 0.75, 1.0]
    assert ea["score"] == eb["score"]
    assert eb["rank"] == ea["rank"] - 1  # the cheaper request first
    verified = client.get(f"/api/v1/rankings/{ranking['id']}/verify", headers=bearer(world["tokens"]["viewer"])).json
    assert verified["ok"] is True


def _legacy_snapshot(client, world, monkeypatch):
    """A ranking stored the way cxgov stored them before exact sums: inputs without "engine"."""
    with monkeypatch.context() as patch:
        patch.setattr(rankings, "ENGINE", {})
        return _rank(client, world)


def test_a_snapshot_stored_before_exact_sums_still_verifies(app, client, world, monkeypatch):
    for n in range(12):  # enough rows that left-to-right and exact sums differ somewhere
        _submit(client, world, title=f"Option {n}", risk=1 + n % 5, requested_amount=1_000_000 * (n + 1),
                one_time_cost=1_234_567 * (n + 3), annual_cost=98_765 * n,
                impacts=[{"metric_id": world["metric"], "expected_change": 0.37 * (n + 1), "confidence": 0.3 + n / 20}],
                partners=[{"partner_id": world["partner"], "share": (n % 7 + 1) / 10}])
    old = _legacy_snapshot(client, world, monkeypatch)
    with app.app_context():
        inputs = json.loads(RankingInputs.get(RankingInputs.ranking == old["id"]).inputs)
        assert "engine" not in inputs
        exact, *_ = rankings.compute({**inputs, "engine": rankings.ENGINE}, inputs["model"])
        stored = {e.initiative_id: e.score for e in RankingEntry.select().where(RankingEntry.ranking == old["id"])}
        ids = [i["id"] for i in inputs["initiatives"]]
        # the stored scores are the old sums: the exact ones differ in the last bits somewhere
        assert any(stored[i] != float(s) for i, s in zip(ids, exact.scores))
        database.close()
    viewer = bearer(world["tokens"]["viewer"])
    assert client.get(f"/api/v1/rankings/{old['id']}/verify", headers=viewer).json["ok"] is True
    assert client.get(f"/api/v1/rankings/{old['id']}/stability?k=3", headers=viewer).json["top"] == \
        [e["initiative_id"] for e in old["entries"][:3]]
    new = _rank(client, world)
    assert client.get(f"/api/v1/rankings/{new['id']}/verify", headers=viewer).json["ok"] is True
    assert new["inputs_hash"] != old["inputs_hash"]  # the engine is part of what a snapshot hashed


@pytest.fixture
def old_database(app, runner):
    """A database as an earlier cxgov left it: migrated, with the default model it created
    (cx_impact on [-1, 1]) as the only version."""
    assert runner.invoke(cli, ["db", "downgrade", "--yes"]).exit_code == 0
    with app.app_context():
        upgrade(database.obj)
        past = PAST_DEFAULT_MODELS[0]  # stored exactly as the earlier cxgov stored it
        ScoringModel.create(key=DEFAULT_KEY, version=1, name=past["name"], method=past["method"],
                            normalization=past["normalization"], horizon_years=past["horizon_years"],
                            criteria=_stored_as(past)[3], ahp=None, created_by=None)
        database.close()
    yield
    runner.invoke(cli, ["db", "upgrade"])


def test_db_upgrade_adds_a_new_default_version_and_leaves_the_old_one_and_its_rankings(app, client, runner,
                                                                                     old_database):
    world = build_world(app)
    with app.app_context():
        v1 = ScoringModel.get(ScoringModel.key == DEFAULT_KEY)
        v1_criteria = v1.criteria
        assert Round.get_by_id(world["round"]).scoring_model_id == v1.id
        database.close()
    old = _rank(client, world)
    assert _entry(old, world["submitted_a"])["normalized"]["cx_impact"] == pytest.approx((0.7 * 3.5 / 15 + 1) / 2)

    out = runner.invoke(cli, ["db", "upgrade"])
    assert out.exit_code == 0, out.output
    assert "added the default scoring model 'default' v2" in out.output
    again = runner.invoke(cli, ["db", "upgrade"])
    assert "default scoring model" not in again.output  # once

    admin, viewer = bearer(world["tokens"]["admin"]), bearer(world["tokens"]["viewer"])
    models = client.get(f"/api/v1/scoring-models?key={DEFAULT_KEY}", headers=admin).json
    assert [(m["version"], m["locked"]) for m in models] == [(1, True), (2, False)]
    assert models[0]["criteria"] == v1_criteria  # the old version, as it was
    assert models[1]["criteria"][1] == {"name": "cx_impact", "weight": pytest.approx(0.35), "scale": [-0.08, 0.08]}
    assert client.get(f"/api/v1/rankings/{old['id']}/verify", headers=viewer).json["ok"] is True

    # the pinned round keeps v1 (and ranks as before); a new round pins v2
    assert client.get(f"/api/v1/rounds/{world['round']}", headers=admin).json["scoring_model_id"] == models[0]["id"]
    rerank = _rank(client, world)
    assert rerank["model_version"] == 1 and rerank["entries"][0]["score"] == pytest.approx(old["entries"][0]["score"])
    fresh = client.post("/api/v1/rounds", json={"name": "Next", "fiscal_year": 2028, "budget": 5}, headers=admin).json
    assert fresh["scoring_model_id"] == models[1]["id"]
    with app.app_context():
        assert ensure_default_model(SYSTEM)[1] is False
        assert Ranking.select().count() == 2
        database.close()


def test_a_default_people_edited_is_not_replaced_on_upgrade(app, client, runner, old_database):
    world = build_world(app)
    chair = bearer(world["tokens"]["board_chair"])
    v1 = client.get(f"/api/v1/scoring-models?key={DEFAULT_KEY}", headers=chair).json[0]
    etag = client.get(f"/api/v1/scoring-models/{v1['id']}", headers=chair).headers["ETag"]
    edited = client.put(f"/api/v1/scoring-models/{v1['id']}", headers={**chair, "If-Match": etag},
                        json={"name": "Ours", "criteria": [{"name": "strategic_fit", "weight": 1},
                                                           {"name": "cx_impact", "weight": 1, "scale": [-1, 1]}]})
    assert edited.status_code == 201, edited.json
    out = runner.invoke(cli, ["db", "upgrade"])
    assert out.exit_code == 0 and "default scoring model" not in out.output
    models = client.get(f"/api/v1/scoring-models?key={DEFAULT_KEY}", headers=chair).json
    assert [m["name"] for m in models] == [PAST_DEFAULT_MODELS[0]["name"], "Ours"]
