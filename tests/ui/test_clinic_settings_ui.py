"""Administration > Clinic settings… driven as an administrator would; refused for others; the
window's layout and column widths back at the next start."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.services.clinic_settings import load_settings
from survtrack.store.engine import Database
from survtrack.ui.clinic_settings_dialog import ClinicSettingsDialog
from survtrack.ui.main_window import MainWindow
from tests.clinic import administrator

TODAY = date(2026, 11, 23)


def press_ok(dialog: ClinicSettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def menu_entries(window: MainWindow) -> list[str]:
    return [
        action.text()
        for menu_action in window.menuBar().actions()
        if menu_action.menu() is not None
        for action in menu_action.menu().actions()
    ]


def test_an_administrator_edits_the_settings_from_the_menu(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    admin = administrator(sqlite_db)
    window = MainWindow(sqlite_db, admin, today=TODAY)
    qtbot.addWidget(window)
    [action] = [
        a
        for m in window.menuBar().actions()
        if m.menu() is not None
        for a in m.menu().actions()
        if a.text() == "&Clinic settings…"
    ]
    action.trigger()
    dialog = window.findChild(ClinicSettingsDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.name, "Northside Sarcoma Unit")
    qtbot.keyClicks(dialog.phone, "555-0100")
    qtbot.keyClicks(dialog.after_hours_phone, "555-0199")
    qtbot.keyClicks(dialog.emergency["es"], "Llame al 112.")
    dialog.time_zone.setEditText("Mars/Olympus")
    press_ok(dialog)
    assert dialog.error.text().startswith("Time zone: 'Mars/Olympus' is not a time zone")
    assert dialog.isVisible() and load_settings(sqlite_db).version == 0  # nothing written
    dialog.time_zone.setEditText("Europe/Madrid")
    dialog.locale.setEditText("es_ES")
    dialog.country.setCurrentIndex(dialog.country.findData("ES"))
    assert dialog.region.isEnabled() and dialog.region.findText("MD") >= 0
    dialog.region.setEditText("MD")
    dialog.closures.setPlainText("2026-12-31\n2026-12-24")
    assert dialog.protocol_set.currentText().startswith("SurvTrack default")
    dialog.idle_lock.setValue(15)
    dialog.backups.setValue(30)
    press_ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    stored = load_settings(sqlite_db)
    assert (stored.name, stored.phone, stored.after_hours_phone) == (
        "Northside Sarcoma Unit",
        "555-0100",
        "555-0199",
    )
    assert stored.emergency_sentences == {"es": "Llame al 112."}
    assert (stored.time_zone, stored.locale) == ("Europe/Madrid", "es_ES")
    assert (stored.holidays_country, stored.holidays_region) == ("ES", "MD")
    assert stored.closure_days == (date(2026, 12, 24), date(2026, 12, 31))
    assert (stored.default_protocol_set, stored.idle_lock_minutes, stored.backups_kept) == (
        "",
        15,
        30,
    )
    assert window.statusBar().currentMessage() == "Clinic settings saved."
    # opened again: the form shows what is stored
    again = ClinicSettingsDialog(sqlite_db, admin)
    qtbot.addWidget(again)
    assert again.settings() == stored
    window.close()


def test_no_menu_entry_and_a_refusal_for_others(qtbot: QtBot, sqlite_db: Database) -> None:
    doctor = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    window = MainWindow(sqlite_db, doctor, today=TODAY)
    qtbot.addWidget(window)
    assert "&Clinic settings…" not in menu_entries(window)
    window.close()
    dialog = ClinicSettingsDialog(sqlite_db, doctor)  # even if it were opened
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.phone, "555-0100")
    press_ok(dialog)
    assert dialog.error.text() == (
        "A physician account cannot change the clinic settings; ask an administrator."
    )
    assert load_settings(sqlite_db).version == 0


def test_window_layout_and_column_widths_come_back_at_the_next_start(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    doctor = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    first = MainWindow(sqlite_db, doctor, today=TODAY)
    qtbot.addWidget(first)
    first.show()
    first.resize(1100, 700)
    default_width = first.table.columnWidth(1)
    first.table.setColumnWidth(1, default_width + 77)
    first.overdue.table.setColumnWidth(0, 222)
    default_share = first.splitter.sizes()[0] / sum(first.splitter.sizes())  # about 0.4
    first.splitter.setSizes([200, 900])
    first.close()

    second = MainWindow(sqlite_db, doctor, today=TODAY)
    qtbot.addWidget(second)
    second.show()
    assert second.table.columnWidth(1) == default_width + 77
    assert second.overdue.table.columnWidth(0) == 222
    # the height (the offscreen screen is 800 pixels wide: a wider window is fitted to it)
    assert second.height() == 700
    left, right = second.splitter.sizes()  # the narrow patient list, in the narrower window
    assert left / (left + right) < 0.25 < default_share
    second.close()
