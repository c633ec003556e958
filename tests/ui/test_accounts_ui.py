"""Account dialogs and the idle lock (issue 14), driven with the keyboard and mouse: change
password from the File menu, an administrator's reset, the window locking itself after the
clinic's idle time and opening again only for the same user's password, and signing out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from survtrack.domain.errors import BadInput
from survtrack.services.auth import SignedIn, SignInFailed, create_user, sign_in
from survtrack.services.clinic_settings import idle_lock_minutes
from survtrack.store.engine import Database
from survtrack.ui.account_dialogs import ChangePasswordDialog, ResetPasswordDialog
from survtrack.ui.main_window import MainWindow
from survtrack.ui.users_dialog import UsersDialog

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a quiet harbour at dawn"


def press_ok(dialog) -> None:  # type: ignore[no-untyped-def]
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def labels(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel))


@pytest.fixture
def admin(sqlite_db: Database) -> SignedIn:
    create_user(sqlite_db, "ada", "Ada Admin", "administrator", PASSWORD, None)
    return sign_in(sqlite_db, "ada", PASSWORD)


@pytest.fixture
def window(qtbot: QtBot, sqlite_db: Database, admin: SignedIn) -> Iterator[MainWindow]:
    window = MainWindow(sqlite_db, admin, today=date(2026, 12, 1), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def test_change_password_dialog(qtbot: QtBot, sqlite_db: Database, admin: SignedIn) -> None:
    dialog = ChangePasswordDialog(sqlite_db, admin)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.current, "not my password")
    qtbot.keyClicks(dialog.new, NEW_PASSWORD)
    qtbot.keyClicks(dialog.repeat, NEW_PASSWORD)
    press_ok(dialog)
    assert dialog.error.text() == "Current password: is not correct."
    dialog.current.clear()
    qtbot.keyClicks(dialog.current, PASSWORD)
    dialog.new.clear()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.new, "qwertyuiop123")
    qtbot.keyClicks(dialog.repeat, "qwertyuiop123")
    press_ok(dialog)
    assert dialog.error.text().startswith("New password: is one of the most common passwords")
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.new.clear()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.new, NEW_PASSWORD)
    qtbot.keyClicks(dialog.repeat, NEW_PASSWORD)
    press_ok(dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    with pytest.raises(SignInFailed):
        sign_in(sqlite_db, "ada", PASSWORD)
    assert sign_in(sqlite_db, "ada", NEW_PASSWORD).username == "ada"


def test_file_menu_has_change_password_lock_and_sign_out(window: MainWindow) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    texts = [action.text() for action in file_menu.actions()]
    assert {"C&hange password…", "&Lock now", "Sign &out"} <= set(texts)


def test_reset_from_the_users_dialog_forces_a_change(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    doc_id = create_user(sqlite_db, "doc", "Dr Doc", "physician", PASSWORD, admin)
    users = UsersDialog(sqlite_db, admin)
    qtbot.addWidget(users)
    assert not users.reset_button.isEnabled()
    users.table.selectRow(1)
    assert users.reset_button.isEnabled()
    dialog = ResetPasswordDialog(sqlite_db, admin, doc_id, "Dr Doc (doc)")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.password, "password")
    qtbot.keyClicks(dialog.repeat, "password")
    press_ok(dialog)
    assert dialog.error.text().startswith("Password: must be at least 12")
    dialog.password.clear()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.password, "temporary words 42")
    qtbot.keyClicks(dialog.repeat, "temporary words 42")
    press_ok(dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    doc = sign_in(sqlite_db, "doc", "temporary words 42")
    assert doc.must_change_password
    forced = ChangePasswordDialog(sqlite_db, doc, forced=True)
    qtbot.addWidget(forced)
    assert "An administrator has reset your password" in labels(forced)


def test_window_locks_after_idle_time_and_opens_only_for_the_password(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    lock = window.idle_lock
    assert lock.timer.interval() == 10 * 60_000 and lock.timer.isActive()
    lock.timer.setInterval(100)  # ten minutes, shortened for the test
    lock.timer.start()
    qtbot.waitUntil(lambda: lock.is_locked, timeout=5000)
    assert not window.isVisible()  # no patient data on screen
    dialog = lock.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert "locked after 10 minutes" in labels(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Escape does not unlock
    assert lock.is_locked and not window.isVisible()
    qtbot.keyClicks(dialog.password, "not the password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.error.text() == "Wrong password." and lock.is_locked
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.isVisible(), timeout=5000)
    assert not lock.is_locked and lock.timer.isActive()


def test_activity_restarts_the_idle_timer(qtbot: QtBot, window: MainWindow) -> None:
    lock = window.idle_lock
    lock.timer.setInterval(1000)
    lock.timer.start()
    for _ in range(15):  # typing for 1.5 s, a key every 0.1 s: never idle for a second
        qtbot.keyClick(window.search, Qt.Key.Key_A)
        qtbot.wait(100)
    assert not lock.is_locked and window.isVisible()
    qtbot.waitUntil(lambda: lock.is_locked, timeout=5000)  # then idle: locked
    assert not window.isVisible()


def test_sign_out_from_the_locked_window(qtbot: QtBot, window: MainWindow) -> None:
    window.idle_lock.lock()
    dialog = window.idle_lock.dialog
    assert dialog is not None
    dialog.sign_out_button.click()
    assert window.signed_out
    qtbot.waitUntil(lambda: not window.isVisible())
    assert not window.idle_lock.is_locked


def test_sign_out_menu_closes_the_window(window: MainWindow) -> None:
    window.sign_out()
    assert window.signed_out and not window.isVisible()


def test_idle_time_is_the_clinics_setting(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    """The window locks after the minutes the administrator set in the clinic settings (10 when
    never set), and a change applies to an open window at once."""
    from dataclasses import replace

    from survtrack.services.clinic_settings import load_settings, save_settings

    assert idle_lock_minutes(sqlite_db) == 10
    save_settings(sqlite_db, admin, replace(load_settings(sqlite_db), idle_lock_minutes=3))
    window = MainWindow(sqlite_db, admin, today=date(2026, 12, 1))
    qtbot.addWidget(window)
    assert window.idle_lock.timer.interval() == 3 * 60_000
    with pytest.raises(BadInput) as info:
        save_settings(sqlite_db, admin, replace(load_settings(sqlite_db), idle_lock_minutes=0))
    assert info.value.field == "idle lock minutes"
    window.idle_lock.set_minutes(7)
    assert window.idle_lock.timer.interval() == 7 * 60_000 and window.idle_lock.timer.isActive()
    window.close()


def test_sign_out_returns_to_the_sign_in_dialog(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The whole app: sign in, sign out, the sign-in dialog again (cancelled: the app ends)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from survtrack.services.database import open_database
    from survtrack.ui.app import run_app
    from survtrack.ui.sign_in_dialog import SignInDialog

    url = f"sqlite:///{tmp_path / 'app.db'}"
    db = open_database(url)
    create_user(db, "ada", "Ada Admin", "administrator", PASSWORD, None)
    db.dispose()
    steps: list[str] = []
    ticks = [0]

    def drive() -> None:
        modal = QApplication.activeModalWidget()
        ticks[0] += 1
        if ticks[0] > 400:  # 20 s without progress: end the app rather than hang the suite
            if modal is not None:
                modal.reject()
            for widget in QApplication.topLevelWidgets():
                widget.close()
            return
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        shown = [w for w in windows if w.isVisible()]
        if isinstance(modal, SignInDialog) and not steps:
            modal.username.setText("ada")
            modal.password.setText(PASSWORD)
            modal.submit()
            steps.append("signed in")
        elif shown and steps == ["signed in"]:
            shown[0].sign_out()
            steps.append("signed out")
        elif isinstance(modal, SignInDialog) and steps == ["signed in", "signed out"]:
            steps.append("asked again")
            modal.reject()
            return
        QTimer.singleShot(50, drive)

    QTimer.singleShot(50, drive)
    assert run_app(url) == 0
    assert steps == ["signed in", "signed out", "asked again"]
    QApplication.instance().setQuitOnLastWindowClosed(True)  # type: ignore[union-attr]
