"""The overdue definition at its edges, filters, sorting, actions and the dashboard."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from survtrack.domain.errors import BadInput
from survtrack.services import overdue
from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.demo import generate_demo
from survtrack.services.overdue import (
    SORT_KEYS,
    OverdueQuery,
    acknowledge,
    add_note,
    dashboard,
    due_soon,
    overdue_count,
    overdue_rows,
)
from survtrack.store.engine import Database
from survtrack.store.models import Patient
from tests.factories import TESTER, add_event, add_patient

AS_OF = date(2026, 11, 23)


@pytest.fixture
def people(db: Database) -> tuple[SignedIn, SignedIn]:
    return (
        ensure_user(db, "sam", "Sam", Role.SCHEDULER),
        ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN),
    )


def ids(rows) -> list[int]:  # type: ignore[no-untyped-def]
    return [r.event_id for r in rows]


def test_overdue_edges(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    today = add_event(db, anna, "chest_ct", AS_OF)
    yesterday = add_event(db, anna, "chest_ct", date(2026, 11, 22))
    completed_late = add_event(
        db, anna, "clinic_visit", date(2026, 10, 1), "completed", closed_on=date(2026, 11, 1)
    )
    waived = add_event(
        db, anna, "primary_site_mri", date(2026, 9, 1), "waived", closed_on=date(2026, 9, 5)
    )
    booked_passed = add_event(
        db, anna, "clinic_visit", date(2026, 11, 1), "booked", booked_at=datetime(2026, 10, 30, 9)
    )
    missed = add_event(db, anna, "clinic_visit", date(2026, 8, 1), "missed")
    cancelled = add_event(db, anna, "echocardiogram", date(2026, 7, 1), "cancelled")
    superseded = add_event(db, anna, "chest_ct", date(2026, 6, 1), "superseded")
    bob = add_patient(db, "2", "Dead", "Bob")
    add_event(db, bob, "chest_ct", date(2026, 1, 1))
    with db.write(TESTER) as session:
        patient = session.get(Patient, bob)
        assert patient is not None
        patient.status, patient.status_date = "deceased", date(2026, 2, 1)

    rows = overdue_rows(db, OverdueQuery(AS_OF, sort="window_end"))
    assert set(ids(rows)) == {yesterday, booked_passed, missed, cancelled}
    for excluded in (today, completed_late, waived, superseded):
        assert excluded not in ids(rows)
    by_id = {r.event_id: r for r in rows}
    assert by_id[yesterday].days_overdue == 1
    assert by_id[booked_passed].booked and not by_id[missed].booked
    assert overdue_count(db, OverdueQuery(AS_OF)) == 4
    # a day later, today's event is overdue too
    assert today in ids(overdue_rows(db, OverdueQuery(date(2026, 11, 24))))


def test_default_order_puts_high_risk_imaging_first_and_filters(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    low_visit = add_event(db, anna, "clinic_visit", date(2026, 1, 1), risk="low")
    low_ct = add_event(db, anna, "chest_ct", date(2026, 2, 1), risk="low")
    high_visit = add_event(db, anna, "clinic_visit", date(2026, 3, 1))
    high_mri = add_event(db, anna, "primary_site_mri", date(2026, 10, 1))
    high_ct = add_event(db, anna, "chest_ct", date(2026, 9, 1))
    rows = overdue_rows(db, OverdueQuery(AS_OF))
    assert ids(rows) == [high_ct, high_mri, high_visit, low_ct, low_visit]
    assert [r.severity for r in rows] == ["critical", "critical", "high", "high", "high"]
    assert ids(overdue_rows(db, OverdueQuery(AS_OF, group="imaging"))) == [
        high_ct,
        high_mri,
        low_ct,
    ]
    assert ids(overdue_rows(db, OverdueQuery(AS_OF, kind="clinic_visit", risk="low"))) == [
        low_visit
    ]
    assert ids(
        overdue_rows(db, OverdueQuery(AS_OF, min_days=100, sort="days_overdue", descending=True))
    ) == [low_visit, low_ct, high_visit]
    assert ids(overdue_rows(db, OverdueQuery(AS_OF, sort="days_overdue")))[0] == high_mri
    assert overdue_rows(db, OverdueQuery(AS_OF, physician="Dr. Nobody")) == []
    assert len(overdue_rows(db, OverdueQuery(AS_OF, physician="Dr. Test"))) == 5
    page = overdue_rows(db, OverdueQuery(AS_OF), offset=1, limit=2)
    assert ids(page) == [high_mri, high_visit]
    with pytest.raises(BadInput, match="group"):
        overdue_rows(db, OverdueQuery(AS_OF, group="labs"))


def test_last_completed_of_the_same_kind(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    add_event(db, anna, "chest_ct", date(2025, 5, 1), "completed", closed_on=date(2025, 5, 3))
    add_event(db, anna, "chest_ct", date(2025, 8, 1), "completed", closed_on=date(2025, 8, 9))
    add_event(db, anna, "clinic_visit", date(2025, 12, 1), "completed", closed_on=date(2025, 12, 2))
    late = add_event(db, anna, "chest_ct", date(2026, 2, 1))
    [row] = overdue_rows(db, OverdueQuery(AS_OF))
    assert row.event_id == late and row.last_done == date(2025, 8, 9)


def test_acknowledge_and_note_are_audited(db: Database, people) -> None:  # type: ignore[no-untyped-def]
    scheduler, _ = people
    anna = add_patient(db, "1", "Smith", "Anna")
    first = add_event(db, anna, "chest_ct", date(2026, 2, 1))
    second = add_event(db, anna, "chest_ct", date(2026, 5, 1))
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert acknowledge(db, scheduler, [first, second], now) == 2
    add_note(db, scheduler, first, "Patient abroad until January")
    rows = {r.event_id: r for r in overdue_rows(db, OverdueQuery(AS_OF))}
    assert rows[first].acknowledged_by == "sam" and rows[first].note.startswith("Patient")
    assert rows[second].acknowledged_at is not None
    with pytest.raises(BadInput, match="selection"):
        acknowledge(db, scheduler, [], now)


def test_due_soon(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    closes_today = add_event(db, anna, "chest_ct", AS_OF)
    in_week = add_event(db, anna, "clinic_visit", date(2026, 11, 30))
    add_event(db, anna, "clinic_visit", date(2026, 12, 1))  # 8 days
    add_event(db, anna, "chest_ct", date(2026, 11, 22))  # already overdue
    rows = due_soon(db, OverdueQuery(AS_OF), 7)
    assert ids(rows) == [closes_today, in_week]
    assert [r.days_overdue for r in rows] == [0, -7]


def test_dashboard_counts_and_month_end_history(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    add_event(db, anna, "chest_ct", date(2026, 3, 15))  # overdue from 16 March on
    add_event(
        db, anna, "clinic_visit", date(2026, 5, 10), "completed", closed_on=date(2026, 7, 2)
    )  # overdue at the ends of May and June only
    add_event(db, anna, "clinic_visit", date(2026, 10, 10))
    board = dashboard(db, AS_OF)
    assert board.by_kind == {"chest_ct": 1, "clinic_visit": 1}
    assert board.by_physician == {"Dr. Test": 2} and board.total == 2
    ends = [d for d, _ in board.month_ends]
    assert ends[0] == date(2025, 11, 30) and ends[-1] == date(2026, 10, 31) and len(ends) == 12
    counts = dict(board.month_ends)
    assert counts[date(2026, 2, 28)] == 0
    assert counts[date(2026, 3, 31)] == 1
    assert counts[date(2026, 5, 31)] == 2
    assert counts[date(2026, 6, 30)] == 2
    assert counts[date(2026, 7, 31)] == 1
    assert counts[date(2026, 10, 31)] == 2


def test_pages_make_up_the_whole_list_in_every_order(
    db: Database, people, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The window's pages and the export are one statement: never a row more, less or moved."""
    generate_demo(db, 40, 3, AS_OF, TESTER)
    scheduler, _ = people
    some = [r.event_id for r in overdue_rows(db, OverdueQuery(AS_OF))[::9]]
    add_note(db, scheduler, some[0], "Called twice, no answer")
    acknowledge(db, scheduler, some, datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    for sort in SORT_KEYS:
        for descending in (False, True):
            query = OverdueQuery(AS_OF, sort=sort, descending=descending)
            whole = overdue_rows(db, query)
            pages = []
            while page := overdue_rows(db, query, offset=len(pages), limit=7):
                pages.extend(page)
            assert pages == whole, (sort, descending)
    assert len(whole) > 30
    # long lists read patients, notes and last completions whole instead of key by key
    monkeypatch.setattr(overdue, "WHOLE_TABLE", 5)
    assert overdue_rows(db, OverdueQuery(AS_OF)) == overdue_rows(
        db, OverdueQuery(AS_OF), offset=0, limit=10_000
    )
    rows = {r.event_id: r for r in overdue_rows(db, OverdueQuery(AS_OF))}
    assert rows[some[0]].note == "Called twice, no answer"
    assert all(rows[i].acknowledged_by == "sam" for i in some)
    assert any(r.last_done for r in rows.values())
