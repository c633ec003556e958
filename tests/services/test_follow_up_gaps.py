"""Two corners of the closed follow-up loop, on both backends.

An appointment whose day passed with no outcome recorded is on the to-book list (first, saying
so) while its window is open, and on the overdue list once the window has ended; the dashboard
counts it. Death or discharge cancels what can no longer happen by the window rule: an event due
before the status date whose window is still open is cancelled with the reason, an appointment
booked for a later day too; an event already overdue, and an appointment on an earlier day, stay.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.calendar import EventRow, ends_follow_up, load_calendar
from survtrack.services.event_actions import book, cancel, complete, miss
from survtrack.services.overdue import OverdueQuery, dashboard, overdue_rows
from survtrack.services.patient_edit import set_status
from survtrack.services.worklists import clinic_day, outcome_missing_count, to_book
from survtrack.store.engine import Database
from tests.factories import register_anna

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
FAR = date(2027, 12, 31)


@pytest.fixture
def scheduler(db: Database) -> SignedIn:
    return ensure_user(db, "sam", "Sam", Role.SCHEDULER)


def registered(db: Database, user: SignedIn) -> int:
    """A high-risk thigh sarcoma operated on 2026-06-10: a clinic visit and a chest CT every three
    months (due 2026-09-10 and 2026-12-10, windows of 14 days each side), an MRI every six months
    (due 2026-12-10, window to 2027-01-09)."""
    return register_anna(db, user, TODAY)


def event(db: Database, patient_id: int, kind: str, due: date) -> EventRow:
    [found] = [e for e in load_calendar(db, patient_id) if e.kind == kind and e.due == due]
    return found


DECEMBER = date(2026, 12, 10)


def test_a_past_appointment_with_no_outcome_is_first_on_the_to_book_list(
    db: Database, scheduler: SignedIn
) -> None:
    patient_id = registered(db, scheduler)
    ct = event(db, patient_id, "chest_ct", DECEMBER)
    assert (ct.window_start, ct.window_end) == (date(2026, 11, 26), date(2026, 12, 24))
    book(db, scheduler, ct.id, datetime(2026, 11, 27, 10, 0), "CT suite", NOW)

    # the day has passed, nothing recorded: not a clinic-day appointment any more, not overdue
    # (the window is open): the head of the to-book list, saying why
    later = date(2026, 11, 30)
    rows = to_book(db, later)
    assert rows[0].event_id == ct.id and rows[0].outcome_missing
    assert rows[0].booked_at == datetime(2026, 11, 27, 10, 0)
    assert [r.outcome_missing for r in rows[1:]] == [False] * (len(rows) - 1)
    # it comes first although the MRI's window opened earlier
    assert any(r.kind == "primary_site_mri" and r.window_start < ct.window_start for r in rows)
    assert ct.id not in {r.event_id for r in clinic_day(db, later, FAR)}
    overdue = overdue_rows(db, OverdueQuery(later, section="all", acknowledged=True))
    assert ct.id not in {r.event_id for r in overdue}
    assert outcome_missing_count(db, later) == 1
    assert dashboard(db, later).outcome_missing == 1
    # pages of any size are slices of the same list
    for size in (1, 2):
        pages = [to_book(db, later, offset=o, limit=size) for o in range(0, len(rows) + 1, size)]
        assert [r for page in pages for r in page] == rows

    # the window ends with nothing recorded: overdue (still to book; the past booking is no
    # booking), no longer on the to-book list, and the dashboard counts it as overdue
    after = date(2026, 12, 25)
    assert ct.id not in {r.event_id for r in to_book(db, after)}
    assert ct.id in {r.event_id for r in to_book(db, after, include_overdue=True)}
    [row] = [
        r
        for r in overdue_rows(db, OverdueQuery(after, section="to_book", acknowledged=True))
        if r.kind == "chest_ct"
    ]
    assert row.slots == 2 and not row.booked  # September's CT and this one
    board = dashboard(db, after)
    assert board.outcome_missing == 0 and board.by_kind["chest_ct"] == 1

    # the scheduler records the result: off the list, and the dashboard count follows
    complete(db, scheduler, ct.id, date(2026, 11, 27), "ned", later)
    assert ct.id not in {r.event_id for r in to_book(db, later)}
    assert dashboard(db, later).outcome_missing == 0


def test_a_no_show_recorded_late_is_an_ordinary_event_to_book(
    db: Database, scheduler: SignedIn
) -> None:
    patient_id = registered(db, scheduler)
    visit = event(db, patient_id, "clinic_visit", DECEMBER)
    book(db, scheduler, visit.id, datetime(2026, 11, 27, 9, 0), "Clinic", NOW)
    later = date(2026, 12, 2)
    assert [r.outcome_missing for r in to_book(db, later) if r.event_id == visit.id] == [True]
    miss(db, scheduler, visit.id, later)
    [row] = [r for r in to_book(db, later) if r.event_id == visit.id]
    assert (row.state, row.outcome_missing, row.booked_at) == ("missed", False, None)
    assert outcome_missing_count(db, later) == 0


def test_leaving_follow_up_cancels_by_the_window_not_the_due_date(
    db: Database, scheduler: SignedIn
) -> None:
    """Anna dies on 15 December 2026, recorded the next day. In her calendar the user sees:
    September's visit and CT, overdue before she died, as they were; December's MRI (due on the
    10th, its window open to 9 January) cancelled with "patient deceased on 2026-12-15", like
    everything due later; the visit booked for the 18th cancelled the same way and gone from that
    clinic day; the CT done on the 14th still booked, so its result can be recorded."""
    patient_id = registered(db, scheduler)
    visit = event(db, patient_id, "clinic_visit", DECEMBER)
    ct = event(db, patient_id, "chest_ct", DECEMBER)
    mri = event(db, patient_id, "primary_site_mri", DECEMBER)
    book(db, scheduler, visit.id, datetime(2026, 12, 18, 9, 0), "Clinic", NOW)
    book(db, scheduler, ct.id, datetime(2026, 12, 14, 11, 0), "CT suite", NOW)
    assert [r.event_id for r in clinic_day(db, date(2026, 12, 18))] == [visit.id]

    death = date(2026, 12, 15)
    change = set_status(db, scheduler, patient_id, "deceased", death, date(2026, 12, 16))
    after = {e.id: e for e in load_calendar(db, patient_id)}
    reason = "patient deceased on 2026-12-15"
    assert (after[mri.id].state, after[mri.id].reason) == ("cancelled", reason)
    assert (after[visit.id].state, after[visit.id].reason) == ("cancelled", reason)
    assert after[ct.id].state == "booked"
    september = [e for e in after.values() if e.due == date(2026, 9, 10)]
    assert {e.kind for e in september} == {"clinic_visit", "chest_ct"}
    assert all(e.state == "planned" and e.reason is None for e in september)
    later = [e for e in after.values() if e.due > death]
    assert later and all((e.state, e.reason) == ("cancelled", reason) for e in later)
    assert change.cancelled == 2 + len(later)
    assert clinic_day(db, date(2026, 12, 18)) == []
    # nothing of hers is on a list; the CT's result can still be recorded
    assert to_book(db, date(2026, 12, 16), weeks=52, include_overdue=True) == []
    complete(db, scheduler, ct.id, date(2026, 12, 14), "ned", date(2026, 12, 16))
    assert event(db, patient_id, "chest_ct", DECEMBER).state == "completed"
    # regenerating again (any later change) cancels nothing more
    again = set_status(db, scheduler, patient_id, "deceased", death, date(2026, 12, 17))
    assert again.cancelled == 0


@pytest.mark.parametrize(
    ("state", "due", "window_end", "booked_at", "cancelled"),
    [
        ("planned", date(2026, 12, 10), date(2027, 1, 9), None, True),  # window open
        ("missed", date(2026, 12, 10), date(2026, 12, 15), None, True),  # closes that day
        ("planned", date(2026, 9, 10), date(2026, 9, 24), None, False),  # already overdue
        ("planned", date(2027, 3, 10), date(2027, 3, 24), None, True),  # later
        ("booked", date(2026, 12, 10), date(2026, 12, 24), datetime(2026, 12, 15, 8), True),
        ("booked", date(2026, 12, 10), date(2026, 12, 24), datetime(2026, 12, 14, 8), False),
        ("booked", date(2026, 9, 10), date(2026, 9, 24), datetime(2027, 1, 5, 8), True),
        ("completed", date(2027, 3, 10), date(2027, 3, 24), None, False),
    ],
)
def test_the_window_rule_of_leaving_follow_up(
    state: str, due: date, window_end: date, booked_at: datetime | None, cancelled: bool
) -> None:
    assert ends_follow_up(state, due, window_end, booked_at, date(2026, 12, 15)) is cancelled


def test_back_in_follow_up_the_cancelled_calendar_is_planned_again(
    db: Database, scheduler: SignedIn
) -> None:
    """Anna is discharged on 15 December 2026 and referred back on 20 January 2027: what her
    discharge cancelled is planned again (the calendar says so: "planned again"), the visit that
    had been booked for the 18th without its booking; what had a window open in her absence is
    overdue, what lies ahead is to book as its window opens. Her own cancellations stay."""
    patient_id = registered(db, scheduler)
    visit = event(db, patient_id, "clinic_visit", DECEMBER)
    mri = event(db, patient_id, "primary_site_mri", DECEMBER)
    book(db, scheduler, visit.id, datetime(2026, 12, 18, 9, 0), "Clinic", NOW)
    set_status(db, scheduler, patient_id, "discharged", date(2026, 12, 15), date(2026, 12, 16))
    cancelled = [e for e in load_calendar(db, patient_id) if e.state == "cancelled"]
    assert {e.reason for e in cancelled} == {"patient discharged on 2026-12-15"}

    back = date(2027, 1, 20)
    change = set_status(db, scheduler, patient_id, "active", None, back)
    assert change.reopened == len(cancelled) and "planned again" in change.summary()
    after = {e.id: e for e in load_calendar(db, patient_id)}
    assert all((after[e.id].state, after[e.id].reason) == ("planned", None) for e in cancelled)
    assert (after[visit.id].booked_at, after[visit.id].location) == (None, None)
    overdue = overdue_rows(db, OverdueQuery(back, section="all", acknowledged=True))
    assert {(r.kind, r.slots) for r in overdue} == {
        ("clinic_visit", 2),
        ("chest_ct", 2),
        ("primary_site_mri", 1),
    }
    assert mri.id in {r.event_id for r in overdue}
    march = {r.event_id for r in to_book(db, back, weeks=8)}
    assert {e.id for e in after.values() if e.due == date(2027, 3, 10)} <= march
    assert clinic_day(db, date(2026, 12, 18)) == []
    # a cancellation of her own is not undone by a later return
    [june] = [e for e in after.values() if e.due == date(2027, 6, 10) and e.kind == "chest_ct"]
    cancel(db, scheduler, june.id, "done at another hospital")
    set_status(db, scheduler, patient_id, "discharged", date(2027, 1, 21), date(2027, 1, 21))
    again = set_status(db, scheduler, patient_id, "active", None, date(2027, 1, 22))
    assert event(db, patient_id, "chest_ct", date(2027, 6, 10)).reason == (
        "done at another hospital"
    )
    assert again.reopened > 0
