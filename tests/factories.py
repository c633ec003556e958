"""Small builders of test data through the real services and models."""

from __future__ import annotations

from datetime import UTC, date, datetime

from survtrack.services.auth import SignedIn
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.store.models import FollowUpEvent, Patient, TreatmentRow, Tumour

TESTER = Actor(None, "tester")

#: Anna Smith: a high-risk thigh sarcoma (G3, 8 cm, deep) operated on 2026-06-10
ANNA = PatientInput("1000001", "Smith", "Anna", date(1960, 3, 4), "female", physician="Dr. X")
THIGH = TumourInput(
    site="extremity",
    limb="lower",
    laterality="left",
    histology="undifferentiated pleomorphic sarcoma",
    grade="3",
    size_cm=8.0,
    depth="deep",
    nodes="N0",
    metastasis="M0",
    diagnosis_date=date(2026, 5, 1),
)
SURGERY = TreatmentInput("surgery", date(2026, 6, 10), procedure="wide_local_excision", margin="R0")


def register_anna(db: Database, user: SignedIn, today: date) -> int:
    """Anna registered through the services, with her diagnosis and surgery: her calendar made."""
    patient_id = create_patient(db, user, ANNA, today)
    save_tumour(db, user, patient_id, THIGH, today)
    save_treatment(db, user, patient_id, SURGERY, today)
    return patient_id


def add_patient(
    db: Database,
    mrn: str,
    family: str,
    given: str,
    birth: date = date(1965, 4, 12),
    site: str = "extremity",
    stage: str | None = "IIIA",
    physician: str = "Dr. Test",
) -> int:
    with db.write(TESTER) as session:
        patient = Patient(
            mrn=mrn,
            family_name=family,
            given_name=given,
            birth_date=birth,
            sex="female",
            physician=physician,
            status="active",
            created_at=datetime.now(UTC),
        )
        patient.tumours.append(Tumour(site=site, grade="3", size_cm=8.0, stage=stage, risk="high"))
        patient.treatments.append(
            TreatmentRow(
                type="surgery",
                start=date(2026, 1, 10),
                end=date(2026, 1, 10),
                procedure="limb_sparing",
            )
        )
        session.add(patient)
        session.flush()
        return patient.id


def add_event(
    db: Database,
    patient_id: int,
    kind: str,
    window_end: date,
    state: str = "planned",
    risk: str = "high",
    closed_on: date | None = None,
    booked_at: datetime | None = None,
) -> int:
    """One follow-up event whose window is the single day ``window_end``."""
    with db.write(TESTER) as session:
        row = FollowUpEvent(
            patient_id=patient_id,
            episode=1,
            kind=kind,
            due=window_end,
            window_start=window_end,
            window_end=window_end,
            rule_id="test-rule",
            source="test",
            state=state,
            risk=risk,
            closed_on=closed_on,
            booked_at=booked_at,
            moved_by_hand=False,
        )
        session.add(row)
        session.flush()
        return row.id
