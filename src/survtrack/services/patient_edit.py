"""Registering and editing patients, and their status (deceased, discharged, transferred).

Every function is one transaction: the change, its audit rows and the calendar it implies commit
together or not at all. Validation errors name the field as the form labels it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from survtrack.domain.errors import BadInput
from survtrack.domain.events import PatientStatus
from survtrack.services.auth import SignedIn
from survtrack.services.calendar import NO_TUMOUR, CalendarChange, regenerate_in_session
from survtrack.services.errors import check_version
from survtrack.store.engine import Database
from survtrack.store.models import Patient

SEXES = ("female", "male", "other", "unknown")
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class PatientInput:
    mrn: str
    family_name: str
    given_name: str
    birth_date: date | None
    sex: str
    phone: str = ""
    language: str = ""
    physician: str = ""


def validate_patient(data: PatientInput, today: date) -> None:
    if not data.mrn.strip():
        raise BadInput("MRN", "is required")
    if len(data.mrn.strip()) > 32:
        raise BadInput("MRN", "must be at most 32 characters")
    if not data.family_name.strip():
        raise BadInput("Family name", "is required")
    if not data.given_name.strip():
        raise BadInput("Given name", "is required")
    if data.birth_date is None:
        raise BadInput("Birth date", "is required")
    if data.birth_date > today:
        raise BadInput("Birth date", "is in the future")
    if data.birth_date < EARLIEST_BIRTH:
        raise BadInput("Birth date", f"is before {EARLIEST_BIRTH.isoformat()}")
    if data.sex not in SEXES:
        raise BadInput("Sex", f"must be one of {', '.join(SEXES)}")
    for label, value, limit in (
        ("Phone", data.phone, 32),
        ("Language", data.language, 32),
        ("Treating physician", data.physician, 120),
        ("Family name", data.family_name, 120),
        ("Given name", data.given_name, 120),
    ):
        if len(value.strip()) > limit:
            raise BadInput(label, f"must be at most {limit} characters")


def _apply(patient: Patient, data: PatientInput) -> None:
    patient.mrn = data.mrn.strip()
    patient.family_name = data.family_name.strip()
    patient.given_name = data.given_name.strip()
    assert data.birth_date is not None
    patient.birth_date = data.birth_date
    patient.sex = data.sex
    patient.phone = data.phone.strip() or None
    patient.language = data.language.strip() or None
    patient.physician = data.physician.strip() or None


def _mrn_taken(session, mrn: str, other_than: int | None) -> bool:  # type: ignore[no-untyped-def]
    statement = select(Patient.id).where(Patient.mrn == mrn.strip())
    if other_than is not None:
        statement = statement.where(Patient.id != other_than)
    return session.scalar(statement) is not None


def create_patient(db: Database, user: SignedIn, data: PatientInput, today: date) -> int:
    validate_patient(data, today)
    with db.write(user.actor) as session:
        if _mrn_taken(session, data.mrn, None):
            raise BadInput("MRN", f"{data.mrn.strip()} is already used by another patient")
        patient = Patient(
            status=PatientStatus.ACTIVE.value,
            created_at=datetime.now(UTC),
            plan_problem=NO_TUMOUR,
        )
        _apply(patient, data)
        session.add(patient)
        session.flush()
        return patient.id


def update_patient(
    db: Database,
    user: SignedIn,
    patient_id: int,
    data: PatientInput,
    today: date,
    expected_version: int | None = None,
) -> None:
    validate_patient(data, today)
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        check_version("This patient", patient.version, expected_version)
        if _mrn_taken(session, data.mrn, patient_id):
            raise BadInput("MRN", f"{data.mrn.strip()} is already used by another patient")
        first_treatment = min((t.start for t in patient.treatments), default=None)
        if first_treatment and data.birth_date and data.birth_date > first_treatment:
            raise BadInput("Birth date", "is after the first treatment")
        _apply(patient, data)


def set_status(
    db: Database,
    user: SignedIn,
    patient_id: int,
    status: str,
    when: date | None,
    today: date,
    expected_version: int | None = None,
) -> CalendarChange:
    """Deceased, discharged or transferred (with a date) or back to active; the calendar follows."""
    if status not in {s.value for s in PatientStatus}:
        raise BadInput("Status", f"must be one of {', '.join(s.value for s in PatientStatus)}")
    if status != PatientStatus.ACTIVE.value:
        if when is None:
            raise BadInput("Status date", f"is required when the patient is {status}")
        if when > today:
            raise BadInput("Status date", "is in the future")
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        check_version("This patient", patient.version, expected_version)
        if when is not None and when < patient.birth_date:
            raise BadInput("Status date", "is before the birth date")
        patient.status = status
        patient.status_date = None if status == PatientStatus.ACTIVE.value else when
        session.flush()
        return regenerate_in_session(session, patient_id)
