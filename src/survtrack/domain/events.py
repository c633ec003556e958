"""Follow-up event kinds and states, and the groups the worklists filter by."""

from __future__ import annotations

from datetime import date
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
    #: closed by a later completion of the same kind (clinical reference section 5, "Covered")
    COVERED = "covered"


#: Still to be booked: the "to book" worklist.
TO_BOOK_STATES = (EventState.PLANNED.value, EventState.MISSED.value)
#: Something can still be done to it: book, complete, cancel, waive.
ACTIONABLE_STATES = (*TO_BOOK_STATES, EventState.BOOKED.value)
#: Neither completed, waived nor superseded: such an event is overdue once its window has ended
#: (a cancelled scan was still not done).
UNFINISHED_STATES = (*ACTIONABLE_STATES, EventState.CANCELLED.value)


#: What a completion covers: every earlier event of the same kind in one of these states.
COVERABLE_STATES = UNFINISHED_STATES
#: Closed for good: nothing is owed for such an event.
CLOSED_STATES = (
    EventState.COMPLETED.value,
    EventState.WAIVED.value,
    EventState.SUPERSEDED.value,
    EventState.COVERED.value,
)

STATE_LABELS = {
    EventState.PLANNED: "Planned",
    EventState.BOOKED: "Booked",
    EventState.COMPLETED: "Completed",
    EventState.MISSED: "Missed",
    EventState.CANCELLED: "Cancelled",
    EventState.WAIVED: "Waived",
    EventState.SUPERSEDED: "Superseded",
    EventState.COVERED: "Covered by a later exam",
}


def is_covered_by(
    state: str,
    kind: str,
    window_start: date,
    event_id: int,
    completed_kind: str,
    completed_on: date,
    completed_id: int,
) -> bool:
    """The covered rule: a completion of ``completed_kind`` on ``completed_on`` closes every other
    unfinished event of the same patient and kind whose window starts on or before that day
    (clinical reference section 5). The caller gives events of the same patient only."""
    return (
        event_id != completed_id
        and kind == completed_kind
        and state in COVERABLE_STATES
        and window_start <= completed_on
    )


def is_overdue(state: str, window_end: date, today: date) -> bool:
    """The one overdue rule (clinical reference section 5); patient status is the caller's."""
    return state in UNFINISHED_STATES and window_end < today


def states_sql(states: tuple[str, ...]) -> str:
    """``state IN ('a', 'b')`` written out, for partial indexes and the queries that use them."""
    return "state IN (" + ", ".join(f"'{s}'" for s in states) + ")"


class PatientStatus(StrEnum):
    ACTIVE = "active"
    DECEASED = "deceased"
    DISCHARGED = "discharged"
    TRANSFERRED = "transferred"
