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

#: Overdue this many days or more raises any event to "high".
LONG_OVERDUE_DAYS = 90


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MODERATE = "moderate"


def severity(kind: str, risk: str | None, days_overdue: int) -> Severity:
    imaging = kind in IMAGING_KINDS
    if imaging and risk == "high":
        return Severity.CRITICAL
    if imaging or days_overdue >= LONG_OVERDUE_DAYS:
        return Severity.HIGH
    return Severity.MODERATE
