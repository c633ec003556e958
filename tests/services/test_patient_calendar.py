"""The patient's calendar file parsed back with ``icalendar``: UIDs per patient and stable,
withdrawn appointments cancelled with a higher SEQUENCE, the clinic's time zone, lengths per kind,
and text that names only the kind and the place."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from survtrack.domain.errors import BadInput
from survtrack.reports.patient_words import common
from survtrack.services.calendar import load_calendar
from survtrack.services.event_actions import book, cancel, reopen, reschedule
from survtrack.services.patient_calendar import patient_calendar_ics
from survtrack.store.engine import Database
from survtrack.store.models import Patient
from tests.clinic import clinic_settings
from tests.services.test_summaries import Setup, make_patient

NOW = datetime(2026, 11, 23, 9)


def events(data: bytes) -> dict[str, dict[str, object]]:
    """UID -> the event's fields, parsed back."""
    found = {}
    for event in Calendar.from_ical(data).walk("VEVENT"):
        found[str(event["UID"])] = {
            "start": event.decoded("dtstart"),
            "end": event.decoded("dtend"),
            "sequence": int(event["SEQUENCE"]),
            "status": str(event["STATUS"]),
            "summary": str(event["SUMMARY"]),
            "location": str(event.get("LOCATION", "")),
            "description": str(event["DESCRIPTION"]),
        }
    return found


@pytest.fixture
def workstation_in_tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The workstation's own zone is far from the clinic's: it must not matter."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _ct(setup: Setup) -> int:
    return next(e.id for e in load_calendar(setup.db, setup.pid) if e.state == "booked")


def test_times_come_from_the_clinic_zone_with_each_kinds_length(
    db: Database, workstation_in_tokyo: None
) -> None:
    setup = make_patient(db)
    with clinic_settings(db, time_zone="America/New_York"):
        [event] = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW)).values()
    # 10:30 in New York in December (EST, UTC-5) whatever the workstation's zone
    assert event["start"] == datetime(2026, 12, 8, 15, 30, tzinfo=UTC)
    assert event["end"] - event["start"] == timedelta(minutes=common().minutes["chest_ct"])
    mri = next(e for e in load_calendar(db, setup.pid) if e.kind == "primary_site_mri")
    book(db, setup.scheduler, mri.id, datetime(2027, 7, 1, 8, 0), "MRI suite", NOW)
    with clinic_settings(db, time_zone="Europe/Madrid"):
        found = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW))
    by_summary = {e["summary"]: e for e in found.values()}
    mri_event = by_summary["MRI scan where your tumour was"]
    assert mri_event["start"] == datetime(2027, 7, 1, 6, 0, tzinfo=UTC)  # CEST, UTC+2
    assert mri_event["end"] - mri_event["start"] == timedelta(minutes=60)


def test_uids_are_per_patient_stable_and_reveal_nothing(db: Database) -> None:
    first = make_patient(db, "MRN-A")
    second = make_patient(db, "MRN-B")
    with clinic_settings(db):
        a1 = events(patient_calendar_ics(db, first.scheduler, first.pid, NOW))
        a2 = events(patient_calendar_ics(db, first.scheduler, first.pid, NOW))
        b = events(patient_calendar_ics(db, second.scheduler, second.pid, NOW))
    assert len(a1) == len(b) == 1
    assert set(a1) == set(a2)  # stable across exports
    assert not set(a1) & set(b)  # never shared between patients (same event kinds and times)
    for uid in (*a1, *b):  # an HMAC of the patient's random key: no MRN, name or row id
        assert re.fullmatch(r"[0-9a-f]{32}@survtrack", uid)
    with db.read() as session:
        keys = {session.get(Patient, p).calendar_key for p in (first.pid, second.pid)}
    assert len(keys) == 2 and None not in keys


def test_a_patient_without_a_key_gets_one_at_the_first_export(db: Database) -> None:
    setup = make_patient(db)
    with db.write(setup.doctor.actor) as session:
        session.get(Patient, setup.pid).calendar_key = None  # as bulk-loaded rows have
    with clinic_settings(db):
        first = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW))
        again = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW))
    assert set(first) == set(again)


def test_a_withdrawn_appointment_is_cancelled_with_a_higher_sequence(db: Database) -> None:
    setup = make_patient(db)
    event_id = _ct(setup)
    with clinic_settings(db):
        [(uid, before)] = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW)).items()
        assert before["status"] == "CONFIRMED"
        reschedule(db, setup.scheduler, event_id, datetime(2026, 12, 9, 11, 0), None, NOW)
        moved = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW))[uid]
        assert moved["status"] == "CONFIRMED" and moved["sequence"] > before["sequence"]
        assert moved["start"] == datetime(2026, 12, 9, 16, 0, tzinfo=UTC)
        cancel(db, setup.scheduler, event_id, "patient asked")
        withdrawn = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW))[uid]
        assert withdrawn["status"] == "CANCELLED" and withdrawn["sequence"] > moved["sequence"]
        assert withdrawn["start"] == moved["start"]
        # and it stays withdrawn in every later file, without a new change
        later = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW))[uid]
        assert later["status"] == "CANCELLED" and later["sequence"] == withdrawn["sequence"]
        # booked again: back, with a higher sequence still
        reopen(db, setup.scheduler, event_id)
        book(db, setup.scheduler, event_id, datetime(2026, 12, 10, 9, 0), "Imaging", NOW)
        back = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW))[uid]
        assert back["status"] == "CONFIRMED" and back["sequence"] > later["sequence"]


def test_text_names_the_kind_and_place_only(db: Database) -> None:
    setup = make_patient(db)
    rules = {e.rule_id for e in load_calendar(db, setup.pid)}
    with clinic_settings(db, name="Northside Sarcoma Unit", email="clinic@example.org"):
        data = patient_calendar_ics(db, setup.scheduler, setup.pid, NOW)
    [event] = events(data).values()
    assert event["summary"] == "CT scan of your chest"
    assert event["location"] == "Imaging, Floor 2"
    assert event["description"] == "To change this appointment, call 555-0100."
    text = data.decode().lower()
    for word in (*rules, "sarcoma", "myxofibrosarcoma", "rule", "stage", "7700001", "okonkwo"):
        assert word.lower() not in text, word
    assert "TZID" not in data.decode() and "VTIMEZONE" not in data.decode()


def test_spanish_speaker_gets_spanish_text(db: Database) -> None:
    setup = make_patient(db, language="es")
    with clinic_settings(db):
        [event] = events(patient_calendar_ics(db, setup.scheduler, setup.pid, NOW)).values()
    assert event["summary"] == "Escáner (TAC) del pecho"
    assert event["description"] == "Para cambiar esta cita, llame al 555-0100."


def test_refused_without_a_time_zone_or_a_phone(db: Database) -> None:
    setup = make_patient(db)
    with (
        clinic_settings(db, time_zone=None),
        pytest.raises(BadInput, match="time zone: is not set"),
    ):
        patient_calendar_ics(db, setup.scheduler, setup.pid, NOW)
    with clinic_settings(db, phone=None), pytest.raises(BadInput, match="phone: is not set"):
        patient_calendar_ics(db, setup.scheduler, setup.pid, NOW)
