"""The to-book tab shows an appointment whose day passed with no outcome recorded at the top, in
words, painted apart; the overdue dashboard's line counts it; recording the result clears it."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.event_actions import book, complete
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.store.engine import Database
from survtrack.ui.main_window import MainWindow
from survtrack.ui.state_colours import OUTCOME_MISSING_BACKGROUND

BOOKED_ON = date(2026, 11, 23)
TODAY = date(2026, 11, 30)


def test_a_past_appointment_with_no_outcome_heads_the_to_book_tab(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    user = ensure_user(sqlite_db, "doc", "Dr Doc", Role.PHYSICIAN)
    patient_id = create_patient(
        sqlite_db, user, PatientInput("55", "Lind", "Eva", date(1950, 1, 2), "female"), BOOKED_ON
    )
    tumour = TumourInput(site="extremity", grade="3", size_cm=8.0)
    save_tumour(sqlite_db, user, patient_id, tumour, BOOKED_ON)
    surgery = TreatmentInput("surgery", date(2026, 6, 10), procedure="other")
    save_treatment(sqlite_db, user, patient_id, surgery, BOOKED_ON)
    [ct] = [e for e in load_calendar(sqlite_db, patient_id) if e.due == date(2026, 12, 10)
            and e.kind == "chest_ct"]  # fmt: skip
    when = datetime(2026, 11, 27, 10, 0)
    book(sqlite_db, user, ct.id, when, "CT suite", datetime(2026, 11, 23, 8, 0))

    window = MainWindow(sqlite_db, user, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(1)
    view = window.to_book
    qtbot.waitUntil(lambda: "to book" in view.count.text())
    assert view.count.text() == (
        "3 events to book; 1 of them booked for a day that has passed with no outcome "
        "recorded (listed first)"
    )
    state = view.COLUMNS.index("State")
    first = view.model.index(0, state)
    assert view.model.index(0, view.COLUMNS.index("Kind")).data() == "Chest CT"
    assert first.data() == "Booked 2026-11-27: no outcome yet"
    assert first.data(Qt.ItemDataRole.BackgroundRole) == OUTCOME_MISSING_BACKGROUND
    tip = first.data(Qt.ItemDataRole.ToolTipRole)
    assert "2026-11-27 10:00 at CT suite" in tip and "record the result" in tip
    assert view.model.index(1, state).data() == "Planned"
    assert view.model.index(1, state).data(Qt.ItemDataRole.ToolTipRole) is None
    # Enter opens the patient with that event selected, to record the outcome
    view._open(first)
    selected = window.patient_view.selected_event()
    assert selected is not None and selected.id == ct.id
    calendar = window.patient_view.table.model()
    row = calendar.index(window.patient_view.table.currentIndex().row(), 4)
    assert row.data() == "Booked · day passed, no outcome recorded"
    assert row.data(Qt.ItemDataRole.BackgroundRole) == OUTCOME_MISSING_BACKGROUND

    window.tabs.setCurrentIndex(3)
    overdue = window.overdue
    overdue.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: "booked late" in overdue.count.text())
    assert "1 past appointment with no outcome recorded (on To book)" in overdue.count.text()

    complete(sqlite_db, user, ct.id, date(2026, 11, 27), "ned", TODAY)
    window.tabs.setCurrentIndex(1)
    view.refresh()
    qtbot.waitUntil(lambda: view.count.text() == "2 events to book")
    assert "no outcome" not in view.model.index(0, state).data()
    window.close()
