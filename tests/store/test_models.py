"""Model round trips, version conflicts and the audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.store.models import (
    AuditEntry,
    FollowUpEvent,
    Patient,
    RecurrenceRow,
    TreatmentRow,
    Tumour,
)
from tests.factories import TESTER, add_patient


def test_round_trip_of_every_model(db: Database) -> None:
    with db.write(TESTER) as session:
        patient = Patient(
            mrn="A-100",
            family_name="Nguyễn",
            given_name="Thị Ánh",
            birth_date=date(1960, 2, 29),
            sex="female",
            phone="555-0100",
            language="vi",
            physician="Dr. Raman",
            status="active",
            created_at=datetime.now(UTC),
        )
        patient.tumours.append(
            Tumour(
                site="extremity",
                limb="lower",
                laterality="left",
                histology="myxofibrosarcoma",
                grade="2",
                fnclcc_score=5,
                size_cm=7.5,
                depth="deep",
                nodes="N0",
                metastasis="M0",
                t_category="T2",
                stage="IIIA",
                risk="high",
            )
        )
        patient.treatments.append(
            TreatmentRow(
                type="systemic",
                start=date(2025, 8, 1),
                end=date(2025, 10, 20),
                agents="doxorubicin, ifosfamide",
                doxorubicin_mg_m2=300.0,
            )
        )
        patient.treatments.append(
            TreatmentRow(
                type="surgery",
                start=date(2026, 1, 10),
                end=date(2026, 1, 10),
                procedure="amputation",
                amputation_level="transfemoral",
                margin="R0",
            )
        )
        patient.recurrences.append(RecurrenceRow(date=date(2027, 6, 1), kind="local"))
        session.add(patient)
        session.flush()
        session.add(
            FollowUpEvent(
                patient_id=patient.id,
                episode=1,
                kind="chest_ct",
                due=date(2026, 4, 10),
                window_start=date(2026, 3, 27),
                window_end=date(2026, 4, 24),
                suggested=date(2026, 4, 10),
                rule_id="ext-high-chestct-m0-36",
                source="NCCN",
            )
        )
        patient_id = patient.id
    with db.read() as session:
        loaded = session.get(Patient, patient_id)
        assert loaded is not None
        assert (loaded.family_name, loaded.birth_date) == ("Nguyễn", date(1960, 2, 29))
        assert loaded.tumours[0].size_cm == 7.5 and loaded.tumours[0].stage == "IIIA"
        assert [t.type for t in loaded.treatments] == ["systemic", "surgery"]
        assert loaded.treatments[1].amputation_level == "transfemoral"
        assert loaded.recurrences[0].date == date(2027, 6, 1)
        event = session.scalars(select(FollowUpEvent)).one()
        assert (event.state, event.version, event.rule_id) == (
            "planned",
            1,
            "ext-high-chestct-m0-36",
        )


def test_mrn_is_unique(db: Database) -> None:
    add_patient(db, "M1", "Smith", "Ann")
    with pytest.raises(IntegrityError):
        add_patient(db, "M1", "Jones", "Bob")
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 1


def test_second_workstation_cannot_overwrite_a_newer_row(db: Database) -> None:
    patient_id = add_patient(db, "M1", "Smith", "Ann")
    with db.read() as session:
        stale = session.get(Patient, patient_id)
    assert stale is not None and stale.version == 1
    with db.write(Actor(None, "ws1")) as session:
        fresh = session.get(Patient, patient_id)
        assert fresh is not None
        fresh.phone = "111"
    with pytest.raises(StaleDataError), db.write(Actor(None, "ws2")) as session:
        merged = session.merge(stale, load=False)
        merged.phone = "222"
    with db.read() as session:
        row = session.get(Patient, patient_id)
        assert row is not None and (row.phone, row.version) == ("111", 2)


def test_audit_written_with_each_change(db: Database) -> None:
    patient_id = add_patient(db, "M1", "Smith", "Ann")
    with db.write(Actor(None, "sched")) as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.phone = "555-1234"
    with db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "patients").order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.entity_id, e.username) for e in entries] == [
        ("insert", patient_id, "tester"),
        ("update", patient_id, "sched"),
    ]
    assert json.loads(entries[1].changes) == {"phone": [None, "555-1234"]}


def test_audit_rolled_back_with_the_change(db: Database) -> None:
    with db.read() as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(RuntimeError, match="boom"), db.write(TESTER) as session:
        session.add(
            Patient(
                mrn="X",
                family_name="A",
                given_name="B",
                birth_date=date(1970, 1, 1),
                sex="male",
                status="active",
                created_at=datetime.now(UTC),
            )
        )
        session.flush()
        raise RuntimeError("boom")
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert session.scalar(select(func.count()).select_from(Patient)) == 0


def test_audit_log_is_append_only(db: Database) -> None:
    add_patient(db, "M1", "Smith", "Ann")
    for statement in ("UPDATE audit_log SET username = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) >= 1


def test_change_outside_a_write_unit_is_refused(db: Database) -> None:
    with db.read() as session:
        session.add(
            Patient(
                mrn="X",
                family_name="A",
                given_name="B",
                birth_date=date(1970, 1, 1),
                sex="male",
                status="active",
                created_at=datetime.now(UTC),
            )
        )
        with pytest.raises(RuntimeError, match="no actor"):
            session.flush()


def test_check_constraints_refuse_impossible_rows(db: Database) -> None:
    patient_id = add_patient(db, "M1", "Smith", "Ann")
    with pytest.raises(IntegrityError), db.write(TESTER) as session:
        session.add(
            TreatmentRow(
                patient_id=patient_id,
                type="radiation",
                start=date(2026, 2, 1),
                end=date(2026, 1, 1),
            )
        )
    with pytest.raises(IntegrityError), db.write(TESTER) as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.status = "deceased"  # without a date


def test_deleting_a_patient_removes_its_records_only(db: Database) -> None:
    keep = add_patient(db, "M1", "Smith", "Ann")
    gone = add_patient(db, "M2", "Jones", "Bob")
    with db.write(TESTER) as session:
        patient = session.get(Patient, gone)
        assert patient is not None
        session.delete(patient)
    with db.read() as session:
        assert session.scalars(select(Tumour.patient_id)).all() == [keep]
