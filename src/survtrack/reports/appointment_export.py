"""A patient's upcoming appointments as an .ics file Outlook imports, and the clinic day as CSV.

iCalendar: METHOD:PUBLISH, a stable UID per event, DTSTAMP, ORGANIZER, times written in UTC (Outlook
mishandles the VTIMEZONE blocks ``icalendar`` generates). The text names the kind of appointment
and the place, never the diagnosis.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

APPOINTMENT_MINUTES = 30


@dataclass(frozen=True, slots=True)
class Appointment:
    event_id: int
    what: str  # e.g. "Chest CT"
    starts: datetime  # local wall-clock time at the clinic (naive) or aware
    location: str | None


def appointments_ics(
    appointments: Sequence[Appointment],
    clinic_name: str,
    clinic_email: str,
    clinic_phone: str,
    stamp: datetime | None = None,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//SurvTrack//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    for appointment in appointments:
        start = appointment.starts
        start_utc = (start.astimezone() if start.tzinfo is None else start).astimezone(UTC)
        event = Event()
        event.add("uid", f"followup-{appointment.event_id}@survtrack")
        event.add("dtstamp", stamp)
        event.add("dtstart", start_utc)
        event.add("dtend", start_utc + timedelta(minutes=APPOINTMENT_MINUTES))
        event.add("summary", f"{appointment.what} – {clinic_name}")
        if appointment.location:
            event.add("location", appointment.location)
        event.add(
            "description",
            f"Follow-up appointment at {clinic_name}. To change it, call {clinic_phone}.",
        )
        organizer = vCalAddress(f"mailto:{clinic_email}")
        organizer.params["cn"] = vText(clinic_name)
        event["organizer"] = organizer
        calendar.add_component(event)
    return calendar.to_ical()


CLINIC_DAY_COLUMNS = ("time", "mrn", "patient", "appointment", "location", "physician")


def clinic_day_csv(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CLINIC_DAY_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()
