"""Dialogs say every failure in words and stay open; exports never say "saved" for a file that
was not written (issue 14 point 3)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.services.errors import MESSAGES
from survtrack.services.patient_edit import PatientInput, create_patient, update_patient
from survtrack.services.patient_records import load_patient
from survtrack.store.engine import Database
from survtrack.ui.main_window import MainWindow
from survtrack.ui.patient_dialogs import PatientDialog
from tests.factories import add_event, add_patient

TODAY = date(2026, 11, 23)


def test_a_patient_edited_elsewhere_is_not_overwritten_and_the_dialog_says_so(
    qtbot: QtBot, db: Database
) -> None:
    ana = ensure_user(db, "ana", "Dr Ana", Role.PHYSICIAN)
    ben = ensure_user(db, "ben", "Dr Ben", Role.PHYSICIAN)
    patient = create_patient(
        db, ana, PatientInput("77", "Berg", "Lena", date(1980, 5, 5), "female"), TODAY
    )
    record = load_patient(db, patient)
    assert record is not None
    dialog = PatientDialog(db, ana, TODAY, record)
    qtbot.addWidget(dialog)
    dialog.show()
    update_patient(
        db,
        ben,
        patient,
        PatientInput("77", "Berg", "Lena", date(1980, 5, 5), "female", physician="Dr Ben"),
        TODAY,
        expected_version=record.version,
    )
    dialog.physician.setText("Dr Ana")
    dialog.submit()
    assert dialog.isVisible() and dialog.result() == 0
    assert "changed at another workstation" in dialog.error.text()
    assert "Nothing was saved" in dialog.error.text()
    after = load_patient(db, patient)
    assert after is not None and after.physician == "Dr Ben"


def test_a_duplicate_record_number_is_said_in_words(qtbot: QtBot, db: Database) -> None:
    ana = ensure_user(db, "ana", "Dr Ana", Role.PHYSICIAN)
    create_patient(db, ana, PatientInput("77", "Berg", "Lena", date(1980, 5, 5), "female"), TODAY)
    dialog = PatientDialog(db, ana, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.mrn.setText("77")
    dialog.family.setText("Other")
    dialog.given.setText("Name")
    dialog.birth.setText("1970-01-01")
    dialog.submit()
    assert dialog.isVisible()
    shown = dialog.error.text()
    assert shown and "Traceback" not in shown and "Integrity" not in shown
    assert "77" in shown or shown == MESSAGES["duplicate"]


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_an_export_that_cannot_be_written_says_it_failed(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, fmt: str
) -> None:
    patient = add_patient(sqlite_db, "1001", "Smith", "Anna")
    add_event(sqlite_db, patient, "chest_ct", date(2026, 9, 1))
    window = MainWindow(sqlite_db, ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN), TODAY)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(3)
    view = window.overdue
    qtbot.waitUntil(lambda: view.count.text().startswith("1 overdue"))
    said: list[str] = []
    view.message.connect(said.append)
    exported: list[str] = []
    view.exported.connect(exported.append)
    target = tmp_path / "no such folder" / f"overdue.{fmt}"
    (view.export_csv if fmt == "csv" else view.export_pdf)(target)
    qtbot.waitUntil(lambda: any("failed" in text for text in said))
    assert exported == [] and not target.exists()
    assert not any(text.startswith(("Saved", "Exported")) for text in said)
    assert any("could not be written" in text for text in said), said
    window.close()
