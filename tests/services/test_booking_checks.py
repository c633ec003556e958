"""Double bookings, the next open day and whose event it is (issue 15, point 4), both backends."""

from __future__ import annotations

from datetime import date, datetime, time

from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.services.booking_checks import (
    ClinicDayGrid,
    clinic_day_grid,
    double_bookings,
    event_patient,
    next_open_day,
)
from survtrack.store.engine import Database
from tests.factories import add_event, add_patient

DAY = date(2026, 11, 25)  # a Wednesday
GRID = ClinicDayGrid(time(8), time(17), 15, 2)


def test_the_shipped_grid_is_eight_to_five_in_quarter_hours() -> None:
    grid = clinic_day_grid()
    slots = grid.slots(DAY)
    assert (slots[0].strftime("%H:%M"), slots[-1].strftime("%H:%M"), len(slots)) == (
        "08:00",
        "16:45",
        36,
    )
    assert grid.slot_of(datetime(2026, 11, 25, 9, 20)) == datetime(2026, 11, 25, 9, 15)


def test_same_patient_twice_and_a_full_slot_are_named(db: Database) -> None:
    ada = add_patient(db, "1", "Okafor", "Ada")
    ben = add_patient(db, "2", "Berg", "Ben")
    cy = add_patient(db, "3", "Cole", "Cy")
    add_event(db, ada, "chest_ct", DAY, "booked", booked_at=datetime(2026, 11, 25, 11, 0))
    add_event(db, ben, "clinic_visit", DAY, "booked", booked_at=datetime(2026, 11, 25, 9, 0))
    add_event(db, cy, "clinic_visit", DAY, "booked", booked_at=datetime(2026, 11, 25, 9, 5))
    visit = add_event(db, ada, "clinic_visit", DAY)

    who = event_patient(db, visit)
    assert who is not None and (who.patient, who.mrn) == ("Okafor, Ada", "1")

    at_nine = double_bookings(db, visit, ada, datetime(2026, 11, 25, 9, 10), "", GRID)
    assert at_nine == [
        "This patient already has an appointment that day: Chest CT at 11:00.",
        "2 other appointments already at 09:00 in no location (the clinic books 2 per "
        "15-minute slot).",
    ]
    # another slot, another day: nothing to say
    assert double_bookings(db, visit, ada, datetime(2026, 11, 26, 9, 0), "", GRID) == []
    quiet = double_bookings(db, visit, ada, datetime(2026, 11, 25, 10, 0), "Room 2", GRID)
    assert quiet == ["This patient already has an appointment that day: Chest CT at 11:00."]


def test_next_open_day_skips_the_weekend_and_closures() -> None:
    calendar = ClinicCalendar(closures=[date(2026, 11, 30)])
    assert next_open_day(calendar, date(2026, 11, 27)) == date(2026, 11, 27)  # a Friday
    assert next_open_day(calendar, date(2026, 11, 28)) == date(2026, 12, 1)  # Sat -> Tue
