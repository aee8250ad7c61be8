"""Peewee models, a module per aggregate.  ``ALL_MODELS`` is the schema, in dependency order."""
from cxgov.models.audit import AuditEvent, AuditHead
from cxgov.models.closed_loop import CalibrationSnapshot, MaturityAssessment, Review, ReviewMetric
from cxgov.models.finance import ActualEntry
from cxgov.models.governance import Decision, Delegation, StatusUpdate, Vote
from cxgov.models.idempotency import IdempotencyKey
from cxgov.models.initiatives import (
    Initiative, InitiativeContributor, InitiativeDependency, InitiativeImpact,
    InitiativeObjective, InitiativePartner,
)
from cxgov.models.metrics import Measurement, Metric, Objective
from cxgov.models.org import Partner, PartnerAssessment, Team
from cxgov.models.rounds import Round
from cxgov.models.scoring import PortfolioScenario, Ranking, RankingEntry, RankingInputs, ScoringModel
from cxgov.models.users import ApiToken, User

ALL_MODELS = [
    Team, User, ApiToken, Partner, PartnerAssessment, Metric, Measurement, Objective,
    Round, Initiative, InitiativeObjective, InitiativeImpact, InitiativePartner,
    InitiativeDependency, InitiativeContributor, AuditHead, AuditEvent, IdempotencyKey,
    ScoringModel, Ranking, RankingInputs, RankingEntry, PortfolioScenario, Vote, Delegation, Decision, StatusUpdate,
    ActualEntry, Review, ReviewMetric, CalibrationSnapshot, MaturityAssessment,
]
