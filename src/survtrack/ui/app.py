"""Starting the desktop app: open the database, sign in, show the main window."""

from __future__ import annotations

import logging
import sys
from datetime import date

from PySide6.QtWidgets import QApplication, QMessageBox

from survtrack.services.auth import Role, SignedIn, ensure_user, has_users
from survtrack.services.database import DatabaseTooNew, open_database
from survtrack.services.demo import generate_demo
from survtrack.services.locations import data_dir, resolve_db_url
from survtrack.services.patient_search import count_patients
from survtrack.store.audit import Actor
from survtrack.store.engine import Database

DEMO_PATIENTS = 500
DEMO_USER = ("demo.physician", "Dr. Demo Physician", Role.PHYSICIAN)


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


def run_app(db_url: str | None = None, demo: bool = False) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("SurvTrack")
    app.setOrganizationName("SurvTrack")
    from survtrack.reports.avs_pdf import register_fonts

    register_fonts()  # the summaries' font, so page breaks match on every workstation
    url = db_url or (demo_db_url() if demo else resolve_db_url(None))
    notes: list[str] = []
    try:
        db = open_database(url, notes)
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
        window.show()
        for note in notes:  # e.g. the clinic.toml imported into the database once
            QMessageBox.information(window, "SurvTrack", note)
        return app.exec()
    finally:
        db.dispose()
