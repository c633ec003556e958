"""Triage of overdue events: modality groups and the severity a worklist row is painted with.

Severity is a review-priority policy, not a protocol rule: high-risk imaging first, then other
imaging and anything overdue for a long time, then the rest.
"""

from __future__ import annotations

from enum import StrEnum

from survtrack.domain.events import EventKind


class ModalityGroup(StrEnum):
    IMAGING = "imaging"
    VISIT = "visit"
    CARDIAC = "cardiac"
    REHAB = "rehab"


GROUP_KINDS: dict[ModalityGroup, tuple[str, ...]] = {
    ModalityGroup.IMAGING: (
        EventKind.CHEST_CT.value,
        EventKind.CHEST_XRAY.value,
        EventKind.PRIMARY_SITE_MRI.value,
        EventKind.ABDOMEN_PELVIS_CT.value,
    ),
    ModalityGroup.VISIT: (EventKind.CLINIC_VISIT.value,),
    ModalityGroup.CARDIAC: (EventKind.ECHOCARDIOGRAM.value,),
    ModalityGroup.REHAB: (EventKind.PT_ASSESSMENT.value, EventKind.PROSTHETIC_FITTING.value),
}
IMAGING_KINDS = GROUP_KINDS[ModalityGroup.IMAGING]

#: Triage thresholds, in days past the end of the window. A policy for ordering a physician's
#: review, not a protocol rule: a high-risk patient's surveillance imaging late by a month or more
#: (or with two slots missed) is the failure the product exists to prevent.
CRITICAL_IMAGING_DAYS = 30
LONG_OVERDUE_DAYS = 90
VERY_LONG_OVERDUE_DAYS = 180
#: Missed slots of the same kind that make high-risk imaging critical however recent.
CRITICAL_MISSED_SLOTS = 2


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


#: The order rows are reviewed in (default sort): most severe first.
SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


def severity(kind: str, risk: str | None, days_overdue: int, missed_slots: int = 1) -> Severity:
    """How urgently a physician should look at an overdue (patient, kind) row.

    Critical: high-risk imaging a month late, or with two or more slots missed. High: other
    high-risk imaging, any imaging three months late, anything six months late. Moderate: other
    imaging and anything three months late. Low: the rest (a recent visit or rehab slot).
    """
    imaging = kind in IMAGING_KINDS
    if imaging and risk == "high":
        if days_overdue >= CRITICAL_IMAGING_DAYS or missed_slots >= CRITICAL_MISSED_SLOTS:
            return Severity.CRITICAL
        return Severity.HIGH
    if (imaging and days_overdue >= LONG_OVERDUE_DAYS) or days_overdue >= VERY_LONG_OVERDUE_DAYS:
        return Severity.HIGH
    if imaging or days_overdue >= LONG_OVERDUE_DAYS:
        return Severity.MODERATE
    return Severity.LOW
