"""The worklist tabs: to-book list filtered by horizon, clinic day, opening an event from a list."""

from __future__ import annotations

from datetime import date, datetime

from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.event_actions import book
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.store.engine import Database
from survtrack.ui.calendar_model import CalendarTableModel
from survtrack.ui.main_window import MainWindow

TODAY = date(2026, 11, 23)


def seed(db: Database):  # type: ignore[no-untyped-def]
    user = ensure_user(db, "sam", "Sam", Role.SCHEDULER)
    patient_id = create_patient(
        db, user, PatientInput("55", "Lind", "Eva", date(1950, 1, 2), "female"), TODAY
    )
    save_tumour(db, user, patient_id, TumourInput(site="extremity", grade="3", size_cm=8.0), TODAY)
    save_treatment(
        db, user, patient_id, TreatmentInput("surgery", date(2026, 6, 10), procedure="other"), TODAY
    )
    return user, patient_id


def test_to_book_and_clinic_day(qtbot: QtBot, sqlite_db: Database) -> None:
    user, _ = seed(sqlite_db)
    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(1)
    view = window.to_book
    qtbot.waitUntil(lambda: "events to book" in view.count.text())
    assert view.count.text() == "3 events to book", view.count.text()
    kinds = [view.model.index(r, 4).data() for r in range(view.model.rowCount())]
    assert kinds == ["MRI of primary site", "Chest CT", "Clinic visit"]
    view.overdue.setChecked(True)
    qtbot.waitUntil(lambda: view.model.rowCount() > 3)
    assert view.model.index(0, 0).data() < "2026-11-23"
    view.overdue.setChecked(False)
    qtbot.waitUntil(lambda: view.count.text() == "3 events to book")

    first = view.model.rows[0]
    view.table.selectRow(0)
    view._open(view.model.index(0, 0))
    assert window.tabs.currentIndex() == 0
    selected = window.patient_view.selected_event()
    assert selected is not None and selected.id == first.event_id

    book(
        sqlite_db,
        user,
        first.event_id,
        datetime(2026, 11, 25, 9, 15),
        "MRI suite",
        datetime(2026, 11, 23, 8, 0),
    )
    window.tabs.setCurrentIndex(2)
    day = window.clinic_day
    day.day.setText("2026-11-25")
    day.refresh()
    qtbot.waitUntil(lambda: day.count.text() == "1 appointment")
    assert [day.model.index(0, c).data() for c in range(5)] == [
        "2026-11-25 09:15",
        "MRI of primary site",
        "Lind, Eva",
        "55",
        "MRI suite",
    ]
    day.span.setCurrentIndex(1)  # the week
    qtbot.waitUntil(lambda: day.count.text() == "1 appointment")
    day.day.setText("2026-11-26")
    day.refresh()
    qtbot.waitUntil(
        lambda: (
            day.count.text().startswith("No appointments this week. Book from")
            and day.span.currentData() == 7
        )
    )
    window.close()


def test_calendar_model_passes_qt_model_tester(qtmodeltester, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    _, patient_id = seed(sqlite_db)
    model = CalendarTableModel()
    model.set_events(load_calendar(sqlite_db, patient_id), TODAY)
    qtmodeltester.check(model)
    overdue = [r for r in range(model.rowCount()) if "overdue" in model.index(r, 4).data()]
    assert overdue and model.index(overdue[0], 0).data() < "2026-11-23"


def test_needs_a_plan_lists_patients_without_a_calendar(qtbot, sqlite_db) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from survtrack.services.auth import Role, ensure_user
    from survtrack.services.patient_edit import PatientInput, create_patient
    from survtrack.ui.main_window import MainWindow

    user = ensure_user(sqlite_db, "sam", "Sam", Role.SCHEDULER)
    today = date(2026, 11, 23)
    create_patient(
        sqlite_db, user, PatientInput("77", "Rossi", "Gianni", date(1960, 3, 4), "male"), today
    )
    window = MainWindow(sqlite_db, user, today=today)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(4)
    view = window.needs_plan
    qtbot.waitUntil(lambda: view.count.text() == "1 patient needs a plan")
    assert [view.model.index(0, c).data() for c in (0, 1, 3)] == [
        "Rossi, Gianni",
        "77",
        "No tumour recorded yet",
    ]
    view._open(view.model.index(0, 0))
    assert window.tabs.currentIndex() == 0
    window.close()
