"""Starting the desktop app: open the database, sign in, show the main window.

``--smoke-test`` (hidden from ``--help``) opens the main window on a throwaway demo database and
quits once the event loop runs: the check that a frozen bundle starts (packaging/, .ci/run).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from survtrack.resources import resource_dir
from survtrack.services.app_log import configure_logging
from survtrack.services.auth import Role, SignedIn, ensure_user, has_users, list_users
from survtrack.services.database import (
    CannotOpen,
    DatabaseNeedsUpgrade,
    DatabaseTooNew,
    open_clinic_database,
    open_database,
    sqlite_path,
)
from survtrack.services.demo import generate_demo
from survtrack.services.locations import demo_db_url, resolve_db_url
from survtrack.services.patient_search import count_patients
from survtrack.store.audit import Actor
from survtrack.store.engine import Database

log = logging.getLogger(__name__)

DEMO_PATIENTS = 500
DEMO_USER = ("demo.physician", "Dr. Demo Physician", Role.PHYSICIAN)
SMOKE_TEST_PATIENTS = 25


def app_icon() -> QIcon:
    """The SurvTrack icon at every shipped size (resources/icons, drawn from survtrack.svg)."""
    icon = QIcon()
    for path in sorted(resource_dir("icons").glob("survtrack-*.png")):
        icon.addFile(str(path))
    return icon


__all__ = ["demo_db_url", "prepare_demo", "run_app"]


def prepare_demo(db: Database) -> SignedIn:
    """The demo database filled once, and its password-less demo physician; refused on any
    database with other accounts (a clinic's database never gets a demo account)."""
    if any(user.username != DEMO_USER[0] for user in list_users(db)):
        raise PermissionError(
            "this is not the demo database (it has user accounts): the demo was not started"
        )
    if count_patients(db) == 0:
        generate_demo(db, DEMO_PATIENTS, 1, date.today(), Actor(None, "demo"))
    return ensure_user(db, *DEMO_USER)


def sign_in_interactively(db: Database) -> SignedIn | None:
    """The first administrator on an empty database, then sign-in, then the new password a
    reset demands; None when the user gives up."""
    from survtrack.ui.account_dialogs import ChangePasswordDialog
    from survtrack.ui.sign_in_dialog import NewUserDialog, SignInDialog

    if not has_users(db) and not NewUserDialog(db, None).exec() and not has_users(db):
        return None
    dialog = SignInDialog(db)
    if not dialog.exec() or dialog.user is None:
        return None
    if dialog.user.must_change_password:
        change = ChangePasswordDialog(db, dialog.user, forced=True)
        return change.user if change.exec() else None
    return dialog.user


def ask_create(path: Path) -> bool:
    """The window asks before making a new database where none is (a mistyped path)."""
    answer = QMessageBox.question(
        None,
        "SurvTrack",
        f"There is no database at\n{path}\n\nCreate a new, empty SurvTrack database there?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def backup_at_close(db: Database) -> None:
    """The automatic rotating copy of a SQLite database when the window closes."""
    from survtrack.services.backup import rotate_backups

    path = sqlite_path(db.url)
    if path is None:
        return
    try:
        rotate_backups(path)
    except Exception:
        log.exception("the automatic backup at close failed")


def run_app(
    db_url: str | None = None, demo: bool = False, create: bool = False, smoke_test: bool = False
) -> int:
    if not smoke_test:  # the smoke test leaves the data folder alone (no log file)
        configure_logging()
    from survtrack.ui.crash_dialog import install_excepthook

    install_excepthook()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("SurvTrack")
    app.setOrganizationName("SurvTrack")
    app.setWindowIcon(app_icon())
    # the loop ends when the main window closes, not when the last window does: a locked
    # window is hidden behind its unlock dialog, and signing out returns to the sign-in dialog
    app.setQuitOnLastWindowClosed(False)
    from survtrack.reports.avs_pdf import register_fonts

    register_fonts()  # the summaries' font, so page breaks match on every workstation
    if smoke_test:
        return run_smoke_test(app)
    if demo and db_url:
        QMessageBox.critical(None, "SurvTrack", "--demo opens only the demo database.")
        return 2
    url = demo_db_url() if demo else resolve_db_url(db_url)
    notes: list[str] = []
    try:
        db = open_clinic_database(url, create=create or demo, ask_create=ask_create, notes=notes)
    except (DatabaseTooNew, DatabaseNeedsUpgrade, CannotOpen) as exc:
        QMessageBox.critical(None, "SurvTrack", str(exc))
        return 1
    except Exception as exc:
        from survtrack.services.errors import error_kind, user_message
        from survtrack.store.engine import PlaintextRefused

        # the refusal's own words; a database failure in words; anything else as it is
        said = user_message(exc) if error_kind(exc) is not None else str(exc)
        if isinstance(exc, PlaintextRefused):
            said = str(exc)
        QMessageBox.critical(None, "SurvTrack", f"The database could not be opened.\n{said}")
        return 1
    try:
        from survtrack.ui.main_window import MainWindow

        while True:
            try:
                user = prepare_demo(db) if demo else sign_in_interactively(db)
            except PermissionError as exc:
                QMessageBox.critical(None, "SurvTrack", str(exc))
                return 1
            if user is None:
                return 0
            window = MainWindow(db, user)
            window.setWindowIcon(app.windowIcon())
            window.closed.connect(app.quit)
            window.show()
            for note in notes:  # e.g. the clinic.toml imported into the database once
                QMessageBox.information(window, "SurvTrack", note)
            notes.clear()
            code = app.exec()
            if not window.signed_out or demo:
                if not demo:
                    backup_at_close(db)
                return code
            window.deleteLater()
    finally:
        db.dispose()


def run_smoke_test(app: QApplication) -> int:
    """Open the main window on a throwaway demo database, let the event loop start, quit.

    Nothing of the user's is read or written: the data folder and QSettings point into a
    temporary folder that is removed afterwards. Exit 0 when the window was shown. Meant for a
    process of its own (``survtrack --smoke-test``): the event loop has run and quit after it.
    """
    from survtrack.ui.main_window import MainWindow

    saved_dir = os.environ.get("SURVTRACK_DATA_DIR")
    saved_format = QSettings.defaultFormat()
    with tempfile.TemporaryDirectory(prefix="survtrack-smoke-") as tmp:
        os.environ["SURVTRACK_DATA_DIR"] = tmp
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        db = open_database(f"sqlite:///{Path(tmp) / 'smoke-test.db'}")
        try:
            generate_demo(db, SMOKE_TEST_PATIENTS, 1, date.today(), Actor(None, "demo"))
            user = ensure_user(db, *DEMO_USER)
            window = MainWindow(db, user)
            window.setWindowIcon(app_icon())
            window.show()
            shown: list[bool] = []

            def check() -> None:
                shown.append(window.isVisible() and not window.windowIcon().isNull())
                app.quit()

            QTimer.singleShot(0, check)
            app.exec()
            window.close()  # waits for its background workers
            window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            patients = count_patients(db)
        finally:
            db.dispose()
            QSettings.setDefaultFormat(saved_format)
            if saved_dir is None:
                os.environ.pop("SURVTRACK_DATA_DIR", None)
            else:
                os.environ["SURVTRACK_DATA_DIR"] = saved_dir
    ok = shown == [True]
    if sys.stdout is not None:  # a windowed Windows executable has no stdout
        verdict = "main window opened" if ok else "main window did not open"
        print(f"smoke test: {verdict} on a demo database of {patients} patients")
    return 0 if ok else 1
