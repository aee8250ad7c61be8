"""cxgov's scoring engine: pure functions over numpy arrays.

Imports numpy, scipy and the standard library only — never Flask, peewee or the rest of
cxgov (a test checks this in a fresh interpreter). Public functions validate their inputs,
raise ``ValueError`` naming the offending argument, criterion, row or value, and return
frozen dataclasses of read-only arrays.
"""

from .ahp import RANDOM_INDEX, AHPWeights, InconsistentJudgments, aggregate_judgments, ahp_weights, require_consistent
from .normalize import NORMALIZATIONS, normalize
from .portfolio import (
    Fill,
    Frontier,
    InfeasiblePortfolio,
    Portfolio,
    PortfolioDiff,
    efficient_frontier,
    optimize_portfolio,
    portfolio_diff,
    rank_order_fill,
)
from .rank import Ranking, order_scores, rank_alternatives
from .robustness import RankAcceptability, WeightStability, rank_acceptability, weight_stability

__all__ = [
    "RANDOM_INDEX",
    "AHPWeights",
    "InconsistentJudgments",
    "aggregate_judgments",
    "ahp_weights",
    "require_consistent",
    "NORMALIZATIONS",
    "normalize",
    "Fill",
    "Frontier",
    "InfeasiblePortfolio",
    "Portfolio",
    "PortfolioDiff",
    "efficient_frontier",
    "optimize_portfolio",
    "portfolio_diff",
    "rank_order_fill",
    "Ranking",
    "order_scores",
    "rank_alternatives",
    "RankAcceptability",
    "WeightStability",
    "rank_acceptability",
    "weight_stability",
]
