"""File > Import patients…: the preview table, the Import button only for a clean file, nothing
written before it is pressed; Export patient as FHIR… writes the file off the GUI thread."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from survtrack.services.auth import Role, ensure_user
from survtrack.services.patient_search import count_patients
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry
from survtrack.ui.main_window import MainWindow
from tests.factories import add_patient

HEADER = "mrn,family_name,given_name,birth_date,sex,phone\n"


def cells(window: MainWindow) -> list[list[str]]:
    dialog = window.import_dialog
    assert dialog is not None
    model = dialog.model  # type: ignore[attr-defined]
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_preview_shows_errors_and_blocks_the_import(
    qtbot: QtBot, main_window: MainWindow, sqlite_db: Database, tmp_path: Path
) -> None:
    extract = tmp_path / "extract.csv"
    extract.write_text(
        HEADER + "A1,Ames,Ann,1960-01-02,f,\nA2,Bell,Bo,02/03/1961,m,\n", encoding="utf-8"
    )
    main_window.import_patients(extract)
    dialog = main_window.import_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview is not None)  # type: ignore[attr-defined]
    assert cells(main_window) == [
        ["row 3", "A2", "Error", "birth_date: '02/03/1961' is not a date written YYYY-MM-DD"],
        ["row 2", "A1", "New", ""],
    ]
    assert dialog.model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) is not None  # type: ignore[attr-defined]
    assert not dialog.import_button.isEnabled()  # type: ignore[attr-defined]
    assert "1 with errors" in dialog.summary.text()  # type: ignore[attr-defined]
    dialog.reject()
    assert count_patients(sqlite_db) == 0


def test_confirmed_import_writes_and_refreshes_the_list(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    add_patient(sqlite_db, "E1", "Early", "Eve", birth=date(1950, 5, 6))
    clerk = ensure_user(sqlite_db, "clerk", "Clara Clerk", Role.SCHEDULER)
    main_window = MainWindow(sqlite_db, clerk, today=date(2026, 11, 23))
    qtbot.addWidget(main_window)
    main_window.show()
    extract = tmp_path / "extract.csv"
    extract.write_text(
        HEADER + "A1,Ames,Ann,1960-01-02,f,\nE1,Early,Eve,1950-05-06,female,555-77\n",
        encoding="utf-8",
    )
    main_window.import_patients(extract)
    dialog = main_window.import_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled())  # type: ignore[attr-defined]
    assert cells(main_window) == [
        ["row 2", "A1", "New", ""],
        ["row 3", "E1", "Update", "changes phone"],
    ]
    assert count_patients(sqlite_db) == 1  # nothing written by the preview
    with qtbot.waitSignal(dialog.imported) as signal:  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert signal.args == ["Imported: 1 new, 1 updated, 0 unchanged"]
    assert count_patients(sqlite_db) == 2
    qtbot.waitUntil(lambda: main_window.model.rowCount() == 2)
    assert main_window.statusBar().currentMessage().startswith("Imported: 1 new")

    # the same file again: nothing to import, the button stays off
    main_window.import_patients(extract)
    again = main_window.import_dialog
    assert again is not None and again is not dialog
    qtbot.waitUntil(lambda: again.preview is not None)  # type: ignore[attr-defined]
    assert [row[2] for row in cells(main_window)] == ["Unchanged", "Unchanged"]
    assert not again.import_button.isEnabled()  # type: ignore[attr-defined]
    assert "Nothing to import" in again.summary.text()  # type: ignore[attr-defined]
    again.reject()
    with sqlite_db.read() as session:
        import_entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "import"))
    assert import_entry is not None and import_entry.username == "clerk"
    main_window.close()


def test_export_fhir_from_the_window(
    qtbot: QtBot, main_window: MainWindow, sqlite_db: Database, tmp_path: Path
) -> None:
    add_patient(sqlite_db, "E1", "Early", "Eve")
    main_window.refresh_all()
    qtbot.waitUntil(lambda: main_window.patient_view.record is not None)
    target = tmp_path / "eve.json"
    main_window.export_fhir(target)
    qtbot.waitUntil(lambda: main_window.statusBar().currentMessage() == f"Saved {target}")
    bundle = json.loads(target.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    assert bundle["entry"][0]["resource"]["identifier"][0]["value"] == "E1"
