"""Side effects and rehabilitation: validation at the edges, grade history, plan and flags."""

from __future__ import annotations

from datetime import date

import pytest

from survtrack.domain.errors import BadInput
from survtrack.domain.late_effects import grade_meaning, search_terms
from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.services.rehab import (
    achieve_milestone,
    create_plan,
    load_rehab,
    patient_flags,
    record_measure,
    record_pain,
    record_referral,
    record_session,
    set_k_level,
)
from survtrack.services.side_effects import add_side_effect, list_side_effects, regrade, resolve
from survtrack.store.engine import Database

TODAY = date(2026, 11, 23)


@pytest.fixture
def user(db: Database) -> SignedIn:
    return ensure_user(db, "pt", "Pat Therapist", Role.PHYSICIAN)


def amputee(db: Database, user: SignedIn, on: date = date(2026, 8, 3)) -> int:
    patient_id = create_patient(
        db, user, PatientInput("A1", "Berg", "Lena", date(1980, 5, 5), "female"), TODAY
    )
    save_tumour(
        db,
        user,
        patient_id,
        TumourInput(site="extremity", limb="lower", laterality="left", grade="3", size_cm=16.0),
        TODAY,
    )
    save_treatment(
        db,
        user,
        patient_id,
        TreatmentInput("surgery", on, procedure="amputation", amputation_level="transfemoral"),
        TODAY,
    )
    return patient_id


def test_catalogue_search_and_grade_meanings() -> None:
    assert [t.term for t in search_terms("lymph")] == ["Lymphedema"]
    assert {t.usual_cause for t in search_terms("ifosfamide")} == {"ifosfamide"}
    assert grade_meaning(1).startswith("Mild") and grade_meaning(5).startswith("Death")


def test_grade_history_in_date_order_and_confirmation(db: Database, user: SignedIn) -> None:
    patient_id = amputee(db, user)
    effect = add_side_effect(
        db,
        user,
        patient_id,
        "Fibrosis deep connective tissue",
        "radiation",
        date(2026, 9, 1),
        1,
        TODAY,
    )
    regrade(db, user, effect, date(2026, 11, 1), 3, TODAY)
    regrade(db, user, effect, date(2026, 10, 1), 2, TODAY)
    with pytest.raises(BadInput, match="must be confirmed"):
        regrade(db, user, effect, date(2026, 11, 20), 4, TODAY)
    regrade(db, user, effect, date(2026, 11, 20), 4, TODAY, confirmed=True)
    [record] = list_side_effects(db, patient_id)
    assert [(g.graded_on.month, g.grade) for g in record.grades] == [
        (9, 1),
        (10, 2),
        (11, 3),
        (11, 4),
    ]
    assert record.current_grade == 4
    with pytest.raises(BadInput, match="Term"):
        add_side_effect(db, user, patient_id, "Headache-ish", "other", TODAY, 1, TODAY)
    with pytest.raises(BadInput, match="Grade"):
        regrade(db, user, effect, TODAY, 6, TODAY)
    resolve(db, user, effect, TODAY, TODAY)
    with pytest.raises(BadInput, match="resolved"):
        regrade(db, user, effect, TODAY, 1, TODAY)


def test_amputation_creates_the_plan_with_targets_from_the_calendar(
    db: Database, user: SignedIn
) -> None:
    patient_id = amputee(db, user)
    plan = load_rehab(db, patient_id)
    assert plan is not None and (plan.reason, plan.level, plan.side) == (
        "amputation",
        "transfemoral",
        "left",
    )
    targets = {m.code: m.target for m in plan.milestones}
    assert targets["wound_healed"] == date(2026, 8, 17)  # first PT assessment, 2 weeks
    assert targets["first_fitting"] == date(2026, 9, 14)  # lower-limb fitting, 6 weeks
    assert plan.milestones[0].code == "wound_healed"


@pytest.mark.parametrize(
    ("code", "ok", "bad"),
    [("amppro", 47, 48), ("ampnopro", 43, 43.5), ("tess", 100, 101), ("tug", 0, -0.1)],
)
def test_outcome_measure_ranges(
    db: Database, user: SignedIn, code: str, ok: float, bad: float
) -> None:
    patient_id = amputee(db, user)
    record_measure(db, user, patient_id, TODAY, code, ok, TODAY)
    with pytest.raises(BadInput) as info:
        record_measure(db, user, patient_id, TODAY, code, bad, TODAY)
    assert info.value.field in {"AMPPRO", "AMPnoPRO", "TESS", "Timed Up and Go"}
    assert "must be between" in info.value.reason


def test_flags(db: Database, user: SignedIn) -> None:
    patient_id = amputee(db, user)
    assert [f.code for f in patient_flags(db, patient_id, TODAY)] == ["fitting_overdue"]
    achieve_milestone(db, user, patient_id, "first_fitting", date(2026, 9, 20), TODAY)
    assert patient_flags(db, patient_id, TODAY) == []
    record_measure(db, user, patient_id, date(2026, 11, 1), "tug", 8.16, TODAY)
    assert patient_flags(db, patient_id, TODAY) == []
    record_measure(db, user, patient_id, date(2026, 11, 20), "tug", 8.17, TODAY)
    assert [f.code for f in patient_flags(db, patient_id, TODAY)] == ["fall_risk"]
    record_pain(db, user, patient_id, date(2026, 11, 1), "phantom_pain", 7, TODAY)
    record_pain(db, user, patient_id, date(2026, 11, 2), "residual_limb_pain", 9, TODAY)
    assert "phantom_pain" not in [f.code for f in patient_flags(db, patient_id, TODAY)]
    record_pain(db, user, patient_id, date(2026, 11, 10), "phantom_pain", 8, TODAY)
    assert "phantom_pain" in [f.code for f in patient_flags(db, patient_id, TODAY)]
    add_side_effect(db, user, patient_id, "Wound infection", "surgery", date(2026, 8, 20), 3, TODAY)
    texts = [f.text for f in patient_flags(db, patient_id, TODAY)]
    assert "Ongoing grade 3: Wound infection" in texts


def test_sessions_k_level_referrals_and_validation(db: Database, user: SignedIn) -> None:
    patient_id = amputee(db, user)
    record_session(db, user, patient_id, date(2026, 11, 2), "PT", "Kim", 45, "gait", TODAY)
    with pytest.raises(BadInput, match="Minutes"):
        record_session(db, user, patient_id, TODAY, "PT", "Kim", 0, "", TODAY)
    with pytest.raises(BadInput, match="Discipline"):
        record_session(db, user, patient_id, TODAY, "SLP", "Kim", 30, "", TODAY)
    with pytest.raises(BadInput, match="Phantom limb pain"):
        record_pain(db, user, patient_id, TODAY, "phantom_pain", 11, TODAY)
    set_k_level(db, user, patient_id, "K2", TODAY, TODAY)
    record_referral(db, user, patient_id, TODAY, "peer_support", "Amputee coalition", TODAY)
    plan = load_rehab(db, patient_id)
    assert plan is not None and plan.k_level == "K2"
    assert [e.entry for e in plan.entries] == ["session", "referral"]
    with pytest.raises(BadInput, match="K level"):
        set_k_level(db, user, patient_id, "K5", TODAY, TODAY)


def test_limb_sparing_plan_on_request(db: Database, user: SignedIn) -> None:
    patient_id = create_patient(
        db, user, PatientInput("L1", "Roy", "Sam", date(1970, 1, 1), "male"), TODAY
    )
    with pytest.raises(BadInput, match="Rehabilitation plan"):
        record_pain(db, user, patient_id, TODAY, "phantom_pain", 2, TODAY)
    create_plan(db, user, patient_id, "limb_sparing", None, "right", date(2026, 10, 1))
    plan = load_rehab(db, patient_id)
    assert plan is not None and plan.reason == "limb_sparing"
