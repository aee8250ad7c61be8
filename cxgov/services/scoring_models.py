"""Scoring models: versioned and immutable.  An edit writes a new version; rankings and
rounds refer to one exact version, so what a board saw can always be recomputed."""
import re

import numpy as np
import peewee

from cxgov import scoring
from cxgov.db import write_transaction
from cxgov.errors import Conflict, NotFound, RuleViolation
from cxgov.models import ScoringModel
from cxgov.services.audit import append_event
from cxgov.services.criteria import CRITERIA, CX_IMPACT_FULL_CREDIT, MAIN_CRITERIA, absolute_scale
from cxgov.services.records import snapshot

METHODS = ("wsm", "topsis")
NORMALIZATIONS = ("absolute", "minmax", "vector", "max", "sum")
DEFAULT_KEY = "default"
#: The scale written into a new absolute model version whose cx_impact sets none: symmetric,
#: full credit for closing ``CX_IMPACT_FULL_CREDIT`` of the strategy's weighted gap.
DEFAULT_CX_IMPACT_SCALE = [-CX_IMPACT_FULL_CREDIT, CX_IMPACT_FULL_CREDIT]
DEFAULT_MODEL = {
    "key": DEFAULT_KEY,
    "name": "Default: fit, CX impact (full credit at 8 % of the gap), cost, partner alignment",
    "method": "wsm",
    "normalization": "absolute",
    "horizon_years": 3,
    "criteria": [
        {"name": "strategic_fit", "weight": 0.30},
        {"name": "cx_impact", "weight": 0.35, "scale": DEFAULT_CX_IMPACT_SCALE},
        {"name": "cost", "weight": 0.20},
        {"name": "partner_alignment", "weight": 0.15},
    ],
}
#: Default models that earlier versions of cxgov created.  When the latest default version is
#: one of these, ``cxgov db upgrade`` adds DEFAULT_MODEL as a new version; a default that
#: people edited is theirs and stays the latest.
PAST_DEFAULT_MODELS = (
    {  # until issue 13: cx_impact on [-1, 1] (full credit only for closing the whole gap)
        "name": "Default: fit, CX impact, cost, partner alignment (absolute scales)",
        "method": "wsm", "normalization": "absolute", "horizon_years": 3,
        "criteria": [{"name": "strategic_fit", "weight": 0.30}, {"name": "cx_impact", "weight": 0.35},
                     {"name": "cost", "weight": 0.20}, {"name": "partner_alignment", "weight": 0.15}],
    },
)


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "model"


RECIPROCAL_TOLERANCE = 0.01


def _exact_reciprocals(a, index):
    """People type 1/3 as 0.333: below-diagonal entries within 1 % of the reciprocal of the entry
    above are taken as exactly that reciprocal; anything further off is refused."""
    if a.ndim != 2 or a.shape[0] != a.shape[1] or not np.isfinite(a).all() or (a <= 0).any():
        return a  # the engine names what is wrong
    upper = np.triu(a, 1)
    product = a * a.T
    off = np.abs(product - 1) > RECIPROCAL_TOLERANCE
    if off.any():
        i, j = (int(v) for v in np.argwhere(off)[0])
        raise RuleViolation(f"matrix {index} is not reciprocal: [{i}][{j}] = {a[i, j]:g} but [{j}][{i}] = {a[j, i]:g} "
                            "(their product must be 1)", errors={"matrices": [f"matrix {index}: not reciprocal"]})
    exact = upper + np.tril(1.0 / np.where(upper.T > 0, upper.T, 1.0), -1)
    np.fill_diagonal(exact, np.diag(a))
    return exact


def ahp_evaluate(criteria_names, matrices):
    """Weights, CR and worst triple from one or several judges' pairwise matrices."""
    n = len(criteria_names)
    if len(set(criteria_names)) != n or n < 2:
        raise RuleViolation("AHP needs at least two distinct criteria", errors={"criteria": ["at least two, distinct"]})
    unknown = [c for c in criteria_names if c not in CRITERIA]
    if unknown:
        raise RuleViolation(f"unknown criteria {unknown}", errors={"criteria": [f"one of {', '.join(CRITERIA)}"]})
    arrays = []
    for j, matrix in enumerate(matrices):
        if len(matrix) != n or any(len(row) != n for row in matrix):  # ragged rows would make numpy raise
            raise RuleViolation(f"matrix {j} is not {n}×{n} ({n} criteria)",
                                errors={"matrices": [f"matrix {j} must be {n}×{n}"]})
        a = np.asarray(matrix, dtype=float)
        if a.shape != (n, n):
            raise RuleViolation(f"matrix {j} is {a.shape[0] if a.ndim else 0}×… but there are {n} criteria",
                                errors={"matrices": [f"matrix {j} must be {n}×{n}"]})
        arrays.append(_exact_reciprocals(a, j))
    try:
        combined = scoring.aggregate_judgments(arrays) if len(arrays) > 1 else arrays[0]
        result = scoring.ahp_weights(combined, criteria_names=list(criteria_names))
    except ValueError as exc:
        raise RuleViolation(f"the pairwise matrices are not valid: {exc}", errors={"matrices": [str(exc)]}) from exc
    worst = None
    if result.worst_triple is not None:
        worst = [criteria_names[i] for i in result.worst_triple]
    return {
        "criteria": list(criteria_names),
        "weights": [float(w) for w in result.weights],
        "lambda_max": float(result.lambda_max),
        "ci": float(result.ci),
        "cr": float(result.cr),
        "consistent": bool(result.consistent),
        "worst_triple": worst,
        "aggregated_matrix": np.asarray(combined, dtype=float).tolist(),
        "judges": len(arrays),
    }


def _normalized_definition(data):
    """Validate a model definition; weights come directly or from AHP matrices."""
    criteria = data["criteria"]
    names = [c["name"] for c in criteria]
    _check_criterion_names(names)
    if data.get("ahp_matrices"):
        weights, ahp = _ahp_weights(names, criteria, data["ahp_matrices"])
    else:
        weights, ahp = _direct_weights(criteria), None
    total = float(sum(weights))
    normalization = data.get("normalization", "absolute")
    return [_defined_criterion(c, w, total, normalization) for c, w in zip(criteria, weights)], ahp


def _check_criterion_names(names):
    """Each criterion is known and appears once."""
    errs = {}
    if len(set(names)) != len(names):
        errs["criteria"] = ["each criterion may appear once"]
    if unknown := [n for n in names if n not in CRITERIA]:
        errs["criteria"] = [f"unknown {unknown}; one of {', '.join(CRITERIA)}"]
    if errs:
        raise RuleViolation("the scoring model's criteria are not valid", errors=errs)


def _ahp_weights(names, criteria, matrices):
    """Weights from consistent AHP matrices (CR ≤ 0.10), with the AHP record to store."""
    if any(c.get("weight") is not None for c in criteria):
        raise RuleViolation("give weights directly or AHP matrices, not both",
                            errors={"ahp_matrices": ["weights were also given"]})
    ahp = ahp_evaluate(names, matrices)
    if not ahp["consistent"]:
        raise RuleViolation(
            f"the judgments are inconsistent (CR {ahp['cr']:.3f} > 0.10); most inconsistent triple: "
            f"{' / '.join(ahp['worst_triple'] or [])}", errors={"ahp_matrices": ["CR above 0.10"]},
            cr=ahp["cr"], worst_triple=ahp["worst_triple"])
    ahp["matrices"] = [np.asarray(m, dtype=float).tolist() for m in matrices]
    return ahp["weights"], ahp


def _direct_weights(criteria):
    """The weights given on the criteria: every one present, not all zero."""
    weights = [c.get("weight") for c in criteria]
    if any(w is None for w in weights):
        raise RuleViolation("every criterion needs a weight (or give AHP matrices)",
                            errors={"criteria": ["weight missing"]})
    if sum(weights) <= 0:
        raise RuleViolation("the weights add up to zero", errors={"criteria": ["weights must not all be 0"]})
    return weights


def _defined_criterion(criterion, weight, total, normalization):
    """One stored criterion: its share of the weight and, under absolute normalization, its scale."""
    item = {"name": criterion["name"], "weight": float(weight) / total}
    if criterion.get("scale") is not None:
        if normalization != "absolute":
            raise RuleViolation("a scale applies only to absolute normalization",
                                errors={"criteria": [f"{criterion['name']}: scale given without absolute"]})
        lo, hi = criterion["scale"]
        if not lo < hi:
            raise RuleViolation(f"{criterion['name']}: scale low must be below high",
                                errors={"criteria": ["bad scale"]})
        item["scale"] = [float(lo), float(hi)]
    elif criterion["name"] == "cx_impact" and normalization == "absolute":
        # written into the version, so that the version alone says how it scores
        item["scale"] = [float(v) for v in DEFAULT_CX_IMPACT_SCALE]
    return item


def create_model(actor, data, *, key=None, version=1):
    criteria, ahp = _normalized_definition(data)
    with write_transaction():
        record = ScoringModel.create(
            key=key or _unique_key(data.get("key") or _slug(data["name"])), version=version, name=data["name"],
            method=data.get("method", "wsm"), normalization=data.get("normalization", "absolute"),
            criteria=criteria, horizon_years=data.get("horizon_years", 3), ahp=ahp, created_by=actor.user_id)
        append_event(actor, "scoring_model.created", "scoring_model", record.id, {"after": snapshot(record)})
        return record


def _unique_key(key):
    if ScoringModel.select().where(ScoringModel.key == key).exists():
        raise Conflict(f"a scoring model with key {key!r} exists; edit it (PUT) to make a new version")
    return key


def new_version(actor, model_id, data, precondition):
    """An edit: the old version stays as it was; a new version is written."""
    with write_transaction():
        current = get_model(model_id)
        precondition(current)
        latest = latest_version(current.key)
        if latest.id != current.id:
            raise Conflict(f"model {current.key!r} v{current.version} is not the latest version "
                           f"(v{latest.version} is model {latest.id}); edit that one")
        try:
            return create_model(actor, data, key=current.key, version=current.version + 1)
        except peewee.IntegrityError as exc:
            raise Conflict("another edit created this version first; GET the latest and retry") from exc


def get_model(model_id):
    record = ScoringModel.get_or_none(ScoringModel.id == model_id)
    if record is None:
        raise NotFound(f"scoring model {model_id} does not exist")
    return record


def latest_version(key):
    return ScoringModel.select().where(ScoringModel.key == key).order_by(ScoringModel.version.desc()).first()


def default_model():
    return latest_version(DEFAULT_KEY)


def _stored_as(data):
    """How an earlier cxgov stored a model definition (weights rescaled, scales as given)."""
    total = float(sum(c["weight"] for c in data["criteria"]))
    criteria = []
    for c in data["criteria"]:
        item = {"name": c["name"], "weight": float(c["weight"]) / total}
        if c.get("scale") is not None:
            item["scale"] = [float(v) for v in c["scale"]]
        criteria.append(item)
    return (data["method"], data["normalization"], data["horizon_years"], criteria)


def _is_past_default(model):
    stored = (model.method, model.normalization, model.horizon_years, model.criteria)
    return any(stored == _stored_as(past) for past in PAST_DEFAULT_MODELS)


def ensure_default_model(actor):
    """The default model, created once and upgraded when cxgov's default changes
    (``cxgov db upgrade`` calls this).

    Versions are immutable: an upgrade adds DEFAULT_MODEL as version n + 1 when the latest
    default version is one an earlier cxgov created.  Rounds already pinned to a version keep
    it; rounds created afterwards pin the new one.  Returns ``(model, created)``."""
    with write_transaction():
        existing = default_model()
        if existing is None:
            return create_model(actor, DEFAULT_MODEL, key=DEFAULT_KEY), True
        if _is_past_default(existing):
            return create_model(actor, DEFAULT_MODEL, key=DEFAULT_KEY, version=existing.version + 1), True
        return existing, False


def list_models(key=None, latest_only=False):
    query = ScoringModel.select().order_by(ScoringModel.key, ScoringModel.version)
    if key:
        query = query.where(ScoringModel.key == key)
    if latest_only:
        Latest = ScoringModel.alias()
        newest = Latest.select(peewee.fn.MAX(Latest.version)).where(Latest.key == ScoringModel.key)
        query = query.where(ScoringModel.version == newest)
    return query


def engine_arguments(model, budget):
    """The model as the engine's arguments: names, weights, directions, scales (absolute
    normalization; a value outside its scale is clipped to it, never refused)."""
    names = [c["name"] for c in model.criteria]
    weights = [c["weight"] for c in model.criteria]
    directions = [CRITERIA[n][0] for n in names]
    scales = None
    if model.normalization == "absolute":
        scales = [tuple(c["scale"]) if c.get("scale") else absolute_scale(c["name"], budget) for c in model.criteria]
    return names, weights, directions, scales


__all__ = ["MAIN_CRITERIA", "METHODS", "NORMALIZATIONS"]
