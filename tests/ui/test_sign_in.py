"""Sign-in and administration dialogs, driven with the keyboard and mouse."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, create_user, has_users, list_users, sign_in
from survtrack.store.engine import Database
from survtrack.ui.sign_in_dialog import NewUserDialog, SignInDialog
from survtrack.ui.users_dialog import UsersDialog

PASSWORD = "s3cure-enough"


def press_ok(dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_first_run_asks_for_the_administrator(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = NewUserDialog(sqlite_db, None)
    qtbot.addWidget(dialog)
    assert dialog.role.currentData() == Role.ADMINISTRATOR.value and not dialog.role.isEnabled()
    qtbot.keyClicks(dialog.username, "ada")
    qtbot.keyClicks(dialog.full_name, "Ada Admin")
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.repeat, "different")
    press_ok(dialog)
    assert dialog.error.text() == "Repeat password: does not match the password."
    assert not has_users(sqlite_db)
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, PASSWORD)
    press_ok(dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert sign_in(sqlite_db, "ada", PASSWORD).role is Role.ADMINISTRATOR


def test_short_password_message_names_the_field(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = NewUserDialog(sqlite_db, None)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.username, "ada")
    qtbot.keyClicks(dialog.full_name, "Ada")
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.repeat, "short")
    press_ok(dialog)
    assert dialog.error.text().startswith("Password: must be at least")
    assert not has_users(sqlite_db)


def test_sign_in_dialog(qtbot: QtBot, sqlite_db: Database) -> None:
    create_user(sqlite_db, "sam", "Sam Scheduler", "administrator", PASSWORD, None)
    dialog = SignInDialog(sqlite_db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.username, "sam")
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "Sign-in failed" in dialog.error.text() and dialog.password.text() == ""
    assert dialog.user is None
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.user is not None and dialog.user.full_name == "Sam Scheduler"


def test_administrator_disables_a_user(qtbot: QtBot, sqlite_db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    create_user(sqlite_db, "ada", "Ada Admin", "administrator", PASSWORD, None)
    admin = sign_in(sqlite_db, "ada", PASSWORD)
    create_user(sqlite_db, "doc", "Dr Doc", "physician", PASSWORD, admin)
    dialog = UsersDialog(sqlite_db, admin)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    dialog.table.selectRow(0)  # ada: cannot disable yourself
    assert not dialog.toggle_button.isEnabled()
    dialog.table.selectRow(1)
    assert dialog.toggle_button.isEnabled() and dialog.toggle_button.text() == "&Disable"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.toggle_button.click()
    assert [u.active for u in list_users(sqlite_db) if u.username == "doc"] == [False]
    assert dialog.table.item(1, 3).text() == "disabled"
