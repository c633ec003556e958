"""A patient's record as the detail pane and the calendar engine read it.

``load_patient`` returns plain frozen dataclasses (no live ORM objects cross into the UI), and
``case_from_record`` turns them into the domain ``Case`` the generator plans from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from survtrack.domain.case import Case, Radiation, Recurrence, Status, Surgery, Systemic, Tumour
from survtrack.domain.grading import Grade
from survtrack.domain.sites import Depth, Laterality, Limb, Metastasis, Nodes, Site
from survtrack.store.engine import Database
from survtrack.store.models import Patient, RecurrenceRow, TreatmentRow
from survtrack.store.models import Tumour as TumourRow

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class TumourRecord:
    id: int
    diagnosis_date: date | None
    site: str
    limb: str | None
    laterality: str | None
    histology: str | None
    grade: str | None
    size_cm: float | None
    depth: str | None
    nodes: str | None
    metastasis: str | None
    t_category: str | None
    stage: str | None
    risk: str | None
    version: int = 1


@dataclass(frozen=True, slots=True)
class TreatmentRecord:
    id: int
    type: str
    start: date
    end: date
    procedure: str | None
    margin: str | None
    amputation_level: str | None
    timing: str | None
    modality: str | None
    dose_gy: float | None
    agents: tuple[str, ...]
    doxorubicin_mg_m2: float | None
    version: int = 1


@dataclass(frozen=True, slots=True)
class RecurrenceRecord:
    id: int
    date: date
    kind: str


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: int
    mrn: str
    family_name: str
    given_name: str
    birth_date: date
    sex: str
    phone: str | None
    language: str | None
    physician: str | None
    status: str
    status_date: date | None
    tumours: tuple[TumourRecord, ...]
    treatments: tuple[TreatmentRecord, ...]
    recurrences: tuple[RecurrenceRecord, ...]
    version: int

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"


def _tumour(row: TumourRow) -> TumourRecord:
    return TumourRecord(
        row.id,
        row.diagnosis_date,
        row.site,
        row.limb,
        row.laterality,
        row.histology,
        row.grade,
        row.size_cm,
        row.depth,
        row.nodes,
        row.metastasis,
        row.t_category,
        row.stage,
        row.risk,
        row.version,
    )


def _treatment(row: TreatmentRow) -> TreatmentRecord:
    agents = tuple(a.strip() for a in (row.agents or "").split(",") if a.strip())
    return TreatmentRecord(
        row.id,
        row.type,
        row.start,
        row.end,
        row.procedure,
        row.margin,
        row.amputation_level,
        row.timing,
        row.modality,
        row.dose_gy,
        agents,
        row.doxorubicin_mg_m2,
        row.version,
    )


def _recurrence(row: RecurrenceRow) -> RecurrenceRecord:
    return RecurrenceRecord(row.id, row.date, row.kind)


def record_from_patient(patient: Patient) -> PatientRecord:
    """A frozen copy of a loaded patient and its children (inside a session)."""
    return PatientRecord(
        id=patient.id,
        mrn=patient.mrn,
        family_name=patient.family_name,
        given_name=patient.given_name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        phone=patient.phone,
        language=patient.language,
        physician=patient.physician,
        status=patient.status,
        status_date=patient.status_date,
        tumours=tuple(_tumour(t) for t in patient.tumours),
        treatments=tuple(_treatment(t) for t in patient.treatments),
        recurrences=tuple(_recurrence(r) for r in patient.recurrences),
        version=patient.version,
    )


def patient_with_children(patient_id: int) -> Select[tuple[Patient]]:
    return (
        select(Patient)
        .where(Patient.id == patient_id)
        .options(
            selectinload(Patient.tumours),
            selectinload(Patient.treatments),
            selectinload(Patient.recurrences),
        )
    )


def load_patient(db: Database, patient_id: int) -> PatientRecord | None:
    with db.read() as session:
        patient = session.scalar(patient_with_children(patient_id))
        return None if patient is None else record_from_patient(patient)


def _opt(enum: type[E], value: str | None) -> E | None:
    return None if value is None else enum(value)


def case_from_record(record: PatientRecord) -> Case | None:
    """The domain case of the patient's first tumour, or None when no tumour is recorded."""
    if not record.tumours:
        return None
    t = record.tumours[0]
    tumour = Tumour(
        site=Site(t.site),
        limb=_opt(Limb, t.limb),
        laterality=_opt(Laterality, t.laterality),
        histology=t.histology,
        grade=_opt(Grade, t.grade),
        size_cm=t.size_cm,
        depth=_opt(Depth, t.depth),
        nodes=_opt(Nodes, t.nodes),
        metastasis=_opt(Metastasis, t.metastasis),
    )
    treatments: list[Surgery | Radiation | Systemic] = []
    for tr in record.treatments:
        if tr.type == "surgery":
            treatments.append(
                Surgery(tr.start, tr.procedure or "other", tr.amputation_level, tr.margin)
            )
        elif tr.type == "radiation":
            treatments.append(Radiation(tr.start, tr.end, tr.timing, tr.modality, tr.dose_gy))
        else:
            treatments.append(Systemic(tr.start, tr.end, tr.agents, tr.doxorubicin_mg_m2))
    state = record.status if record.status in ("deceased", "discharged") else "active"
    if record.status == "transferred":
        state = "discharged"
    return Case(
        tumour=tumour,
        treatments=tuple(treatments),
        recurrences=tuple(Recurrence(r.date, r.kind) for r in record.recurrences),
        status=Status(state, record.status_date if state != "active" else None),
    )
