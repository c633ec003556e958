"""AJCC 8th edition T category and stage groups for soft tissue sarcoma (clinical reference 2).

``stage_tumour`` is the single entry point: it returns the T category, the stage group
(or None where the site has no stage groups or the facts are incomplete) and the warnings
a clinician must see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from survtrack.domain.grading import Grade
from survtrack.domain.sites import Metastasis, Nodes, Site

# Upper bounds (inclusive) of T1, T2, T3 by largest dimension in cm; above the last is T4.
_SIZE_T_BOUNDS: dict[str, tuple[float, ...]] = {
    "trunk_extremity_rp": (5.0, 10.0, 15.0),
    "head_neck": (2.0, 4.0),
}

STAGE_ORDER = ("IA", "IB", "II", "IIIA", "IIIB", "IV")

WARN_GX = "grade GX (cannot be assessed): staged with the G1 row; confirm the grade with pathology"
WARN_NO_SIZE = "tumour size missing: T category and stage cannot be computed"
WARN_NO_GRADE = "grade missing: stage cannot be computed"
WARN_VISCERAL_T = (
    "visceral T category depends on spread beyond the organ, not size: record it from pathology"
)
WARN_T4_IGNORED = "t4-invasion applies to head and neck only and was ignored"


@dataclass(frozen=True, slots=True)
class StageResult:
    site: Site
    t: str | None
    stage: str | None
    warnings: tuple[str, ...] = field(default=())


def t_category(site: Site, size_cm: float | None, t4_invasion: bool = False) -> str | None:
    """T category by largest dimension (trunk, extremity, retroperitoneum, head and neck).

    Boundaries are inclusive on the smaller category: 5.0 cm is T1, 5.1 cm is T2.
    Visceral T depends on extent, not size, so it is None here.
    """
    if site is Site.VISCERAL:
        return None
    if site is Site.HEAD_NECK and t4_invasion:
        return "T4"
    if size_cm is None:
        return None
    bounds = _SIZE_T_BOUNDS["head_neck" if site is Site.HEAD_NECK else "trunk_extremity_rp"]
    for index, upper in enumerate(bounds, start=1):
        if size_cm <= upper:
            return f"T{index}"
    return f"T{len(bounds) + 1}"


def stage_group(
    site: Site, t: str | None, grade: Grade | None, nodes: Nodes, metastasis: Metastasis
) -> str | None:
    """AJCC 8 stage group, or None where the site has none or the facts are incomplete."""
    if not site.has_stage_groups:
        return None
    if metastasis is Metastasis.M1:
        return "IV"
    if nodes is Nodes.N1:
        return "IIIB" if site is Site.RETROPERITONEUM else "IV"
    if t is None or grade is None:
        return None
    low_grade = grade in (Grade.G1, Grade.GX)
    if t == "T1":
        return "IA" if low_grade else "II"
    if t == "T2":
        return "IB" if low_grade else "IIIA"
    return "IB" if low_grade else "IIIB"


def stage_tumour(
    site: Site,
    size_cm: float | None,
    grade: Grade | None,
    nodes: Nodes | None = None,
    metastasis: Metastasis | None = None,
    t4_invasion: bool = False,
) -> StageResult:
    """T category, stage group and warnings; missing N counts as N0 and missing M as M0."""
    nodes = nodes or Nodes.N0
    metastasis = metastasis or Metastasis.M0
    warnings: list[str] = []
    if t4_invasion and site is not Site.HEAD_NECK:
        warnings.append(WARN_T4_IGNORED)
    t = t_category(site, size_cm, t4_invasion)
    if site is Site.VISCERAL:
        warnings.append(WARN_VISCERAL_T)
    stage = stage_group(site, t, grade, nodes, metastasis)
    if grade is Grade.GX:
        warnings.append(WARN_GX)
    if site.has_stage_groups and stage is None:
        if t is None:
            warnings.append(WARN_NO_SIZE)
        if grade is None:
            warnings.append(WARN_NO_GRADE)
    return StageResult(site=site, t=t, stage=stage, warnings=tuple(warnings))
