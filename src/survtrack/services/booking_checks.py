"""What the booking dialog checks before a booking: whose event it is, the next open clinic day
when the suggested date has passed, and double bookings (the same patient twice on one day, or
more appointments at one slot and location than the clinic day allows).

The clinic day grid (first and last slot, slot length, appointments per slot) is data:
``resources/clinic_day/clinic_day.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.domain.events import EventKind
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.resources import resource
from survtrack.services.worklists import WorklistRow, clinic_day
from survtrack.store.engine import Database
from survtrack.store.models import FollowUpEvent, Patient


@dataclass(frozen=True, slots=True)
class ClinicDayGrid:
    day_start: time
    day_end: time
    slot_minutes: int
    appointments_per_slot: int

    def slots(self, day: date) -> list[datetime]:
        """Every slot start from the first slot to the last one before the day ends."""
        at = datetime.combine(day, self.day_start)
        end = datetime.combine(day, self.day_end)
        found = []
        while at < end:
            found.append(at)
            at += timedelta(minutes=self.slot_minutes)
        return found

    def slot_of(self, when: datetime) -> datetime:
        """The start of the slot ``when`` falls in (slots counted from midnight)."""
        minutes = when.hour * 60 + when.minute
        start = minutes - minutes % self.slot_minutes
        return datetime.combine(when.date(), time(start // 60, start % 60))


def _time(key: str, text: object) -> time:
    try:
        return datetime.strptime(str(text), "%H:%M").time()
    except ValueError:
        raise BadInput(f"clinic_day.toml {key}", f"{text!r} is not a time HH:MM") from None


@lru_cache(maxsize=1)
def clinic_day_grid() -> ClinicDayGrid:
    data = tomllib.loads(resource("clinic_day", "clinic_day.toml").read_text(encoding="utf-8"))
    grid = ClinicDayGrid(
        _time("day_start", data["day_start"]),
        _time("day_end", data["day_end"]),
        int(data["slot_minutes"]),
        int(data["appointments_per_slot"]),
    )
    if grid.slot_minutes <= 0 or grid.appointments_per_slot <= 0 or grid.day_end <= grid.day_start:
        raise BadInput("clinic_day.toml", "needs day_start before day_end and positive numbers")
    return grid


@dataclass(frozen=True, slots=True)
class EventPatient:
    patient_id: int
    patient: str
    mrn: str


def event_patient(db: Database, event_id: int) -> EventPatient | None:
    """Whose event this is (the booking dialog names the patient)."""
    with db.read() as session:
        row = session.execute(
            select(Patient.id, Patient.family_name, Patient.given_name, Patient.mrn)
            .join(FollowUpEvent, FollowUpEvent.patient_id == Patient.id)
            .where(FollowUpEvent.id == event_id)
        ).first()
    if row is None:
        return None
    return EventPatient(row[0], f"{row[1]}, {row[2]}", row[3])


def next_open_day(calendar: ClinicCalendar, today: date) -> date:
    """Today if the clinic is open, else the next open day (a year ahead at most)."""
    for offset in range(366):
        day = today + timedelta(days=offset)
        if calendar.is_open(day):
            return day
    return today


def double_bookings(
    db: Database,
    event_id: int,
    patient_id: int,
    when: datetime,
    location: str,
    grid: ClinicDayGrid | None = None,
) -> list[str]:
    """Warnings, in words, for booking ``event_id`` at ``when`` in ``location``: the patient's other
    appointments that day, and a slot already full at that location. Empty when all is clear."""
    grid = grid or clinic_day_grid()
    others = [r for r in clinic_day(db, when.date()) if r.event_id != event_id]
    warnings = []
    same_patient = [r for r in others if r.patient_id == patient_id]
    if same_patient:
        listed = ", ".join(_appointment(r) for r in same_patient)
        warnings.append(f"This patient already has an appointment that day: {listed}.")
    slot = grid.slot_of(when)
    place = location.strip().casefold()
    in_slot = [
        r
        for r in others
        if r.booked_at is not None
        and grid.slot_of(r.booked_at) == slot
        and (r.location or "").strip().casefold() == place
    ]
    if len(in_slot) >= grid.appointments_per_slot:
        where = location.strip() or "no location"
        warnings.append(
            f"{len(in_slot)} other appointment{'s' if len(in_slot) != 1 else ''} already at "
            f"{slot.strftime('%H:%M')} in {where} (the clinic books "
            f"{grid.appointments_per_slot} per {grid.slot_minutes}-minute slot)."
        )
    return warnings


def _appointment(r: WorklistRow) -> str:
    at = r.booked_at.strftime("%H:%M") if r.booked_at else ""
    return f"{EventKind(r.kind).label} at {at}" + (f" ({r.location})" if r.location else "")
