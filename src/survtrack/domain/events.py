"""Follow-up event kinds and states, and the groups the worklists filter by."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    CLINIC_VISIT = "clinic_visit"
    CHEST_CT = "chest_ct"
    CHEST_XRAY = "chest_xray"
    PRIMARY_SITE_MRI = "primary_site_mri"
    ABDOMEN_PELVIS_CT = "abdomen_pelvis_ct"
    ECHOCARDIOGRAM = "echocardiogram"
    PT_ASSESSMENT = "pt_assessment"
    PROSTHETIC_FITTING = "prosthetic_fitting"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    EventKind.CLINIC_VISIT: "Clinic visit",
    EventKind.CHEST_CT: "Chest CT",
    EventKind.CHEST_XRAY: "Chest X-ray",
    EventKind.PRIMARY_SITE_MRI: "MRI of primary site",
    EventKind.ABDOMEN_PELVIS_CT: "CT abdomen/pelvis",
    EventKind.ECHOCARDIOGRAM: "Echocardiogram",
    EventKind.PT_ASSESSMENT: "Physical therapy assessment",
    EventKind.PROSTHETIC_FITTING: "Prosthetic fitting",
}


class EventState(StrEnum):
    PLANNED = "planned"
    BOOKED = "booked"
    COMPLETED = "completed"
    MISSED = "missed"
    CANCELLED = "cancelled"
    WAIVED = "waived"
    SUPERSEDED = "superseded"


class PatientStatus(StrEnum):
    ACTIVE = "active"
    DECEASED = "deceased"
    DISCHARGED = "discharged"
    TRANSFERRED = "transferred"
