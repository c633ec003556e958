"""Tumour, treatment and recurrence entry, with live staging and the calendar regenerated on save.

``preview`` is pure (the dialog calls it on every keystroke); the ``save_*`` functions validate,
write, and regenerate the calendar in the same transaction, returning what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from survtrack.domain.agents import agent_catalogue
from survtrack.domain.case_file import (
    MARGINS,
    RADIATION_MODALITIES,
    RADIATION_TIMINGS,
    RECURRENCE_KINDS,
    SURGERY_PROCEDURES,
)
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade, grade_from_fnclcc
from survtrack.domain.risk import (
    RiskTier,
    first_episode_risk,
    is_desmoid,
)
from survtrack.domain.sites import (
    AMPUTATION_LEVELS,
    Depth,
    Laterality,
    Limb,
    Metastasis,
    Nodes,
    Site,
)
from survtrack.domain.staging import StageResult, stage_tumour
from survtrack.services.auth import SignedIn
from survtrack.services.calendar import CalendarChange, regenerate_in_session
from survtrack.services.errors import check_version
from survtrack.services.permissions import Action, require
from survtrack.services.rehab import ensure_plan_in_session
from survtrack.store.engine import Database
from survtrack.store.models import Patient, RecurrenceRow, TreatmentRow
from survtrack.store.models import Tumour as TumourRow


@dataclass(frozen=True, slots=True)
class TumourInput:
    site: str
    limb: str | None = None
    laterality: str | None = None
    histology: str = ""
    grade: str | None = None
    fnclcc_score: int | None = None
    size_cm: float | None = None
    depth: str | None = None
    nodes: str | None = None
    metastasis: str | None = None
    diagnosis_date: date | None = None
    t4_invasion: bool = False


@dataclass(frozen=True, slots=True)
class StagePreview:
    t: str | None
    stage: str | None
    risk: str
    grade: str | None
    warnings: tuple[str, ...] = field(default=())

    def text(self) -> str:
        stage = self.stage or "not staged"
        return f"Stage {stage} · T {self.t or '—'} · risk {self.risk}"


def _grade(data: TumourInput) -> Grade | None:
    if data.fnclcc_score is not None:
        derived = grade_from_fnclcc(data.fnclcc_score)
        if data.grade and data.grade != derived.value:
            raise BadInput(
                "Grade",
                f"G{data.grade} contradicts FNCLCC score {data.fnclcc_score} ({derived.label})",
            )
        return derived
    return Grade(data.grade) if data.grade else None


def validate_tumour(data: TumourInput, today: date) -> None:
    choices: list[tuple[str, str | None, tuple[str, ...]]] = [
        ("Site", data.site, tuple(s.value for s in Site)),
        ("Limb", data.limb, tuple(x.value for x in Limb)),
        ("Laterality", data.laterality, tuple(x.value for x in Laterality)),
        ("Grade", data.grade, tuple(g.value for g in Grade)),
        ("Depth", data.depth, tuple(x.value for x in Depth)),
        ("N", data.nodes, tuple(x.value for x in Nodes)),
        ("M", data.metastasis, tuple(x.value for x in Metastasis)),
    ]
    for label, value, allowed in choices:
        if label == "Site" and not value:
            raise BadInput("Site", "is required")
        if value is not None and value not in allowed:
            raise BadInput(label, f"{value!r} is not one of {', '.join(allowed)}")
    if data.size_cm is not None and not data.size_cm > 0:
        raise BadInput("Size", "must be greater than 0 cm")
    if data.size_cm is not None and data.size_cm > 100:
        raise BadInput("Size", "must be at most 100 cm")
    if data.diagnosis_date and data.diagnosis_date > today:
        raise BadInput("Diagnosis date", "is in the future")
    if data.limb and data.site != Site.EXTREMITY.value:
        raise BadInput("Limb", "applies to extremity tumours only")
    # GIST and Kaposi are recorded as diagnosed: the engine then refuses a default calendar and
    # the patient goes on the "Needs a plan" worklist with that reason (never silence)
    _grade(data)


def preview(data: TumourInput) -> StagePreview:
    """Stage and risk for the values as typed (no database); raises BadInput when invalid."""
    grade = _grade(data)
    site = Site(data.site)
    nodes = Nodes(data.nodes) if data.nodes else None
    metastasis = Metastasis(data.metastasis) if data.metastasis else None
    staging: StageResult = stage_tumour(
        site, data.size_cm, grade, nodes, metastasis, data.t4_invasion
    )
    if is_desmoid(data.histology):
        return StagePreview(staging.t, None, RiskTier.ANY.value, None, ())
    tier, warnings = first_episode_risk(staging, grade, nodes, metastasis)
    return StagePreview(
        staging.t,
        staging.stage,
        tier.value,
        grade.value if grade else None,
        staging.warnings + warnings,
    )


def save_tumour(
    db: Database,
    user: SignedIn,
    patient_id: int,
    data: TumourInput,
    today: date,
    tumour_id: int | None = None,
    expected_version: int | None = None,
) -> CalendarChange:
    require(user, Action.CHANGE_DIAGNOSIS)
    validate_tumour(data, today)
    result = preview(data)
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        if data.diagnosis_date and data.diagnosis_date < patient.birth_date:
            raise BadInput("Diagnosis date", "is before the birth date")
        if tumour_id is None:
            row = TumourRow(patient_id=patient_id)
            session.add(row)
        else:
            found = session.get(TumourRow, tumour_id)
            if found is None or found.patient_id != patient_id:
                raise BadInput("tumour", "no longer exists")
            check_version("This diagnosis", found.version, expected_version)
            row = found
        row.site, row.limb, row.laterality = data.site, data.limb, data.laterality
        row.histology = data.histology.strip() or None
        row.grade, row.fnclcc_score = result.grade, data.fnclcc_score
        row.size_cm, row.depth = data.size_cm, data.depth
        row.nodes, row.metastasis = data.nodes, data.metastasis
        row.diagnosis_date, row.t4_invasion = data.diagnosis_date, data.t4_invasion
        row.t_category, row.stage, row.risk = result.t, result.stage, result.risk
        session.flush()
        return regenerate_in_session(session, patient_id)


@dataclass(frozen=True, slots=True)
class TreatmentInput:
    type: str  # surgery, radiation, systemic
    start: date | None
    end: date | None = None  # surgery: ignored (the operation date is start)
    procedure: str | None = None
    margin: str | None = None
    amputation_level: str | None = None
    timing: str | None = None
    modality: str | None = None
    dose_gy: float | None = None
    agents: tuple[str, ...] = ()
    doxorubicin_mg_m2: float | None = None


def validate_treatment(data: TreatmentInput, today: date) -> None:
    if data.type not in ("surgery", "radiation", "systemic"):
        raise BadInput("Type", "must be surgery, radiation or systemic")
    label = "Date" if data.type == "surgery" else "Start"
    if data.start is None:
        raise BadInput(label, "is required")
    if data.start > today:
        raise BadInput(label, "is in the future")
    if data.type == "surgery":
        if data.procedure not in SURGERY_PROCEDURES:
            raise BadInput("Procedure", f"must be one of {', '.join(SURGERY_PROCEDURES)}")
        if data.procedure == "amputation" and data.amputation_level not in AMPUTATION_LEVELS:
            raise BadInput("Amputation level", "is required for an amputation")
        if data.procedure != "amputation" and data.amputation_level:
            raise BadInput("Amputation level", "is only for amputations")
        if data.margin is not None and data.margin not in MARGINS:
            raise BadInput("Margin", f"must be one of {', '.join(MARGINS)}")
        return
    if data.end is None:
        raise BadInput("End", "is required")
    if data.end < data.start:
        raise BadInput("End", "is before the start")
    if data.type == "radiation":
        if data.timing is not None and data.timing not in RADIATION_TIMINGS:
            raise BadInput("Timing", f"must be one of {', '.join(RADIATION_TIMINGS)}")
        if data.modality is not None and data.modality not in RADIATION_MODALITIES:
            raise BadInput("Modality", f"must be one of {', '.join(RADIATION_MODALITIES)}")
        if data.dose_gy is not None and not 0 < data.dose_gy <= 200:
            raise BadInput("Dose", "must be more than 0 and at most 200 Gy")
        return
    agents = [a.strip() for a in data.agents if a.strip()]
    if not agents:
        raise BadInput("Agents", "name at least one agent")
    if data.doxorubicin_mg_m2 is not None:
        if data.doxorubicin_mg_m2 < 0:
            raise BadInput("Doxorubicin dose", "must not be negative")
        catalogue = agent_catalogue()
        if catalogue.anthracycline_factor(agents) is None:
            names = ", ".join(catalogue.anthracycline_names())
            raise BadInput(
                "Doxorubicin dose", f"given but no anthracycline ({names}) is among the agents"
            )


def save_treatment(
    db: Database,
    user: SignedIn,
    patient_id: int,
    data: TreatmentInput,
    today: date,
    treatment_id: int | None = None,
    expected_version: int | None = None,
) -> CalendarChange:
    require(user, Action.CHANGE_DIAGNOSIS)
    validate_treatment(data, today)
    assert data.start is not None
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        if data.start < patient.birth_date:
            raise BadInput(
                "Date" if data.type == "surgery" else "Start", "is before the birth date"
            )
        if treatment_id is None:
            row = TreatmentRow(patient_id=patient_id)
            session.add(row)
        else:
            found = session.get(TreatmentRow, treatment_id)
            if found is None or found.patient_id != patient_id:
                raise BadInput("treatment", "no longer exists")
            check_version("This treatment", found.version, expected_version)
            row = found
        surgery = data.type == "surgery"
        row.type, row.start = data.type, data.start
        row.end = data.start if surgery else data.end  # type: ignore[assignment]
        row.procedure = data.procedure if surgery else None
        row.margin = data.margin if surgery else None
        row.amputation_level = data.amputation_level if surgery else None
        row.timing = data.timing if data.type == "radiation" else None
        row.modality = data.modality if data.type == "radiation" else None
        row.dose_gy = data.dose_gy if data.type == "radiation" else None
        row.agents = ", ".join(a.strip() for a in data.agents if a.strip()) or None
        row.doxorubicin_mg_m2 = data.doxorubicin_mg_m2 if data.type == "systemic" else None
        session.flush()
        change = regenerate_in_session(session, patient_id)
        if surgery and data.procedure == "amputation":
            # a rehabilitation plan starts with the amputation (targets from the new calendar)
            session.flush()
            ensure_plan_in_session(
                session,
                patient_id,
                "amputation",
                data.amputation_level,
                patient.tumours[0].laterality if patient.tumours else None,
                data.start,
                started_on=today,
            )
        return change


def delete_treatment(
    db: Database,
    user: SignedIn,
    patient_id: int,
    treatment_id: int,
    expected_version: int | None = None,
) -> CalendarChange:
    require(user, Action.CHANGE_DIAGNOSIS)
    with db.write(user.actor) as session:
        row = session.get(TreatmentRow, treatment_id)
        if row is None or row.patient_id != patient_id:
            raise BadInput("treatment", "no longer exists")
        check_version("This treatment", row.version, expected_version)
        session.delete(row)
        session.flush()
        return regenerate_in_session(session, patient_id)


def save_recurrence(
    db: Database, user: SignedIn, patient_id: int, when: date | None, kind: str, today: date
) -> CalendarChange:
    require(user, Action.CHANGE_DIAGNOSIS)
    if when is None:
        raise BadInput("Recurrence date", "is required")
    if when > today:
        raise BadInput("Recurrence date", "is in the future")
    if kind not in RECURRENCE_KINDS:
        raise BadInput("Kind", f"must be one of {', '.join(RECURRENCE_KINDS)}")
    with db.write(user.actor) as session:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise BadInput("patient", "no longer exists")
        first = min((t.start for t in patient.treatments), default=None)
        if first is None or when <= first:
            raise BadInput("Recurrence date", "must come after the first treatment")
        session.add(RecurrenceRow(patient_id=patient_id, date=when, kind=kind))
        session.flush()
        return regenerate_in_session(session, patient_id)
