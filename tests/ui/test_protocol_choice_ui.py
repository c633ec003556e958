"""Assign protocol… from the "Needs a plan" tab and from the patient record (issue 12 item 6):
the dialog names the patient, lists protocols by name with what each covers, requires a reason,
and the patient leaves the list; the record shows the assignment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.clinic_settings import load_settings
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.services.worklists import needs_a_plan
from survtrack.store.engine import Database
from survtrack.ui.clinic_settings_dialog import ClinicSettingsDialog
from survtrack.ui.main_window import MainWindow
from survtrack.ui.protocol_dialog import AssignProtocolDialog
from tests.clinic import administrator

TODAY = date(2026, 11, 23)
GIST_FILE = (Path(__file__).parents[1] / "services" / "data" / "clinic-gist.toml").read_text(
    encoding="utf-8"
)


def gist(db: Database, user: SignedIn) -> int:
    patient_id = create_patient(
        db, user, PatientInput("G7", "Stone", "Mara", date(1970, 3, 3), "female"), TODAY
    )
    save_tumour(
        db,
        user,
        patient_id,
        TumourInput(site="visceral", histology="gastrointestinal stromal tumour", grade="2"),
        TODAY,
    )
    save_treatment(
        db, user, patient_id, TreatmentInput("surgery", date(2026, 6, 1), procedure="other"), TODAY
    )
    return patient_id


def window_for(qtbot: QtBot, db: Database, user: SignedIn) -> MainWindow:
    window = MainWindow(db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    return window


def open_dialog_now(qtbot: QtBot) -> AssignProtocolDialog:
    found: list[AssignProtocolDialog] = []

    def shown() -> bool:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, AssignProtocolDialog) and w.isVisible()
        ]
        return bool(found)

    qtbot.waitUntil(shown)
    return found[0]


def test_assign_from_needs_a_plan_with_the_shortcut(qtbot: QtBot, sqlite_db: Database) -> None:
    doctor = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    gist(sqlite_db, doctor)
    window = window_for(qtbot, sqlite_db, doctor)
    window.tabs.setCurrentIndex(4)
    view = window.needs_plan
    qtbot.waitUntil(lambda: view.count.text() == "1 patient needs a plan")
    assert "choose a protocol" in view.model.index(0, 3).data()
    view.table.setCurrentIndex(view.model.index(0, 0))
    view.table.setFocus()
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view.table, Qt.Key.Key_P, shift_ctrl)
    dialog = open_dialog_now(qtbot)
    intro = " ".join(label.text() for label in dialog.findChildren(type(dialog.error)))
    assert "Stone, Mara (MRN G7)" in intro
    assert "the clinic's default" in intro
    names = [dialog.protocol.itemText(i) for i in range(dialog.protocol.count())]
    assert names == [
        "Choose a protocol…",
        "Desmoid tumour (SurvTrack default)",
        "Extremity, trunk, head and neck (SurvTrack default)",
        "Retroperitoneum and visceral (SurvTrack default)",
    ]
    assert not any("-" in name and " " not in name for name in names)  # words, never ids

    # no protocol chosen, then no reason: refused, said in words, nothing written
    dialog.reason.setText("tumour board")
    dialog.submit()
    assert dialog.error.text() == "Protocol: is required: choose one from the list."
    dialog.protocol.setCurrentIndex(3)
    assert "retroperitoneum" in dialog.covers.text().lower()
    dialog.reason.setText("   ")
    dialog.submit()
    assert dialog.error.text().startswith("Reason: is required")
    assert len(needs_a_plan(sqlite_db)) == 1

    dialog.reason.setText("GIST: abdominal CT follow-up agreed at the tumour board")
    dialog.submit()
    qtbot.waitUntil(lambda: view.count.text() == "Every active patient has a follow-up calendar.")
    assert "Protocol saved. Calendar:" in window.statusBar().currentMessage()
    window.close()


def test_the_record_shows_the_assignment_and_assigns_from_there(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    doctor = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    patient_id = gist(sqlite_db, doctor)
    window = window_for(qtbot, sqlite_db, doctor)
    window.patient_view.show_patient(patient_id)
    view = window.patient_view
    assert view.protocol.text().startswith("Protocol: the clinic's default")
    assert view.protocol_button.isEnabled()
    qtbot.mouseClick(view.protocol_button, Qt.MouseButton.LeftButton)
    dialog = open_dialog_now(qtbot)
    dialog.protocol.setCurrentIndex(dialog.protocol.findData("retroperitoneum-visceral"))
    dialog.reason.setText("tumour board 2026-11-20")
    dialog.submit()
    qtbot.waitUntil(lambda: "Protocol chosen for this patient" in view.protocol.text())
    text = view.protocol.text()
    assert "Retroperitoneum and visceral (SurvTrack default), by Dr Doc" in text
    assert "Reason: tumour board 2026-11-20" in text
    assert view.calendar.rowCount() > 0
    window.close()


def test_a_scheduler_cannot_assign(qtbot: QtBot, sqlite_db: Database) -> None:
    clerk = ensure_user(sqlite_db, "sam", "Sam", Role.SCHEDULER)
    patient_id = gist(sqlite_db, clerk)
    window = window_for(qtbot, sqlite_db, clerk)
    window.patient_view.show_patient(patient_id)
    assert not window.patient_view.protocol_button.isEnabled()
    assert not window.needs_plan.assign_button.isEnabled()
    window.close()


def test_settings_offer_the_clinic_set_and_say_a_broken_file(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVTRACK_DATA_DIR", str(tmp_path))
    folder = tmp_path / "protocols"
    folder.mkdir()
    (folder / "gist.toml").write_text(GIST_FILE, encoding="utf-8")
    admin = administrator(sqlite_db)
    dialog = ClinicSettingsDialog(sqlite_db, admin)
    qtbot.addWidget(dialog)
    box = dialog.protocol_set
    assert [box.itemText(i) for i in range(box.count())] == [
        "SurvTrack default (the protocols shipped with SurvTrack)",
        "Clinic protocols",
    ]
    assert str(folder) in dialog.protocol_note.text()
    box.setCurrentIndex(1)
    dialog.submit()
    assert load_settings(sqlite_db).default_protocol_set == "Clinic protocols"

    (folder / "gist.toml").write_text(GIST_FILE.replace("window_days = 30", "window_days = -1", 1))
    broken = ClinicSettingsDialog(sqlite_db, admin)
    qtbot.addWidget(broken)
    note = broken.protocol_note.text()
    assert note.startswith("The protocol set 'Clinic protocols' cannot be used:")
    assert "gist.toml: rule 'clinic-gist-visit-m0-24': field 'window_days'" in note
    broken.submit()  # the broken set stays chosen: refused naming the field
    assert broken.error.text().startswith("Default protocol set: 'Clinic protocols' cannot be")
    broken.protocol_set.setCurrentIndex(0)
    broken.submit()
    assert load_settings(sqlite_db).default_protocol_set == ""
