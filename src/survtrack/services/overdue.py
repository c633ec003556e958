"""The physician's overdue list and the due-soon list: one query layer for the window and the CLI.

Overdue (clinical reference section 5, with the covered rule): an event whose window ended before
the as-of day and that is neither completed, covered, waived nor superseded, for active patients.
The list has **one row per patient and kind**: the oldest such event, how many slots of that kind
are overdue ("missed slots"), the last completion of the kind, and the patient's next booking of
the kind if there is one. Rows whose kind is already booked from the as-of day on are the "booked
late" section, kept apart from the rows that still need booking. A row a physician acknowledged
leaves the default view until the day chosen (snooze) or until its oldest event, its number of
missed slots or its booking change.

Filtering, grouping and the bookings run in SQL; a row's severity comes from the domain rule, and
rows are ordered by the query's key (default: most severe, then most days overdue). The list is
bounded by patients times kinds, not by events, so a page is a slice of the whole ordered list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import (
    ScalarSelect,
    Select,
    String,
    Subquery,
    and_,
    case,
    func,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session

from survtrack.domain.errors import BadInput
from survtrack.domain.events import EventKind, EventState
from survtrack.domain.overdue import (
    GROUP_KINDS,
    SEVERITY_RANK,
    ModalityGroup,
    Severity,
    severity,
)
from survtrack.services.auth import SignedIn
from survtrack.services.errors import ConflictError, check_version
from survtrack.services.worklists import outcome_missing_count
from survtrack.store.engine import Database
from survtrack.store.models import (
    BOOKED_STATE_SQL,
    FollowUpEvent,
    LastCompletion,
    OverdueAcknowledgement,
    Patient,
    unfinished_event_condition,
)

SORT_KEYS = (
    "default",
    "patient",
    "mrn",
    "kind",
    "due",
    "window_end",
    "days_overdue",
    "slots",
    "risk",
    "physician",
)
RISKS = ("low", "high", "any")
#: Which rows of the list: still to book, already booked (late), or both.
SECTIONS = ("to_book", "booked_late", "all")


@dataclass(frozen=True, slots=True)
class OverdueQuery:
    as_of: date
    physician: str | None = None
    kind: str | None = None
    group: str | None = None
    min_days: int = 0
    risk: str | None = None
    sort: str = "default"
    descending: bool = False
    section: str = "to_book"
    #: show rows a physician acknowledged and snoozed (hidden by default)
    acknowledged: bool = False

    def validated(self) -> OverdueQuery:
        if self.kind is not None and self.kind not in {k.value for k in EventKind}:
            raise BadInput("kind", f"{self.kind!r} is not an event kind")
        if self.group is not None and self.group not in {g.value for g in ModalityGroup}:
            raise BadInput("group", f"must be one of {', '.join(g.value for g in ModalityGroup)}")
        if self.risk is not None and self.risk not in RISKS:
            raise BadInput("risk", f"must be one of {', '.join(RISKS)}")
        if self.min_days < 0:
            raise BadInput("minimum days overdue", "must not be negative")
        if self.sort not in SORT_KEYS:
            raise BadInput("sort", f"must be one of {', '.join(SORT_KEYS)}")
        if self.section not in SECTIONS:
            raise BadInput("section", f"must be one of {', '.join(SECTIONS)}")
        if self.physician is not None and not self.physician.strip():
            return replace(self, physician=None)
        return self


class OverdueRow(NamedTuple):
    """One worklist row: a patient and kind, told by its oldest overdue event."""

    event_id: int
    patient_id: int
    mrn: str
    patient: str
    physician: str | None
    kind: str
    due: date
    window_end: date
    days_overdue: int
    risk: str | None
    state: str
    booked: bool
    booked_at: datetime | None
    last_done: date | None
    severity: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str | None
    version: int
    #: overdue slots of this kind (the oldest included)
    slots: int = 1
    #: the patient's next booking of this kind from the as-of day on, if any
    booking_event_id: int | None = None
    location: str | None = None
    snoozed_until: date | None = None


def _day(raw: str | date | None) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw  # type: ignore[return-value]
    return date.fromisoformat(str(raw)[:10])


def _moment(raw: str | datetime | None) -> datetime | None:
    """A time as the driver gives it (ISO text on SQLite) as a ``datetime``."""
    if raw is None or isinstance(raw, datetime):
        return raw
    return datetime.fromisoformat(raw)


def _physician_condition(term: str):  # type: ignore[no-untyped-def]
    """Case-insensitive "contains": "moretti" finds "Dr. Lucia Moretti"."""
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(Patient.physician).like(f"%{escaped}%", escape="\\")


def _patients(query: OverdueQuery) -> Select:
    patients = select(Patient.id).where(Patient.status == "active")
    if query.physician:
        patients = patients.where(_physician_condition(query.physician))
    return patients


def _event_filters(statement: Select, query: OverdueQuery) -> Select:
    """The query's kind, modality group and risk conditions on follow-up events."""
    if query.kind:
        statement = statement.where(FollowUpEvent.kind == query.kind)
    if query.group:
        statement = statement.where(FollowUpEvent.kind.in_(GROUP_KINDS[ModalityGroup(query.group)]))
    if query.risk:
        statement = statement.where(FollowUpEvent.risk == query.risk)
    return statement


def _overdue_events(query: OverdueQuery) -> Select:
    """The overdue events the query's filters keep (one row per event), ranked per group."""
    partition = (FollowUpEvent.patient_id, FollowUpEvent.kind)
    statement = select(
        FollowUpEvent.id,
        FollowUpEvent.patient_id,
        FollowUpEvent.kind,
        type_coerce(FollowUpEvent.due, String).label("due"),
        type_coerce(FollowUpEvent.window_end, String).label("window_end"),
        FollowUpEvent.risk,
        FollowUpEvent.state,
        FollowUpEvent.version,
        func.row_number()
        .over(partition_by=partition, order_by=(FollowUpEvent.window_end, FollowUpEvent.id))
        .label("rank"),
        func.count().over(partition_by=partition).label("slots"),
        func.max(case((FollowUpEvent.risk == "high", 1), else_=0))
        .over(partition_by=partition)
        .label("high"),
    ).where(
        unfinished_event_condition(),
        FollowUpEvent.window_end < query.as_of,
        (FollowUpEvent.patient_id + 0).in_(_patients(query)),
    )
    statement = _event_filters(statement, query)
    return statement


_EVENTS = FollowUpEvent.__table__


def _next_booking(events: Subquery, as_of: date) -> ScalarSelect[int]:
    """The id of the patient's first booking of the row's kind from the as-of day on, if any:
    one look-up in the booked events' partial index per row of the list."""
    booked = _EVENTS.alias("booked")  # a Core alias: no ORM adaptation to pay for
    return (
        select(booked.c.id)
        .where(
            booked.c.patient_id == events.c.patient_id,
            booked.c.kind == events.c.kind,
            text(f"booked.{BOOKED_STATE_SQL}"),  # as the partial index has it
            booked.c.booked_at >= datetime.combine(as_of, time.min),
        )
        .order_by(booked.c.booked_at, booked.c.id)
        .limit(1)
        .scalar_subquery()
    )


def _group_statement(query: OverdueQuery) -> Select:
    """One row per overdue (patient, kind): the oldest event, slots, booking, acknowledgement,
    the oldest event's note, the patient (MRN, name, physician) and the last completion of the
    kind, each looked up for these rows only, by key."""
    events = _overdue_events(query).subquery()
    firsts = (
        select(events, _next_booking(events, query.as_of).label("booking_id"))
        .where(events.c.rank == 1)
        .subquery()
    )
    booking = _EVENTS.alias("booking")
    noted = _EVENTS.alias("noted")
    ack = OverdueAcknowledgement
    return (
        select(
            firsts.c.id,
            firsts.c.patient_id,
            firsts.c.kind,
            firsts.c.due,
            firsts.c.window_end,
            case((firsts.c.high == 1, "high"), else_=firsts.c.risk).label("risk"),
            firsts.c.state,
            firsts.c.version,
            firsts.c.slots,
            firsts.c.booking_id,
            type_coerce(booking.c.booked_at, String).label("booked_at"),
            booking.c.location,
            type_coerce(ack.acknowledged_at, String).label("acknowledged_at"),
            ack.acknowledged_by,
            type_coerce(ack.snoozed_until, String).label("snoozed_until"),
            ack.oldest_event_id,
            ack.slots.label("ack_slots"),
            ack.booking_event_id,
            noted.c.note,
            Patient.mrn,
            Patient.family_name,
            Patient.given_name,
            Patient.physician,
            type_coerce(LastCompletion.closed_on, String).label("last_done"),
        )
        .select_from(firsts)
        .join(Patient, Patient.id == firsts.c.patient_id)
        .outerjoin(booking, booking.c.id == firsts.c.booking_id)
        .outerjoin(ack, and_(ack.patient_id == firsts.c.patient_id, ack.kind == firsts.c.kind))
        .outerjoin(noted, noted.c.id == firsts.c.id)
        .outerjoin(
            LastCompletion,
            and_(
                LastCompletion.patient_id == firsts.c.patient_id,
                LastCompletion.kind == firsts.c.kind,
            ),
        )
    )


_SORT = {
    "patient": lambda r: r.patient.casefold(),
    "mrn": lambda r: r.mrn,
    "kind": lambda r: EventKind(r.kind).label,
    "due": lambda r: r.due,
    "window_end": lambda r: r.window_end,
    "days_overdue": lambda r: r.days_overdue,
    "slots": lambda r: r.slots,
    "risk": lambda r: r.risk or "",
    "physician": lambda r: (r.physician or "").casefold(),
}


def _ordered(rows: list[OverdueRow], query: OverdueQuery) -> list[OverdueRow]:
    if query.sort == "default":
        # most severe first, then the longest overdue, then the most slots missed
        rows.sort(key=lambda r: (r.event_id,))
        rows.sort(key=lambda r: (SEVERITY_RANK[Severity(r.severity)], -r.days_overdue, -r.slots))
        if query.descending:
            rows.reverse()
        return rows
    rows.sort(key=lambda r: r.event_id)
    rows.sort(key=_SORT[query.sort], reverse=query.descending)
    return rows


class _Days(dict):  # type: ignore[type-arg]
    """Raw day values (ISO text on SQLite, ``date`` on PostgreSQL) to ``date``, each once."""

    def __missing__(self, raw: str | date | None) -> date | None:
        value = self[raw] = _day(raw)
        return value


def _read_rows(session: Session, query: OverdueQuery) -> list[OverdueRow]:
    """Every row of the list for the query, in its order.

    A tight loop over tuples (the whole list is bounded by patients times kinds, 10^4 rows at
    10^5 patients): days converted once per distinct value, rows made positionally.
    """
    window_to = query.as_of - timedelta(days=query.min_days)
    as_of, section, hide = query.as_of, query.section, not query.acknowledged
    days = _Days()
    wanted = []
    for row in session.connection().execute(_group_statement(query)):
        event_id, window_end, slots, booking_id = row[0], row[4], row[8], row[9]
        snoozed, ack_oldest, ack_slots, ack_booking = row[14:18]
        booked = booking_id is not None
        if (section == "to_book" and booked) or (section == "booked_late" and not booked):
            continue
        if (
            hide
            and snoozed is not None
            and days[snoozed] > as_of  # type: ignore[operator]
            and ack_oldest == event_id
            and ack_slots == slots
            and ack_booking == booking_id
        ):
            continue
        if query.min_days and days[window_end] >= window_to:  # type: ignore[operator]
            continue
        wanted.append(row)
    if not wanted:
        return []
    judged: dict[tuple[object, str, str | None, int], tuple[int, str]] = {}
    rows = []
    append, new = rows.append, tuple.__new__
    for (event_id, pid, kind, due, window_end, risk, state, version, slots, booking_id,
         booked_at, location, ack_at, ack_by, snoozed, _oldest, _slots, _booking,
         note, mrn, family, given, physician, last) in wanted:  # fmt: skip
        key = (window_end, kind, risk, slots)
        verdict = judged.get(key)
        if verdict is None:
            overdue = (as_of - days[window_end]).days  # type: ignore[operator]
            verdict = judged[key] = (overdue, severity(kind, risk, overdue, slots).value)
        append(
            new(
                OverdueRow,
                (
                    event_id,
                    pid,
                    mrn,
                    f"{family}, {given}",
                    physician,
                    kind,
                    days[due],
                    days[window_end],
                    verdict[0],
                    risk,
                    state,
                    booking_id is not None,
                    _moment(booked_at),
                    days[last],
                    verdict[1],
                    _moment(ack_at),
                    ack_by,
                    note,
                    version,
                    slots,
                    booking_id,
                    location,
                    days[snoozed],
                ),
            )
        )
    return _ordered(rows, query)


CHUNK = 900  # ids per IN list (SQLite's parameter limit is 999 on old builds)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def overdue_rows(
    db: Database, query: OverdueQuery, offset: int = 0, limit: int | None = None
) -> list[OverdueRow]:
    """The overdue rows in the query's order; a page when ``limit`` is given, else all.

    A page and the whole list are the same ordered list, sliced or not, so the window's pages
    and the export (``survtrack overdue``) can never disagree.
    """
    query = query.validated()
    with db.read() as session:
        rows = _read_rows(session, query)
    return rows[offset:] if limit is None else rows[offset : offset + limit]


def iter_overdue_rows(db: Database, query: OverdueQuery) -> Iterator[OverdueRow]:
    """Every row of the list, as the window shows them."""
    return iter(overdue_rows(db, query))


def export_values(row: OverdueRow) -> tuple[object, ...]:
    """One row as export values in ``CSV_COLUMNS`` order (reports/overdue_export.py)."""
    return (
        row.mrn,
        row.patient,
        row.kind,
        row.due,
        row.window_end,
        row.days_overdue,
        row.slots,
        row.risk,
        row.physician,
        row.state,
        row.booked,
        row.booked_at.strftime("%Y-%m-%d %H:%M") if row.booked_at else None,
        row.last_done,
        row.severity,
        row.acknowledged_at.date() if row.acknowledged_at else None,
        row.acknowledged_by,
        row.snoozed_until,
        row.note,
    )


def iter_export_values(db: Database, query: OverdueQuery) -> Iterator[tuple[object, ...]]:
    """Every row of the list as export values: what ``survtrack overdue`` and the window's CSV
    export write."""
    return (export_values(row) for row in overdue_rows(db, query))


def overdue_count(db: Database, query: OverdueQuery) -> int:
    """How many rows the list has for the query (the dashboard's and the status line's count)."""
    return len(overdue_rows(db, query))


def due_soon(
    db: Database, query: OverdueQuery, days: int, offset: int = 0, limit: int | None = None
) -> list[OverdueRow]:
    """Unfinished, uncancelled events whose window closes within ``days`` of the as-of day
    (inclusive), one row per event, soonest first; ``days_overdue`` is minus the days left."""
    if not 1 <= days <= 366:
        raise BadInput("days", "must be between 1 and 366")
    query = query.validated()
    statement = (
        select(
            FollowUpEvent.id,
            FollowUpEvent.patient_id,
            Patient.mrn,
            Patient.family_name,
            Patient.given_name,
            Patient.physician,
            FollowUpEvent.kind,
            FollowUpEvent.due,
            FollowUpEvent.window_end,
            FollowUpEvent.risk,
            FollowUpEvent.state,
            FollowUpEvent.booked_at,
            FollowUpEvent.location,
            FollowUpEvent.note,
            FollowUpEvent.version,
        )
        .join(Patient, Patient.id == FollowUpEvent.patient_id)
        .where(
            unfinished_event_condition(),
            FollowUpEvent.state != EventState.CANCELLED.value,
            FollowUpEvent.window_end >= query.as_of,
            FollowUpEvent.window_end <= query.as_of + timedelta(days=days),
            FollowUpEvent.patient_id.in_(_patients(query)),
        )
        .order_by(FollowUpEvent.window_end, FollowUpEvent.id)
    )
    statement = _event_filters(statement, query)
    if offset:
        statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    with db.read() as session:
        found = session.execute(statement).all()
        last_done = _last_done(session, sorted({r.patient_id for r in found}))
    rows = []
    for r in found:
        left = (r.window_end - query.as_of).days
        rows.append(
            OverdueRow(
                event_id=r.id,
                patient_id=r.patient_id,
                mrn=r.mrn,
                patient=f"{r.family_name}, {r.given_name}",
                physician=r.physician,
                kind=r.kind,
                due=r.due,
                window_end=r.window_end,
                days_overdue=-left,
                risk=r.risk,
                state=r.state,
                booked=r.state == EventState.BOOKED.value,
                booked_at=r.booked_at,
                last_done=last_done.get((r.patient_id, r.kind)),
                severity=severity(r.kind, r.risk, 0).value,
                acknowledged_at=None,
                acknowledged_by=None,
                note=r.note,
                version=r.version,
                location=r.location,
            )
        )
    return rows


def _last_done(
    session: Session,
    patient_ids: list[int] | None,
    days: dict | None = None,  # type: ignore[type-arg]
) -> dict[tuple[int, str], date]:
    """The last completion of each kind for the patients (all patients when ``None``)."""
    days = _Days() if days is None else days
    statement = select(
        LastCompletion.patient_id,
        LastCompletion.kind,
        type_coerce(LastCompletion.closed_on, String),
    )
    found: dict[tuple[int, str], date] = {}
    for chunk in [None] if patient_ids is None else _chunks(patient_ids):
        part = statement if chunk is None else statement.where(LastCompletion.patient_id.in_(chunk))
        for pid, kind, day in session.execute(part):
            found[pid, kind] = days[day]
    return found


def check_physician_filter(db: Database, query: OverdueQuery) -> None:
    """A physician filter that matches no patient's physician is bad input, not an empty list."""
    if not query.physician:
        return
    with db.read() as session:
        found = session.scalar(
            select(func.count()).select_from(
                select(Patient.id).where(_physician_condition(query.physician)).limit(1).subquery()
            )
        )
    if not found:
        raise BadInput("physician", f"no patient's physician matches {query.physician.strip()!r}")


def physicians(db: Database) -> list[str]:
    with db.read() as session:
        return [
            p
            for p in session.scalars(
                select(Patient.physician)
                .where(Patient.physician.is_not(None))
                .distinct()
                .order_by(Patient.physician)
            )
            if p
        ]


#: The longest a physician can put a row aside, and the day offered by default.
MAX_SNOOZE_DAYS = 366
DEFAULT_SNOOZE_DAYS = 14


def snooze_default(today: date) -> date:
    return today + timedelta(days=DEFAULT_SNOOZE_DAYS)


def acknowledge(
    db: Database,
    user: SignedIn,
    rows: list[OverdueRow],
    snooze_until: date | None,
    today: date,
    now: datetime | None = None,
) -> int:
    """Put rows aside until ``snooze_until`` (or until they change); returns how many.

    One acknowledgement per patient and kind remembers what the row was (oldest event, missed
    slots, booking) so that any change brings the row back before the day.
    """
    if not rows:
        raise BadInput("selection", "choose at least one row")
    if snooze_until is None:
        raise BadInput("Hide until", "choose the day the rows come back")
    if snooze_until <= today:
        raise BadInput("Hide until", "must be after today")
    if snooze_until > today + timedelta(days=MAX_SNOOZE_DAYS):
        raise BadInput("Hide until", f"must be within {MAX_SNOOZE_DAYS} days")
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    with db.write(user.actor) as session:
        for row in rows:
            ack = session.get(OverdueAcknowledgement, (row.patient_id, row.kind))
            _check_row_unchanged(session, row, ack)
            if ack is None:
                ack = OverdueAcknowledgement(patient_id=row.patient_id, kind=row.kind)
                session.add(ack)
            ack.acknowledged_at, ack.acknowledged_by = moment, user.username
            ack.snoozed_until = snooze_until
            ack.oldest_event_id, ack.slots = row.event_id, row.slots
            ack.booking_event_id = row.booking_event_id
        return len({(r.patient_id, r.kind) for r in rows})


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _check_row_unchanged(
    session: Session, row: OverdueRow, ack: OverdueAcknowledgement | None
) -> None:
    """The row as the user saw it is still the row: same oldest event at the same version, and
    nobody acknowledged it (or acknowledged it again) in the meantime."""
    event = session.get(FollowUpEvent, row.event_id)
    if event is None:
        raise BadInput("overdue row", "its follow-up event no longer exists")
    check_version("This overdue row", event.version, row.version)
    seen, current = _utc(row.acknowledged_at), _utc(ack.acknowledged_at if ack else None)
    if (seen is None) != (current is None) or (
        seen is not None and current is not None and abs((seen - current).total_seconds()) > 1
    ):
        raise ConflictError("This overdue row")


def add_note(
    db: Database, user: SignedIn, event_id: int, text: str, expected_version: int | None = None
) -> None:
    """The event's note; ``expected_version`` is the event's version the user saw (a note
    typed over a change made elsewhere is refused, never overwrites it)."""
    if not text.strip():
        raise BadInput("note", "is empty")
    if len(text) > 2000:
        raise BadInput("note", "must be at most 2000 characters")
    with db.write(user.actor) as session:
        event = session.get(FollowUpEvent, event_id)
        if event is None:
            raise BadInput("event", "no longer exists")
        check_version("This follow-up event", event.version, expected_version)
        event.note = text.strip()


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Overdue (patient, kind) rows, as the list counts them, and the month-end history."""

    by_kind: dict[str, int]
    by_physician: dict[str, int]
    month_ends: list[tuple[date, int]]
    total: int
    booked_late: int = 0
    acknowledged: int = 0
    #: appointments whose day passed with no outcome recorded, window still open (on the
    #: to-book list until recorded; overdue, and in ``total``, once the window has ended)
    outcome_missing: int = 0


def _month_ends(as_of: date, months: int) -> list[date]:
    ends = []
    first_of_month = as_of.replace(day=1)
    for back in range(months, 0, -1):
        year, month = divmod(first_of_month.year * 12 + first_of_month.month - 1 - back + 1, 12)
        ends.append(date(year, month + 1, 1) - timedelta(days=1))
    return ends


def dashboard(db: Database, as_of: date, months: int = 12) -> Dashboard:
    """Counts by kind and by physician of the rows still to book (the list's default section,
    snoozed rows included), the booked-late and snoozed counts, and the number of overdue
    (patient, kind) pairs at each of the past month ends.

    The history counts pairs with an event overdue on that day: window ended before it, not yet
    done, covered or waived by then (``closed_on``), among patients who are active today.
    """
    every = overdue_rows(db, OverdueQuery(as_of, section="all", acknowledged=True))
    to_book = [r for r in every if not r.booked]
    hidden = overdue_rows(db, OverdueQuery(as_of, section="all", acknowledged=False))
    by_kind: dict[str, int] = {}
    by_physician: dict[str, int] = {}
    for row in to_book:
        by_kind[row.kind] = by_kind.get(row.kind, 0) + 1
        name = row.physician or "(none)"
        by_physician[name] = by_physician.get(name, 0) + 1
    history = []
    with db.read() as session:
        for end in _month_ends(as_of, months):
            day = end + timedelta(days=1)
            pairs = (
                select(FollowUpEvent.patient_id, FollowUpEvent.kind)
                .join(Patient, Patient.id == FollowUpEvent.patient_id)
                .where(
                    Patient.status == "active",
                    FollowUpEvent.window_end < day,
                    FollowUpEvent.state != EventState.SUPERSEDED.value,
                    (
                        FollowUpEvent.state.not_in(
                            (
                                EventState.COMPLETED.value,
                                EventState.WAIVED.value,
                                EventState.COVERED.value,
                            )
                        )
                    )
                    | (FollowUpEvent.closed_on >= day),
                )
                .distinct()
                .subquery()
            )
            count = session.scalar(select(func.count()).select_from(pairs))
            history.append((end, int(count or 0)))
    return Dashboard(
        by_kind,
        by_physician,
        history,
        len(to_book),
        booked_late=len(every) - len(to_book),
        acknowledged=len(every) - len(hidden),
        outcome_missing=outcome_missing_count(db, as_of),
    )
