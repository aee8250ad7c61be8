"""The criteria, computed from the records exactly as DESIGN gives them.

This module is the one conversion point between rows and the engine's arrays:
``load_inputs`` reads everything a ranking depends on in a bounded number of
queries and returns plain JSON-able values (hashed and stored with the
snapshot); ``criteria_matrix`` is a pure function of those values, so a stored
snapshot can always be recomputed.

Formulas (W objective weight, a alignment 0–5, V metric weight, c confidence,
p = expected change ÷ (target − baseline) clipped to [−1, 1], k team factor,
s partner share, A partner alignment):

* strategic_fit = Σ_o W_o·a_io / (5·Σ_o W_o) over every objective (0 where not rated)
* cx_impact = Σ_m V_m·c_im·k_t·p_im / Σ_m V_m over every catalog metric
* cost = one-time + annual × horizon years (minor units)
* partner_alignment = Σ_p s_p·A_p + (1 − Σ_p s_p), A_p = (mean of the latest
  assessment's four 1–5 scores − 1) / 4; a partner never assessed counts 0
* risk (1–5), time_to_value (months), foundational (1 in a foundational cell)
"""
import numpy as np

from cxgov.models import (
    Initiative, InitiativeDependency, InitiativeImpact, InitiativeObjective, InitiativePartner, Metric, Objective,
    PartnerAssessment,
)

#: cx_impact earns full credit for closing this share of the CX strategy's weighted gap (and
#: the worst mark for widening it by as much): the default scale is [-0.08, 0.08].  Chosen
#: from the demo round (README, "Decisions"): a good initiative closes a few percent.
CX_IMPACT_FULL_CREDIT = 0.08

#: name → (direction, absolute scale or None when it depends on the round).  These apply to
#: a model version that stores no scale of its own; every version created now stores its
#: cx_impact scale (scoring_models.DEFAULT_CX_IMPACT_SCALE unless it sets one), so the
#: [-1, 1] here only scores versions created before that, exactly as it did.
CRITERIA = {
    "strategic_fit": ("benefit", (0.0, 1.0)),
    "cx_impact": ("benefit", (-1.0, 1.0)),
    "cost": ("cost", None),  # (0, round budget)
    "partner_alignment": ("benefit", (0.0, 1.0)),
    "risk": ("cost", (1.0, 5.0)),
    "time_to_value": ("cost", (0.0, 36.0)),
    "foundational": ("benefit", (0.0, 1.0)),
}
MAIN_CRITERIA = ("strategic_fit", "cx_impact", "cost", "partner_alignment")
BENEFIT_CRITERIA = tuple(name for name, (direction, _) in CRITERIA.items() if direction == "benefit")

#: The foundational cells of the focus-area × building-block grid: what comes first early
#: in a transformation (leadership & governance, customer insights / research operations,
#: and the technology infrastructure under insight and design work).
FOUNDATIONAL_CELLS = frozenset({
    ("vision_strategy", "leadership_governance"),
    ("operations", "customer_insights_metrics"),
    ("technology", "customer_insights_metrics"),
    ("technology", "experience_design_operations"),
})


def absolute_scale(name, budget):
    scale = CRITERIA[name][1]
    return (0.0, float(max(budget, 1))) if name == "cost" else scale


def load_inputs(round_record, initiatives, calibration=None):
    """Everything a ranking depends on, as plain values (bounded queries, not one per row)."""
    rows = _child_rows(round_record, initiatives)
    partner_ids = sorted({p for row in rows.values() for p, _ in row["partners"]})
    latest = _latest_assessments(partner_ids)
    calibration = calibration or {}
    return {
        "round": {"id": round_record.id, "budget": round_record.budget},
        "objectives": [{"id": o.id, "weight": o.weight} for o in Objective.select().order_by(Objective.id)],
        "metrics": [{"id": m.id, "key": m.key, "weight": m.weight, "baseline": m.baseline, "target": m.target,
                     "unit": m.unit} for m in Metric.select().order_by(Metric.id)],
        "partners": [{"id": p, "latest_assessment": latest.get(p)} for p in partner_ids],
        "calibration": {str(team): calibration[team] for team in sorted(calibration)},
        "initiatives": [
            {"id": i.id, "title": i.title, "team_id": i.team_id, "one_time_cost": i.one_time_cost,
             "annual_cost": i.annual_cost, "requested_amount": i.requested_amount, "risk": i.risk,
             "months_to_value": i.months_to_value, "focus_area": i.focus_area, "building_block": i.building_block,
             **rows[i.id]}
            for i in sorted(initiatives, key=lambda i: i.id)
        ],
    }


#: child table, the columns a ranking reads from it, and the key it is listed under.
_CHILD_TABLES = (
    (InitiativeObjective, (InitiativeObjective.objective, InitiativeObjective.alignment), "objectives"),
    (InitiativeImpact, (InitiativeImpact.metric, InitiativeImpact.expected_change, InitiativeImpact.confidence),
     "impacts"),
    (InitiativePartner, (InitiativePartner.partner, InitiativePartner.share), "partners"),
)


def _child_rows(round_record, initiatives):
    """Each initiative's objectives, impacts, partners and dependencies: one query per table."""
    ids = [i.id for i in initiatives]
    rows = {i.id: {"objectives": [], "impacts": [], "partners": [], "dependency_ids": []} for i in initiatives}
    if not ids:
        return rows
    # Restrict the child tables by a subquery on the round rather than by a literal list of
    # every id (one bound parameter per initiative is slow to build and, on SQLite, capped);
    # rows of initiatives not asked for are skipped below.  Plain tuples: no model instances.
    if all(i.round_id == round_record.id for i in initiatives):
        wanted = Initiative.select(Initiative.id).where(Initiative.round == round_record.id)
    else:
        wanted = ids
    for link, columns, key in _CHILD_TABLES:
        query = link.select(link.initiative, *columns).where(link.initiative.in_(wanted)).order_by(link.id)
        for initiative_id, *values in query.tuples():
            if initiative_id in rows:
                rows[initiative_id][key].append(values)
    query = (InitiativeDependency.select(InitiativeDependency.initiative, InitiativeDependency.depends_on)
             .where(InitiativeDependency.initiative.in_(wanted)).order_by(InitiativeDependency.id))
    for initiative_id, depends_on in query.tuples():
        if initiative_id in rows:
            rows[initiative_id]["dependency_ids"].append(depends_on)
    return rows


def _latest_assessments(partner_ids):
    """``{partner id: its latest assessment's date and four scores}`` (one query; none if no partners)."""
    latest = {}
    if not partner_ids:
        return latest
    query = (PartnerAssessment.select().where(PartnerAssessment.partner.in_(partner_ids))
             .order_by(PartnerAssessment.assessed_on, PartnerAssessment.id))
    for a in query:
        latest[a.partner_id] = {"assessed_on": a.assessed_on.isoformat(),
                                "scores": [a.shared_vision, a.data_sharing, a.process_integration,
                                           a.feedback_responsiveness]}
    return latest


#: The columns of an initiative that a ranking reads (``load_inputs`` and the caller).
RANKED_COLUMNS = (Initiative.id, Initiative.title, Initiative.team, Initiative.round, Initiative.status,
                  Initiative.one_time_cost, Initiative.annual_cost, Initiative.requested_amount, Initiative.risk,
                  Initiative.months_to_value, Initiative.focus_area, Initiative.building_block)


def submitted_initiatives(round_id):
    """The round's submitted initiatives, with only ``RANKED_COLUMNS`` loaded (no timestamps,
    texts or JSON columns to parse at 10,000 rows)."""
    return list(Initiative.select(*RANKED_COLUMNS)
                .where((Initiative.round == round_id) & (Initiative.status == "submitted"))
                .order_by(Initiative.id))


def gap_sentence(impact):
    """The share of the CX strategy's weighted gap a claim closes, in words, as a percentage."""
    verb = "widen" if impact < 0 else "close"
    return (f"expected to {verb} {abs(impact) * 100:.2f} % of the CX strategy's weighted gap "
            "(confidence-weighted, after the team factor)")


def _impact_share(change, baseline, target):
    gap = target - baseline
    if gap == 0:
        return None
    return float(min(1.0, max(-1.0, change / gap)))


def criteria_matrix(inputs, criteria, horizon_years):
    """Raw criterion values (rows: initiatives in ``inputs`` order), warnings and explanations."""
    objectives = inputs["objectives"]
    total_objective_weight = sum(o["weight"] for o in objectives)
    objective_weight = {o["id"]: o["weight"] for o in objectives}
    metrics = {m["id"]: m for m in inputs["metrics"]}
    total_metric_weight = sum(m["weight"] for m in inputs["metrics"])
    assessments = {p["id"]: p["latest_assessment"] for p in inputs["partners"]}
    calibration = inputs.get("calibration", {})
    n = len(inputs["initiatives"])
    matrix = np.zeros((n, len(criteria)), dtype=float)
    warnings, explanations = [], []
    for row, item in enumerate(inputs["initiatives"]):
        notes, explain, values = [], {}, {}
        values["strategic_fit"] = _strategic_fit(item, objective_weight, total_objective_weight, notes)
        values["cx_impact"], explain["cx_impact"] = _cx_impact(
            item, metrics, total_metric_weight, calibration.get(str(item["team_id"])), notes)
        values["cost"], explain["cost"] = _cost(item, horizon_years)
        values["partner_alignment"], explain["partner_alignment"] = _partner_alignment(item, assessments, notes)
        values["risk"] = float(item["risk"])
        values["time_to_value"] = float(item["months_to_value"])
        values["foundational"] = 1.0 if (item["focus_area"], item["building_block"]) in FOUNDATIONAL_CELLS else 0.0
        matrix[row] = [values[name] for name in criteria]
        warnings.append(notes)
        explanations.append(explain)
    return matrix, warnings, explanations


def _strategic_fit(item, objective_weight, total_objective_weight, notes):
    """Σ_o W_o·a_io / (5·Σ_o W_o); 0 (with a note) when no objective is defined or rated."""
    if total_objective_weight > 0:
        fit = sum(objective_weight.get(o, 0.0) * a for o, a in item["objectives"]) / (5 * total_objective_weight)
    else:
        fit = 0.0
        notes.append("no strategic objectives are defined: strategic fit is 0")
    if not item["objectives"]:
        notes.append("aligned to no objective: strategic fit is 0")
    return fit


def _cx_impact(item, metrics, total_metric_weight, factor_info, notes):
    """Σ_m V_m·c_im·k_t·p_im / Σ_m V_m and its explanation (terms, team factor, share of the gap)."""
    k = factor_info["factor"] if factor_info else 1.0
    impact_terms = []
    for metric_id, change, confidence in item["impacts"]:
        metric = metrics.get(metric_id)
        share = _impact_share(change, metric["baseline"], metric["target"])
        if share is None:
            notes.append(f"metric {metric['key']}: target equals baseline, impact not computable (counted 0)")
            continue
        term = metric["weight"] * confidence * k * share
        impact_terms.append({"metric": metric["key"], "claimed_change": change, "unit": metric["unit"],
                             "confidence": confidence, "share_of_gap": share,
                             "contribution": term / total_metric_weight if total_metric_weight else 0.0})
    impact = (sum(t["contribution"] for t in impact_terms)) if total_metric_weight else 0.0
    if not item["impacts"]:
        notes.append("claims no metric impact: cx_impact is 0")
    explain = {"terms": impact_terms, "team_factor": k,
               "team_reviews": factor_info["reviews"] if factor_info else 0,
               "share_of_weighted_gap_pct": 100 * impact,
               "share_of_weighted_gap": gap_sentence(impact)}
    if factor_info and k != 1.0:
        claimed = impact / k if k else 0.0
        explain["summary"] = (f"claimed impact {claimed:.4f}, calibrated {impact:.4f} "
                              f"(team factor {k:.3f}, from {factor_info['reviews']} reviews)")
    return impact, explain


def _cost(item, horizon_years):
    """One-time + annual × horizon years (minor units) and its parts."""
    total = item["one_time_cost"] + item["annual_cost"] * horizon_years
    return float(total), {"one_time": item["one_time_cost"], "annual": item["annual_cost"],
                          "horizon_years": horizon_years, "total": total}


def _partner_alignment(item, assessments, notes):
    """Σ_p s_p·A_p + (1 − Σ_p s_p), clipped to [0, 1]; a partner never assessed counts 0."""
    shares_total = sum(s for _, s in item["partners"])
    alignment = 1.0 - shares_total
    partner_terms = []
    for partner_id, share in item["partners"]:
        assessment = assessments.get(partner_id)
        if assessment is None:
            a = 0.0
            notes.append(f"partner {partner_id} was never assessed: counted as not aligned (0)")
        else:
            a = (sum(assessment["scores"]) / 4 - 1) / 4
        alignment += share * a
        partner_terms.append({"partner_id": partner_id, "share": share, "alignment": a,
                              "assessed_on": assessment["assessed_on"] if assessment else None})
    return min(1.0, max(0.0, alignment)), {"partners": partner_terms, "own_share": 1.0 - shares_total}
