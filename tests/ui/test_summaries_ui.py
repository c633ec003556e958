"""Summaries from the window: preview, the clinic day's batch (cancelled half way, then whole)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintPreviewWidget
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.services.patient_edit import PatientInput, create_patient, set_status
from survtrack.services.visits import VisitInput, list_visits, record_visit
from survtrack.store.engine import Database
from survtrack.ui.main_window import MainWindow
from survtrack.ui.visits_view import VisitDialog, batch_summaries
from tests.clinic import clinic_settings, pdf_text

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def clinic(sqlite_db: Database) -> Iterator[None]:
    with clinic_settings(sqlite_db):
        yield


def clinic_day(db: Database, patients: int) -> None:
    user = ensure_user(db, "doc", "Dr Doc", Role.PHYSICIAN)
    for n in range(patients):
        pid = create_patient(
            db,
            user,
            PatientInput(f"B{n:03d}", f"Family{n:03d}", "Pat", date(1960, 1, 1), "female"),
            TODAY,
        )
        record_visit(db, user, pid, VisitInput(TODAY, "Dr Doc", "Room 1", "check"), TODAY)


def test_preview_opens_and_closes(qtbot: QtBot, sqlite_db: Database) -> None:
    clinic_day(sqlite_db, 1)
    user = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patient_view.record is not None)
    visits = window.patient_view.visits
    assert visits.table.rowCount() == 1
    visits.preview()
    dialog = visits.preview_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    widget = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: widget.pageCount() == 1)
    with qtbot.waitSignal(dialog.finished):
        dialog.reject()
    window.close()


def test_batch_cancelled_half_way_then_whole(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    clinic_day(sqlite_db, 6)
    user = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    seen: list[int] = []

    def cancel_half_way(done: int, total: int) -> bool:
        seen.append(done)
        return done < total // 2

    path = tmp_path / "day.pdf"
    count, finished = batch_summaries(window, sqlite_db, TODAY, path, progress=cancel_half_way)
    assert not finished and not path.exists()
    assert max(seen) == 6  # stopped at half of 2 x 6 steps
    count, finished = batch_summaries(window, sqlite_db, TODAY, path)
    assert (count, finished) == (6, True)
    reader = PdfReader(path)
    assert len(reader.pages) == 6
    assert "Family005" in reader.pages[5].extract_text()
    window.close()


def test_a_visit_after_death_is_left_out_of_the_batch_and_the_staff_are_told(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    clinic_day(sqlite_db, 3)
    user = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    set_status(sqlite_db, user, 2, "deceased", date(2026, 11, 22), TODAY)
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    notes: list[str] = []
    count, finished = batch_summaries(window, sqlite_db, TODAY, tmp_path / "d.pdf", notes=notes)
    assert (count, finished) == (2, True)
    text = pdf_text(tmp_path / "d.pdf")
    assert "Family000" in text and "Family002" in text and "Family001" not in text
    assert len(notes) == 1 and "recorded as deceased" in notes[0]
    window.close()


def test_the_visit_dialog_names_the_patients_physician_not_the_signed_in_user(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    doctor = ensure_user(sqlite_db, "doc", "Dr Amara Okafor", Role.PHYSICIAN)
    scheduler = ensure_user(sqlite_db, "sam", "Sam Scheduler", Role.SCHEDULER)
    pid = create_patient(
        sqlite_db,
        doctor,
        PatientInput(
            "V1", "Okonkwo", "Ada", date(1971, 6, 30), "female", physician="Dr Amara Okafor"
        ),
        TODAY,
    )
    dialog = VisitDialog(sqlite_db, scheduler, TODAY, pid)
    qtbot.addWidget(dialog)
    assert dialog.clinician.text() == "Dr Amara Okafor"
    dialog.save()
    assert list_visits(sqlite_db, pid)[0].clinician == "Dr Amara Okafor"


def test_without_the_clinic_phone_nothing_is_printed(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic_day(sqlite_db, 1)
    user = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.patient_view.record is not None)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    with clinic_settings(sqlite_db, phone=None):
        assert window.patient_view.visits.export_pdf(tmp_path / "s.pdf") is None
    assert not (tmp_path / "s.pdf").exists()
    assert "Clinic phone: is not set" in shown[0]
    window.close()


def test_clinic_day_csv_export(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    from datetime import datetime

    from survtrack.services.diagnosis import (
        TreatmentInput,
        TumourInput,
        save_treatment,
        save_tumour,
    )
    from survtrack.services.event_actions import book
    from survtrack.services.worklists import to_book

    user = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    pid = create_patient(
        sqlite_db, user, PatientInput("C1", "Lind", "Eva", date(1950, 1, 2), "female"), TODAY
    )
    save_tumour(sqlite_db, user, pid, TumourInput(site="extremity", grade="3", size_cm=8.0), TODAY)
    save_treatment(
        sqlite_db, user, pid, TreatmentInput("surgery", date(2026, 6, 10), procedure="other"), TODAY
    )
    event = to_book(sqlite_db, TODAY, 4)[0]
    book(
        sqlite_db,
        user,
        event.event_id,
        datetime(2026, 11, 25, 9, 15),
        "MRI suite",
        datetime(2026, 11, 23, 8),
    )
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(2)
    view = window.clinic_day
    view.day.setText("2026-11-25")
    view.refresh()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    path = view.export_csv(tmp_path / "day.csv")
    assert path.read_text().splitlines()[1] == (
        '2026-11-25 09:15,C1,"Lind, Eva",MRI of primary site,MRI suite,'
    )
    window.close()
