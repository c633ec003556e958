"""Risk tier of a first episode, which selects the low- or high-risk surveillance rules.

Clinical reference section 5: staged sites are low for IA/IB and high otherwise; head and neck and
visceral are high for N1, M1, G2 or G3. Missing facts always fall to the cautious (high) side with a
warning. Desmoid tumours have their own tier, ``any``.
"""

from __future__ import annotations

from enum import StrEnum

from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.sites import Metastasis, Nodes
from survtrack.domain.staging import StageResult

WARN_STAGING_INCOMPLETE = "staging incomplete: high-risk calendar used"

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
    if staging.site.has_stage_groups:
        if staging.stage is None:
            return RiskTier.HIGH, (WARN_STAGING_INCOMPLETE,)
        return (RiskTier.LOW if staging.stage in LOW_STAGES else RiskTier.HIGH), ()
    if nodes is Nodes.N1 or metastasis is Metastasis.M1 or grade in (Grade.G2, Grade.G3):
        return RiskTier.HIGH, ()
    if grade is None:
        return RiskTier.HIGH, (WARN_STAGING_INCOMPLETE,)
    return RiskTier.LOW, ()


def is_desmoid(histology: str | None) -> bool:
    text = (histology or "").lower()
    return "desmoid" in text or "fibromatosis" in text


def require_default_protocol(histology: str | None, field: str) -> None:
    """GIST and Kaposi sarcoma have no default protocol: refuse, never guess."""
    missing = histology_without_protocol(histology)
    if missing:
        raise BadInput(
            field,
            f"{missing} has no default surveillance protocol; choose a protocol for this patient",
        )


def histology_without_protocol(histology: str | None) -> str | None:
    """The name of a histology that has no default protocol (GIST, Kaposi), else None."""
    text = (histology or "").lower()
    if "kaposi" in text:
        return "Kaposi sarcoma"
    if "gist" in text or "gastrointestinal stromal" in text:
        return "GIST"
    return None


def episode_tier(first_episode: RiskTier, episode: int) -> RiskTier:
    """Every episode after a recurrence is high risk; desmoids stay ``any``."""
    if episode == 1 or first_episode is RiskTier.ANY:
        return first_episode
    return RiskTier.HIGH
