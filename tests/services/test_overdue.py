"""The overdue definition at its edges, filters, sorting, actions and the dashboard."""

from __future__ import annotations

from datetime import date, datetime

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
    add_event(db, anna, "chest_ct", AS_OF)
    yesterday = add_event(db, anna, "chest_ct", date(2026, 11, 22))
    add_event(db, anna, "clinic_visit", date(2026, 10, 1), "completed", closed_on=date(2026, 11, 1))
    add_event(db, anna, "primary_site_mri", date(2026, 9, 1), "waived", closed_on=date(2026, 9, 5))
    booked_passed = add_event(
        db, anna, "clinic_visit", date(2026, 11, 10), "booked", booked_at=datetime(2026, 11, 9, 9)
    )
    cancelled = add_event(db, anna, "echocardiogram", date(2026, 7, 1), "cancelled")
    add_event(db, anna, "chest_ct", date(2026, 6, 1), "superseded")
    bob = add_patient(db, "2", "Dead", "Bob")
    add_event(db, bob, "chest_ct", date(2026, 1, 1))
    with db.write(TESTER) as session:
        patient = session.get(Patient, bob)
        assert patient is not None
        patient.status, patient.status_date = "deceased", date(2026, 2, 1)

    rows = overdue_rows(db, OverdueQuery(AS_OF, sort="window_end"))
    # one row per patient and kind; the completed visit of 1 November does not cover a visit
    # whose window opened after it; nothing of the deceased patient
    assert ids(rows) == [cancelled, booked_passed, yesterday]
    by_id = {r.event_id: r for r in rows}
    assert by_id[yesterday].days_overdue == 1 and by_id[yesterday].slots == 1
    # a booking whose day passed without a result is not a booking: the row still needs one
    assert not by_id[booked_passed].booked
    assert overdue_count(db, OverdueQuery(AS_OF)) == 3
    # a day later, today's chest CT is a second missed slot of the same row
    [ct] = [r for r in overdue_rows(db, OverdueQuery(date(2026, 11, 24))) if r.kind == "chest_ct"]
    assert ct.event_id == yesterday and ct.slots == 2


def test_one_row_per_patient_and_kind_with_missed_slots_and_last_done(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    add_event(db, anna, "chest_ct", date(2025, 5, 1), "completed", closed_on=date(2025, 5, 3))
    oldest = add_event(db, anna, "chest_ct", date(2025, 9, 1), "missed")
    add_event(db, anna, "chest_ct", date(2025, 12, 1))
    add_event(db, anna, "chest_ct", date(2026, 3, 1), "cancelled")
    [row] = overdue_rows(db, OverdueQuery(AS_OF))
    assert (row.event_id, row.slots, row.last_done) == (oldest, 3, date(2025, 5, 3))
    assert row.severity == "critical"  # high-risk imaging, over a year late


def test_severity_separates_rows(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    recent_ct = add_event(db, anna, "chest_ct", date(2026, 11, 10))
    late_visit = add_event(db, anna, "clinic_visit", date(2026, 1, 1))
    recent_rehab = add_event(db, anna, "pt_assessment", date(2026, 11, 1))
    bob = add_patient(db, "2", "Jones", "Bob")
    old_ct = add_event(db, bob, "chest_ct", date(2026, 6, 1))
    low_xray = add_event(db, bob, "chest_xray", date(2026, 11, 1), risk="low")
    rows = overdue_rows(db, OverdueQuery(AS_OF))
    assert [(r.event_id, r.severity) for r in rows] == [
        (old_ct, "critical"),
        (late_visit, "high"),
        (recent_ct, "high"),
        (low_xray, "moderate"),
        (recent_rehab, "low"),
    ]


def test_filters_and_sorting(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    low_visit = add_event(db, anna, "clinic_visit", date(2026, 1, 1), risk="low")
    low_ct = add_event(db, anna, "chest_xray", date(2026, 2, 1), risk="low")
    high_mri = add_event(db, anna, "primary_site_mri", date(2026, 10, 1))
    high_ct = add_event(db, anna, "chest_ct", date(2026, 9, 1))
    assert set(ids(overdue_rows(db, OverdueQuery(AS_OF, group="imaging")))) == {
        high_ct,
        high_mri,
        low_ct,
    }
    assert ids(overdue_rows(db, OverdueQuery(AS_OF, kind="clinic_visit", risk="low"))) == [
        low_visit
    ]
    assert ids(
        overdue_rows(db, OverdueQuery(AS_OF, min_days=100, sort="days_overdue", descending=True))
    ) == [low_visit, low_ct]
    assert ids(overdue_rows(db, OverdueQuery(AS_OF, sort="days_overdue")))[0] == high_mri
    with pytest.raises(BadInput, match="group"):
        overdue_rows(db, OverdueQuery(AS_OF, group="labs"))


def test_physician_filter_matches_part_of_a_name(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    with db.write(TESTER) as session:
        patient = session.get(Patient, anna)
        assert patient is not None
        patient.physician = "Dr. Lucia Moretti"
    ct = add_event(db, anna, "chest_ct", date(2026, 9, 1))
    for typed in ("Moretti", "moretti", " lucia mor", "Dr. Lucia Moretti"):
        assert ids(overdue_rows(db, OverdueQuery(AS_OF, physician=typed))) == [ct], typed
    assert overdue_rows(db, OverdueQuery(AS_OF, physician="Rossi")) == []
    overdue.check_physician_filter(db, OverdueQuery(AS_OF, physician="moretti"))
    with pytest.raises(BadInput, match="physician"):
        overdue.check_physician_filter(db, OverdueQuery(AS_OF, physician="Rossi"))
    # a wildcard typed by the user is a character, not a pattern
    with pytest.raises(BadInput, match="physician"):
        overdue.check_physician_filter(db, OverdueQuery(AS_OF, physician="%"))


def test_booked_late_rows_are_kept_apart(db: Database) -> None:
    anna = add_patient(db, "1", "Smith", "Anna")
    missed = add_event(db, anna, "chest_ct", date(2026, 9, 1), "missed")
    rebooked = add_event(
        db, anna, "chest_ct", date(2026, 12, 20), "booked", booked_at=datetime(2026, 12, 8, 10, 30)
    )
    visit = add_event(db, anna, "clinic_visit", date(2026, 10, 1))
    to_book = overdue_rows(db, OverdueQuery(AS_OF))
    late = overdue_rows(db, OverdueQuery(AS_OF, section="booked_late"))
    assert ids(to_book) == [visit]
    assert ids(late) == [missed]
    assert late[0].booked and late[0].booking_event_id == rebooked
    assert late[0].booked_at == datetime(2026, 12, 8, 10, 30)
    assert ids(overdue_rows(db, OverdueQuery(AS_OF, section="all"))) == ids(to_book + late) or set(
        ids(overdue_rows(db, OverdueQuery(AS_OF, section="all")))
    ) == {visit, missed}
    board = dashboard(db, AS_OF)
    assert (board.total, board.booked_late) == (1, 1)


def test_hidden_rows_come_back_on_their_day_or_when_they_change(db: Database, people) -> None:  # type: ignore[no-untyped-def]
    _, doctor = people
    anna = add_patient(db, "1", "Smith", "Anna")
    first = add_event(db, anna, "chest_ct", date(2026, 9, 1))
    visit = add_event(db, anna, "clinic_visit", date(2026, 9, 1))
    rows = overdue_rows(db, OverdueQuery(AS_OF))
    ct_row = next(r for r in rows if r.event_id == first)
    with pytest.raises(BadInput, match="Hide until"):
        acknowledge(db, doctor, [ct_row], AS_OF, AS_OF)
    with pytest.raises(BadInput, match="selection"):
        acknowledge(db, doctor, [], date(2026, 12, 7), AS_OF)
    assert acknowledge(db, doctor, [ct_row], date(2026, 12, 7), AS_OF) == 1
    assert ids(overdue_rows(db, OverdueQuery(AS_OF))) == [visit]
    shown = overdue_rows(db, OverdueQuery(AS_OF, acknowledged=True))
    hidden = next(r for r in shown if r.event_id == first)
    assert hidden.snoozed_until == date(2026, 12, 7) and hidden.acknowledged_by == "doc"
    # back on the chosen day
    assert first in ids(overdue_rows(db, OverdueQuery(date(2026, 12, 7))))
    # back as soon as something changes: a second slot of the same kind is missed
    add_event(db, anna, "chest_ct", date(2026, 11, 20))
    assert first in ids(overdue_rows(db, OverdueQuery(AS_OF)))


def test_notes_are_audited(db: Database, people) -> None:  # type: ignore[no-untyped-def]
    scheduler, _ = people
    anna = add_patient(db, "1", "Smith", "Anna")
    first = add_event(db, anna, "chest_ct", date(2026, 2, 1))
    add_note(db, scheduler, first, "Patient abroad until January")
    [row] = overdue_rows(db, OverdueQuery(AS_OF))
    assert row.note == "Patient abroad until January"
    with db.read() as session:
        from sqlalchemy import select

        from survtrack.store.models import AuditEntry

        actions = session.scalars(
            select(AuditEntry.username).where(AuditEntry.entity == "followup_events")
        ).all()
    assert "sam" in actions


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


def test_pages_make_up_the_whole_list_in_every_order(db: Database, people) -> None:  # type: ignore[no-untyped-def]
    """The window's pages and the export are one list: never a row more, less or moved."""
    generate_demo(db, 400, 3, AS_OF, TESTER)
    scheduler, doctor = people
    everything = overdue_rows(db, OverdueQuery(AS_OF, section="all"))
    assert len(everything) >= 3
    add_note(db, scheduler, everything[0].event_id, "Called twice, no answer")
    acknowledge(db, doctor, everything[1:2], date(2026, 12, 1), AS_OF)
    for section, sort, descending in [
        *(("all", sort, descending) for sort in SORT_KEYS for descending in (False, True)),
        ("to_book", "default", False),
        ("booked_late", "patient", True),
    ]:
        query = OverdueQuery(AS_OF, sort=sort, descending=descending, section=section)
        whole = overdue_rows(db, query)
        size = max(2, len(whole) // 4)
        pages = []
        while page := overdue_rows(db, query, offset=len(pages), limit=size):
            pages.extend(page)
        assert pages == whole, (section, sort, descending)
    rows = {r.event_id: r for r in overdue_rows(db, OverdueQuery(AS_OF, section="all"))}
    assert rows[everything[0].event_id].note == "Called twice, no answer"
    assert everything[1].event_id not in rows
