"""A protocol chosen for one patient and the clinic's own protocol sets (issue 12 item 6), on
both database backends: GIST leaves "Needs a plan" once a physician assigns a protocol (with a
reason, audited), clearing it goes back to the default, only physicians and administrators may,
and a clinic's protocol file is validated, offered as a set and used by the calendar."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.services.clinic_settings import load_settings, save_settings
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.errors import ConflictError
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.services.patient_records import load_patient
from survtrack.services.protocol_choice import assign_protocol, load_assignment
from survtrack.services.protocol_sets import (
    CLINIC_SET,
    SHIPPED_SET,
    available_sets,
    clinic_file_problems,
    clinic_protocol_dir,
    load_set,
    protocol_choices,
)
from survtrack.services.worklists import needs_a_plan
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry, Patient

TODAY = date(2026, 11, 23)
GIST_FILE = (Path(__file__).parent / "data" / "clinic-gist.toml").read_text(encoding="utf-8")


@pytest.fixture
def doctor(db: Database) -> SignedIn:
    return ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)


@pytest.fixture
def admin(db: Database) -> SignedIn:
    return ensure_user(db, "boss", "Ada Admin", Role.ADMINISTRATOR)


@pytest.fixture
def clinic_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SURVTRACK_DATA_DIR", str(tmp_path))
    folder = tmp_path / "protocols"
    folder.mkdir()
    return folder


def gist_patient(db: Database, user: SignedIn) -> int:
    patient_id = create_patient(
        db, user, PatientInput("G1", "Stone", "Mara", date(1970, 3, 3), "female"), TODAY
    )
    save_tumour(
        db,
        user,
        patient_id,
        TumourInput(site="visceral", histology="GIST of the stomach", grade="2", size_cm=6.0),
        TODAY,
    )
    save_treatment(
        db, user, patient_id, TreatmentInput("surgery", date(2026, 6, 1), procedure="other"), TODAY
    )
    return patient_id


def version(db: Database, patient_id: int) -> int:
    with db.read() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        return patient.version


def test_gist_leaves_needs_a_plan_when_a_physician_assigns_a_protocol(
    db: Database, doctor: SignedIn
) -> None:
    patient_id = gist_patient(db, doctor)
    [row] = needs_a_plan(db)
    assert "choose a protocol" in row.reason and load_calendar(db, patient_id) == []

    change = assign_protocol(
        db,
        doctor,
        patient_id,
        "retroperitoneum-visceral",
        "GIST: abdominal CT follow-up agreed at the tumour board",
        version(db, patient_id),
    )
    assert change.problem is None and change.added > 0
    assert needs_a_plan(db) == []
    events = load_calendar(db, patient_id)
    assert {e.rule_id for e in events} >= {"rp-high-apct-m0-36"}  # no tier for GIST: high
    assignment = load_assignment(db, patient_id)
    assert assignment is not None
    assert assignment.name == "Retroperitoneum and visceral (SurvTrack default)"
    assert assignment.reason.startswith("GIST: abdominal CT")
    assert assignment.chosen_by == "Dr Doc" and assignment.available

    with db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "patients", AuditEntry.action == "update")
        ).all()
    changes = [json.loads(e.changes) for e in entries]
    chosen = next(c for c in changes if "protocol_id" in c)
    assert chosen["protocol_id"] == [None, "retroperitoneum-visceral"]
    assert "tumour board" in chosen["protocol_reason"][1]
    assert entries[-1].username == "doc"

    # back to the clinic default: the GIST has none, so it returns to "Needs a plan"
    change = assign_protocol(
        db, doctor, patient_id, None, "assigned by mistake", version(db, patient_id)
    )
    assert change.problem is not None and "choose a protocol" in change.problem
    assert load_assignment(db, patient_id) is None
    assert [r.patient_id for r in needs_a_plan(db)] == [patient_id]


def test_only_physicians_and_administrators_assign_and_a_reason_is_required(
    db: Database, doctor: SignedIn, admin: SignedIn
) -> None:
    patient_id = gist_patient(db, doctor)
    for role in (Role.SCHEDULER, Role.THERAPIST):
        user = ensure_user(db, role.value, f"A {role.value}", role)
        with pytest.raises(PermissionError, match="ask a physician"):
            assign_protocol(db, user, patient_id, "desmoid", "why", version(db, patient_id))
    with pytest.raises(BadInput) as info:
        assign_protocol(db, doctor, patient_id, "desmoid", "   ", version(db, patient_id))
    assert info.value.field == "Reason"
    with pytest.raises(BadInput) as info:
        assign_protocol(db, doctor, patient_id, "desmoid", "x" * 501, version(db, patient_id))
    assert info.value.field == "Reason" and "500" in info.value.reason
    with pytest.raises(BadInput) as info:
        assign_protocol(db, doctor, patient_id, "moon-phase", "why", version(db, patient_id))
    assert info.value.field == "Protocol"
    assert load_assignment(db, patient_id) is None  # nothing was written
    assign_protocol(db, admin, patient_id, "desmoid", "tumour board", version(db, patient_id))
    assignment = load_assignment(db, patient_id)
    assert assignment is not None and assignment.chosen_by == "Ada Admin"


def test_a_stale_version_is_refused(db: Database, doctor: SignedIn) -> None:
    patient_id = gist_patient(db, doctor)
    stale = version(db, patient_id)
    assign_protocol(db, doctor, patient_id, "desmoid", "tumour board", stale)
    with pytest.raises(ConflictError):
        assign_protocol(db, doctor, patient_id, "retroperitoneum-visceral", "other", stale)
    assignment = load_assignment(db, patient_id)
    assert assignment is not None and assignment.protocol_id == "desmoid"


def test_a_clinic_set_is_offered_validated_and_used_by_calendars(
    db: Database, doctor: SignedIn, admin: SignedIn, clinic_dir: Path
) -> None:
    assert available_sets() == [SHIPPED_SET]
    (clinic_dir / "gist.toml").write_text(GIST_FILE, encoding="utf-8")
    assert available_sets() == [SHIPPED_SET, CLINIC_SET]
    assert clinic_file_problems() == []
    choices = {c.name: c.covers for c in protocol_choices(load_set(CLINIC_SET))}
    assert "GIST after resection (clinic example)" in choices
    assert choices["GIST after resection (clinic example)"].startswith("Only when assigned")

    patient_id = gist_patient(db, doctor)
    # not in the shipped set in use: refused, nothing written
    with pytest.raises(BadInput, match="not in the protocol set in use"):
        assign_protocol(db, doctor, patient_id, "clinic-gist", "why", version(db, patient_id))

    with pytest.raises(BadInput) as info:
        save_settings(db, admin, replace(load_settings(db), default_protocol_set="Nope"))
    assert info.value.field == "default protocol set"
    save_settings(db, admin, replace(load_settings(db), default_protocol_set=CLINIC_SET))
    assign_protocol(db, doctor, patient_id, "clinic-gist", "GIST", version(db, patient_id))
    assert needs_a_plan(db) == []
    assert {e.kind for e in load_calendar(db, patient_id)} == {
        "clinic_visit",
        "abdomen_pelvis_ct",
    }

    # the file breaks: reported naming file, rule and field, never used half
    (clinic_dir / "gist.toml").write_text(
        GIST_FILE.replace("every_months = 6", "every_months = 0", 1), encoding="utf-8"
    )
    [problem] = clinic_file_problems()
    assert "gist.toml: rule 'clinic-gist-visit-m0-24': field 'every_months'" in problem
    with pytest.raises(BadInput, match="every_months"):
        save_settings(db, admin, replace(load_settings(db), name="Renamed clinic"))
    # an edit regenerates the calendar: the patient goes back on "Needs a plan", saying why
    save_treatment(
        db,
        doctor,
        patient_id,
        TreatmentInput("surgery", date(2026, 7, 1), procedure="other"),
        TODAY,
    )
    [row] = needs_a_plan(db)
    assert "every_months" in row.reason
    assert load_patient(db, patient_id) is not None


def test_a_broken_clinic_file_is_said_at_start_in_words(
    sqlite_db: Database, clinic_dir: Path
) -> None:
    from survtrack.services.database import open_database

    (clinic_dir / "gist.toml").write_text(
        GIST_FILE.replace('kind = "clinic_visit"', 'kind = "pet_scan"'), encoding="utf-8"
    )
    notes: list[str] = []
    again = open_database(sqlite_db.url, notes)
    try:
        [note] = notes
        assert note.startswith("The protocol set 'Clinic protocols' cannot be used:")
        assert "gist.toml: rule 'clinic-gist-visit-m0-24': field 'kind' 'pet_scan'" in note
    finally:
        again.dispose()


def test_the_folder_named_in_survtrack_ini_and_named_subfolder_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "share"
    (shared / "ESMO 2021").mkdir(parents=True)
    ini = tmp_path / "survtrack.ini"
    ini.write_text(f"[protocols]\nfolder = {shared}\n", encoding="utf-8")
    monkeypatch.setenv("SURVTRACK_CONFIG", str(ini))
    assert clinic_protocol_dir() == shared
    assert available_sets() == [SHIPPED_SET]  # an empty subfolder is no set
    # a clinic file with a shipped protocol's id replaces it in that set only
    desmoid = (Path(__file__).parents[2] / "resources" / "protocols" / "desmoid.toml").read_text(
        encoding="utf-8"
    )
    (shared / "ESMO 2021" / "desmoid.toml").write_text(
        desmoid.replace("Desmoid tumour (SurvTrack default)", "Desmoid (clinic)")
        .replace("to_months = 120", "to_months = 60")
        .replace("yearly in years 4-10", "yearly in years 4-5"),
        encoding="utf-8",
    )
    assert available_sets() == [SHIPPED_SET, "ESMO 2021"]
    clinic = load_set("ESMO 2021")
    assert {p.name for p in clinic.site_protocols} == {
        "Desmoid (clinic)",
        "Extremity, trunk, head and neck (SurvTrack default)",
        "Retroperitoneum and visceral (SurvTrack default)",
    }
    assert load_set(SHIPPED_SET).by_id("desmoid").name == "Desmoid tumour (SurvTrack default)"
    with pytest.raises(BadInput) as info:
        load_set("NCCN")
    assert info.value.field == "Default protocol set" and "ESMO 2021" in info.value.reason
