"""Static diagnosis: clear messages for the conflicts a board actually makes, found without the
solver (:func:`diagnose_static`), and after a proven infeasibility the constraint whose removal
makes the rest feasible (:func:`diagnose_by_relaxing`)."""

import dataclasses

import numpy as np

from .._exact import ExactFloor, min_amounts, share_limit

def _closure(seeds, edges, n):
    """Rows reachable from seeds along edges (adjacency lists); parent pointers explain why."""
    parent = np.full(n, -2, dtype=np.int64)
    stack = []
    for s in seeds:
        if parent[s] == -2:
            parent[s] = -1
            stack.append(int(s))
    while stack:
        i = stack.pop()
        for j in edges[i]:
            if parent[j] == -2:
                parent[j] = i
                stack.append(j)
    return parent >= -1, parent


def _chain(parent, row):
    path = [row]
    while parent[path[-1]] >= 0:
        path.append(int(parent[path[-1]]))
    return path[::-1]


def _via(path):
    """' (via rows 4, 7)' for the intermediate rows of a dependency chain."""
    middle = path[1:-1]
    return f" (through rows {', '.join(str(p) for p in middle)})" if middle else ""


def _describe_chain(path, kind):
    if len(path) == 1:
        return f"{kind} row {path[0]}"
    return f"{kind} row {path[0]} needs it{_via(path)}"


def diagnose_static(spec, budget):
    """Conflicts provable without the solver; returns a message or None."""
    n = spec.n
    needs = [[] for _ in range(n)]      # i needs j: funding i forces j
    needed_by = [[] for _ in range(n)]  # j refused forces i refused
    for i, j in spec.requires:
        needs[i].append(j)
        needed_by[j].append(i)
    for group in spec.groups:
        for a in group:
            for b in group:
                if a != b:
                    needs[a].append(int(b))
                    needed_by[a].append(int(b))
    forced, fparent = _closure(spec.must_fund, needs, n)
    refused, rparent = _closure(spec.must_not_fund, needed_by, n)
    clash = np.flatnonzero(forced & refused)
    if clash.size:
        row = int(clash[0])
        fchain, rchain = _chain(fparent, row), _chain(rparent, row)
        forced_part = (
            f"row {row} is must-fund" if len(fchain) == 1
            else f"must-fund row {fchain[0]} needs row {row}{_via(fchain)}"
        )
        refused_part = (
            f"row {row} is must-not-fund" if len(rchain) == 1
            else f"row {row} needs must-not-fund row {rchain[0]}{_via(rchain)}"
        )
        return f"{forced_part}, but {refused_part}"
    for i, j in spec.excludes:
        if forced[i] and forced[j]:
            return (
                f"rows {i} and {j} exclude each other but both must be funded "
                f"(row {i}: {_describe_chain(_chain(fparent, i), 'must-fund')}; "
                f"row {j}: {_describe_chain(_chain(fparent, j), 'must-fund')})"
            )
    least_amount = min_amounts(spec.min_share, spec.costs)
    forced_rows = np.flatnonzero(forced)
    least = int(least_amount[forced_rows].sum())
    if least > budget:
        return (
            f"must-fund rows {forced_rows.tolist()} (with the rows they need) cost at least {least}, "
            f"over the budget of {budget}"
        )
    for ci, (members, cap_share) in enumerate(spec.group_caps):
        in_cap = members[forced[members]]
        least_cap = int(least_amount[in_cap].sum())
        limit = share_limit(cap_share, budget)
        if least_cap > limit:
            return (
                f"group cap {ci} allows {cap_share:g} of the budget ({limit}) but its "
                f"must-fund rows {in_cap.tolist()} cost at least {least_cap}"
            )
    allowed = ~refused
    for fi, (impact, minimum) in enumerate(spec.floors):
        exact = ExactFloor.of(impact, minimum)
        reachable = allowed & (impact > 0)
        if exact.deficit(reachable, spec.costs, spec.costs) > 0:
            best = float(np.clip(impact[allowed], 0, None).sum())
            return (
                f"floor {fi} asks for at least {minimum:g} but funding every allowed row with a positive "
                f"impact reaches only {best:g}"
            )
    return None


def diagnose_by_relaxing(spec, budget, solve):
    """After the solver proves infeasibility: name the constraint family (and member) whose
    removal makes the problem feasible."""
    families = [
        ("floors", "floor"), ("group_caps", "group cap"), ("excludes", "exclusion"),
        ("groups", "all-or-none group"), ("requires", "dependency"),
    ]
    for attr, label in families:
        items = getattr(spec, attr)
        if not items:
            continue
        if solve(dataclasses.replace(spec, **{attr: []})) is None:
            continue
        for k in range(len(items)):
            trial = dataclasses.replace(spec, **{attr: items[:k] + items[k + 1:]})
            if solve(trial) is not None:
                what = items[k]
                if attr == "floors":
                    shown = f"(minimum {what[1]:g})"
                elif attr == "group_caps":
                    shown = f"(rows {what[0].tolist()}, at most {what[1]:g} of the budget)"
                elif attr == "groups":
                    shown = f"(rows {what.tolist()})"
                else:
                    shown = f"{what!r}"
                return f"{label} {k} {shown} cannot be met within the budget of {budget} together with the other constraints"
        return f"the {label}s together cannot be met within the budget of {budget} with the other constraints"
    return f"no funded set satisfies the constraints within the budget of {budget}"

