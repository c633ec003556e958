"""The overdue worklist and the due-soon list: one query layer for the window and the CLI.

Overdue: the event's window ended before the as-of day and it is neither completed, waived nor
superseded (cancelled events count: a cancelled scan was still not done), for active patients only.
A booked event whose window has passed is overdue too, flagged as booked. Filters and sorting run
in SQL over the events' covering index; a page is the same statement as the whole list, sliced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, TypeVar

from sqlalchemy import Select, String, case, func, select, type_coerce

from survtrack.domain.errors import BadInput
from survtrack.domain.events import EventKind
from survtrack.domain.overdue import (
    GROUP_KINDS,
    IMAGING_KINDS,
    ModalityGroup,
    severity,
)
from survtrack.services.auth import SignedIn
from survtrack.store.engine import Database
from survtrack.store.models import (
    FollowUpEvent,
    LastCompletion,
    Patient,
    unfinished_event_condition,
)

T = TypeVar("T")

SORT_KEYS = (
    "default",
    "patient",
    "mrn",
    "kind",
    "due",
    "window_end",
    "days_overdue",
    "risk",
    "physician",
)
RISKS = ("low", "high", "any")


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
        return self


class OverdueRow(NamedTuple):
    """One worklist row (a tuple: the whole-list export builds 10^5 of them)."""

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


def _filtered(
    statement: Select, query: OverdueQuery, window_from: date | None, window_to: date
) -> Select:
    """The worklist's conditions, scanning the events' partial covering index.

    Patient conditions go into a subquery; ``patient_id + 0`` keeps the planner from walking
    the events patient by patient (measured: 4x slower) instead of by window end.
    """
    patients = select(Patient.id).where(Patient.status == "active")
    if query.physician:
        patients = patients.where(Patient.physician == query.physician)
    statement = statement.select_from(FollowUpEvent).where(
        unfinished_event_condition(),
        FollowUpEvent.window_end < window_to,
        (FollowUpEvent.patient_id + 0).in_(patients),
    )
    if window_from is not None:
        statement = statement.where(FollowUpEvent.window_end >= window_from)
    if query.kind:
        statement = statement.where(FollowUpEvent.kind == query.kind)
    if query.group:
        statement = statement.where(FollowUpEvent.kind.in_(GROUP_KINDS[ModalityGroup(query.group)]))
    if query.risk:
        statement = statement.where(FollowUpEvent.risk == query.risk)
    return statement


def _ordered(statement: Select, query: OverdueQuery) -> Select:
    desc = query.descending
    if query.sort in ("patient", "mrn", "physician"):
        statement = statement.join(Patient, Patient.id == FollowUpEvent.patient_id + 0)
    if query.sort == "default":
        keys = [
            case((FollowUpEvent.risk == "high", 0), else_=1),
            case((FollowUpEvent.kind.in_(IMAGING_KINDS), 0), else_=1),
            FollowUpEvent.window_end,
        ]
    else:
        column = {
            "patient": Patient.search_key,
            "mrn": Patient.mrn,
            "kind": FollowUpEvent.kind,
            "due": FollowUpEvent.due,
            "window_end": FollowUpEvent.window_end,
            "days_overdue": FollowUpEvent.window_end,
            "risk": FollowUpEvent.risk,
            "physician": Patient.physician,
        }[query.sort]
        # more days overdue = an earlier window end
        ascending = desc if query.sort == "days_overdue" else not desc
        keys = [column.asc() if ascending else column.desc()]
    return statement.order_by(*keys, FollowUpEvent.id)


#: What a row needs from its event: all in the covering index (``UNFINISHED_INDEX_COLUMNS``),
#: so neither a page nor the whole list reads the events table. The note comes separately.
#: Days come as the driver gives them (ISO text on SQLite, dates on PostgreSQL) and are turned
#: into dates once per distinct value (``_Days``), not once per row: the whole list has 10^5
#: rows but a few thousand distinct days.
_EVENT_COLUMNS = (
    FollowUpEvent.id,
    FollowUpEvent.patient_id,
    FollowUpEvent.kind,
    type_coerce(FollowUpEvent.due, String),
    type_coerce(FollowUpEvent.window_end, String),
    FollowUpEvent.risk,
    FollowUpEvent.state,
    type_coerce(FollowUpEvent.booked_at, String),
    type_coerce(FollowUpEvent.acknowledged_at, String),
    FollowUpEvent.acknowledged_by,
    FollowUpEvent.version,
)


class _Days(dict):  # type: ignore[type-arg]
    """Raw day values (ISO text or ``date``) to ``date``, each converted once."""

    def __missing__(self, raw: str | date) -> date:
        value = raw if isinstance(raw, date) else date.fromisoformat(raw)
        self[raw] = value
        return value


def _moment(raw: str | datetime) -> datetime:
    """A time as the driver gives it (ISO text on SQLite) as a ``datetime``."""
    return raw if isinstance(raw, datetime) else datetime.fromisoformat(raw)


def overdue_statement(query: OverdueQuery) -> Select:
    """The overdue events (``_EVENT_COLUMNS``) in the query's order; pages slice it."""
    query = query.validated()
    return _ordered(_filtered(select(*_EVENT_COLUMNS), query, None, _window_to(query)), query)


def _window_to(query: OverdueQuery) -> date:
    return query.as_of - timedelta(days=query.min_days) if query.min_days else query.as_of


CHUNK = 900  # ids per IN list (SQLite's parameter limit is 999 on old builds)
#: Beyond this many rows, reading the patients, notes and last completions whole beats
#: looking them up chunk by chunk.
WHOLE_TABLE = 20_000


def _lookup(session, statement: Select, column, keys: set[int] | None) -> list:  # type: ignore[no-untyped-def]
    """``statement``'s rows, for ``column`` in ``keys`` (chunked), or all of them when None."""
    if keys is None:
        return session.connection().execute(statement).all()
    ordered = sorted(keys)
    rows = []
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows.extend(session.connection().execute(statement.where(column.in_(chunk))))
    return rows


class _Judged(dict):  # type: ignore[type-arg]
    """(window end as read, kind, risk) -> (window end, days overdue, severity) for one day."""

    def __init__(self, as_of: date, days: _Days) -> None:
        super().__init__()
        self.as_of, self.days = as_of, days

    def __missing__(self, key: tuple[str | date, str, str | None]) -> tuple[date, int, str]:
        raw, kind, risk = key
        window_end = self.days[raw]
        overdue = (self.as_of - window_end).days
        value = self[key] = (window_end, overdue, severity(kind, risk, overdue).value)
        return value


class _Lookups:
    """What rows need beyond their event: patient, note, last completion, days and severity.

    Read for the given events' patients and ids, or whole (``events`` None) for long lists,
    where one pass over each table beats looking 10^5 keys up chunk by chunk
    (``for_events`` chooses).
    """

    @classmethod
    def for_events(cls, session, events: list, as_of: date) -> _Lookups:  # type: ignore[no-untyped-def]
        return cls(session, events if len(events) <= WHOLE_TABLE else None, as_of)

    def __init__(self, session, events: list | None, as_of: date) -> None:  # type: ignore[no-untyped-def]
        patient_ids = None if events is None else {e[1] for e in events}
        event_ids = None if events is None else {e[0] for e in events}
        patients_statement = select(
            Patient.id, Patient.mrn, Patient.family_name, Patient.given_name, Patient.physician
        )
        if events is None:
            patients_statement = patients_statement.where(Patient.status == "active")
        self.patients = {
            pid: (mrn, f"{family}, {given}", physician)
            for pid, mrn, family, given, physician in _lookup(
                session, patients_statement, Patient.id, patient_ids
            )
        }
        self.notes = dict(
            _lookup(
                session,
                select(FollowUpEvent.id, FollowUpEvent.note).where(FollowUpEvent.note.is_not(None)),
                FollowUpEvent.id,
                event_ids,
            )
        )
        self.days = days = _Days()
        self.last_done = {
            (pid, kind): days[day]
            for pid, kind, day in _lookup(
                session,
                select(
                    LastCompletion.patient_id,
                    LastCompletion.kind,
                    type_coerce(LastCompletion.closed_on, String),
                ),
                LastCompletion.patient_id,
                patient_ids,
            )
        }
        self.judged = _Judged(as_of, days)

    def rows(self, events: list) -> list[OverdueRow]:
        """Rows of ``_EVENT_COLUMNS`` to ``OverdueRow``, in their order.

        A tight loop (the whole-list export builds 10^5 rows): every derived value is looked
        up in a cache keyed by what it depends on, and rows are made with ``tuple.__new__``.
        """
        result: list[OverdueRow] = []
        append = result.append
        new = tuple.__new__
        patients, days, judged = self.patients, self.days, self.judged
        note_of, last_of = self.notes.get, self.last_done.get
        for (
            event_id,
            patient_id,
            kind,
            due,
            window_end,
            risk,
            state,
            booked_at,
            acknowledged_at,
            acknowledged_by,
            version,
        ) in events:
            mrn, name, physician = patients[patient_id]
            window_end_day, overdue, grade = judged[window_end, kind, risk]
            append(
                new(
                    OverdueRow,
                    (
                        event_id,
                        patient_id,
                        mrn,
                        name,
                        physician,
                        kind,
                        days[due],
                        window_end_day,
                        overdue,
                        risk,
                        state,
                        state == "booked",
                        booked_at and _moment(booked_at),
                        last_of((patient_id, kind)),
                        grade,
                        acknowledged_at and _moment(acknowledged_at),
                        acknowledged_by,
                        note_of(event_id),
                        version,
                    ),
                )
            )
        return result

    def export_values(self, events: list) -> list[tuple[object, ...]]:
        """Rows of ``_EVENT_COLUMNS`` straight to export values, in ``CSV_COLUMNS`` order.

        The same lookups as ``rows`` without building an ``OverdueRow`` first: exports write
        10^5 rows. Days go out as the database gave them (ISO text on SQLite; ``date`` on
        PostgreSQL, which writes the same). tests/cli/test_overdue_cli.py holds every column
        to the window's rows.
        """
        result: list[tuple[object, ...]] = []
        append = result.append
        patients, judged = self.patients, self.judged
        note_of, last_of = self.notes.get, self.last_done.get
        for (
            event_id,
            patient_id,
            kind,
            due,
            window_end,
            risk,
            state,
            _booked_at,
            acknowledged_at,
            acknowledged_by,
            _version,
        ) in events:
            mrn, name, physician = patients[patient_id]
            _, overdue, grade = judged[window_end, kind, risk]
            append(
                (
                    mrn,
                    name,
                    kind,
                    due,
                    window_end,
                    overdue,
                    risk,
                    physician,
                    state,
                    state == "booked",
                    last_of((patient_id, kind)),
                    grade,
                    acknowledged_at and _moment(acknowledged_at).date(),
                    acknowledged_by,
                    note_of(event_id),
                )
            )
        return result


def _page(session, statement: Select, as_of: date) -> list[OverdueRow]:  # type: ignore[no-untyped-def]
    events = session.connection().execute(statement).all()  # Core rows: no ORM loading
    if not events:
        return []
    return _Lookups.for_events(session, events, as_of).rows(events)


STREAM_CHUNK = 5_000


def overdue_rows(
    db: Database, query: OverdueQuery, offset: int = 0, limit: int | None = None
) -> list[OverdueRow]:
    """The overdue rows in the query's order; a page when ``limit`` is given, else all.

    A page and the whole list are the same statement, sliced or not, so the window's pages and
    the export (``survtrack overdue``) can never disagree.
    """
    if limit is None and not offset:
        return list(iter_overdue_rows(db, query))
    statement = overdue_statement(query)
    if offset:
        statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    with db.read() as session:
        return _page(session, statement, query.as_of)


def _stream(
    db: Database, query: OverdueQuery, build: Callable[[_Lookups, list], list[T]]
) -> Iterator[T]:
    """The whole list in the query's order, read and built a few thousand rows at a time.

    Memory stays flat for 10^5 rows. The read unit (one snapshot) stays open until the
    iterator is exhausted or closed.
    """
    statement = overdue_statement(query)
    with db.read() as session:
        result = session.connection().execution_options(yield_per=STREAM_CHUNK).execute(statement)
        first = result.fetchmany(WHOLE_TABLE + 1)
        if not first:
            return
        lookups = _Lookups.for_events(session, first, query.as_of)
        yield from build(lookups, first)
        while chunk := result.fetchmany(STREAM_CHUNK):
            yield from build(lookups, chunk)


def iter_overdue_rows(db: Database, query: OverdueQuery) -> Iterator[OverdueRow]:
    """Every row of the list, as the window shows them (streamed)."""
    return _stream(db, query, _Lookups.rows)


def iter_export_values(db: Database, query: OverdueQuery) -> Iterator[tuple[object, ...]]:
    """Every row of the list as export values in ``CSV_COLUMNS`` order (streamed): what
    ``survtrack overdue`` and the window's CSV export write."""
    return _stream(db, query, _Lookups.export_values)


def overdue_count(db: Database, query: OverdueQuery) -> int:
    query = query.validated()
    statement = _filtered(select(func.count(FollowUpEvent.id)), query, None, _window_to(query))
    with db.read() as session:
        return int(session.scalar(statement) or 0)


def due_soon(
    db: Database, query: OverdueQuery, days: int, offset: int = 0, limit: int | None = None
) -> list[OverdueRow]:
    """Unfinished events whose window closes within ``days`` of the as-of day (inclusive)."""
    if not 1 <= days <= 366:
        raise BadInput("days", "must be between 1 and 366")
    query = replace(query.validated(), min_days=0)
    statement = _filtered(
        select(*_EVENT_COLUMNS), query, query.as_of, query.as_of + timedelta(days=days + 1)
    )
    statement = statement.where(FollowUpEvent.state != "cancelled")
    statement = statement.order_by(FollowUpEvent.window_end, FollowUpEvent.id)
    if offset:
        statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    with db.read() as session:
        rows = _page(session, statement, query.as_of)
    return [r._replace(days_overdue=-(r.window_end - query.as_of).days) for r in rows]


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


def acknowledge(db: Database, user: SignedIn, event_ids: list[int], now: datetime) -> int:
    """Mark rows as looked at, by whom and when (several at once); returns how many."""
    if not event_ids:
        raise BadInput("selection", "choose at least one row")
    with db.write(user.actor) as session:
        events = session.scalars(select(FollowUpEvent).where(FollowUpEvent.id.in_(event_ids)))
        count = 0
        for event in events:
            event.acknowledged_at = now if now.tzinfo else now.replace(tzinfo=UTC)
            event.acknowledged_by = user.username
            count += 1
        return count


def add_note(db: Database, user: SignedIn, event_id: int, text: str) -> None:
    if not text.strip():
        raise BadInput("note", "is empty")
    if len(text) > 2000:
        raise BadInput("note", "must be at most 2000 characters")
    with db.write(user.actor) as session:
        event = session.get(FollowUpEvent, event_id)
        if event is None:
            raise BadInput("event", "no longer exists")
        event.note = text.strip()


@dataclass(frozen=True, slots=True)
class Dashboard:
    by_kind: dict[str, int]
    by_physician: dict[str, int]
    month_ends: list[tuple[date, int]]
    total: int


def _month_ends(as_of: date, months: int) -> list[date]:
    ends = []
    first_of_month = as_of.replace(day=1)
    for back in range(months, 0, -1):
        year, month = divmod(first_of_month.year * 12 + first_of_month.month - 1 - back + 1, 12)
        ends.append(date(year, month + 1, 1) - timedelta(days=1))
    return ends


def dashboard(db: Database, as_of: date, months: int = 12) -> Dashboard:
    """Counts by kind and by physician, and the overdue count at each of the past month ends.

    The history counts events that were overdue on that day: window ended before it, not yet
    done or waived by then (``closed_on``), among patients who are active today.
    """
    base = OverdueQuery(as_of)
    with db.read() as session:
        by_kind = dict(
            session.execute(
                _filtered(select(FollowUpEvent.kind, func.count()), base, None, as_of).group_by(
                    FollowUpEvent.kind
                )
            ).all()
        )
        by_physician = {
            (name or "(none)"): n
            for name, n in session.execute(
                _filtered(select(Patient.physician, func.count()), base, None, as_of)
                .join(Patient, Patient.id == FollowUpEvent.patient_id)
                .group_by(Patient.physician)
            ).all()
        }
        history = []
        for end in _month_ends(as_of, months):
            day = end + timedelta(days=1)
            count = session.scalar(
                select(func.count(FollowUpEvent.id))
                .join(Patient, Patient.id == FollowUpEvent.patient_id)
                .where(
                    Patient.status == "active",
                    FollowUpEvent.window_end < day,
                    FollowUpEvent.state != "superseded",
                    (FollowUpEvent.state.not_in(("completed", "waived")))
                    | (FollowUpEvent.closed_on >= day),
                )
            )
            history.append((end, int(count or 0)))
    return Dashboard(by_kind, by_physician, history, sum(by_kind.values()))
