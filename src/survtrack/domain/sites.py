"""Anatomic site groups, limbs, laterality and amputation levels (clinical reference 1 and 5)."""

from __future__ import annotations

from enum import StrEnum


class Site(StrEnum):
    EXTREMITY = "extremity"
    TRUNK = "trunk"
    RETROPERITONEUM = "retroperitoneum"
    HEAD_NECK = "head_neck"
    VISCERAL = "visceral"

    @property
    def label(self) -> str:
        return SITE_LABELS[self]

    @property
    def has_stage_groups(self) -> bool:
        return self in STAGED_SITES


SITE_LABELS = {
    Site.EXTREMITY: "Extremity",
    Site.TRUNK: "Trunk",
    Site.RETROPERITONEUM: "Retroperitoneum",
    Site.HEAD_NECK: "Head and neck",
    Site.VISCERAL: "Visceral",
}

#: Sites with AJCC 8 stage groups (trunk & extremity table, retroperitoneum table).
STAGED_SITES = frozenset({Site.EXTREMITY, Site.TRUNK, Site.RETROPERITONEUM})


class Limb(StrEnum):
    UPPER = "upper"
    LOWER = "lower"


class Laterality(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"


class Depth(StrEnum):
    SUPERFICIAL = "superficial"
    DEEP = "deep"


class Nodes(StrEnum):
    N0 = "N0"
    N1 = "N1"


class Metastasis(StrEnum):
    M0 = "M0"
    M1 = "M1"


LOWER_LIMB_AMPUTATION_LEVELS = (
    "hemipelvectomy",
    "hip_disarticulation",
    "transfemoral",
    "knee_disarticulation",
    "transtibial",
    "ankle_syme",
    "partial_foot",
)
UPPER_LIMB_AMPUTATION_LEVELS = (
    "forequarter",
    "shoulder_disarticulation",
    "transhumeral",
    "elbow_disarticulation",
    "transradial",
    "wrist_disarticulation",
    "partial_hand",
)
AMPUTATION_LEVELS = LOWER_LIMB_AMPUTATION_LEVELS + UPPER_LIMB_AMPUTATION_LEVELS


def amputation_limb(level: str) -> Limb:
    """The limb an amputation level belongs to."""
    if level in LOWER_LIMB_AMPUTATION_LEVELS:
        return Limb.LOWER
    if level in UPPER_LIMB_AMPUTATION_LEVELS:
        return Limb.UPPER
    raise ValueError(f"unknown amputation level {level!r}")
