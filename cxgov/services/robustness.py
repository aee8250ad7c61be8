"""How robust a stored ranking is: exact weight-stability intervals and SMAA acceptability."""
import numpy as np

from cxgov import scoring
from cxgov.errors import RuleViolation
from cxgov.services.rankings import LEGACY_ENGINE, arrays_of, get_ranking
from cxgov.services.scoring_models import engine_arguments

MAX_SAMPLES = 100_000


class _Def:
    def __init__(self, model_def):
        self.criteria = model_def["criteria"]
        self.normalization = model_def["normalization"]


def _setup(actor, ranking_id, k):
    ranking = get_ranking(actor, ranking_id)
    inputs, model_def, matrix = arrays_of(ranking)
    names, weights, directions, scales = engine_arguments(_Def(model_def), inputs["round"]["budget"])
    amounts = np.array([i["requested_amount"] for i in inputs["initiatives"]], dtype=np.int64)
    n = len(amounts)
    common = dict(normalization=model_def["normalization"], scales=scales, tiebreak=amounts,
                  criteria_names=names)
    summation = inputs.get("engine", LEGACY_ENGINE)["summation"]  # the ranking's own sums
    if k is None:  # default: as many as a rank-order fill of the budget funds
        result = scoring.rank_alternatives(matrix, weights, directions, method=model_def["method"],
                                           summation=summation, **common)
        k = max(1, int(scoring.rank_order_fill(result.order, amounts, ranking.budget).selected.sum()))
    if not 1 <= k <= n:
        raise RuleViolation(f"k must be between 1 and the {n} ranked initiatives", errors={"k": [f"1 … {n}"]})
    return ranking, inputs, model_def, matrix, weights, directions, amounts, common, k


def stability(actor, ranking_id, k=None):
    ranking, inputs, model_def, matrix, weights, directions, _, common, k = _setup(actor, ranking_id, k)
    summation = inputs.get("engine", LEGACY_ENGINE)["summation"]
    if model_def["method"] != "wsm":
        raise RuleViolation("weight-stability intervals are exact for the weighted sum (wsm) only; "
                            "use the acceptability analysis for this model")
    result = scoring.weight_stability(matrix, weights, directions, k, summation=summation, **common)
    ids = [i["id"] for i in inputs["initiatives"]]

    def swap(pair):
        leaving, entering = (int(x) for x in pair)
        return None if leaving < 0 else {"leaves_top": ids[leaving], "enters_top": ids[entering]}

    return {
        "ranking_id": ranking.id, "k": k,
        "top": [ids[row] for row in result.top],
        "criteria": [{"name": name, "weight": float(result.weights[j]), "lower": float(result.lower[j]),
                      "upper": float(result.upper[j]), "at_lower": swap(result.lower_swap[j]),
                      "at_upper": swap(result.upper_swap[j])}
                     for j, name in enumerate(common["criteria_names"])],
        "note": "each criterion's weight may move within [lower, upper], the others rescaled in proportion, "
                "without changing which initiatives are in the top k",
    }


def acceptability(actor, ranking_id, k=None, samples=10_000, seed=0, concentration=100.0):
    if not 1 <= samples <= MAX_SAMPLES:
        raise RuleViolation(f"samples must be 1 … {MAX_SAMPLES}", errors={"samples": [f"1 … {MAX_SAMPLES}"]})
    ranking, inputs, model_def, matrix, weights, directions, amounts, common, k = _setup(actor, ranking_id, k)
    result = scoring.rank_acceptability(matrix, weights, directions, k=k, costs=amounts, budget=ranking.budget,
                                        samples=samples, concentration=concentration, seed=seed,
                                        method=model_def["method"], **common)
    from cxgov.services.rankings import entries_of

    rank_of = {e.initiative_id: e.rank for e in entries_of(ranking)}
    rows = []
    for row, item in enumerate(inputs["initiatives"]):
        rows.append({"initiative_id": item["id"], "title": item["title"], "rank": rank_of[item["id"]],
                     "rank_probabilities": [float(p) for p in result.rank_probabilities[row]],
                     "top_k": float(result.top_k[row]), "funded": float(result.funded[row])})
    rows.sort(key=lambda r: r["rank"])
    return {"ranking_id": ranking.id, "k": k, "samples": samples, "seed": seed, "concentration": concentration,
            "initiatives": rows}
