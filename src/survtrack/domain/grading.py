"""FNCLCC histological grade and the score-to-grade conversion (clinical reference 2)."""

from __future__ import annotations

from enum import StrEnum

from survtrack.domain.errors import BadInput


class Grade(StrEnum):
    G1 = "1"
    G2 = "2"
    G3 = "3"
    GX = "X"

    @property
    def label(self) -> str:
        return f"G{self.value}"


def fnclcc_score(
    differentiation: int, mitotic_count_per_10hpf: int, necrosis_percent: float
) -> int:
    """Total FNCLCC score from its three components.

    Differentiation is scored 1-3 directly; mitoses 0-9 -> 1, 10-19 -> 2, >= 20 -> 3;
    necrosis none -> 0, < 50 % -> 1, >= 50 % -> 2.
    """
    if differentiation not in (1, 2, 3):
        raise BadInput("differentiation", "must be 1, 2 or 3")
    if mitotic_count_per_10hpf < 0:
        raise BadInput("mitotic_count", "must not be negative")
    if not 0 <= necrosis_percent <= 100:
        raise BadInput("necrosis_percent", "must be between 0 and 100")
    mitoses = 1 if mitotic_count_per_10hpf <= 9 else 2 if mitotic_count_per_10hpf <= 19 else 3
    necrosis = 0 if necrosis_percent == 0 else 1 if necrosis_percent < 50 else 2
    return differentiation + mitoses + necrosis


def grade_from_fnclcc(score: int) -> Grade:
    """FNCLCC total 2-3 = G1, 4-5 = G2, 6-8 = G3."""
    if not 2 <= score <= 8:
        raise BadInput("fnclcc_score", "must be between 2 and 8")
    if score <= 3:
        return Grade.G1
    if score <= 5:
        return Grade.G2
    return Grade.G3
