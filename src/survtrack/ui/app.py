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
from survtrack.services.auth import Role, SignedIn, ensure_user, has_users
from survtrack.services.database import DatabaseTooNew, open_database
from survtrack.services.demo import generate_demo
from survtrack.services.locations import data_dir, resolve_db_url
from survtrack.services.patient_search import count_patients
from survtrack.store.audit import Actor
from survtrack.store.engine import Database

DEMO_PATIENTS = 500
DEMO_USER = ("demo.physician", "Dr. Demo Physician", Role.PHYSICIAN)
SMOKE_TEST_PATIENTS = 25


def app_icon() -> QIcon:
    """The SurvTrack icon at every shipped size (resources/icons, drawn from survtrack.svg)."""
    icon = QIcon()
    for path in sorted(resource_dir("icons").glob("survtrack-*.png")):
        icon.addFile(str(path))
    return icon


def demo_db_url() -> str:
    """``--demo`` never writes synthetic patients into the clinic's own database."""
    return f"sqlite:///{data_dir() / 'survtrack-demo.db'}"


def prepare_demo(db: Database) -> SignedIn:
    if count_patients(db) == 0:
        generate_demo(db, DEMO_PATIENTS, 1, date.today(), Actor(None, "demo"))
    return ensure_user(db, *DEMO_USER)


def sign_in_interactively(db: Database) -> SignedIn | None:
    from survtrack.ui.sign_in_dialog import NewUserDialog, SignInDialog

    if not has_users(db) and not NewUserDialog(db, None).exec():
        return None
    dialog = SignInDialog(db)
    return dialog.user if dialog.exec() else None


def run_app(db_url: str | None = None, demo: bool = False, smoke_test: bool = False) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("SurvTrack")
    app.setOrganizationName("SurvTrack")
    app.setWindowIcon(app_icon())
    from survtrack.reports.avs_pdf import register_fonts

    register_fonts()  # the summaries' font, so page breaks match on every workstation
    if smoke_test:
        return run_smoke_test(app)
    url = db_url or (demo_db_url() if demo else resolve_db_url(None))
    try:
        db = open_database(url)
    except DatabaseTooNew as exc:
        QMessageBox.critical(None, "SurvTrack", str(exc))
        return 1
    except Exception as exc:
        QMessageBox.critical(None, "SurvTrack", f"The database could not be opened.\n{exc}")
        return 1
    try:
        user = prepare_demo(db) if demo else sign_in_interactively(db)
        if user is None:
            return 0
        from survtrack.ui.main_window import MainWindow

        window = MainWindow(db, user)
        window.setWindowIcon(app.windowIcon())
        window.show()
        return app.exec()
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
