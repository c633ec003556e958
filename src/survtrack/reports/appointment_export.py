"""A patient's appointments as an .ics file Outlook imports, and the clinic day as CSV.

iCalendar: METHOD:PUBLISH; each event's UID is given by the caller (derived from the patient's
random calendar key, unique per patient and stable across exports); SEQUENCE grows with every
change and a withdrawn appointment is sent again with STATUS:CANCELLED so calendars remove it.
Times are aware datetimes converted from the clinic's zone by the caller and written in UTC
(Outlook mishandles the VTIMEZONE blocks ``icalendar`` generates). The text names the kind of
appointment and the place only: never the diagnosis, a rule or the clinic's name (which may name
the disease).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event


def event_uid(key_hex: str, name: str) -> str:
    """A UID from a per-patient random key and a name for the event (HMAC-SHA256): the same for
    every export of that patient, different for every other patient, and revealing nothing."""
    digest = hmac.new(bytes.fromhex(key_hex), name.encode(), hashlib.sha256).hexdigest()
    return f"{digest[:32]}@survtrack"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    uid: str
    what: str  # the kind in the patient's words, e.g. "CT scan of your chest"
    starts: datetime  # aware
    minutes: int
    location: str | None
    sequence: int
    cancelled: bool = False


def appointments_ics(
    entries: Sequence[CalendarEntry],
    phone: str,
    change_text: str = "To change this appointment, call {phone}.",
    email: str = "",
    stamp: datetime | None = None,
) -> bytes:
    if any(entry.starts.tzinfo is None for entry in entries):
        raise ValueError("appointment times must be aware (converted from the clinic's zone)")
    calendar = Calendar()
    calendar.add("prodid", "-//SurvTrack//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    for entry in entries:
        start = entry.starts.astimezone(UTC)
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=entry.minutes))
        event.add("sequence", entry.sequence)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        event.add("summary", entry.what)
        if entry.location:
            event.add("location", entry.location)
        event.add("description", change_text.format(phone=phone))
        if email:
            event.add("organizer", f"mailto:{email}")
        calendar.add_component(event)
    return calendar.to_ical()


CLINIC_DAY_COLUMNS = ("time", "mrn", "patient", "appointment", "location", "physician")


def clinic_day_csv(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CLINIC_DAY_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()
