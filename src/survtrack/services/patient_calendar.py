"""A patient's appointments as a calendar file (.ics) the patient imports, kept in step over time.

Each event's UID is derived from the patient's random calendar key (``patients.calendar_key``) and
the event's id, so it is the same in every export of that patient and never shared with another
patient, and it reveals neither MRN nor name. Booked times are wall-clock times at the clinic:
they are converted from the clinic's time zone (``clinic.toml`` ``time_zone``), never from the
workstation's. What each file said is remembered (``calendar_exports``): an appointment that is
no longer booked goes out again with STATUS:CANCELLED and a higher SEQUENCE so the patient's
calendar withdraws it. The text names the kind (in the patient's language) and the place only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from secrets import token_hex

from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.domain.events import EventState
from survtrack.reports.appointment_export import CalendarEntry, appointments_ics, event_uid
from survtrack.reports.patient_words import DEFAULT_LANGUAGE, common, summary_language, words
from survtrack.services.auth import SignedIn
from survtrack.services.clinic_settings import ClinicInfo, clinic_info
from survtrack.store.engine import Database
from survtrack.store.models import CalendarExport, FollowUpEvent, Patient


def calendar_entries(
    db: Database, user: SignedIn, patient_id: int, now: datetime, clinic: ClinicInfo
) -> list[CalendarEntry]:
    """This export's events (booked from ``now`` on, and withdrawn ones), remembered as sent.

    ``now`` is a wall-clock time at the clinic (naive) or an aware time.
    """
    zone = clinic.zone()
    now_utc = (now.replace(tzinfo=zone) if now.tzinfo is None else now).astimezone(UTC)
    minutes = common().minutes
    entries: list[CalendarEntry] = []
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        if not patient.calendar_key:
            patient.calendar_key = token_hex(16)
        key = patient.calendar_key
        language = summary_language(patient.language) or DEFAULT_LANGUAGE
        w = words(language)
        sent = {
            row.event_id: row
            for row in session.scalars(
                select(CalendarExport).where(CalendarExport.patient_id == patient_id)
            )
        }
        events = session.scalars(
            select(FollowUpEvent).where(
                FollowUpEvent.patient_id == patient_id,
                FollowUpEvent.state == EventState.BOOKED.value,
                FollowUpEvent.booked_at.is_not(None),
            )
        ).all()
        booked_ids = set()
        for event in events:
            assert event.booked_at is not None
            starts = event.booked_at.replace(tzinfo=zone).astimezone(UTC)
            if starts < now_utc:
                continue
            booked_ids.add(event.id)
            row = sent.get(event.id)
            starts_naive = starts.replace(tzinfo=None)
            if row is None:
                row = CalendarExport(
                    patient_id=patient_id,
                    event_id=event.id,
                    kind=event.kind,
                    starts_utc=starts_naive,
                    location=event.location,
                    sequence=event.version,
                    cancelled=False,
                )
                session.add(row)
            elif (
                row.cancelled
                or row.starts_utc != starts_naive
                or row.location != event.location
                or row.kind != event.kind
            ):
                row.sequence = max(row.sequence + 1, event.version)
                row.kind, row.starts_utc, row.location = event.kind, starts_naive, event.location
                row.cancelled = False
            entries.append(
                CalendarEntry(
                    event_uid(key, f"event|{event.id}"),
                    w(f"kinds.{event.kind}.name"),
                    starts,
                    minutes[event.kind],
                    event.location,
                    row.sequence,
                )
            )
        for event_id, row in sent.items():
            if event_id in booked_ids:
                continue
            if not row.cancelled:
                row.cancelled, row.sequence = True, row.sequence + 1
            starts = row.starts_utc.replace(tzinfo=UTC)
            if starts < now_utc:
                continue  # a past appointment: nothing left to withdraw
            entries.append(
                CalendarEntry(
                    event_uid(key, f"event|{event_id}"),
                    w(f"kinds.{row.kind}.name"),
                    starts,
                    minutes[row.kind],
                    row.location,
                    row.sequence,
                    cancelled=True,
                )
            )
    return sorted(entries, key=lambda e: (e.starts, e.uid))


def patient_calendar_ics(
    db: Database,
    user: SignedIn,
    patient_id: int,
    now: datetime,
    clinic: ClinicInfo | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """The .ics file; refused while the clinic's phone or time zone is not set."""
    clinic = clinic or clinic_info(db)
    phone = clinic.require_phone()
    clinic.zone()
    entries = calendar_entries(db, user, patient_id, now, clinic)
    with db.read() as session:
        language = session.scalar(select(Patient.language).where(Patient.id == patient_id))
    w = words(summary_language(language) or DEFAULT_LANGUAGE)
    return appointments_ics(entries, phone, w.get("words.calendar_change"), clinic.email, stamp)
