"""A therapist's visit after an amputation, and a side effect recorded from the catalogue."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.services.diagnosis import TumourInput, save_tumour
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.services.rehab import load_rehab
from survtrack.services.side_effects import list_side_effects
from survtrack.store.engine import Database
from survtrack.ui.main_window import MainWindow
from tests.ui.test_scheduler_e2e import choose, press_ok, shortcut, type_into

TODAY = date(2026, 11, 23)


def test_amputation_then_a_rehab_visit(qtbot: QtBot, sqlite_db: Database) -> None:
    user = ensure_user(sqlite_db, "terry", "Terry Therapist", Role.PHYSICIAN)
    patient_id = create_patient(
        sqlite_db, user, PatientInput("R1", "Moss", "Ida", date(1975, 3, 3), "female"), TODAY
    )
    save_tumour(
        sqlite_db,
        user,
        patient_id,
        TumourInput(site="extremity", limb="lower", laterality="right", grade="3", size_cm=17.0),
        TODAY,
    )
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.patient_view.record is not None)

    # the amputation, entered through the treatment dialog
    shortcut(qtbot, window, Qt.Key.Key_T)
    dialog = window.patient_view.dialog
    choose(dialog, "Type", "surgery")
    type_into(qtbot, dialog, "Date", "2026-08-03")
    choose(dialog, "Procedure", "amputation")
    choose(dialog, "Amputation level", "transfemoral")
    press_ok(qtbot, dialog)
    view = window.patient_view
    assert "First prosthetic fitting window passed" in view.flags.text()

    rehab = view.rehab
    view.tabs.setCurrentWidget(rehab)
    assert "Transfemoral (above knee) amputation, right" in rehab.summary.text()
    assert rehab.milestones.item(4, 0).text() == "First prosthetic fitting"
    # recorded on 23 November for an operation in August: that target had passed already
    assert rehab.milestones.item(4, 1).text() == "2026-09-14 (target passed before plan started)"

    # the therapist records today's visit; a TUG of 9.2 s before any fitting is not the
    # lower-limb prosthesis users' fall-risk threshold: no flag yet
    rehab.record_visit()
    dialog = rehab.dialog
    assert dialog is not None
    type_into(qtbot, dialog, "Minutes", "50")
    choose(dialog, "Measure", "amppro")
    type_into(qtbot, dialog, "Measure value", "48")
    type_into(qtbot, dialog, "Phantom limb pain", "7")
    press_ok(qtbot, dialog)
    assert dialog.error.text() == "AMPPRO: must be between 0 and 47 points."
    assert load_rehab(sqlite_db, patient_id).entries == ()  # nothing half-written
    choose(dialog, "Measure", "tug")
    type_into(qtbot, dialog, "Measure value", "9.2")
    k_box = dialog.findChild(QComboBox, "K level")
    k_box.setCurrentIndex(k_box.findData("K2"))
    press_ok(qtbot, dialog)
    record = load_rehab(sqlite_db, patient_id)
    assert [e.entry for e in record.entries] == ["session", "measure", "pain"]
    assert record.k_level == "K2"
    assert "Fall risk" not in view.flags.text()
    assert rehab.log.rowCount() == 3 and rehab.pain_chart.series
    assert "K2" in rehab.summary.text()

    # first fitting achieved on the day it happened, not today: the fitting flag goes and the
    # prosthesis user's TUG of 9.2 s now flags fall risk
    rehab.milestones.selectRow(4)
    rehab.achieve_selected()
    dialog = rehab.dialog
    type_into(qtbot, dialog, "Achieved on", "2026-09-20")
    press_ok(qtbot, dialog)
    assert rehab.milestones.item(4, 2).text() == "2026-09-20"
    assert "fitting window" not in view.flags.text()
    assert "Fall risk: TUG 9.2 s" in view.flags.text()
    window.close()


def test_side_effect_from_the_catalogue_with_grade_confirmation(
    qtbot: QtBot, sqlite_db: Database, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    user = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    patient_id = create_patient(
        sqlite_db, user, PatientInput("S1", "Vance", "Ola", date(1960, 1, 1), "female"), TODAY
    )
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patient_view.record is not None)
    effects = window.patient_view.side_effects
    effects.add_effect()
    dialog = effects.dialog
    qtbot.keyClicks(dialog.findChild(QLineEdit, "Find term"), "doxorubicin")
    terms = [dialog.terms.item(r).text().strip() for r in range(dialog.terms.count())]
    assert terms == [
        "Cardiac disorders",
        "Heart failure  (doxorubicin)",
        "Left ventricular systolic dysfunction  (doxorubicin)",
        "Investigations",
        "Ejection fraction decreased  (doxorubicin)",
    ]
    assert dialog.attribution.currentData() == "chemotherapy"
    choose(dialog, "Grade", "4")
    assert dialog.meaning.text().startswith("Life-threatening")
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    press_ok(qtbot, dialog)
    assert dialog.error.text() == "Grade: grade 4 was not confirmed."
    press_ok(qtbot, dialog)
    [effect] = list_side_effects(sqlite_db, patient_id)
    assert (effect.term, effect.current_grade) == ("Heart failure", 4)
    assert "Ongoing grade 4: Heart failure" in window.patient_view.flags.text()
    window.close()
