"""After-visit summaries read back from the PDF: what a patient can rely on (issue 13), the clinic
template, and the command line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from survtrack.domain.errors import BadInput
from survtrack.reports.appointment_export import clinic_day_csv
from survtrack.reports.avs_pdf import write_pdf
from survtrack.reports.avs_template import TemplateError
from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.event_actions import book
from survtrack.services.locations import data_dir
from survtrack.services.patient_edit import PatientInput, create_patient, set_status
from survtrack.services.rehab import RehabVisit
from survtrack.services.rehab import record_visit as record_rehab
from survtrack.services.side_effects import add_side_effect
from survtrack.services.summaries import build_summary, summary_html
from survtrack.services.visits import VisitInput, find_visit, record_visit
from survtrack.store.engine import Database
from tests.clinic import clinic_settings, pdf_pages, pdf_text

TODAY = date(2026, 11, 23)
PHYSICIAN = "Dr Amara Okafor"


@dataclass
class Setup:
    db: Database
    scheduler: SignedIn
    doctor: SignedIn
    pid: int


def make_patient(
    db: Database, mrn: str = "7700001", language: str = "", physician: str = PHYSICIAN
) -> Setup:
    """A high-risk leg sarcoma after doxorubicin and limb-sparing surgery. The chest CT due in
    October is booked for Tuesday 8 December 10:30 (after its due date). The visit is recorded
    by a scheduler without naming a clinician."""
    doctor = ensure_user(db, "doc", PHYSICIAN, Role.PHYSICIAN)
    scheduler = ensure_user(db, "sam", "Sam Scheduler", Role.SCHEDULER)
    pid = create_patient(
        db,
        doctor,
        PatientInput(mrn, "Okonkwo", "Ada", date(1971, 6, 30), "female", "", language, physician),
        TODAY,
    )
    save_tumour(
        db,
        doctor,
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
        db,
        doctor,
        pid,
        TreatmentInput(
            "systemic",
            date(2026, 3, 1),
            date(2026, 5, 20),
            agents=("doxorubicin", "ifosfamide"),
            doxorubicin_mg_m2=300,
        ),
        TODAY,
    )
    save_treatment(
        db,
        doctor,
        pid,
        TreatmentInput("surgery", date(2026, 7, 15), procedure="limb_sparing"),
        TODAY,
    )
    add_side_effect(
        db,
        doctor,
        pid,
        "Fibrosis deep connective tissue",
        "radiation",
        date(2026, 9, 1),
        2,
        TODAY,
        "Stretch the leg every day.",
    )
    ct = next(e for e in load_calendar(db, pid) if e.kind == "chest_ct")
    assert ct.due == date(2026, 10, 15)
    book(
        db,
        scheduler,
        ct.id,
        datetime(2026, 12, 8, 10, 30),
        "Imaging, Floor 2",
        datetime(2026, 11, 23, 9),
    )
    record_visit(
        db,
        scheduler,
        pid,
        VisitInput(
            TODAY,
            "",
            "Room 4",
            "3-month check",
            "No sign of the tumour coming back.",
            "Chest CT clear",
            "",
            "Keep up the checks.",
            "Keep the leg raised.",
        ),
        TODAY,
    )
    return Setup(db, scheduler, doctor, pid)


@pytest.fixture
def patient(sqlite_db: Database) -> Setup:
    return make_patient(sqlite_db)


def summary_pdf(
    setup: Setup, path: Path, large_print: bool = False, today: date = TODAY
) -> list[str]:
    visit = find_visit(setup.db, setup.pid, None)
    summary = build_summary(setup.db, setup.pid, visit, today, large_print)
    write_pdf([summary.document], path)
    return pdf_pages(path)


def test_next_appointments_are_every_booked_one_then_tests_to_book_in_plain_words(
    patient: Setup, tmp_path: Path
) -> None:
    with clinic_settings(patient.db):
        text = " ".join(summary_pdf(patient, tmp_path / "avs.pdf"))
    booked = text.index("Your next appointments")
    to_book = text.index("Tests we still need to book")
    # booked by its own date, time and place, although it was due in October
    assert re.search(
        r"Tuesday, December 8, 2026 at 10:30\sAM ?: CT scan of your chest\. Place: Imaging, "
        r"Floor 2\.",
        text[booked:to_book],
    )
    assert (
        "A scan of your chest, around mid-January 2027. We will call you with the time."
        in text[to_book:]
    )
    # the next one of each kind only; an overdue one without a date in the past
    assert "A visit with your physiotherapist, as soon as we can." in text
    assert text.count("A scan of your chest,") == 1


def test_seen_by_the_patients_physician_and_no_codes_reach_the_patient(
    patient: Setup, tmp_path: Path
) -> None:
    visit = find_visit(patient.db, patient.pid, None)
    assert visit.clinician == PHYSICIAN  # recorded, not the signed-in scheduler
    with clinic_settings(patient.db):
        text = " ".join(summary_pdf(patient, tmp_path / "avs.pdf"))
    assert f"Seen by {PHYSICIAN} at Room 4" in text
    assert "Sam Scheduler" not in text
    rules = {e.rule_id for e in load_calendar(patient.db, patient.pid)}
    for code in (*rules, "chest_ct", "clinic_visit", "limb_sparing", "_", "K3", "grade 2"):
        assert code not in text, code
    # the CTCAE term carries its plain explanation
    assert (
        "Fibrosis deep connective tissue: Hard, stiff tissue under the skin where you had "
        "radiation. Now: moderate." in text
    )
    assert "Monday, November 23, 2026" in text  # the visit date with its weekday


def test_preparation_warning_signs_and_how_long_follow_up_lasts(
    patient: Setup, tmp_path: Path
) -> None:
    with clinic_settings(patient.db):
        text = " ".join(summary_pdf(patient, tmp_path / "avs.pdf"))
    assert "Do not eat for 4 hours before the scan" in text  # the booked chest CT
    assert "metal in your body" in text  # the MRI still to book
    assert "Bring a list of all the medicines you take." in text
    call = text.index("When to call us")
    signs = text[call : text.index("Your illness")]
    assert "A new lump or swelling" in signs and "New pain" in signs
    assert "A cough that does not go away" in signs
    assert "your ankles swell" in signs  # after doxorubicin
    assert "belly" not in signs and "stump" not in signs and "A fall" not in signs
    assert "We plan to see you for check-ups until about July 2036." in text


def test_abdominal_tumour_and_amputation_warning_signs_and_the_current_rehab_goal(
    sqlite_db: Database, tmp_path: Path
) -> None:
    doctor = ensure_user(sqlite_db, "doc", PHYSICIAN, Role.PHYSICIAN)
    rp = create_patient(
        sqlite_db,
        doctor,
        PatientInput("RP1", "Berg", "Lena", date(1960, 2, 2), "female", physician=PHYSICIAN),
        TODAY,
    )
    save_tumour(
        sqlite_db, doctor, rp, TumourInput(site="retroperitoneum", grade="2", size_cm=12), TODAY
    )
    save_treatment(
        sqlite_db, doctor, rp, TreatmentInput("surgery", date(2026, 6, 1), procedure="other"), TODAY
    )
    record_visit(sqlite_db, doctor, rp, VisitInput(TODAY, ""), TODAY)
    amp = create_patient(
        sqlite_db,
        doctor,
        PatientInput("AM1", "Moss", "Tom", date(1980, 3, 3), "male", physician=PHYSICIAN),
        TODAY,
    )
    save_tumour(
        sqlite_db,
        doctor,
        amp,
        TumourInput(site="extremity", limb="lower", laterality="right", grade="3", size_cm=6),
        TODAY,
    )
    # amputated in 2022: the milestones' targets of 2022 were never marked as reached
    save_treatment(
        sqlite_db,
        doctor,
        amp,
        TreatmentInput(
            "surgery", date(2022, 5, 2), procedure="amputation", amputation_level="transtibial"
        ),
        TODAY,
    )
    record_rehab(
        sqlite_db,
        doctor,
        amp,
        RehabVisit(
            date(2026, 11, 2), "PT", "Jo Therapist", 45, k_level="K3", referral="prosthetist"
        ),
        TODAY,
    )
    record_visit(sqlite_db, doctor, amp, VisitInput(TODAY, ""), TODAY)
    with clinic_settings(sqlite_db):
        rp_text = " ".join(summary_pdf(Setup(sqlite_db, doctor, doctor, rp), tmp_path / "rp.pdf"))
        amp_text = " ".join(
            summary_pdf(Setup(sqlite_db, doctor, doctor, amp), tmp_path / "amp.pdf")
        )
    assert "Pain in your belly, or your belly feels full or swollen." in rp_text
    assert "the back of your belly" in rp_text
    assert "Red skin, sores or broken skin on your stump" in amp_text
    assert "A fall, even if you were not hurt." in amp_text
    assert "your leg was removed below the knee" in amp_text
    assert "transtibial" not in amp_text and "K3" not in amp_text
    assert "you walk outside at different speeds" in amp_text
    assert "A prosthetist. This is the person who makes and fits artificial limbs." in amp_text
    assert "2022" not in amp_text.split("Rehab")[-1]  # no goal from years ago
    assert "Your next goal" not in amp_text


def test_refused_without_the_clinic_phone_and_no_placeholder_ever(
    patient: Setup, tmp_path: Path
) -> None:
    visit = find_visit(patient.db, patient.pid, None)
    with (
        clinic_settings(patient.db, phone=None),
        pytest.raises(BadInput, match=r"Clinic phone: is not set"),
    ):
        build_summary(patient.db, patient.pid, visit, TODAY)
    with clinic_settings(patient.db, address=None):
        text = " ".join(summary_pdf(patient, tmp_path / "avs.pdf"))
    assert "not set" not in text and "Address" not in text
    assert "Call us on 555-0100" in text
    assert "In the evening" not in text
    with clinic_settings(patient.db, after_hours_phone="555-0199"):
        text = " ".join(summary_pdf(patient, tmp_path / "avs.pdf"))
    assert "In the evening, at night and at weekends, call 555-0199." in text


def test_no_visit_and_no_summary_after_death_or_discharge(db: Database) -> None:
    setup = make_patient(db)
    visit = find_visit(db, setup.pid, None)
    set_status(db, setup.doctor, setup.pid, "deceased", date(2026, 11, 20), TODAY)
    with pytest.raises(BadInput, match=r"Visit date: 2026-11-23 is after the patient was"):
        record_visit(db, setup.doctor, setup.pid, VisitInput(TODAY, ""), TODAY)
    record_visit(db, setup.doctor, setup.pid, VisitInput(date(2026, 11, 20), ""), TODAY)
    with clinic_settings(db), pytest.raises(BadInput, match="recorded as deceased on 2026-11-20"):
        build_summary(db, setup.pid, visit, TODAY)
    set_status(db, setup.doctor, setup.pid, "discharged", date(2026, 11, 21), TODAY)
    with clinic_settings(db), pytest.raises(BadInput, match="recorded as discharged"):
        build_summary(db, setup.pid, visit, TODAY)


def _sizes(path: Path, words: tuple[str, ...]) -> dict[str, float]:
    """The printed size (points) of the first text run that starts with each of ``words``."""
    found: dict[str, float] = {}

    def visit(text, cm, tm, font_dict, font_size):  # type: ignore[no-untyped-def]
        scale = (abs(tm[3]) or 1) * (abs(cm[3]) or 1)
        for word in words:
            if word not in found and " ".join(text.split()).startswith(word):
                found[word] = font_size * scale

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return found


def test_every_page_has_name_mrn_date_and_page_of_and_large_print_enlarges_everything(
    patient: Setup, tmp_path: Path
) -> None:
    with clinic_settings(patient.db):
        normal = summary_pdf(patient, tmp_path / "normal.pdf")
        large = summary_pdf(patient, tmp_path / "large.pdf", large_print=True)
    assert len(large) > len(normal) >= 2
    for pages in (normal, large):
        for n, page in enumerate(pages, 1):
            assert "Ada Okonkwo" in page and "MRN 7700001" in page, n
            assert "Monday, November 23, 2026" in page
            assert f"Page {n} of {len(pages)}" in page
    small = _sizes(tmp_path / "normal.pdf", ("Your next appointments", "Seen by"))
    big = _sizes(tmp_path / "large.pdf", ("Your next appointments", "Seen by"))
    assert big["Seen by"] > small["Seen by"] * 1.3  # the text
    assert big["Your next appointments"] > small["Your next appointments"] * 1.3
    for sizes in (small, big):  # headings stay larger than the text
        assert sizes["Your next appointments"] > sizes["Seen by"] * 1.15


def test_spanish_template_for_a_spanish_speaker_and_english_with_a_note_otherwise(
    sqlite_db: Database, tmp_path: Path
) -> None:
    spanish = make_patient(sqlite_db, "ES1", language="Español")
    with clinic_settings(sqlite_db, locale="es_ES"):
        summary = build_summary(
            sqlite_db, spanish.pid, find_visit(sqlite_db, spanish.pid, None), TODAY
        )
        assert summary.language == "es" and summary.staff_note is None
        write_pdf([summary.document], tmp_path / "es.pdf")
    text = pdf_text(tmp_path / "es.pdf")
    for expected in (
        "Resumen de su visita",
        "Sus próximas citas",
        "martes, 8 de diciembre de 2026 a las 10:30",
        "Escáner (TAC) del pecho",
        "Un escáner del pecho, a mediados de enero de 2027. Le llamaremos para darle la hora.",
        "Tejido duro y rígido bajo la piel",
        "se le hinchan los tobillos",
        "Página 1 de 2",
    ):
        assert expected in text, expected
    assert "Your next appointments" not in text
    french = make_patient(sqlite_db, "FR1", language="fr")
    with clinic_settings(sqlite_db):
        summary = build_summary(
            sqlite_db, french.pid, find_visit(sqlite_db, french.pid, None), TODAY
        )
    assert summary.language == "en"
    assert summary.staff_note is not None and "(fr)" in summary.staff_note
    assert "Your next appointments" in summary.document.html


def test_dates_follow_the_clinic_locale(patient: Setup, tmp_path: Path) -> None:
    with clinic_settings(patient.db, locale="en_GB"):
        text = " ".join(summary_pdf(patient, tmp_path / "avs.pdf"))
    assert "Tuesday, 8 December 2026 at 10:30 :" in text  # 24-hour clock
    assert "Monday, 23 November 2026" in text


def test_clinic_settings_and_a_clinic_template(patient: Setup) -> None:
    visit = find_visit(patient.db, patient.pid, None)
    folder = data_dir()
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    template = folder / "templates" / "avs.html"
    try:
        with clinic_settings(patient.db, name="Northside Sarcoma Unit"):
            template.write_text("<p>${clinic_name} ${patient_name}</p>${appointments}")
            html = summary_html(patient.db, patient.pid, visit, TODAY)
            assert "Northside Sarcoma Unit Ada Okonkwo" in html
            template.write_text(
                "<p>${patient_name}</p>\n<p>${appointments} ${favourite_colour}</p>"
            )
            with pytest.raises(
                TemplateError, match=r"unknown field \$\{favourite_colour\} on line 2"
            ):
                summary_html(patient.db, patient.pid, visit, TODAY)
            template.write_text("<p>${patient_name} costs $5</p>${appointments}")
            with pytest.raises(TemplateError, match="not a field, line 1"):
                summary_html(patient.db, patient.pid, visit, TODAY)
        with (
            pytest.raises(BadInput, match="time zone: 'Mars/Olympus' is not a time zone"),
            clinic_settings(patient.db, time_zone="Mars/Olympus"),
        ):
            summary_html(patient.db, patient.pid, visit, TODAY)
    finally:
        template.unlink(missing_ok=True)


def test_clinic_day_csv() -> None:
    text = clinic_day_csv(
        [("2026-12-15 09:30", "7700001", "Okonkwo, Ada", "Chest CT", "Imaging", "Dr X")]
    )
    assert text.splitlines() == [
        "time,mrn,patient,appointment,location,physician",
        '2026-12-15 09:30,7700001,"Okonkwo, Ada",Chest CT,Imaging,Dr X',
    ]


def test_cli_avs(patient: Setup, tmp_path: Path) -> None:
    from tests.cli.test_cli import add_clerk, run

    url = add_clerk(patient.db.engine.url.render_as_string(hide_password=False))
    out = tmp_path / "cli.pdf"
    with clinic_settings(patient.db, phone=None):
        refused = run("avs", "--db", url, "--mrn", "7700001", "-o", str(out))
    assert refused.returncode == 2 and refused.stdout == "" and not out.exists()
    assert refused.stderr.startswith("survtrack: Clinic phone: is not set")
    assert len(refused.stderr.strip().splitlines()) == 1
    with clinic_settings(patient.db):
        result = run("avs", "--db", url, "--mrn", "7700001", "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert "Ada Okonkwo" in pdf_text(out)
        bad = run("avs", "--db", url, "--mrn", "nope", "-o", str(out))
    assert bad.returncode == 2 and bad.stderr.startswith("survtrack: mrn:")
    # the printed summary is in the audit trail under the signed-in user's name
    from sqlalchemy import select

    from survtrack.store.models import AuditEntry

    with patient.db.read() as session:
        printed = session.scalars(select(AuditEntry).where(AuditEntry.action == "read")).all()
    assert [
        (e.username, e.entity, e.entity_id, json.loads(e.changes)["what"]) for e in printed
    ] == [("clerk", "patients", patient.pid, "summary saved")]
