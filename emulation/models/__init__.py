"""Emulation scoring (chấm điểm thi đua): yearly guides, score sheets and honours, one module each."""
from .guides import (
    SUBORDINATE_KINDS,
    ClassificationBand,
    Cluster,
    Criterion,
    CriterionBand,
    EmulationGuide,
    LineKind,
    Method,
    Mode,
    ResultScope,
    ScoredKind,
    Section,
    Source,
)
from .honours import HonourTitle, Nomination, NominationStatus
from .sheets import Evidence, Score, ScoreSheet, SheetReopening, SheetStatus, evidence_path

__all__ = [
    "SUBORDINATE_KINDS", "ClassificationBand", "Cluster", "Criterion", "CriterionBand", "EmulationGuide",
    "Evidence", "HonourTitle", "LineKind", "Method", "Mode", "Nomination", "NominationStatus", "ResultScope",
    "Score", "ScoreSheet", "ScoredKind", "Section", "SheetReopening", "SheetStatus", "Source", "evidence_path",
]
