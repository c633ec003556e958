"""The grade picker offers only the term's CTCAE grades; the Rehabilitation tab by limb (start a
plan for an amputee, a milestone dated when it happened); the therapist role in the windows."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import delete

from survtrack.services.auth import Role, SignedIn, create_user, ensure_user
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.patient_edit import PatientInput, create_patient, set_status
from survtrack.services.rehab import load_rehab
from survtrack.services.side_effects import list_side_effects
from survtrack.store.engine import Database
from survtrack.store.models import RehabPlan
from survtrack.ui.main_window import MainWindow
from survtrack.ui.rehab_view import RehabVisitDialog
from survtrack.ui.sign_in_dialog import NewUserDialog
from survtrack.ui.users_dialog import UsersDialog
from tests.ui.test_scheduler_e2e import choose, press_ok, type_into

TODAY = date(2026, 11, 23)


def amputee(db: Database, user: SignedIn, limb: str, level: str, on: date) -> int:
    patient_id = create_patient(
        db, user, PatientInput("U1", "Moss", "Ida", date(1975, 3, 3), "female"), TODAY
    )
    save_tumour(
        db,
        user,
        patient_id,
        TumourInput(site="extremity", limb=limb, laterality="right", grade="3", size_cm=9.0),
        TODAY,
    )
    save_treatment(
        db,
        user,
        patient_id,
        TreatmentInput("surgery", on, procedure="amputation", amputation_level=level),
        TODAY,
    )
    return patient_id


def open_window(qtbot: QtBot, db: Database, user: SignedIn) -> MainWindow:
    window = MainWindow(db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patient_view.record is not None)
    return window


def grades_in(box: QComboBox) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def test_grade_picker_offers_only_the_terms_grades(qtbot: QtBot, sqlite_db: Database) -> None:
    user = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    patient_id = create_patient(
        sqlite_db, user, PatientInput("S1", "Vance", "Ola", date(1960, 1, 1), "female"), TODAY
    )
    window = open_window(qtbot, sqlite_db, user)
    effects = window.patient_view.side_effects
    effects.add_effect()
    dialog = effects.dialog
    search = dialog.findChild(QLineEdit, "Find term")
    qtbot.keyClicks(search, "lymph")
    assert grades_in(dialog.grade) == ["Grade 1", "Grade 2", "Grade 3"]
    search.clear()
    qtbot.keyClicks(search, "ejection")
    assert grades_in(dialog.grade) == ["Grade 2", "Grade 3", "Grade 4"]
    search.clear()
    qtbot.keyClicks(search, "heart failure")
    assert grades_in(dialog.grade) == ["Grade 1", "Grade 2", "Grade 3", "Grade 4"]
    assert "once the patient's death is recorded" in dialog.meaning.text()
    choose(dialog, "Grade", "2")
    press_ok(qtbot, dialog)
    [effect] = list_side_effects(sqlite_db, patient_id)
    assert (effect.term, effect.current_grade) == ("Heart failure", 2)

    # once the death is recorded, grade 5 is offered and shown as fatal, not ongoing
    set_status(sqlite_db, user, patient_id, "deceased", TODAY, TODAY)
    effects.show_patient(patient_id)
    effects.table.selectRow(0)
    effects.regrade()
    dialog = effects.dialog
    assert grades_in(dialog.grade)[-1] == "Grade 5"
    assert dialog.grade.currentData() == "2"
    window.close()


def test_upper_limb_amputee_visit_has_no_k_level_and_no_tug(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    user = ensure_user(sqlite_db, "pt", "Pat Therapist", Role.THERAPIST)
    doctor = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    patient_id = amputee(sqlite_db, doctor, "upper", "transhumeral", date(2026, 11, 2))
    dialog = RehabVisitDialog(sqlite_db, user, TODAY, patient_id)
    qtbot.addWidget(dialog)
    measures = dialog.findChild(QComboBox, "Measure")
    codes = [measures.itemData(i) for i in range(measures.count())]
    assert "tug" not in codes and "am_ula" in codes and "amppro" not in codes
    assert dialog.findChild(QComboBox, "K level") is None
    assert "Residual limb pain" in dialog.fields and "Phantom limb pain" in dialog.fields


def test_start_a_plan_for_an_existing_amputee_and_date_a_milestone(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    doctor = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    patient_id = amputee(sqlite_db, doctor, "lower", "ankle_syme", date(2026, 10, 5))
    with sqlite_db.write(doctor.actor) as session:  # an amputee without a plan
        session.execute(delete(RehabPlan).where(RehabPlan.patient_id == patient_id))
    therapist = ensure_user(sqlite_db, "pt", "Pat Therapist", Role.THERAPIST)
    window = open_window(qtbot, sqlite_db, therapist)
    rehab = window.patient_view.rehab
    window.patient_view.tabs.setCurrentWidget(rehab)
    assert rehab.create_button.isVisible() and rehab.create_button.text() == "Start a &plan…"
    rehab.start_plan()
    dialog = rehab.dialog
    level = dialog.findChild(QComboBox, "Amputation level")
    assert level.currentText() == "Lower limb: Ankle disarticulation (Syme)"
    assert dialog.findChild(QComboBox, "Side").currentData() == "right"
    assert dialog.findChild(QLineEdit, "Operation date").text() == "2026-10-05"
    press_ok(qtbot, dialog)
    record = load_rehab(sqlite_db, patient_id)
    assert record is not None and record.level == "ankle_syme"
    assert "Ankle disarticulation (Syme) amputation, right" in rehab.summary.text()
    assert "ankle_syme" not in rehab.summary.text()
    assert not rehab.create_button.isVisible()
    # the wound healed two weeks ago; the therapist dates it then
    rehab.milestones.selectRow(0)
    rehab.achieve_selected()
    dialog = rehab.dialog
    type_into(qtbot, dialog, "Achieved on", "2026-10-01")
    press_ok(qtbot, dialog)
    assert dialog.error.text() == "Achieved on: is before the operation (2026-10-05)."
    type_into(qtbot, dialog, "Achieved on", "2026-11-09")
    press_ok(qtbot, dialog)
    assert rehab.milestones.item(0, 2).text() == "2026-11-09"
    window.close()


def test_therapist_cannot_reach_diagnosis_or_waive(qtbot: QtBot, sqlite_db: Database) -> None:
    therapist = ensure_user(sqlite_db, "pt", "Pat Therapist", Role.THERAPIST)
    create_patient(
        sqlite_db, therapist, PatientInput("T1", "Lee", "Ann", date(1970, 1, 1), "female"), TODAY
    )
    window = open_window(qtbot, sqlite_db, therapist)
    actions = {a.text(): a for a in window.findChildren(type(window.menuBar().actions()[0]))}
    for text in ("&Diagnosis…", "Add &treatment…", "Record &recurrence…", "&Waive… (physicians)"):
        assert not actions[text].isEnabled(), text
    assert actions["Record &visit…"].isEnabled()
    assert "Therapist (PT/OT)" in window.user_label.text()
    assert not window.patient_view.buttons["waive"].isEnabled()
    window.close()


def test_administrator_adds_a_therapist(qtbot: QtBot, sqlite_db: Database) -> None:
    admin = ensure_user(sqlite_db, "ada", "Ada Admin", Role.ADMINISTRATOR)
    dialog = NewUserDialog(sqlite_db, admin)
    qtbot.addWidget(dialog)
    roles = [dialog.role.itemText(i) for i in range(dialog.role.count())]
    assert "Therapist (PT/OT)" in roles
    create_user(sqlite_db, "tina", "Tina T", "therapist", "long enough pw", admin)
    users = UsersDialog(sqlite_db, admin)
    qtbot.addWidget(users)
    shown = [users.table.item(r, 2).text() for r in range(users.table.rowCount())]
    assert "Therapist (PT/OT)" in shown and "therapist" not in shown
