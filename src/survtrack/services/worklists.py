"""Scheduler worklists, sorted and filtered in SQL: what to book next, and the clinic's day.

"To book": planned or missed events of active patients whose window opens within the horizon,
by window start (optionally with the ones whose window has already ended), and first of all the
appointments whose day has passed with no outcome recorded ("no outcome recorded"): a booking
whose day passed is not a booking any more, so it comes back here while its window is open (the
scheduler records the result, or marks it missed and books it again) and is overdue once the
window has ended. "Clinic day": booked appointments in a date range, by time. "Needs a plan":
active patients for whom no follow-up calendar could be made (no tumour, no anchor, no default
protocol), with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

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
    #: booked for a day before today and no outcome recorded (on the to-book list, first)
    outcome_missing: bool = False


#: How the to-book list words a booking whose day passed with no outcome recorded.
OUTCOME_MISSING = "Booked day passed, no outcome recorded"

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


#: Booked events, written as the partial index of booked events has it (a bound parameter would
#: not match it), so that a booking list reads that index instead of every follow-up event.
_BOOKED = text(f"{FollowUpEvent.__tablename__}.state = '{EventState.BOOKED.value}'")


def _fetch(session: Session, statement, outcome_missing: bool = False) -> list[WorklistRow]:  # type: ignore[no-untyped-def]
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
            outcome_missing,
        )
        for r in session.execute(statement)
    ]


def _paged(statement, offset: int, limit: int | None):  # type: ignore[no-untyped-def]
    if offset:
        statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return statement


def to_book(
    db: Database,
    today: date,
    weeks: int = 4,
    include_overdue: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[WorklistRow]:
    """What the scheduler books next, one list paged as a whole: first the appointments of
    active patients whose booked day passed with no outcome recorded, then the planned or missed
    events whose window opens within ``weeks``, each part by window start. Both leave out events
    whose window has ended (they are on the overdue list) unless ``include_overdue``."""
    horizon = today + timedelta(weeks=weeks)
    order = (FollowUpEvent.window_start, FollowUpEvent.due, FollowUpEvent.id)
    to_plan = (
        select(*_COLUMNS)
        .join(Patient, Patient.id == FollowUpEvent.patient_id)
        .where(
            open_event_condition(),
            FollowUpEvent.window_start <= horizon,
            Patient.status == "active",
        )
        .order_by(*order)
    )
    passed = _outcome_missing(today, include_overdue).order_by(*order)
    if not include_overdue:
        to_plan = to_plan.where(FollowUpEvent.window_end >= today)
    with db.read() as session:
        page = _fetch(session, _paged(passed, offset, limit), True)
        if limit is not None and len(page) == limit:
            return page
        if page or not offset:
            before = offset + len(page)  # the whole head: this page reached its end
        else:
            before = session.scalar(select(func.count()).select_from(passed.subquery())) or 0
        wanted = None if limit is None else limit - len(page)
        page += _fetch(session, _paged(to_plan, max(0, offset - before), wanted))
    return page


def _outcome_missing(today: date, include_overdue: bool = False) -> Select:
    """Booked events of active patients whose booked day is before ``today`` (no outcome
    recorded), with their window open on ``today`` unless ``include_overdue``."""
    statement = (
        select(*_COLUMNS)
        .join(Patient, Patient.id == FollowUpEvent.patient_id)
        .where(
            _BOOKED,
            FollowUpEvent.booked_at < datetime.combine(today, time.min),
            Patient.status == "active",
        )
    )
    if not include_overdue:
        statement = statement.where(FollowUpEvent.window_end >= today)
    return statement


def outcome_missing_count(db: Database, today: date) -> int:
    """Appointments of active patients whose day passed with no outcome recorded and whose window
    is still open: the head of the to-book list (the dashboard counts them)."""
    statement = select(func.count()).select_from(_outcome_missing(today).subquery())
    with db.read() as session:
        return int(session.scalar(statement) or 0)


def clinic_day(db: Database, first: date, last: date | None = None) -> list[WorklistRow]:
    last = last or first
    start = datetime.combine(first, time.min)
    end = datetime.combine(last + timedelta(days=1), time.min)
    statement = (
        select(*_COLUMNS)
        .join(Patient, Patient.id == FollowUpEvent.patient_id)
        .where(
            _BOOKED,
            FollowUpEvent.booked_at >= start,
            FollowUpEvent.booked_at < end,
        )
        .order_by(FollowUpEvent.booked_at, Patient.family_name, FollowUpEvent.id)
    )
    with db.read() as session:
        return _fetch(session, statement)


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
