"""Risk tier of a first episode, which selects the low- or high-risk surveillance rules.

Clinical reference section 5: staged sites are low for IA/IB and high otherwise; head and neck and
visceral are high for N1, M1, G2 or G3. Grade GX is high at every site (staging still groups it
with G1). Missing facts always fall to the cautious (high) side with a warning. Desmoid tumours
have their own tier, ``any``; which histology is a desmoid, GIST or Kaposi sarcoma is decided by
whole words (``survtrack.domain.histology``).
"""

from __future__ import annotations

from enum import StrEnum

from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.histology import histology_without_protocol, is_desmoid
from survtrack.domain.sites import Metastasis, Nodes
from survtrack.domain.staging import StageResult

WARN_STAGING_INCOMPLETE = "staging incomplete: high-risk calendar used"
WARN_GX_HIGH = "grade not assessable (GX): high-risk calendar used"

LOW_STAGES = frozenset({"IA", "IB"})


class RiskTier(StrEnum):
    LOW = "low"
    HIGH = "high"
    ANY = "any"


def first_episode_risk(
    staging: StageResult,
    grade: Grade | None,
    nodes: Nodes | None,
    metastasis: Metastasis | None,
) -> tuple[RiskTier, tuple[str, ...]]:
    """The tier of episode 1 and the warnings it adds (desmoids are decided before this)."""
    nodes = nodes or Nodes.N0
    metastasis = metastasis or Metastasis.M0
    warnings: list[str] = []
    high = False
    if grade is Grade.GX:
        high = True
        warnings.append(WARN_GX_HIGH)
    if staging.site.has_stage_groups:
        if staging.stage is None:
            high = True
            warnings.append(WARN_STAGING_INCOMPLETE)
        elif staging.stage not in LOW_STAGES:
            high = True
    elif nodes is Nodes.N1 or metastasis is Metastasis.M1 or grade in (Grade.G2, Grade.G3):
        high = True
    elif grade is None:
        high = True
        warnings.append(WARN_STAGING_INCOMPLETE)
    return (RiskTier.HIGH if high else RiskTier.LOW), tuple(warnings)


def require_default_protocol(histology: str | None, field: str) -> None:
    """GIST and Kaposi sarcoma have no default protocol: refuse, never guess."""
    missing = histology_without_protocol(histology)
    if missing:
        raise BadInput(
            field,
            f"{missing} has no default surveillance protocol; choose a protocol for this patient",
        )


__all__ = [
    "WARN_GX_HIGH",
    "WARN_STAGING_INCOMPLETE",
    "RiskTier",
    "episode_tier",
    "first_episode_risk",
    "histology_without_protocol",
    "is_desmoid",
    "require_default_protocol",
]


def episode_tier(first_episode: RiskTier, episode: int) -> RiskTier:
    """Every episode after a recurrence is high risk; desmoids stay ``any``."""
    if episode == 1 or first_episode is RiskTier.ANY:
        return first_episode
    return RiskTier.HIGH
