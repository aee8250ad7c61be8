"""The funding portfolio of a round: the exact optimum beside the rank-order fill.

Value (said in every response): the score from the benefit criteria alone — the ranking's
normalized values weighted by the model's weights without the ``cost`` criterion, rescaled
to sum 1.  The budget constraint already charges each initiative its requested amount;
keeping cost in the objective would count it twice.  Metric floors use the expected
improvement toward the metric's target: claimed change × confidence × team factor.
"""
import json

import numpy as np

from cxgov import scoring
from cxgov.db import write_transaction
from cxgov.errors import Forbidden, NotFound, RuleViolation
from cxgov.models import Initiative, PortfolioScenario, Round, Team
from cxgov.services.audit import append_event
from cxgov.services.rankings import entries_of, get_ranking, inputs_of, latest_ranking, team_may_read

VALUE_NOTE = ("value = the score from the benefit criteria alone (the model's weights without the cost criterion, "
              "rescaled to sum 1); the budget constraint charges each initiative its requested amount, so cost "
              "is not counted twice")
FRONTIER_LEVELS = 20
FUNDED_ELSEWHERE = ("approved", "in_progress", "delivered", "reviewed")


def _benefit_values(ranking, entries):
    names = list(ranking.criteria_names)
    weights = dict(zip(names, ranking.weights))
    kept = {n: w for n, w in weights.items() if n != "cost"}
    total = sum(kept.values())
    if total <= 0:
        raise RuleViolation("the scoring model weighs only cost: there is no benefit to maximize")
    return np.array([sum(w / total * e.detail["normalized"][n] for n, w in kept.items()) for e in entries])


def _rows(ids, index, field):
    bad = [i for i in ids if i not in index]
    if bad:
        raise RuleViolation(f"{field}: initiatives {bad} are not in the ranking this portfolio uses",
                            errors={field: [f"not ranked: {bad}"]})
    return [index[i] for i in ids]


def _metric_improvement(inputs, metric_id):
    """Per ranked initiative: expected improvement toward the metric's target (metric units)."""
    metric = next((m for m in inputs["metrics"] if m["id"] == metric_id), None)
    if metric is None:
        raise RuleViolation(f"metric {metric_id} is not in the catalog", errors={"floors": [f"unknown metric {metric_id}"]})
    sign = 1.0 if metric["target"] >= metric["baseline"] else -1.0
    calibration = inputs.get("calibration", {})
    out = []
    for item in inputs["initiatives"]:
        info = calibration.get(str(item["team_id"]))
        k = info["factor"] if info else 1.0
        out.append(sum(sign * change * confidence * k for m, change, confidence in item["impacts"] if m == metric_id))
    return np.array(out), metric


def optimize_round(actor, round_id, request):
    """Solve, store the scenario with the ranking it used, and return it."""
    with write_transaction():
        rnd = Round.get_or_none(Round.id == round_id)
        if rnd is None:
            raise NotFound(f"round {round_id} does not exist")
        ranking = get_ranking(actor, request["ranking_id"]) if request.get("ranking_id") else latest_ranking(actor, round_id)
        if ranking.round_id != rnd.id:
            raise RuleViolation(f"ranking {ranking.id} belongs to round {ranking.round_id}",
                                errors={"ranking_id": ["not a ranking of this round"]})
        if PortfolioScenario.select().where((PortfolioScenario.round == rnd.id)
                                            & (PortfolioScenario.name == request["name"])).exists():
            raise RuleViolation(f"round {rnd.id} already has a scenario named {request['name']!r}",
                                errors={"name": ["already used in this round"]})
        result = solve(rnd, ranking, request)
        scenario = PortfolioScenario.create(round=rnd.id, ranking=ranking.id, name=request["name"],
                                            request=request, result=result, created_by=actor.user_id)
        append_event(actor, "portfolio.created", "portfolio_scenario", scenario.id, {
            "round_id": rnd.id, "ranking_id": ranking.id, "name": request["name"], "request": request,
            "selected": [s["initiative_id"] for s in result["selected"]], "total_cost": result["total_cost"]})
        return scenario


def _caps(inputs, requested, notes):
    """(rows, max share) per cap.  A team that does not exist is refused (a typo must not pass
    as "no cap"); a cap that matches nothing in this ranking constrains nothing, and says so."""
    team_ids = {int(cap["value"]) for cap in requested if cap["by"] == "team"}
    known = {t.id for t in Team.select(Team.id).where(Team.id.in_(sorted(team_ids)))} if team_ids else set()
    missing = sorted(team_ids - known)
    if missing:
        raise RuleViolation(f"caps name teams that do not exist: {', '.join(map(str, missing))}",
                            errors={"caps": [f"team {t} does not exist" for t in missing]})
    caps = []
    for cap in requested:
        if cap["by"] == "team":
            label, members = f"team {int(cap['value'])}", [
                row for row, item in enumerate(inputs["initiatives"]) if item["team_id"] == int(cap["value"])]
        else:
            label, members = f"focus area {cap['value']}", [
                row for row, item in enumerate(inputs["initiatives"]) if item["focus_area"] == cap["value"]]
        if not members:
            notes.append(f"the cap on {label} matches no initiative of this ranking: it constrains nothing")
        caps.append((members, cap["max_share"]))
    return caps


def _dependencies(inputs, index, must_not, notes):
    """Requires-pairs among ranked initiatives; an initiative needing one that is neither ranked
    here nor funded elsewhere joins ``must_not`` (in place), with a note."""
    requires, status_of = [], {}
    outside = {d for item in inputs["initiatives"] for d in item["dependency_ids"] if d not in index}
    if outside:
        status_of = {i.id: i.status for i in Initiative.select(Initiative.id, Initiative.status)
                     .where(Initiative.id.in_(list(outside)))}
    for item in inputs["initiatives"]:
        for dep in item["dependency_ids"]:
            if dep in index:
                requires.append((index[item["id"]], index[dep]))
            elif status_of.get(dep) not in FUNDED_ELSEWHERE:
                must_not.add(index[item["id"]])
                notes.append(f"initiative {item['id']} needs initiative {dep}, which is neither ranked here nor "
                             "funded: it cannot be funded")
    return requires


def _constraints(inputs, index, request, notes):
    """The engine's keyword constraints from the request (validated in the request's order)."""
    must_not = set(_rows(request.get("must_not_fund", []), index, "must_not_fund"))
    requires = _dependencies(inputs, index, must_not, notes)
    must_fund = _rows(request.get("must_fund", []), index, "must_fund")
    groups = [_rows(g, index, "all_or_none") for g in request.get("all_or_none", [])]
    excludes = [tuple(_rows(pair, index, "exclusions")) for pair in request.get("exclusions", [])]
    caps = _caps(inputs, request.get("caps", []), notes)
    floors = [(_metric_improvement(inputs, floor["metric_id"])[0], floor["minimum"])
              for floor in request.get("floors", [])]
    partial = request.get("partial", {}) or {}
    partial_arg = float(partial["min_share"]) if partial.get("enabled") else None
    return dict(requires=requires, excludes=excludes, groups_all_or_none=groups, must_fund=must_fund,
                must_not_fund=sorted(must_not), partial=partial_arg, group_caps=caps, floors=floors)


def _optimum(values, costs, budget, constraints, ids):
    try:
        return scoring.optimize_portfolio(values, costs, budget, **constraints)
    except scoring.InfeasiblePortfolio as exc:
        raise RuleViolation(f"no funded set satisfies the constraints: {_with_ids(str(exc), ids)}",
                            errors={"constraints": [str(exc)]}) from exc


def _expected_changes(inputs, fractions):
    """Per metric key: the funded set's expected change toward the metric's target."""
    out = {}
    for metric_id, metric in {m["id"]: m for m in inputs["metrics"]}.items():
        impact, _ = _metric_improvement(inputs, metric_id)
        out[metric["key"]] = float(np.dot(impact, fractions))
    return out


def _selected(best, inputs, ids, values, costs, rank_of):
    return [{"initiative_id": ids[row], "title": inputs["initiatives"][row]["title"],
             "rank": rank_of[ids[row]], "requested_amount": int(costs[row]),
             "funded_amount": int(best.amounts[row]), "fraction": float(best.fractions[row]),
             "value": float(values[row] * best.fractions[row])}
            for row in sorted(best.indices, key=lambda r: rank_of[ids[r]])]


def _fill_result(fill, inputs, ids, values):
    fractions = fill.selected.astype(float)
    return {
        "selected": [ids[row] for row in fill.funded_order],
        "skipped": [ids[row] for row in fill.skipped],
        "total_value": float(np.dot(values, fractions)),
        "total_cost": int(fill.total_cost),
        "expected_change": _expected_changes(inputs, fractions),
    }


def _frontier_result(values, costs, budget, constraints):
    levels = sorted({max(1, budget * (k + 1) // FRONTIER_LEVELS) for k in range(FRONTIER_LEVELS)})
    frontier = scoring.efficient_frontier(values, costs, levels, **constraints)
    return [{"budget": int(b), "value": float(v), "cost": int(c), "feasible": bool(f), "reason": reason}
            for b, v, c, f, reason in zip(frontier.budgets, frontier.values, frontier.costs,
                                          frontier.feasible, frontier.reasons)]


def solve(rnd, ranking, request):
    """The scenario's result: the optimum, the rank-order fill, their difference and the frontier."""
    inputs = json.loads(inputs_of(ranking))
    entries = sorted(entries_of(ranking), key=lambda e: e.initiative_id)  # inputs order (by id)
    ids = [e.initiative_id for e in entries]
    index = {iid: row for row, iid in enumerate(ids)}
    values = _benefit_values(ranking, entries)
    costs = np.array([e.requested_amount for e in entries], dtype=np.int64)
    budget = request.get("budget")
    budget = int(rnd.budget - rnd.committed if budget is None else budget)
    notes = [VALUE_NOTE]
    constraints = _constraints(inputs, index, request, notes)
    best = _optimum(values, costs, budget, constraints, ids)
    order = [index[e.initiative_id] for e in sorted(entries, key=lambda e: e.rank)]
    fill = scoring.rank_order_fill(order, costs, budget)
    diff = scoring.portfolio_diff(best.selected, fill.selected, values=values, costs=costs)
    rank_of = {e.initiative_id: e.rank for e in entries}
    return {
        "budget": budget,
        "value_note": " ".join(notes[:1]),
        "notes": notes[1:],
        "status": best.status,
        "selected": _selected(best, inputs, ids, values, costs, rank_of),
        "total_value": float(best.total_value),
        "total_cost": int(best.total_cost),
        "expected_change": _expected_changes(inputs, best.fractions),
        "rank_order_fill": _fill_result(fill, inputs, ids, values),
        "difference": {"only_optimal": [ids[r] for r in diff.only_optimal], "only_fill": [ids[r] for r in diff.only_fill],
                       "both": [ids[r] for r in diff.both]},
        "frontier": _frontier_result(values, costs, budget, constraints),
    }


def _with_ids(message, ids):
    """The engine names rows; add which initiative each row is."""
    legend = ", ".join(f"row {row} = initiative {iid}" for row, iid in enumerate(ids) if f"row {row}" in message)
    return f"{message} ({legend})" if legend else message


def get_scenario(actor, round_id, scenario_id):
    scenario = PortfolioScenario.get_or_none((PortfolioScenario.id == scenario_id) & (PortfolioScenario.round == round_id))
    if scenario is None:
        raise NotFound(f"round {round_id} has no portfolio scenario {scenario_id}")
    get_ranking(actor, scenario.ranking_id)  # same read rule as the ranking
    return scenario


def list_scenarios(actor, round_id):
    if Round.get_or_none(Round.id == round_id) is None:
        raise NotFound(f"round {round_id} does not exist")
    if actor.role == "team_lead" and not team_may_read(actor, round_id):
        raise Forbidden("team leads read the scenarios of rounds their team submitted to")
    return PortfolioScenario.select().where(PortfolioScenario.round == round_id).order_by(PortfolioScenario.id)


def compare(actor, round_id, scenario_ids):
    scenarios = [get_scenario(actor, round_id, sid) for sid in scenario_ids]
    sets = [{s["initiative_id"] for s in sc.result["selected"]} for sc in scenarios]
    core = set.intersection(*sets) if sets else set()
    counts = {}
    for chosen in sets:
        for iid in chosen:
            counts[iid] = counts.get(iid, 0) + 1
    return {
        "scenarios": [{"id": sc.id, "name": sc.name, "ranking_id": sc.ranking_id, "budget": sc.result["budget"],
                       "total_value": sc.result["total_value"], "total_cost": sc.result["total_cost"],
                       "selected": sorted(chosen)} for sc, chosen in zip(scenarios, sets)],
        "robust_core": sorted(core),
        "selected_in": {str(iid): n for iid, n in sorted(counts.items())},
    }
