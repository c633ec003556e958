"""FHIR export of demo patients on both backends, and the round trip: export, validate with the
R4B models, re-import the Patient into an empty database and find the same person."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from survtrack.domain.errors import BadInput
from survtrack.services.auth import Role, ensure_user
from survtrack.services.demo import generate_demo
from survtrack.services.fhir_export import fhir_bundle, write_fhir
from survtrack.services.patient_import import apply_import, preview_import
from survtrack.services.patient_records import load_patient
from survtrack.services.patient_search import search_patients
from survtrack.services.rehab import record_measure
from survtrack.services.side_effects import add_side_effect
from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.store.models import FollowUpEvent, Patient, RehabPlan

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_demo_patients_export_valid_bundles(db: Database, tmp_path: Path) -> None:
    generate_demo(db, 12, 5, TODAY, Actor(None, "demo"))
    with db.read() as session:
        ids = list(session.scalars(select(Patient.id).order_by(Patient.id)))
        booked = session.scalar(
            select(FollowUpEvent.patient_id).where(FollowUpEvent.state == "booked").limit(1)
        )
        # a lower-limb amputee: Timed Up and Go is a lower-limb measure (issue 12)
        amputee = session.scalar(
            select(RehabPlan.patient_id).where(RehabPlan.k_level.is_not(None)).limit(1)
        )
    kinds: set[str] = set()
    for patient_id in ids:
        bundle = fhir_bundle(db, patient_id, NOW)
        Bundle.model_validate(bundle)
        kinds |= {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Condition", "Procedure", "CarePlan", "ServiceRequest"} <= kinds
    if booked is not None:
        bundle = fhir_bundle(db, booked, NOW)
        assert any(e["resource"]["resourceType"] == "Appointment" for e in bundle["entry"])
    user = ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)
    add_side_effect(db, user, ids[0], "Lymphedema", "radiation", date(2026, 1, 5), 2, TODAY)
    if amputee is not None:
        record_measure(db, user, amputee, date(2026, 2, 1), "tug", 8.5, TODAY)
        bundle = fhir_bundle(db, amputee, NOW)
        assert any(
            e["resource"].get("code", {}).get("text") == "Timed Up and Go" for e in bundle["entry"]
        )
    bundle = fhir_bundle(db, ids[0], NOW)
    Bundle.model_validate(bundle)
    grades = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation" and "valueInteger" in e["resource"]
    ]
    assert [o["valueInteger"] for o in grades] == [2]


def test_round_trip_into_an_empty_database(db: Database, tmp_path: Path, empty_db_url: str) -> None:
    generate_demo(db, 5, 11, TODAY, Actor(None, "demo"))
    with db.read() as session:
        patient_id = session.scalar(select(Patient.id).order_by(Patient.id).limit(1))
    assert patient_id is not None
    original = load_patient(db, patient_id)
    assert original is not None
    path = write_fhir(db, patient_id, tmp_path / "patient.json", NOW)
    Bundle.model_validate(json.loads(path.read_text(encoding="utf-8")))

    # an empty database of the same backend
    from survtrack.services.database import open_database

    if empty_db_url.startswith("sqlite"):
        other_url = f"sqlite:///{tmp_path / 'other.db'}"
    else:
        from tests.conftest import PG_URL, PgServer

        assert PG_URL
        server = PgServer(PG_URL)
        other_url = server.create()
    other = open_database(other_url)
    try:
        preview = preview_import(other, path, TODAY)
        assert [(r.status, r.mrn) for r in preview.rows] == [("new", original.mrn)]
        result = apply_import(other, Actor(None, "tester"), preview)
        assert result.created == 1
        (row,) = search_patients(other, original.mrn, 0, 10)
        copy = load_patient(other, row.id)
        assert copy is not None
        for field in ("mrn", "family_name", "given_name", "birth_date", "sex", "phone",
                      "language", "physician"):  # fmt: skip
            assert getattr(copy, field) == getattr(original, field), field
        # and the same file again changes nothing
        again = preview_import(other, path, TODAY)
        assert [r.status for r in again.rows] == ["unchanged"]
        apply_import(other, Actor(None, "tester"), again)
        with other.read() as session:
            assert session.scalar(select(func.count()).select_from(Patient)) == 1
    finally:
        other.dispose()
        if not empty_db_url.startswith("sqlite"):
            server.drop(other_url)
            server.admin.dispose()


def test_export_refuses_a_wrong_file_name(db: Database, tmp_path: Path) -> None:
    generate_demo(db, 1, 2, TODAY, Actor(None, "demo"), with_events=False)
    with pytest.raises(BadInput, match="json"):
        write_fhir(db, 1, tmp_path / "patient.pdf", NOW)
    with pytest.raises(BadInput, match="no such folder"):
        write_fhir(db, 1, tmp_path / "missing" / "patient.json", NOW)
    assert not list(tmp_path.glob("patient*")) and not (tmp_path / "missing").exists()
