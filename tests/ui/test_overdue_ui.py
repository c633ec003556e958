"""The physician's overdue review in the window: filter, sort, act on rows, export and print."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.store.engine import Database
from survtrack.ui.main_window import MainWindow
from tests.factories import add_event, add_patient

AS_OF = date(2026, 11, 23)


def seeded(db: Database) -> dict[str, int]:
    anna = add_patient(db, "1001", "Smith", "Anna")
    bob = add_patient(db, "1002", "Jones", "Bob")
    return {
        "anna_ct": add_event(db, anna, "chest_ct", date(2026, 9, 1)),
        "anna_visit": add_event(db, anna, "clinic_visit", date(2026, 10, 1)),
        "bob_mri": add_event(db, bob, "primary_site_mri", date(2026, 6, 1), risk="low"),
        "bob_echo": add_event(db, bob, "echocardiogram", date(2026, 11, 20), risk="low"),
    }


def open_overdue(qtbot: QtBot, db: Database, role: Role = Role.PHYSICIAN) -> MainWindow:
    user = ensure_user(db, "doc" if role is Role.PHYSICIAN else "sam", "Dr Doc", role)
    window = MainWindow(db, user, today=AS_OF)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(3)
    qtbot.waitUntil(lambda: window.overdue.count.text().startswith("4 overdue"))
    return window


def kinds(window: MainWindow) -> list[str]:
    model = window.overdue.model
    return [model.index(r, 3).data() for r in range(model.rowCount())]


def test_filter_sort_and_severity(qtbot: QtBot, sqlite_db: Database) -> None:
    seeded(sqlite_db)
    window = open_overdue(qtbot, sqlite_db)
    view = window.overdue
    # most severe first: high-risk imaging a month late, other imaging long late, then the rest
    assert kinds(window) == ["Chest CT", "MRI of primary site", "Clinic visit", "Echocardiogram"]
    assert [view.model.index(r, 0).data() for r in range(4)] == ["Critical", "High", "Low", "Low"]
    colours = {view.model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole).name() for r in range(4)}
    assert len(colours) == 3  # a list painted in one colour is not triage
    view.group.setCurrentIndex(view.group.findData("imaging"))
    qtbot.waitUntil(lambda: view.count.text().startswith("2 overdue"))
    assert kinds(window) == ["Chest CT", "MRI of primary site"]
    view.group.setCurrentIndex(0)
    qtbot.waitUntil(lambda: view.count.text().startswith("4 overdue"))
    view.table.sortByColumn(6, view.table.horizontalHeader().sortIndicatorOrder().DescendingOrder)
    qtbot.waitUntil(lambda: kinds(window)[0] == "MRI of primary site")
    assert [view.model.index(r, 6).data() for r in range(4)] == ["175", "83", "53", "3"]
    view.min_days.setValue(60)
    qtbot.waitUntil(lambda: view.count.text().startswith("2 overdue"))
    window.close()


def test_hide_until_a_day_then_done_elsewhere_leaves_the_list(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    ids = seeded(sqlite_db)
    window = open_overdue(qtbot, sqlite_db)
    view = window.overdue
    view.table.selectAll()
    view.acknowledge_selected()
    dialog = view.dialog
    assert dialog is not None and dialog.windowTitle() == "Hide until"
    until = dialog.findChild(QLineEdit, "Hide until")
    until.setText("2026-11-20")  # in the past: refused, nothing hidden
    dialog.submit()
    assert dialog.isVisible() and "Hide until" in dialog.error.text()
    until.setText("2026-12-07")
    dialog.submit()
    qtbot.waitUntil(lambda: view.count.text() == "Nothing overdue still to book.")
    assert view.model.rowCount() == 0
    view.hidden.setChecked(True)  # the filter shows them, with the day they come back
    qtbot.waitUntil(lambda: view.model.rowCount() == 4)
    column = view.model.columns.index("Hidden until")
    assert all(view.model.index(r, column).data() == "2026-12-07 (doc)" for r in range(4))

    row = next(r for r in range(4) if view.model.rows[r].event_id == ids["anna_ct"])
    view.table.clearSelection()
    view.table.selectRow(row)
    view.done_elsewhere()
    dialog = view.dialog
    assert dialog is not None and dialog.windowTitle().startswith("Record as done elsewhere")
    place = dialog.findChild(QLineEdit, "Place")
    qtbot.keyClicks(place, "County hospital")
    dialog.submit()
    qtbot.waitUntil(lambda: view.count.text().startswith("3 overdue"))
    assert ids["anna_ct"] not in [r.event_id for r in view.model.rows]
    window.close()


def test_waive_is_for_physicians_only(qtbot: QtBot, sqlite_db: Database) -> None:
    seeded(sqlite_db)
    window = open_overdue(qtbot, sqlite_db, Role.SCHEDULER)
    assert not window.overdue.buttons["waive"].isEnabled()
    window.close()


def test_export_csv_and_pdf_of_the_filtered_list(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    seeded(sqlite_db)
    window = open_overdue(qtbot, sqlite_db)
    view = window.overdue
    view.risk.setCurrentIndex(view.risk.findData("low"))
    qtbot.waitUntil(lambda: view.count.text().startswith("2 overdue"))
    path = tmp_path / "overdue.csv"
    with qtbot.waitSignal(view.exported):
        view.export_csv(path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads it
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["mrn"], r["kind"]) for r in rows] == [
        ("1002", "MRI of primary site"),
        ("1002", "Echocardiogram"),
    ]
    pdf = tmp_path / "overdue.pdf"
    with qtbot.waitSignal(view.exported):
        view.export_pdf(pdf)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "Overdue follow-up" in text and "risk: low" in text
    assert "Jones, Bob" in text and "Echocardiogram" in text and "Smith" not in text
    window.close()


def test_dashboard_shows_counts_and_history(qtbot: QtBot, sqlite_db: Database) -> None:
    seeded(sqlite_db)
    window = open_overdue(qtbot, sqlite_db)
    view = window.overdue
    view.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: view.dashboard.chart.points != [])
    assert view.dashboard.by_physician.item(0, 0).text() == "Dr. Test"
    assert view.dashboard.by_physician.item(0, 1).text() == "4"
    assert dict(view.dashboard.chart.points)[date(2026, 10, 31)] == 3
    assert view.count.text().startswith("4 overdue to book, 0 booked late")
    window.close()


def test_print_preview_opens_and_closes(qtbot: QtBot, sqlite_db: Database) -> None:
    seeded(sqlite_db)
    window = open_overdue(qtbot, sqlite_db)
    window.overdue.print_preview()
    qtbot.waitUntil(lambda: window.overdue.preview_dialog is not None)
    dialog = window.overdue.preview_dialog
    qtbot.waitUntil(dialog.isVisible)
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    preview_widget = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview_widget.pageCount() >= 1)
    with qtbot.waitSignal(dialog.finished):
        dialog.reject()
    window.close()


def test_flags_column_shows_the_patients_flags(qtbot: QtBot, sqlite_db: Database) -> None:
    from survtrack.services.side_effects import add_side_effect

    seeded(sqlite_db)
    doc = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    add_side_effect(sqlite_db, doc, 1, "Lymphedema", "radiation", date(2026, 10, 1), 3, AS_OF)
    window = open_overdue(qtbot, sqlite_db)
    model = window.overdue.model
    column = model.columns.index("Flags")
    qtbot.waitUntil(lambda: bool(model.index(0, column).data()))
    flags = {model.rows[r].patient: model.index(r, column).data() for r in range(4)}
    assert flags == {"Smith, Anna": "grade ≥3 effect", "Jones, Bob": ""}
    window.close()
