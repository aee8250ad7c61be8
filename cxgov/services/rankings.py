"""Ranking a round: criteria from the records, the round's pinned model, the engine;
stored as an immutable snapshot with the SHA-256 of its canonical inputs.

Tie-break (documented): equal scores are ordered by the lower requested amount, then
by the lower initiative id.  Scores are exact sums (the engine's ``summation="exact"``),
so scores equal in exact arithmetic are equal and the tie-break is what decides; a
snapshot records that in its inputs (``"engine"``), and one stored before, without it,
recomputes with the left-to-right sums it was made with.  The funding line is a
rank-order fill of the round's budget over requested amounts: walk the ranking, fund
each initiative that still fits, skip one that does not and go on.
"""
import hashlib
import json

import numpy as np
import rfc8785

from cxgov import scoring
from cxgov.db import write_transaction
from cxgov.errors import Forbidden, NotFound, RuleViolation
from cxgov.models import Initiative, Ranking, RankingEntry, RankingInputs, Round, ScoringModel
from cxgov.services.audit import append_event
from cxgov.services.read_rules import ranking_readable
from cxgov.services.criteria import criteria_matrix, load_inputs, submitted_initiatives
from cxgov.services.scoring_models import default_model, engine_arguments


#: How this version of cxgov computes a ranking, stored (and hashed) with every snapshot.
ENGINE = {"summation": "exact"}
#: What a snapshot without ``"engine"`` was computed with.
LEGACY_ENGINE = {"summation": "ordered"}


def model_definition(model):
    return {"id": model.id, "key": model.key, "version": model.version, "method": model.method,
            "normalization": model.normalization, "criteria": model.criteria, "horizon_years": model.horizon_years}


def canonical(value):
    return rfc8785.dumps(value)


def _team_factors(team_ids):
    """Calibration factors k_t per team (1 until the closed loop has reviewed work)."""
    try:
        from cxgov.services.calibration import factors_for_teams
    except ImportError:
        return {}
    return factors_for_teams(team_ids)


def compute(inputs, model_def):
    """Pure: the ranking of ``inputs`` under ``model_def`` (no database)."""
    names = [c["name"] for c in model_def["criteria"]]
    matrix, warnings, explanations = criteria_matrix(inputs, names, model_def["horizon_years"])
    items = inputs["initiatives"]
    budget = inputs["round"]["budget"]
    if not items:
        return None, warnings, explanations, np.zeros(0, dtype=bool)

    class _Model:  # engine_arguments reads attributes
        criteria = model_def["criteria"]
        normalization = model_def["normalization"]

    names, weights, directions, scales = engine_arguments(_Model, budget)
    amounts = np.array([i["requested_amount"] for i in items], dtype=np.int64)
    engine = inputs.get("engine", LEGACY_ENGINE)
    result = scoring.rank_alternatives(matrix, weights, directions, method=model_def["method"],
                                       normalization=model_def["normalization"], scales=scales,
                                       tiebreak=amounts, criteria_names=names, summation=engine["summation"])
    _explain_scales(result, warnings, explanations)
    funded = scoring.rank_order_fill(result.order, amounts, budget).selected
    return result, warnings, explanations, funded


def _number(value):
    """A whole number (money in minor units, months) without a trailing .0; else the float."""
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _explain_scales(result, warnings, explanations):
    """Say where a value was clipped to its absolute scale, and where cx_impact earns full credit."""
    names = result.criteria_names
    if result.scales is None:
        return
    for row, j in np.argwhere(result.clipped).tolist():
        lo, hi = (_number(v) for v in result.scales[j])
        raw = _number(result.raw[row, j])
        side = "below" if raw < lo else "above"
        worth = "best" if result.normalized[row, j] == 1.0 else "worst"
        warnings[row].append(f"{names[j]} {raw!r} is {side} its absolute scale [{lo!r}, {hi!r}]: "
                             f"clipped to {_number(result.clipped_to(row, j))!r} (the {worth} value)")
    if "cx_impact" in names:
        full = float(result.scales[names.index("cx_impact")][1])
        for explain in explanations:
            if "share_of_weighted_gap" in explain.get("cx_impact", {}):
                explain["cx_impact"]["full_credit_pct"] = 100 * full
                explain["cx_impact"]["share_of_weighted_gap"] += f"; full credit at {100 * full:g} %"


def _entries(inputs, result, warnings, explanations, funded, horizon_years):
    names = list(result.criteria_names)
    items = inputs["initiatives"]
    line = None
    funded_rows = [row for row in result.order if funded[row]]
    if funded_rows:
        line = float(result.scores[funded_rows[-1]])
    entries = []
    for row, item in enumerate(items):
        entries.append({
            "initiative": item["id"],
            "rank": int(result.ranks[row]),
            "score": float(result.scores[row]),
            "cost": item["one_time_cost"] + item["annual_cost"] * horizon_years,
            "requested_amount": item["requested_amount"],
            "funded_by_fill": bool(funded[row]),
            "distance_to_line": None if line is None else float(result.scores[row]) - line,
            "detail": {
                "title": item["title"],
                "team_id": item["team_id"],
                "raw": {n: float(result.raw[row, j]) for j, n in enumerate(names)},
                "normalized": {n: float(result.normalized[row, j]) for j, n in enumerate(names)},
                "contributions": {n: float(result.contributions[row, j]) for j, n in enumerate(names)},
                "warnings": warnings[row],
                "explanation": explanations[row],
            },
        })
    return entries, line


def rank_round(actor, round_id):
    with write_transaction():
        rnd = Round.get_or_none(Round.id == round_id)
        if rnd is None:
            raise NotFound(f"round {round_id} does not exist")
        model = ScoringModel.get_or_none(ScoringModel.id == rnd.scoring_model_id) if rnd.scoring_model_id else default_model()
        if model is None:
            raise RuleViolation("the round pins no scoring model and no default model exists (run `cxgov db upgrade`)")
        initiatives = submitted_initiatives(rnd.id)
        if not initiatives:
            raise RuleViolation(f"round {rnd.id} has no submitted initiatives to rank")
        inputs = load_inputs(rnd, initiatives, _team_factors({i.team_id for i in initiatives}))
        inputs["model"] = model_definition(model)
        if ENGINE:  # (empty only in a test that stores a snapshot as cxgov did before)
            inputs["engine"] = dict(ENGINE)
        payload = canonical(inputs)
        digest = hashlib.sha256(payload).hexdigest()
        result, warnings, explanations, funded = compute(inputs, inputs["model"])
        entries, line = _entries(inputs, result, warnings, explanations, funded, model.horizon_years)
        ranking = Ranking.create(round=rnd.id, scoring_model=model.id, model_version=model.version,
                                 inputs_hash=digest, budget=rnd.budget,
                                 funding_line_score=line, criteria_names=list(result.criteria_names),
                                 weights=[float(w) for w in result.weights], entry_count=len(entries),
                                 created_by=actor.user_id)
        RankingInputs.create(ranking=ranking.id, inputs=payload.decode("utf-8"))
        rows = [{**e, "ranking": ranking.id} for e in entries]
        for start in range(0, len(rows), 500):
            RankingEntry.insert_many(rows[start:start + 500]).execute()
        if not model.locked:
            ScoringModel.update(locked=True).where(ScoringModel.id == model.id).execute()
        append_event(actor, "ranking.created", "ranking", ranking.id, {
            "round_id": rnd.id, "scoring_model_id": model.id, "model_version": model.version,
            "inputs_hash": digest, "initiatives": len(entries), "funding_line_score": line,
            "order": [inputs["initiatives"][row]["id"] for row in result.order],
            # the model version became immutable with this ranking (its one change, logged here)
            "scoring_model_locked": [model.locked, True],
        })
        return ranking


# ------------------------------------------------------------------ reading
def team_may_read(actor, round_id):
    return Initiative.select().where((Initiative.round == round_id) & (Initiative.team == actor.team_id)
                                     & (Initiative.status != "draft")).exists()


def rounds_submitted_by(actor):
    """``team_may_read`` for every round at once: the rounds a team lead's team submitted to
    (empty for other roles, whom the rule does not scope)."""
    if actor.role != "team_lead":
        return frozenset()
    return frozenset(r for (r,) in Initiative.select(Initiative.round).distinct()
                     .where((Initiative.team == actor.team_id) & (Initiative.status != "draft")
                            & Initiative.round.is_null(False)).tuples())


def check_readable(actor, ranking):
    if not ranking_readable(actor, actor.role != "team_lead" or team_may_read(actor, ranking.round_id)):
        raise Forbidden("team leads read the rankings of rounds their team submitted to")


def get_ranking(actor, ranking_id):
    ranking = Ranking.get_or_none(Ranking.id == ranking_id)
    if ranking is None:
        raise NotFound(f"ranking {ranking_id} does not exist")
    check_readable(actor, ranking)
    return ranking


def latest_ranking(actor, round_id):
    ranking = Ranking.select().where(Ranking.round == round_id).order_by(Ranking.id.desc()).first()
    if ranking is None:
        if not Round.select().where(Round.id == round_id).exists():
            raise NotFound(f"round {round_id} does not exist")
        raise NotFound(f"round {round_id} has not been ranked yet")
    check_readable(actor, ranking)
    return ranking


def inputs_of(ranking):
    """The canonical JSON text the ranking hashed."""
    return RankingInputs.select(RankingInputs.inputs).where(RankingInputs.ranking == ranking.id).scalar()


def entries_of(ranking):
    return RankingEntry.select().where(RankingEntry.ranking == ranking.id).order_by(RankingEntry.rank)


def verify_ranking(actor, ranking_id):
    """Recompute from the stored inputs; compare hash, scores, ranks and the funding line exactly."""
    ranking = get_ranking(actor, ranking_id)
    payload = inputs_of(ranking).encode("utf-8")
    inputs = json.loads(payload)
    hash_ok = hashlib.sha256(canonical(inputs)).hexdigest() == ranking.inputs_hash == hashlib.sha256(payload).hexdigest()
    result, warnings, explanations, funded = compute(inputs, inputs["model"])
    entries, line = _entries(inputs, result, warnings, explanations, funded, inputs["model"]["horizon_years"])
    stored = {e.initiative_id: e for e in entries_of(ranking)}
    mismatches = []
    for e in entries:
        s = stored.get(e["initiative"])
        if s is None or s.rank != e["rank"] or s.score != e["score"] or s.funded_by_fill != e["funded_by_fill"] \
                or s.detail["contributions"] != e["detail"]["contributions"]:
            mismatches.append(e["initiative"])
    if len(stored) != len(entries):
        mismatches.extend(sorted(set(stored) - {e["initiative"] for e in entries}))
    model = ScoringModel.get_or_none(ScoringModel.id == ranking.scoring_model_id)
    model_ok = model is not None and model_definition(model) == inputs["model"]
    return {"ranking_id": ranking.id, "ok": hash_ok and not mismatches and model_ok and line == ranking.funding_line_score,
            "inputs_hash": ranking.inputs_hash, "inputs_hash_ok": hash_ok, "model_unchanged": model_ok,
            "mismatched_initiatives": mismatches}


def arrays_of(ranking):
    """The stored ranking as engine arrays (for robustness and portfolio), in input order."""
    inputs = json.loads(inputs_of(ranking))
    model_def = inputs["model"]
    names = [c["name"] for c in model_def["criteria"]]
    matrix, _, _ = criteria_matrix(inputs, names, model_def["horizon_years"])
    return inputs, model_def, matrix
