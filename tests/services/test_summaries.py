"""After-visit summaries read back from the PDF, the clinic template, and the .ics export."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from survtrack.reports.appointment_export import clinic_day_csv
from survtrack.reports.avs_pdf import write_pdf
from survtrack.reports.avs_template import TemplateError
from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.event_actions import book
from survtrack.services.locations import data_dir
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.services.side_effects import add_side_effect
from survtrack.services.visits import (
    VisitInput,
    find_visit,
    patient_calendar_ics,
    record_visit,
    summary_html,
)
from survtrack.store.engine import Database

TODAY = date(2026, 11, 23)


def pdf_text(path: Path) -> str:
    """The PDF's text with white space folded and ligatures (ﬁ, ﬀ) spelt out."""
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture
def patient(sqlite_db: Database) -> tuple[SignedIn, int]:
    db = sqlite_db
    user = ensure_user(db, "doc", "Dr Amara Okafor", Role.PHYSICIAN)
    pid = create_patient(
        db, user, PatientInput("7700001", "Okonkwo", "Ada", date(1971, 6, 30), "female"), TODAY
    )
    save_tumour(
        db,
        user,
        pid,
        TumourInput(
            site="extremity",
            limb="lower",
            laterality="left",
            histology="myxofibrosarcoma",
            grade="3",
            size_cm=8.0,
        ),
        TODAY,
    )
    save_treatment(
        db, user, pid, TreatmentInput("surgery", date(2026, 7, 15), procedure="limb_sparing"), TODAY
    )
    add_side_effect(
        db,
        user,
        pid,
        "Lymphedema",
        "radiation",
        date(2026, 9, 1),
        2,
        TODAY,
        "Wear the compression stocking every day.",
    )
    upcoming = next(e for e in load_calendar(db, pid) if e.due > TODAY)
    book(
        db,
        user,
        upcoming.id,
        datetime(2026, 12, 15, 9, 30),
        "Imaging, Floor 2",
        datetime(2026, 11, 23, 9),
    )
    record_visit(
        db,
        user,
        pid,
        VisitInput(
            TODAY,
            "Dr Amara Okafor",
            "Room 4",
            "3-month check",
            "No sign of recurrence.",
            "Chest CT clear",
            "",
            "Continue surveillance.",
            "Keep the leg raised.",
        ),
        TODAY,
    )
    return user, pid


def test_summary_pdf_has_every_section_and_the_next_appointments(
    sqlite_db: Database, patient, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _, pid = patient
    visit = find_visit(sqlite_db, pid, None)
    path = tmp_path / "avs.pdf"
    assert write_pdf([summary_html(sqlite_db, pid, visit)], path) <= 2
    text = pdf_text(path)
    for expected in (
        "Sarcoma Follow-up Clinic",
        "After-visit summary",
        "Ada Okonkwo",
        "MRN 7700001",
        "Born 1971-06-30",
        "Seen by Dr Amara Okafor at Room 4",
        "Your diagnosis",
        "myxofibrosarcoma) of the left lower limb, stage IIIA",
        "Surgery: limb sparing, 2026-07-15",
        "What we found: No sign of recurrence",
        "Lymphedema: grade 2",
        "compression stocking",
        "Rehabilitation",
        "2026-12-15 09:30: Chest CT, Imaging, Floor 2",
        "around 2027-01-15: Clinic visit",
        "Keep the leg raised",
        "a new lump or swelling",
        "trouble breathing",
        "fever",
        "emergency",
    ):
        assert expected in text, expected
    large = tmp_path / "large.pdf"
    pages = write_pdf([summary_html(sqlite_db, pid, visit, large_print=True)], large)
    assert pages >= len(PdfReader(path).pages)


def test_clinic_settings_and_a_clinic_template(
    sqlite_db: Database, patient, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _, pid = patient
    visit = find_visit(sqlite_db, pid, None)
    folder = data_dir()
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    template = folder / "templates" / "avs.html"
    settings = folder / "clinic.toml"
    try:
        settings.write_text('name = "Northside Sarcoma Unit"\nphone = "555-0100"\n')
        template.write_text("<p>${clinic_name} ${patient_name}</p>${appointments}")
        html = summary_html(sqlite_db, pid, visit)
        assert "Northside Sarcoma Unit Ada Okonkwo" in html
        template.write_text("<p>${patient_name}</p>\n<p>${appointments} ${favourite_colour}</p>")
        with pytest.raises(TemplateError, match=r"unknown field \$\{favourite_colour\} on line 2"):
            summary_html(sqlite_db, pid, visit)
        template.write_text("<p>${patient_name} costs $5</p>${appointments}")
        with pytest.raises(TemplateError, match="not a field, line 1"):
            summary_html(sqlite_db, pid, visit)
    finally:
        template.unlink(missing_ok=True)
        settings.unlink(missing_ok=True)


def test_ics_for_outlook(sqlite_db: Database, patient) -> None:  # type: ignore[no-untyped-def]
    _, pid = patient
    data = patient_calendar_ics(sqlite_db, pid, datetime(2026, 11, 23, 9))
    calendar = Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = list(calendar.walk("VEVENT"))
    assert str(event["UID"]).endswith("@survtrack") and "DTSTAMP" in event
    assert "ORGANIZER" in event and event["ORGANIZER"].params["CN"]
    start = event.decoded("dtstart")
    assert start.tzinfo is not None and start.utcoffset().total_seconds() == 0
    assert start == datetime(2026, 12, 15, 9, 30).astimezone().astimezone(UTC)
    assert str(event["SUMMARY"]).startswith("Chest CT") and "Floor 2" in str(event["LOCATION"])
    text = data.decode()
    assert "TZID" not in text and "VTIMEZONE" not in text
    assert "sarcoma (" not in text.lower() and "myxofibrosarcoma" not in text.lower()


def test_clinic_day_csv() -> None:
    text = clinic_day_csv(
        [("2026-12-15 09:30", "7700001", "Okonkwo, Ada", "Chest CT", "Imaging", "Dr X")]
    )
    assert text.splitlines() == [
        "time,mrn,patient,appointment,location,physician",
        '2026-12-15 09:30,7700001,"Okonkwo, Ada",Chest CT,Imaging,Dr X',
    ]


def test_cli_avs(sqlite_db: Database, patient, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.cli.test_cli import run

    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "cli.pdf"
    result = run("avs", "--db", url, "--mrn", "7700001", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Ada Okonkwo" in pdf_text(out)
    bad = run("avs", "--db", url, "--mrn", "nope", "-o", str(out))
    assert bad.returncode == 2 and bad.stderr.startswith("survtrack: mrn:")
