"""The main window as a scheduler uses it: type in the search box, see the list filter."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from survtrack.store.engine import Database
from survtrack.ui.main_window import MainWindow
from survtrack.ui.patient_table_model import COL_MRN, COL_NAME, COL_STAGE
from tests.factories import add_patient
from tests.ui.conftest import signed_in


def visible_names(window: MainWindow) -> list[str]:
    model = window.model
    return [model.index(row, COL_NAME).data() for row in range(model.rowCount())]


def test_typing_filters_the_list_and_shows_the_record(qtbot: QtBot, sqlite_db: Database) -> None:
    add_patient(sqlite_db, "1000001", "Smith", "Anna")
    add_patient(sqlite_db, "1000002", "Jones", "Bob", stage="IB")
    add_patient(sqlite_db, "2000003", "Smithers", "Carl")
    window = MainWindow(sqlite_db, signed_in(sqlite_db))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)
    assert window.count_label.text() == "3 patients"

    qtbot.keyClicks(window.search, "smi")
    qtbot.waitUntil(lambda: visible_names(window) == ["Smith, Anna", "Smithers, Carl"])
    assert window.count_label.text() == "2 patients matching “smi”"
    qtbot.waitUntil(lambda: "Smith, Anna" in window.detail.toPlainText())
    assert "1000001" in window.detail.toPlainText()

    window.search.clear()
    qtbot.keyClicks(window.search, "1000002")
    qtbot.waitUntil(lambda: visible_names(window) == ["Jones, Bob"])
    assert window.model.index(0, COL_STAGE).data() == "IB"
    assert window.model.index(0, COL_MRN).data() == "1000002"

    window.search.clear()
    qtbot.keyClicks(window.search, "nobody")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    assert "No patient matches" in window.detail.toPlainText()
    window.close()


def test_long_list_fetches_more_as_it_scrolls(
    qtbot: QtBot, main_window: MainWindow, sqlite_db: Database
) -> None:
    from survtrack.services.demo import generate_demo
    from survtrack.store.audit import Actor

    generate_demo(sqlite_db, 450, 2, main_window.today(), Actor(None, "demo"), with_events=False)
    main_window.run_search()
    qtbot.waitUntil(lambda: main_window.count_label.text() == "450 patients")
    assert main_window.model.rowCount() == 200
    assert main_window.model.canFetchMore()
    main_window.table.scrollToBottom()
    qtbot.waitUntil(lambda: main_window.model.rowCount() == 400)
    main_window.table.scrollToBottom()
    qtbot.waitUntil(lambda: main_window.model.rowCount() == 450)
    assert not main_window.model.canFetchMore()


def test_model_passes_qt_model_tester(qtmodeltester, sqlite_db: Database) -> None:  # type: ignore[no-untyped-def]
    from survtrack.services.patient_search import search_patients
    from survtrack.ui.patient_table_model import PatientTableModel

    for index in range(5):
        add_patient(sqlite_db, f"M{index}", f"Name{index}", "Given")
    model = PatientTableModel(lambda q, o, n: search_patients(sqlite_db, q, o, n))
    model.show_results("", search_patients(sqlite_db, ""))
    qtmodeltester.check(model)


def test_escape_clears_the_search(qtbot: QtBot, main_window: MainWindow) -> None:
    from PySide6.QtCore import Qt

    qtbot.keyClicks(main_window.search, "abc")
    qtbot.keyClick(main_window, Qt.Key.Key_Escape)
    assert main_window.search.text() == ""
