"""A scheduler's task done as a person would, from the keyboard, on a real database.

Create a patient through the dialog, enter an 8 cm grade 3 thigh sarcoma and its surgery, see the
stage IIIA calendar, book the first visit, mark it completed, change the tumour size and see the
calendar regenerated with the completed visit kept.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.store.engine import Database
from survtrack.ui.forms import FormDialog
from survtrack.ui.main_window import MainWindow

TODAY = date(2026, 11, 23)


def dialog_of(window: MainWindow) -> FormDialog:
    dialog = window.patient_view.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def type_into(qtbot: QtBot, dialog: FormDialog, name: str, text: str) -> None:
    field = dialog.findChild(QLineEdit, name)
    assert field is not None, name
    field.clear()
    qtbot.keyClicks(field, text)


def choose(dialog: FormDialog, name: str, value: str) -> None:
    box = dialog.findChild(QComboBox, name)
    assert box is not None, name
    index = box.findData(value)
    assert index >= 0, (name, value)
    box.setCurrentIndex(index)


def press_ok(qtbot: QtBot, dialog: FormDialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def shortcut(
    qtbot: QtBot,
    window: MainWindow,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.ControlModifier,
) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, key, modifiers)


def test_scheduler_registers_plans_books_completes_and_edits(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    user = ensure_user(sqlite_db, "sam", "Sam Scheduler", Role.SCHEDULER)
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()

    # New patient (Ctrl+N)
    shortcut(qtbot, window, Qt.Key.Key_N)
    dialog = dialog_of(window)
    type_into(qtbot, dialog, "MRN", "7700001")
    type_into(qtbot, dialog, "Family name", "Okonkwo")
    type_into(qtbot, dialog, "Given name", "Ada")
    type_into(qtbot, dialog, "Birth date", "2030-01-01")
    press_ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.error.text() == "Birth date: is in the future."
    type_into(qtbot, dialog, "Birth date", "1971-06-30")
    choose(dialog, "Sex", "female")
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: window.patient_view.record is not None)
    assert "Okonkwo, Ada" in window.patient_view.header.text()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)

    # Diagnosis (Ctrl+Shift+D): the stage shows as the fields change
    shortcut(
        qtbot,
        window,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = dialog_of(window)
    choose(dialog, "Site", "extremity")
    choose(dialog, "Limb", "lower")
    choose(dialog, "Laterality", "left")
    type_into(qtbot, dialog, "Histology", "undifferentiated pleomorphic sarcoma")
    choose(dialog, "Grade", "3")
    type_into(qtbot, dialog, "Size", "4")
    stage = dialog.findChild(type(dialog.error), "stagePreview")
    assert stage.text().startswith("Stage II (AJCC")
    type_into(qtbot, dialog, "Size", "8")
    assert stage.text().startswith("Stage IIIA (AJCC 8th edition)") and "High risk" in stage.text()
    choose(dialog, "Depth", "deep")
    type_into(qtbot, dialog, "Diagnosis date", "2026-06-15")
    press_ok(qtbot, dialog)
    assert "stage IIIA, high risk" in window.patient_view.header.text()
    assert "No calendar generated" in window.statusBar().currentMessage()

    # Surgery (Ctrl+T): the calendar appears
    shortcut(qtbot, window, Qt.Key.Key_T)
    dialog = dialog_of(window)
    choose(dialog, "Type", "surgery")
    type_into(qtbot, dialog, "Date", "2026-08-20")
    choose(dialog, "Procedure", "limb_sparing")
    press_ok(qtbot, dialog)
    assert "Calendar: 51 events added, 0 removed" in window.statusBar().currentMessage()
    view = window.patient_view
    shortcut(qtbot, window, Qt.Key.Key_L)
    assert view.tabs.currentIndex() == 1
    kinds = [view.calendar.index(r, 1).data() for r in range(view.calendar.rowCount())]
    assert kinds[:3] == ["Physical therapy assessment", "Chest CT", "Clinic visit"]
    rules = [view.calendar.event_at(r).rule_id for r in range(view.calendar.rowCount())]
    assert all(rules)

    # Book the first clinic visit (Ctrl+B); the suggested date is prefilled
    visit_row = kinds.index("Clinic visit")
    view.table.selectRow(visit_row)
    visit = view.selected_event()
    assert visit is not None and visit.due == date(2026, 11, 20)
    shortcut(qtbot, window, Qt.Key.Key_B)
    dialog = dialog_of(window)
    date_field = dialog.findChild(QLineEdit, "Date")
    # the suggested date (20 November) has passed: the next open day is prefilled instead
    assert date_field.text() == "2026-11-24"
    assert "suggested date has passed" in dialog.findChild(QLabel, "windowWarning").text()
    type_into(qtbot, dialog, "Date", "2026-11-20")
    press_ok(qtbot, dialog)
    assert dialog.error.text() == "Date: is in the past."
    type_into(qtbot, dialog, "Date", "2026-11-24")
    type_into(qtbot, dialog, "Time", "10:30")
    press_ok(qtbot, dialog)
    assert view.selected_event().state == "booked"
    assert view.calendar.index(visit_row, 5).data() == "2026-11-24 10:30"

    # It took place early, today: mark done (Ctrl+D)
    shortcut(qtbot, window, Qt.Key.Key_D)
    dialog = dialog_of(window)
    type_into(qtbot, dialog, "Date done", "2026-11-23")
    choose(dialog, "Result", "ned")
    press_ok(qtbot, dialog)
    assert view.selected_event().state == "completed"
    assert view.calendar.index(visit_row, 7).data() == "No evidence of disease"

    # Undo and redo the completion from the keyboard (Ctrl+Z)
    shortcut(qtbot, window, Qt.Key.Key_Z)
    assert view.selected_event().state == "booked"
    shortcut(qtbot, window, Qt.Key.Key_D)
    dialog = dialog_of(window)
    type_into(qtbot, dialog, "Date done", "2026-11-23")
    press_ok(qtbot, dialog)

    # Correct the tumour size: the calendar is regenerated, the completed visit kept
    shortcut(
        qtbot,
        window,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = dialog_of(window)
    type_into(qtbot, dialog, "Size", "16")
    press_ok(qtbot, dialog)
    assert "stage IIIB, high risk" in view.header.text()
    assert "Calendar: 0 events added, 0 removed" in window.statusBar().currentMessage()
    events = load_calendar(sqlite_db, view.record.id)
    kept = [e for e in events if e.id == visit.id]
    assert kept and kept[0].state == "completed" and kept[0].result == "ned"
    assert len(events) == 51
    window.close()
