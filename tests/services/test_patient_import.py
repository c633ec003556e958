"""Patient import on both backends: the preview judges every row (new, update, unchanged, error
by row and column), nothing is written until applied, and the same file twice changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survtrack.domain.errors import BadInput
from survtrack.services.auth import Role, ensure_user
from survtrack.services.errors import ConflictError
from survtrack.services.patient_edit import PatientInput, update_patient
from survtrack.services.patient_import import apply_import, preview_import
from survtrack.services.patient_records import load_patient
from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry, Patient
from tests.factories import add_patient

TODAY = date(2026, 11, 23)
CLERK = Actor(None, "clerk")
HEADER = "mrn,family_name,given_name,birth_date,sex,phone,language,physician\n"


def write(tmp_path: Path, text: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def patients(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Patient)) or 0)


def audit_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_preview_judges_each_row_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    add_patient(db, "E1", "Old", "Name", birth=date(1950, 5, 6))
    path = write(
        tmp_path,
        HEADER
        + "N1,Nova,Nia,1971-02-03,F,555-1,en,Dr. A\n"
        + "E1,Old,Name,1950-05-06,female,,,\n"  # blank optional cells keep the record's
        + "E1X,Bad,Date,1960-02-30,M,,,\n"
        + "D1,Dup,One,1960-01-01,m,,,\n"
        + "D1,Dup,Two,1960-01-01,m,,,\n"
        + "N2,Slash,Date,03/02/1971,f,,,\n"
        + "N3,,Given,1971-02-03,f,,,\n"
        + "N4,Future,Born,2030-01-01,f,,,\n"
        + "N5,Odd,Sex,1971-02-03,x,,,\n",
    )
    before = audit_count(db)
    preview = preview_import(db, path, TODAY)
    got = {(r.row, r.status): r.message for r in preview.rows}
    assert got[(2, "new")] == ""
    assert got[(3, "unchanged")] == ""
    assert got[(4, "error")] == "row 4, birth_date: '1960-02-30' is not a calendar date"
    assert got[(5, "error")] == "row 5, mrn: D1 is also on row 6"
    assert got[(6, "error")] == "row 6, mrn: D1 is also on row 5"
    assert got[(7, "error")] == "row 7, birth_date: '03/02/1971' is not a date written YYYY-MM-DD"
    assert got[(8, "error")] == "row 8, family_name: is required"
    assert got[(9, "error")] == "row 9, birth_date: is in the future"
    assert got[(10, "error")].startswith("row 10, sex: must be one of female, male")
    assert preview.summary() == "1 new, 0 to update, 1 unchanged, 7 with errors"
    assert patients(db) == 1 and audit_count(db) == before
    with pytest.raises(BadInput, match="nothing imported"):
        apply_import(db, CLERK, preview)
    assert patients(db) == 1 and audit_count(db) == before


def test_import_then_the_same_file_again_changes_nothing(db: Database, tmp_path: Path) -> None:
    existing = add_patient(db, "E1", "Old", "Name", birth=date(1950, 5, 6))
    path = write(
        tmp_path,
        HEADER
        + "N1,Nova,Nia,1971-02-03,F,555-1,en,Dr. A\n"
        + "E1,Old,Name,1950-05-06,female,555-9,,\n"
        + "\n"  # blank lines are skipped
        + "N2,Zed,Zoe,1980-12-31,,,,\n",
    )
    preview = preview_import(db, path, TODAY)
    assert [(r.row, r.status, r.detail) for r in preview.rows] == [
        (2, "new", ""),
        (3, "update", "changes phone"),
        (5, "new", ""),
    ]
    result = apply_import(db, CLERK, preview)
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    record = load_patient(db, existing)
    assert record is not None and record.phone == "555-9" and record.physician == "Dr. Test"
    with db.read() as session:
        new = session.scalar(select(Patient).where(Patient.mrn == "N2"))
        assert new is not None and new.sex == "unknown" and new.status == "active"
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.username == "clerk").order_by(AuditEntry.id)
        ).all()
    # one insert per new patient (with its values), the update, and the import's own entry
    assert sorted(e.action for e in entries) == ["import", "insert", "insert", "update"]
    inserted = [json.loads(e.changes) for e in entries if e.action == "insert"]
    assert {c["mrn"][1] for c in inserted} == {"N1", "N2"}
    assert patients(db) == 3

    before = audit_count(db)
    again = preview_import(db, path, TODAY)
    assert [r.status for r in again.rows] == ["unchanged"] * 3
    assert apply_import(db, CLERK, again).unchanged == 3
    assert audit_count(db) == before and patients(db) == 3


def test_a_change_after_the_preview_is_refused_whole(db: Database, tmp_path: Path) -> None:
    existing = add_patient(db, "E1", "Old", "Name", birth=date(1950, 5, 6))
    path = write(tmp_path, HEADER + "N1,Nova,Nia,1971-02-03,F,,,\nE1,Old,Name,1950-05-06,f,1,,\n")
    preview = preview_import(db, path, TODAY)
    user = ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)
    update_patient(
        db, user, existing, PatientInput("E1", "Old", "Renamed", date(1950, 5, 6), "female"), TODAY
    )
    with pytest.raises(ConflictError):
        apply_import(db, CLERK, preview)
    assert patients(db) == 1  # N1 was not written either


def test_birth_date_after_the_first_treatment_is_an_error(db: Database, tmp_path: Path) -> None:
    add_patient(db, "E1", "Old", "Name", birth=date(1950, 5, 6))  # surgery on 2026-01-10
    path = write(tmp_path, HEADER + "E1,Old,Name,2026-02-01,female,,,\n")
    (row,) = preview_import(db, path, TODAY).rows
    assert row.message == "row 2, birth_date: is after the patient's first treatment"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "FILE: .*is empty|file: is empty"),
        ("mrn,family_name,given_name\nA,B,C\n", "column 'birth_date': is required"),
        (HEADER.replace("phone", "telephone"), "column 'telephone': unknown column"),
    ],
)
def test_file_level_problems(db: Database, tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        preview_import(db, write(tmp_path, text), TODAY)


def test_fhir_bundle_rows_are_named_by_entry_and_element(db: Database, tmp_path: Path) -> None:
    def patient(mrn: str, birth: str) -> dict[str, object]:
        return {
            "resource": {
                "resourceType": "Patient",
                "identifier": [
                    {
                        "type": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                    "code": "MR",
                                }
                            ]
                        },
                        "value": mrn,
                    },
                    {"system": "urn:oid:2.16.840.1.113883.4.1", "value": "123-45-6789"},
                ],
                "name": [{"family": "Fhir", "given": ["Fay", "Lou"]}],
                "gender": "female",
                "birthDate": birth,
            }
        }

    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            patient("F1", "1970-01-01"),
            {"resource": {"resourceType": "Observation"}},
            patient("F2", "1970"),
            {"resource": {"resourceType": "Patient", "name": [{"family": "NoId"}]}},
        ],
    }
    path = write(tmp_path, json.dumps(bundle), "bundle.json")
    preview = preview_import(db, path, TODAY)
    assert [(r.row, r.status, r.message) for r in preview.rows] == [
        (1, "new", ""),
        (3, "error", "entry 3, birthDate: '1970' is not a date written YYYY-MM-DD"),
        (4, "error", "entry 4, identifier: no medical record number (an identifier of type MR)"),
    ]
    assert preview.rows[0].data is not None and preview.rows[0].data.given_name == "Fay Lou"
    with pytest.raises(BadInput, match="not a FHIR Bundle"):
        preview_import(db, write(tmp_path, '{"resourceType": "Patient"}', "p.json"), TODAY)
