"""Scheduler worklists, sorted and filtered in SQL: what to book next, and the clinic's day.

"To book": planned or missed events of active patients whose window opens within the horizon,
by window start (optionally with the ones whose window has already ended). "Clinic day": booked
appointments in a date range, by time. "Needs a plan": active patients for whom no follow-up
calendar could be made (no tumour, no anchor, no default protocol), with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from survtrack.domain.events import EventState
from survtrack.store.engine import Database
from survtrack.store.models import FollowUpEvent, Patient, open_event_condition


@dataclass(frozen=True, slots=True)
class WorklistRow:
    event_id: int
    patient_id: int
    mrn: str
    patient: str
    physician: str | None
    kind: str
    due: date
    window_start: date
    window_end: date
    suggested: date | None
    state: str
    booked_at: datetime | None
    location: str | None
    version: int


_COLUMNS = (
    FollowUpEvent.id,
    FollowUpEvent.patient_id,
    Patient.mrn,
    Patient.family_name,
    Patient.given_name,
    Patient.physician,
    FollowUpEvent.kind,
    FollowUpEvent.due,
    FollowUpEvent.window_start,
    FollowUpEvent.window_end,
    FollowUpEvent.suggested,
    FollowUpEvent.state,
    FollowUpEvent.booked_at,
    FollowUpEvent.location,
    FollowUpEvent.version,
)


def _rows(db: Database, statement) -> list[WorklistRow]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return [
            WorklistRow(
                r[0],
                r[1],
                r[2],
                f"{r[3]}, {r[4]}",
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                r[11],
                r[12],
                r[13],
                r[14],
            )
            for r in session.execute(statement)
        ]


def to_book(
    db: Database,
    today: date,
    weeks: int = 4,
    include_overdue: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[WorklistRow]:
    horizon = today + timedelta(weeks=weeks)
    statement = (
        select(*_COLUMNS)
        .join(Patient, Patient.id == FollowUpEvent.patient_id)
        .where(
            open_event_condition(),
            FollowUpEvent.window_start <= horizon,
            Patient.status == "active",
        )
        .order_by(FollowUpEvent.window_start, FollowUpEvent.due, FollowUpEvent.id)
    )
    if not include_overdue:
        statement = statement.where(FollowUpEvent.window_end >= today)
    if offset:
        statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return _rows(db, statement)


def clinic_day(db: Database, first: date, last: date | None = None) -> list[WorklistRow]:
    last = last or first
    start = datetime.combine(first, time.min)
    end = datetime.combine(last + timedelta(days=1), time.min)
    statement = (
        select(*_COLUMNS)
        .join(Patient, Patient.id == FollowUpEvent.patient_id)
        .where(
            FollowUpEvent.state == EventState.BOOKED.value,
            FollowUpEvent.booked_at >= start,
            FollowUpEvent.booked_at < end,
        )
        .order_by(FollowUpEvent.booked_at, Patient.family_name, FollowUpEvent.id)
    )
    return _rows(db, statement)


@dataclass(frozen=True, slots=True)
class NeedsPlanRow:
    patient_id: int
    mrn: str
    patient: str
    physician: str | None
    reason: str
    version: int


def needs_a_plan(db: Database, offset: int = 0, limit: int | None = None) -> list[NeedsPlanRow]:
    """Active patients without a follow-up calendar, by name: they stay on this list until a
    calendar is made for them or they leave follow-up."""
    statement = (
        select(
            Patient.id,
            Patient.mrn,
            Patient.family_name,
            Patient.given_name,
            Patient.physician,
            Patient.plan_problem,
            Patient.version,
        )
        .where(Patient.status == "active", Patient.plan_problem.is_not(None))
        .order_by(Patient.search_key, Patient.id)
    )
    if offset:
        statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    with db.read() as session:
        return [
            NeedsPlanRow(pid, mrn, f"{family}, {given}", physician, _plain_reason(reason), version)
            for pid, mrn, family, given, physician, reason, version in session.execute(statement)
        ]


def _plain_reason(problem: str) -> str:
    """The stored problem as a sentence a scheduler can act on."""
    text = problem.strip()
    return text[:1].upper() + text[1:]
