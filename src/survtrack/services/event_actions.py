"""What a scheduler or physician does to one follow-up event, each action one audited transaction.

Book, reschedule, mark completed (with a result), missed or cancelled, waive (physicians only),
reopen, and move an unbooked event by hand. Every action returns an ``Undo`` that restores the
event exactly as it was, so the UI can offer Ctrl+Z; the restore is itself audited.

A completion covers the patient's earlier unfinished events of the same kind (the covered rule,
``survtrack.domain.events.is_covered_by``) in the same transaction; undoing or reopening that
completion reopens exactly the events it covered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survtrack.domain.errors import BadInput
from survtrack.domain.events import (
    ACTIONABLE_STATES,
    COVERABLE_STATES,
    EventState,
    is_covered_by,
)
from survtrack.services.auth import Role, SignedIn
from survtrack.services.errors import check_version
from survtrack.store.engine import Database
from survtrack.store.models import FollowUpEvent, Patient

RESULTS = {"ned": "No evidence of disease", "suspicious": "Suspicious", "recurrence": "Recurrence"}
_RESTORED = (
    "state",
    "booked_at",
    "location",
    "result",
    "reason",
    "suggested",
    "moved_by_hand",
    "closed_on",
    "covered_by",
    "covered_from",
)


@dataclass(frozen=True, slots=True)
class Undo:
    """The fields of an event before an action, and the version the action left it at."""

    event_id: int
    label: str
    before: dict[str, Any]
    version_after: int
    #: earlier events of the same kind this action closed as covered
    covered: int = 0


def _snapshot(event: FollowUpEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in _RESTORED}


def _act(
    db: Database,
    user: SignedIn,
    event_id: int,
    label: str,
    expected_version: int | None,
    change: Any,
) -> Undo:
    with db.write(user.actor) as session:
        event = session.get(FollowUpEvent, event_id)
        if event is None:
            raise BadInput("event", "no longer exists")
        check_version("This event", event.version, expected_version)
        patient = session.get(Patient, event.patient_id)
        assert patient is not None
        before = _snapshot(event)
        change(event, patient)
        covered = 0
        if event.state == EventState.COMPLETED.value:
            covered = cover_earlier(session, event)
        elif before["state"] == EventState.COMPLETED.value:
            uncover(session, event.id)
        session.flush()
        return Undo(event_id, label, before, event.version, covered)


def cover_earlier(session: Session, completed: FollowUpEvent) -> int:
    """Close as covered every event that ``completed`` answers; returns how many."""
    assert completed.closed_on is not None
    candidates = session.scalars(
        select(FollowUpEvent).where(
            FollowUpEvent.patient_id == completed.patient_id,
            FollowUpEvent.kind == completed.kind,
            FollowUpEvent.state.in_(COVERABLE_STATES),
            FollowUpEvent.window_start <= completed.closed_on,
            FollowUpEvent.id != completed.id,
        )
    )
    count = 0
    for event in candidates:
        if not is_covered_by(
            event.state,
            event.kind,
            event.window_start,
            event.id,
            completed.kind,
            completed.closed_on,
            completed.id,
        ):
            continue
        event.covered_from, event.state = event.state, EventState.COVERED.value
        event.covered_by, event.closed_on = completed.id, completed.closed_on
        count += 1
    return count


def uncover(session: Session, completed_id: int) -> int:
    """Reopen exactly the events the completion ``completed_id`` covered; returns how many."""
    events = session.scalars(
        select(FollowUpEvent).where(
            FollowUpEvent.covered_by == completed_id,
            FollowUpEvent.state == EventState.COVERED.value,
        )
    )
    count = 0
    for event in events:
        event.state = event.covered_from or EventState.PLANNED.value
        event.covered_by = event.covered_from = None
        event.closed_on = None
        count += 1
    return count


def _require_open(event: FollowUpEvent, action: str) -> None:
    if event.state not in ACTIONABLE_STATES:
        raise BadInput("State", f"a {event.state} event cannot be {action}; reopen it first")


def _require_active(patient: Patient) -> None:
    if patient.status != "active":
        raise BadInput("Patient", f"is {patient.status}; nothing can be booked")


def book(
    db: Database,
    user: SignedIn,
    event_id: int,
    when: datetime | None,
    location: str,
    now: datetime,
    expected_version: int | None = None,
) -> Undo:
    if when is None:
        raise BadInput("Date and time", "are required")
    if when.date() < now.date():
        raise BadInput("Date", "is in the past")
    if not location.strip():
        raise BadInput("Location", "is required")

    def change(event: FollowUpEvent, patient: Patient) -> None:
        _require_active(patient)
        _require_open(event, "booked")
        event.state = EventState.BOOKED.value
        event.booked_at, event.location = when, location.strip()[:120]
        event.reason = None

    return _act(db, user, event_id, "booking", expected_version, change)


def reschedule(
    db: Database,
    user: SignedIn,
    event_id: int,
    when: datetime | None,
    location: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> Undo:
    if when is None:
        raise BadInput("Date and time", "are required")
    if when.date() < now.date():
        raise BadInput("Date", "is in the past")

    def change(event: FollowUpEvent, patient: Patient) -> None:
        _require_active(patient)
        if event.state != EventState.BOOKED.value:
            raise BadInput("State", "only a booked event can be rescheduled; book it instead")
        event.booked_at = when
        if location and location.strip():
            event.location = location.strip()[:120]

    return _act(db, user, event_id, "reschedule", expected_version, change)


def move(
    db: Database,
    user: SignedIn,
    event_id: int,
    new_date: date | None,
    expected_version: int | None = None,
) -> Undo:
    """Move an unbooked event's planned date by hand; regeneration keeps it where it was put."""
    if new_date is None:
        raise BadInput("Date", "is required")

    def change(event: FollowUpEvent, patient: Patient) -> None:
        if event.state != EventState.PLANNED.value:
            raise BadInput("State", "only an unbooked planned event can be moved")
        event.suggested, event.moved_by_hand = new_date, True

    return _act(db, user, event_id, "move", expected_version, change)


def complete(
    db: Database,
    user: SignedIn,
    event_id: int,
    on: date | None,
    result: str,
    today: date,
    expected_version: int | None = None,
    place: str | None = None,
) -> Undo:
    if on is None:
        raise BadInput("Date done", "is required")
    if on > today:
        raise BadInput("Date done", "is in the future")
    if result not in RESULTS:
        raise BadInput("Result", f"must be one of {', '.join(RESULTS)}")

    def change(event: FollowUpEvent, patient: Patient) -> None:
        _require_open(event, "completed")
        if on < patient.birth_date:
            raise BadInput("Date done", "is before the birth date")
        event.state, event.result, event.closed_on = EventState.COMPLETED.value, result, on
        event.booked_at = (
            datetime.combine(on, event.booked_at.time())
            if event.booked_at
            else (datetime.combine(on, datetime.min.time()))
        )
        if place:
            event.location = place.strip()[:120]
        event.reason = None

    return _act(db, user, event_id, "completion", expected_version, change)


def miss(
    db: Database, user: SignedIn, event_id: int, today: date, expected_version: int | None = None
) -> Undo:
    """A no-show: the booking is released and the event returns to the booking worklist."""

    def change(event: FollowUpEvent, patient: Patient) -> None:
        _require_open(event, "marked missed")
        event.state, event.reason = EventState.MISSED.value, f"no-show {today.isoformat()}"
        event.booked_at = None

    return _act(db, user, event_id, "missed", expected_version, change)


def cancel(
    db: Database, user: SignedIn, event_id: int, reason: str, expected_version: int | None = None
) -> Undo:
    if not reason.strip():
        raise BadInput("Reason", "is required to cancel")

    def change(event: FollowUpEvent, patient: Patient) -> None:
        _require_open(event, "cancelled")
        event.state, event.reason = EventState.CANCELLED.value, reason.strip()[:2000]

    return _act(db, user, event_id, "cancellation", expected_version, change)


def waive(
    db: Database,
    user: SignedIn,
    event_id: int,
    reason: str,
    expected_version: int | None = None,
    today: date | None = None,
) -> Undo:
    if user.role is not Role.PHYSICIAN:
        raise PermissionError("only a physician can waive a follow-up event")
    if not reason.strip():
        raise BadInput("Reason", "is required to waive")

    def change(event: FollowUpEvent, patient: Patient) -> None:
        _require_open(event, "waived")
        event.state, event.reason = EventState.WAIVED.value, reason.strip()[:2000]
        event.closed_on = today or date.today()

    return _act(db, user, event_id, "waiver", expected_version, change)


def reopen(
    db: Database, user: SignedIn, event_id: int, expected_version: int | None = None
) -> Undo:
    """Back to planned: booking, result and reason are cleared (undo keeps them)."""

    def change(event: FollowUpEvent, patient: Patient) -> None:
        if event.state == EventState.PLANNED.value:
            raise BadInput("State", "the event is already open")
        if event.state == EventState.WAIVED.value and user.role is not Role.PHYSICIAN:
            raise PermissionError("only a physician can reopen a waived event")
        event.state = EventState.PLANNED.value
        event.booked_at = event.location = event.result = event.reason = None
        event.closed_on = event.covered_by = event.covered_from = None

    return _act(db, user, event_id, "reopen", expected_version, change)


def undo(db: Database, user: SignedIn, token: Undo) -> None:
    """Put the event back as it was before the action, unless someone changed it since."""
    with db.write(user.actor) as session:
        event = session.get(FollowUpEvent, token.event_id)
        if event is None:
            raise BadInput("event", "no longer exists")
        check_version("This event", event.version, token.version_after)
        was_completed = event.state == EventState.COMPLETED.value
        for name, value in token.before.items():
            setattr(event, name, value)
        if was_completed and event.state != EventState.COMPLETED.value:
            uncover(session, event.id)
        elif event.state == EventState.COMPLETED.value and not was_completed:
            cover_earlier(session, event)
