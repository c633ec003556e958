"""CTCAE grades allowed per term, grade 5 only after death, rehabilitation by limb and the
therapist role (issue 12, points 7 to 9), on both database backends."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete

from survtrack.domain.errors import BadInput
from survtrack.domain.late_effects import check_grade, ctcae, find_term
from survtrack.services.auth import Role, SignedIn, create_user, ensure_user, sign_in
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import (
    TreatmentInput,
    TumourInput,
    delete_treatment,
    save_recurrence,
    save_treatment,
    save_tumour,
)
from survtrack.services.event_actions import waive
from survtrack.services.patient_edit import PatientInput, create_patient, set_status
from survtrack.services.rehab import (
    RehabVisit,
    achieve_milestone,
    create_plan,
    load_rehab,
    patient_flags,
    plan_defaults,
    record_measure,
    record_pain,
    record_visit,
    set_k_level,
)
from survtrack.services.side_effects import (
    add_side_effect,
    grades_offered,
    list_side_effects,
    regrade,
)
from survtrack.store.engine import Database
from survtrack.store.models import RehabPlan

TODAY = date(2026, 11, 23)
PASSWORD = "correct horse battery"


@pytest.fixture
def doctor(db: Database) -> SignedIn:
    return ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)


@pytest.fixture
def therapist(db: Database) -> SignedIn:
    return ensure_user(db, "pt", "Pat Therapist", Role.THERAPIST)


def patient_with(
    db: Database,
    user: SignedIn,
    limb: str,
    level: str | None,
    on: date = date(2026, 8, 3),
    mrn: str = "A1",
) -> int:
    patient_id = create_patient(
        db, user, PatientInput(mrn, "Berg", "Lena", date(1980, 5, 5), "female"), TODAY
    )
    save_tumour(
        db,
        user,
        patient_id,
        TumourInput(site="extremity", limb=limb, laterality="left", grade="3", size_cm=12.0),
        TODAY,
    )
    procedure = "amputation" if level else "limb_sparing"
    save_treatment(
        db,
        user,
        patient_id,
        TreatmentInput("surgery", on, procedure=procedure, amputation_level=level),
        TODAY,
    )
    return patient_id


# -- 7. CTCAE grades per term -------------------------------------------------------------------


def test_every_term_has_its_ctcae_grades_and_a_citation() -> None:
    terms, _ = ctcae()
    assert len(terms) == 24
    for term in terms:
        assert term.grades and set(term.grades) <= {1, 2, 3, 4, 5}
        assert term.source.startswith("CTCAE v5.0") and term.term in term.source
    expected = {
        "Lymphedema": (1, 2, 3),
        "Fatigue": (1, 2, 3),
        "Joint range of motion decreased": (1, 2, 3),
        "Ejection fraction decreased": (2, 3, 4),
        "Left ventricular systolic dysfunction": (3, 4, 5),
        "Azoospermia": (2,),
        "Heart failure": (1, 2, 3, 4, 5),
    }
    for name, grades in expected.items():
        term = find_term(name)
        assert term is not None and term.grades == grades


def test_a_grade_outside_the_term_is_refused_naming_the_field(
    db: Database, doctor: SignedIn
) -> None:
    patient_id = patient_with(db, doctor, "lower", None)
    with pytest.raises(BadInput) as info:
        add_side_effect(
            db, doctor, patient_id, "Lymphedema", "radiation", TODAY, 4, TODAY, confirmed=True
        )
    assert info.value.field == "Grade"
    assert info.value.reason == (
        "CTCAE v5.0 grades Lymphedema 1 to 3; grade 4 does not exist for it"
    )
    with pytest.raises(BadInput, match="Ejection fraction decreased 2 to 4"):
        add_side_effect(
            db, doctor, patient_id, "Ejection fraction decreased", "chemotherapy", TODAY, 1, TODAY
        )
    effect = add_side_effect(
        db, doctor, patient_id, "Ejection fraction decreased", "chemotherapy", TODAY, 2, TODAY
    )
    with pytest.raises(BadInput, match="grade 5 does not exist"):
        regrade(db, doctor, effect, TODAY, 5, TODAY, confirmed=True)
    [record] = list_side_effects(db, patient_id)
    assert [g.grade for g in record.grades] == [2]  # nothing written by the refusals
    assert check_grade(3, find_term("Fatigue")) == 3


def test_grade_5_needs_the_death_recorded_and_is_never_ongoing(
    db: Database, doctor: SignedIn
) -> None:
    patient_id = patient_with(db, doctor, "lower", None)
    assert grades_offered("Heart failure", deceased=False) == (1, 2, 3, 4)
    assert grades_offered("Heart failure", deceased=True) == (1, 2, 3, 4, 5)
    effect = add_side_effect(
        db, doctor, patient_id, "Heart failure", "chemotherapy", date(2026, 10, 1), 3, TODAY
    )
    with pytest.raises(BadInput) as info:
        regrade(db, doctor, effect, TODAY, 5, TODAY, confirmed=True)
    assert info.value.field == "Grade" and "record the patient's death" in info.value.reason
    assert [f.code for f in patient_flags(db, patient_id, TODAY)] == ["severe_side_effect"]

    set_status(db, doctor, patient_id, "deceased", date(2026, 11, 20), TODAY)
    with pytest.raises(BadInput, match="after the patient's death"):
        regrade(db, doctor, effect, TODAY, 5, TODAY, confirmed=True)
    regrade(db, doctor, effect, date(2026, 11, 20), 5, TODAY, confirmed=True)
    [record] = list_side_effects(db, patient_id)
    assert record.fatal and record.status == "resolved"
    assert record.resolved_on == date(2026, 11, 20)
    assert patient_flags(db, patient_id, TODAY) == []  # no "ongoing grade 5"


# -- 8. rehabilitation by limb --------------------------------------------------------------


def test_upper_limb_amputee_gets_upper_limb_milestones_and_measures(
    db: Database, doctor: SignedIn
) -> None:
    patient_id = patient_with(db, doctor, "upper", "transradial")
    plan = load_rehab(db, patient_id)
    assert plan is not None and plan.label == "Transradial (below elbow) amputation, left"
    codes = [m.code for m in plan.milestones]
    assert "gait_training" not in codes and "prosthetic_training" in codes
    targets = {m.code: m.target for m in plan.milestones}
    assert targets["first_fitting"] == date(2026, 9, 2)  # upper limb: within 30 days
    assert targets["definitive_prosthesis"] == date(2027, 2, 3)  # the 6-month fitting
    with pytest.raises(BadInput) as info:
        record_measure(db, doctor, patient_id, TODAY, "tug", 12.0, TODAY)
    assert (info.value.field, info.value.reason) == (
        "Measure",
        "Timed Up and Go is not a measure for upper-limb amputation",
    )
    with pytest.raises(BadInput, match="K0-K4 are for lower-limb prosthesis users"):
        set_k_level(db, doctor, patient_id, "K2", TODAY, TODAY)
    with pytest.raises(BadInput, match="K level"):
        record_visit(
            db,
            doctor,
            patient_id,
            RehabVisit(TODAY, "OT", "Kim", 45, k_level="K3"),
            TODAY,
        )
    record_measure(db, doctor, patient_id, TODAY, "am_ula", 22, TODAY)
    record = load_rehab(db, patient_id)
    assert record is not None and [e.code for e in record.entries] == ["am_ula"]


def test_tug_fall_flag_only_for_lower_limb_prosthesis_users(db: Database, doctor: SignedIn) -> None:
    lower = patient_with(db, doctor, "lower", "transtibial")
    achieve_milestone(db, doctor, lower, "first_fitting", date(2026, 9, 15), TODAY)
    record_measure(db, doctor, lower, TODAY, "tug", 9.0, TODAY)
    assert "fall_risk" in [f.code for f in patient_flags(db, lower, TODAY)]

    unfitted = patient_with(db, doctor, "lower", "transfemoral", mrn="A2")
    record_measure(db, doctor, unfitted, TODAY, "tug", 9.0, TODAY)
    assert "fall_risk" not in [f.code for f in patient_flags(db, unfitted, TODAY)]

    sparing = patient_with(db, doctor, "lower", None, mrn="A3")
    create_plan(db, doctor, sparing, "limb_sparing", None, "left", date(2026, 8, 3), TODAY)
    record_measure(db, doctor, sparing, TODAY, "tug", 15.0, TODAY)
    assert patient_flags(db, sparing, TODAY) == []


def test_residual_limb_pain_is_flagged_like_phantom_pain(db: Database, doctor: SignedIn) -> None:
    patient_id = patient_with(db, doctor, "lower", "transtibial")
    achieve_milestone(db, doctor, patient_id, "first_fitting", date(2026, 9, 15), TODAY)
    record_pain(db, doctor, patient_id, date(2026, 11, 1), "residual_limb_pain", 8, TODAY)
    assert patient_flags(db, patient_id, TODAY) == []
    record_pain(db, doctor, patient_id, date(2026, 11, 15), "residual_limb_pain", 7, TODAY)
    [flag] = patient_flags(db, patient_id, TODAY)
    assert flag.text == "Residual limb pain ≥ 7 at two consecutive entries"
    assert flag.short == "residual limb pain"


def test_limb_sparing_plan_has_its_own_milestones_and_pain(db: Database, doctor: SignedIn) -> None:
    patient_id = patient_with(db, doctor, "lower", None)
    assert load_rehab(db, patient_id) is None
    assert plan_defaults(db, patient_id).reason == "limb_sparing"
    create_plan(db, doctor, patient_id, "limb_sparing", None, "left", date(2026, 8, 3), TODAY)
    plan = load_rehab(db, patient_id)
    assert plan is not None and plan.label == "Limb-sparing surgery, left"
    names = [m.name for m in plan.milestones]
    assert names[0] == "Rehabilitation assessment (PT/OT)" and "Gait training" not in names
    assert plan.milestones[0].target == date(2026, 9, 3)  # the one-month PT assessment
    assert plan.milestones[0].passed_at_start  # the plan started on 23 November
    with pytest.raises(BadInput, match="Phantom limb pain: is not recorded after limb-sparing"):
        record_pain(db, doctor, patient_id, TODAY, "phantom_pain", 3, TODAY)
    record_pain(db, doctor, patient_id, TODAY, "limb_pain", 3, TODAY)
    with pytest.raises(BadInput, match="already has one"):
        create_plan(db, doctor, patient_id, "limb_sparing", None, None, TODAY, TODAY)


def test_plan_for_an_existing_amputee_and_targets_passed_before_it_started(
    db: Database, doctor: SignedIn
) -> None:
    patient_id = patient_with(db, doctor, "lower", "knee_disarticulation", on=date(2025, 3, 3))
    with db.write(doctor.actor) as session:  # an amputee without a plan (imported, demo data)
        session.execute(delete(RehabPlan).where(RehabPlan.patient_id == patient_id))
    defaults = plan_defaults(db, patient_id)
    assert (defaults.reason, defaults.level, defaults.side, defaults.operated_on) == (
        "amputation",
        "knee_disarticulation",
        "left",
        date(2025, 3, 3),
    )
    with pytest.raises(BadInput, match="Amputation level: is required"):
        create_plan(db, doctor, patient_id, "amputation", None, "left", date(2025, 3, 3), TODAY)
    with pytest.raises(BadInput, match="Operation date: is in the future"):
        create_plan(
            db,
            doctor,
            patient_id,
            "amputation",
            "transtibial",
            None,
            TODAY.replace(year=2027),
            TODAY,
        )
    create_plan(
        db,
        doctor,
        patient_id,
        "amputation",
        "knee_disarticulation",
        "left",
        date(2025, 3, 3),
        date(2026, 1, 10),
    )
    plan = load_rehab(db, patient_id)
    assert plan is not None and plan.started_on == date(2026, 1, 10)
    # every target (2 to 12 weeks after the operation) had passed when the plan started
    assert all(m.target and m.passed_at_start for m in plan.milestones)
    # a milestone dated when it happened; never before the operation, never in the future
    achieve_milestone(db, doctor, patient_id, "wound_healed", date(2025, 3, 20), TODAY)
    with pytest.raises(BadInput, match="Achieved on: is before the operation"):
        achieve_milestone(db, doctor, patient_id, "casting", date(2025, 3, 1), TODAY)
    with pytest.raises(BadInput, match="Achieved on: is in the future"):
        achieve_milestone(db, doctor, patient_id, "casting", date(2026, 12, 1), TODAY)
    plan = load_rehab(db, patient_id)
    assert plan is not None
    wound = next(m for m in plan.milestones if m.code == "wound_healed")
    assert wound.achieved_on == date(2025, 3, 20)


# -- 9. the therapist role ------------------------------------------------------------------


def test_therapist_account_records_rehab_and_side_effects_only(
    db: Database, doctor: SignedIn, therapist: SignedIn
) -> None:
    admin = ensure_user(db, "ada", "Ada Admin", Role.ADMINISTRATOR)
    create_user(db, "tina", "Tina Therapist", "therapist", PASSWORD, admin)
    assert sign_in(db, "tina", PASSWORD).role is Role.THERAPIST

    patient_id = patient_with(db, doctor, "lower", "transtibial")
    add_side_effect(db, therapist, patient_id, "Phantom pain", "surgery", TODAY, 2, TODAY)
    record_visit(
        db,
        therapist,
        patient_id,
        RehabVisit(TODAY, "PT", "Pat", 40, measure="tug", measure_value=10.0, k_level="K2"),
        TODAY,
    )
    achieve_milestone(db, therapist, patient_id, "wound_healed", date(2026, 8, 20), TODAY)

    refused = "a therapist account cannot change a diagnosis, treatment or recurrence"
    with pytest.raises(PermissionError, match=refused):
        save_tumour(
            db,
            therapist,
            patient_id,
            TumourInput(site="extremity", limb="lower", laterality="left", grade="1"),
            TODAY,
        )
    with pytest.raises(PermissionError, match=refused):
        save_treatment(
            db, therapist, patient_id, TreatmentInput("surgery", TODAY, procedure="other"), TODAY
        )
    with pytest.raises(PermissionError, match=refused):
        save_recurrence(db, therapist, patient_id, TODAY, "local", TODAY)
    with pytest.raises(PermissionError, match=refused):
        delete_treatment(db, therapist, patient_id, 1)
    event = next(e for e in load_calendar(db, patient_id) if e.state == "planned")
    with pytest.raises(PermissionError, match="only a physician can waive"):
        waive(db, therapist, event.id, "not needed", today=TODAY)
    plan = load_rehab(db, patient_id)
    assert plan is not None and plan.k_level == "K2" and plan.level == "transtibial"
