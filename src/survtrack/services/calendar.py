"""A patient's follow-up calendar in the database: regenerated from the engine without losing work.

Regeneration keeps every completed, missed, cancelled, waived, booked and superseded event and every
event moved by hand. Only planned, untouched events are compared with the new plan: those still in
it stay (their window and suggested date refreshed), those gone are deleted, or marked superseded
when a recurrence ended their episode. Events the plan adds are inserted. When the patient has died,
been discharged or transferred, what can no longer happen is cancelled with that reason, by the
window rule the worklists use (``ends_follow_up``): a planned or missed event whose window is still
open on that date or opens later, and an appointment booked for that date or later. An event whose
window had already ended was overdue before and stays as it was, and so does an appointment on an
earlier day (its outcome can still be recorded). When the patient comes back to follow-up, the
events cancelled that way are planned again (to book as their windows open; overdue, and
covered by the next exam of the kind, if their window ended meanwhile). The caller gets counts it
can tell the user ("3 events added, 2 removed").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survtrack.domain.errors import BadInput
from survtrack.domain.events import (
    ACTIONABLE_STATES,
    UNFINISHED_STATES,
    EventState,
    PatientStatus,
    is_covered_by,
    is_overdue,
)
from survtrack.domain.risk import RiskTier, episode_tier
from survtrack.protocols.generator import Plan, PlannedEvent, plan_case
from survtrack.services.clinic_settings import calendar_of, settings_in
from survtrack.services.patient_records import (
    case_from_record,
    patient_with_children,
    record_from_patient,
)
from survtrack.services.protocol_sets import load_set
from survtrack.store.engine import Database
from survtrack.store.models import FollowUpEvent, Patient

#: Why an active patient has no calendar yet (the "Needs a plan" worklist says it).
NO_TUMOUR = "no tumour recorded yet"


def field_words(field: str) -> str:
    """A case-file field name as words: ``tumour.histology`` -> ``Histology``."""
    return field.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def plan_problem(exc: BadInput) -> str:
    """Why the engine made no calendar, as the "Needs a plan" worklist says it."""
    return f"{field_words(exc.field)}: {exc.reason}"[:2000]


@dataclass(frozen=True, slots=True)
class CalendarChange:
    added: int = 0
    removed: int = 0
    superseded: int = 0
    cancelled: int = 0
    kept: int = 0
    warnings: tuple[str, ...] = ()
    problem: str | None = None  # why no calendar could be generated
    #: events cancelled when the patient left follow-up, planned again on their return
    reopened: int = 0

    def summary(self) -> str:
        if self.problem:
            return f"No calendar generated: {self.problem}"
        parts = [f"{self.added} {'event' if self.added == 1 else 'events'} added"]
        parts.append(f"{self.removed} removed")
        if self.superseded:
            parts.append(f"{self.superseded} superseded by the recurrence")
        if self.cancelled:
            parts.append(f"{self.cancelled} cancelled")
        if self.reopened:
            parts.append(f"{self.reopened} planned again (back in follow-up)")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    episode: int
    kind: str
    due: date
    window_start: date
    window_end: date
    suggested: date | None
    state: str
    booked_at: datetime | None
    location: str | None
    result: str | None
    reason: str | None
    rule_id: str
    source: str
    moved_by_hand: bool
    version: int

    def is_overdue(self, today: date) -> bool:
        return is_overdue(self.state, self.window_end, today)


def event_row(event: FollowUpEvent) -> EventRow:
    return EventRow(
        event.id,
        event.episode,
        event.kind,
        event.due,
        event.window_start,
        event.window_end,
        event.suggested,
        event.state,
        event.booked_at,
        event.location,
        event.result,
        event.reason,
        event.rule_id,
        event.source,
        event.moved_by_hand,
        event.version,
    )


def load_event(db: Database, event_id: int) -> EventRow | None:
    with db.read() as session:
        event = session.get(FollowUpEvent, event_id)
        return None if event is None else event_row(event)


def load_calendar(db: Database, patient_id: int) -> list[EventRow]:
    with db.read() as session:
        events = session.scalars(
            select(FollowUpEvent)
            .where(FollowUpEvent.patient_id == patient_id)
            .order_by(FollowUpEvent.due, FollowUpEvent.kind, FollowUpEvent.id)
        ).all()
        return [event_row(e) for e in events]


def _tier(plan: Plan, episode: int) -> str:
    return episode_tier(RiskTier(plan.risk), episode).value


def _new_event(patient_id: int, planned: PlannedEvent, risk: str) -> FollowUpEvent:
    return FollowUpEvent(
        risk=risk,
        patient_id=patient_id,
        episode=planned.episode,
        kind=planned.kind,
        due=planned.due,
        window_start=planned.window_start,
        window_end=planned.window_end,
        suggested=planned.suggested,
        rule_id=planned.rule,
        source=planned.source,
        state=EventState.PLANNED.value,
        moved_by_hand=False,
    )


def regenerate_in_session(session: Session, patient_id: int) -> CalendarChange:
    """Bring the stored calendar in line with the patient's current facts (inside a write unit)."""
    patient = session.scalar(patient_with_children(patient_id))
    if patient is None:
        raise BadInput("patient", "no such patient")
    record = record_from_patient(patient)
    existing = list(
        session.scalars(select(FollowUpEvent).where(FollowUpEvent.patient_id == patient_id))
    )
    cancelled = _cancel_after_status(patient, existing)
    reopened = _reopen_on_return(patient, existing)
    case = case_from_record(record)
    if case is None:
        patient.plan_problem = NO_TUMOUR
        return CalendarChange(cancelled=cancelled, problem=patient.plan_problem, reopened=reopened)
    try:
        settings = settings_in(session)
        protocols = load_set(settings.default_protocol_set)
        plan: Plan = plan_case(case, protocols, calendar_of(settings), patient.protocol_id)
    except BadInput as exc:
        patient.plan_problem = plan_problem(exc)
        return CalendarChange(cancelled=cancelled, problem=patient.plan_problem, reopened=reopened)
    patient.plan_problem = None

    wanted = {(e.rule, e.episode, e.due): e for e in plan.events}
    have = {(e.rule_id, e.episode, e.due) for e in existing}
    recurrence_dates = [r.date for r in record.recurrences]
    added = removed = superseded = kept = 0
    for event in existing:
        if event.state in UNFINISHED_STATES:
            event.risk = _tier(plan, event.episode)
        if event.state != EventState.PLANNED.value or event.moved_by_hand:
            kept += 1
            continue
        planned = wanted.get((event.rule_id, event.episode, event.due))
        if planned is not None:
            event.window_start, event.window_end = planned.window_start, planned.window_end
            event.suggested, event.source = planned.suggested, planned.source
            kept += 1
        elif (
            event.episode <= len(recurrence_dates)
            and event.due > recurrence_dates[event.episode - 1]
        ):
            event.state = EventState.SUPERSEDED.value
            event.reason = f"recurrence on {recurrence_dates[event.episode - 1].isoformat()}"
            superseded += 1
        else:
            session.delete(event)
            removed += 1
    new_events = []
    for key, planned in wanted.items():
        if key not in have:
            new_events.append(_new_event(patient_id, planned, _tier(plan, planned.episode)))
            added += 1
    session.add_all(new_events)
    if new_events:
        _cover_new_events(session, existing, new_events)
        cancelled += _cancel_after_status(patient, new_events)
    return CalendarChange(
        added, removed, superseded, cancelled, kept, plan.warnings, reopened=reopened
    )


def _cover_new_events(
    session: Session, existing: list[FollowUpEvent], new_events: list[FollowUpEvent]
) -> None:
    """Apply the covered rule to the events just added: an exam already done answers a slot the
    new plan puts before it (e.g. a diagnosis entered after follow-up had begun). Each new event
    is covered by the first completion of its kind on or after its window opens."""
    completions = sorted(
        (e for e in existing if e.state == EventState.COMPLETED.value and e.closed_on),
        key=lambda e: (e.closed_on, e.id),
    )
    if not completions:
        return
    session.flush()
    for event in new_events:
        for done in completions:
            assert done.closed_on is not None
            if is_covered_by(
                event.state,
                event.kind,
                event.window_start,
                event.id,
                done.kind,
                done.closed_on,
                done.id,
            ):
                event.covered_from, event.state = event.state, EventState.COVERED.value
                event.covered_by, event.closed_on = done.id, done.closed_on
                break


def ends_follow_up(
    state: str, due: date, window_end: date, booked_at: datetime | None, status_date: date
) -> bool:
    """Whether leaving follow-up on ``status_date`` (death, discharge, transfer) cancels the event.

    The window rule of the worklists: an event is owed while its window is open, so a planned or
    missed event whose window is open on that day or opens later can no longer be done, nor can
    an appointment booked for that day or later. An event whose window ended before that day was
    already overdue and stays as it was (it was not done); an appointment on an earlier day stays
    booked, its outcome still to be recorded. Nothing is due on or after the status date
    (clinical reference section 5, "Deceased or discharged").
    """
    if state not in ACTIONABLE_STATES:
        return False
    if state == EventState.BOOKED.value and booked_at is not None:
        return booked_at.date() >= status_date
    return window_end >= status_date or due >= status_date


def left_follow_up_reason(status: str, status_date: date) -> str:
    """The reason given to the events cancelled when a patient left follow-up."""
    return f"patient {status} on {status_date.isoformat()}"


#: A reason written by ``left_follow_up_reason`` (and only such a reason).
_LEFT_FOLLOW_UP = re.compile(
    "patient ("
    + "|".join(s.value for s in PatientStatus if s is not PatientStatus.ACTIVE)
    + r") on \d{4}-\d{2}-\d{2}"
)


def _cancel_after_status(patient: Patient, events: list[FollowUpEvent]) -> int:
    if patient.status == "active" or patient.status_date is None:
        return 0
    count = 0
    for event in events:
        if ends_follow_up(
            event.state, event.due, event.window_end, event.booked_at, patient.status_date
        ):
            event.state = EventState.CANCELLED.value
            event.reason = left_follow_up_reason(patient.status, patient.status_date)
            count += 1
    return count


def _reopen_on_return(patient: Patient, events: list[FollowUpEvent]) -> int:
    """Back in follow-up: the events cancelled because the patient had left are planned again,
    without the appointment they had (it was cancelled)."""
    if patient.status != "active":
        return 0
    count = 0
    for event in events:
        if event.state == EventState.CANCELLED.value and _LEFT_FOLLOW_UP.fullmatch(
            event.reason or ""
        ):
            event.state, event.reason = EventState.PLANNED.value, None
            event.booked_at = event.location = None
            count += 1
    return count
