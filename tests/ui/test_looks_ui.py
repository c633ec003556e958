"""Looks (issue 15, point 5), found by looking at the screenshots: every input and chart has an
accessible name a screen reader can say, required fields of the account dialogs are marked, no
table heading or column is cut, the clinic settings' combos are as wide as their text fields,
and the patient's language is a word."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QTableView,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from survtrack.services.auth import SignedIn, create_user, list_users, sign_in
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import TreatmentInput, TumourInput, save_treatment, save_tumour
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.services.patient_records import load_patient
from survtrack.services.rehab import create_plan
from survtrack.store.engine import Database
from survtrack.ui.account_dialogs import ChangePasswordDialog, ResetPasswordDialog, UnlockDialog
from survtrack.ui.clinic_settings_dialog import ClinicSettingsDialog
from survtrack.ui.dashboard_view import MonthEndChart
from survtrack.ui.diagnosis_dialogs import RecurrenceDialog, TreatmentDialog, TumourDialog
from survtrack.ui.event_dialogs import BookDialog, CompleteDialog, MoveDialog, ReasonDialog
from survtrack.ui.line_chart import LineChart
from survtrack.ui.main_window import MainWindow
from survtrack.ui.patient_detail import language_name, patient_html
from survtrack.ui.patient_dialogs import PatientDialog, StatusDialog
from survtrack.ui.patient_table_model import COL_NAME
from survtrack.ui.rehab_view import RehabVisitDialog, StartPlanDialog
from survtrack.ui.side_effects_view import SideEffectDialog
from survtrack.ui.sign_in_dialog import NewUserDialog, SignInDialog
from survtrack.ui.timeline import TimelineWidget
from survtrack.ui.users_dialog import UsersDialog
from survtrack.ui.visits_view import VisitDialog
from tests.factories import add_patient
from tests.ui.conftest import signed_in

TODAY = date(2026, 11, 23)
PASSWORD = "correct horse battery"
INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit, QAbstractItemView)
CHARTS = (LineChart, MonthEndChart, TimelineWidget)


@pytest.fixture
def admin(sqlite_db: Database) -> SignedIn:
    create_user(sqlite_db, "ada", "Ada Admin", "administrator", PASSWORD, None)
    ada = sign_in(sqlite_db, "ada", PASSWORD)
    create_user(sqlite_db, "sam", "Sam Scheduler", "scheduler", PASSWORD, ada)
    return ada


def seeded_patient(db: Database, user: SignedIn) -> int:
    patient_id = create_patient(
        db, user, PatientInput("55", "Lind", "Eva", date(1950, 1, 2), "female", language="fr"),
        TODAY,
    )  # fmt: skip
    save_tumour(db, user, patient_id, TumourInput(site="extremity", grade="3", size_cm=8.0), TODAY)
    save_treatment(
        db, user, patient_id, TreatmentInput("surgery", date(2026, 6, 10), procedure="other"), TODAY
    )
    return patient_id


def part_of_another_input(child: QWidget, root: QWidget) -> bool:
    parent = child.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QComboBox | QAbstractSpinBox) or parent.isWindow():
            return True
        parent = parent.parentWidget()
    return child.isWindow()


def unnamed(widget: QWidget) -> list[str]:
    """Inputs and charts under ``widget`` without an accessible name (the editor and pop-up list
    inside a combo or spin box, and a completer's pop-up, are parts of it: they are left out)."""
    found = []
    for child in widget.findChildren(QWidget):
        if part_of_another_input(child, widget):
            continue
        if isinstance(child, QHeaderView):  # a table's headings are the table's own
            continue
        if isinstance(child, INPUTS + CHARTS) and not child.accessibleName().strip():
            found.append(f"{type(child).__name__} {child.objectName()!r}")
    return found


def test_every_input_and_chart_of_the_main_window_has_an_accessible_name(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    patient_id = seeded_patient(sqlite_db, admin)
    window = MainWindow(sqlite_db, admin, today=TODAY, idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    window.open_patient(patient_id)
    assert unnamed(window) == [], "\n".join(unnamed(window))
    window.close()


def dialogs(db: Database, admin: SignedIn, patient_id: int) -> list[QDialog]:
    record = load_patient(db, patient_id)
    assert record is not None
    event = load_calendar(db, patient_id)[0]
    sam = next(u for u in list_users(db) if u.username == "sam")
    before_plan = StartPlanDialog(db, admin, TODAY, patient_id)
    create_plan(db, admin, patient_id, "limb_sparing", None, "left", date(2026, 6, 10), TODAY)
    return [
        before_plan,
        PatientDialog(db, admin, TODAY),
        PatientDialog(db, admin, TODAY, record),
        StatusDialog(db, admin, TODAY, record),
        TumourDialog(db, admin, TODAY, patient_id, record.tumours[0]),
        TreatmentDialog(db, admin, TODAY, patient_id),
        RecurrenceDialog(db, admin, TODAY, patient_id),
        BookDialog(db, admin, event, datetime(2026, 11, 23, 8), "Sarcoma clinic"),
        CompleteDialog(db, admin, event, TODAY),
        CompleteDialog(db, admin, event, TODAY, elsewhere=True),
        ReasonDialog(db, admin, event, True),
        MoveDialog(db, admin, event),
        SideEffectDialog(db, admin, TODAY, patient_id),
        RehabVisitDialog(db, admin, TODAY, patient_id),
        VisitDialog(db, admin, TODAY, patient_id),
        SignInDialog(db),
        NewUserDialog(db, None),
        NewUserDialog(db, admin),
        ChangePasswordDialog(db, admin),
        ResetPasswordDialog(db, admin, sam.id, "Sam Scheduler (sam)"),
        UnlockDialog(db, admin, 10),
        UsersDialog(db, admin),
        ClinicSettingsDialog(db, admin),
    ]


def test_every_input_of_every_dialog_has_an_accessible_name(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    patient_id = seeded_patient(sqlite_db, admin)
    missing = {}
    for dialog in dialogs(sqlite_db, admin, patient_id):
        qtbot.addWidget(dialog)
        if names := unnamed(dialog):
            missing[type(dialog).__name__] = names
    assert missing == {}, "\n".join(f"{k}: {v}" for k, v in missing.items())


def test_account_dialogs_mark_their_required_fields(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    sam = next(u for u in list_users(sqlite_db) if u.username == "sam")
    for dialog, expected in (
        (NewUserDialog(sqlite_db, None), {"username", "full name", "password", "Repeat password"}),
        (ChangePasswordDialog(sqlite_db, admin), {"current password", "new password"}),
        (ResetPasswordDialog(sqlite_db, admin, sam.id, "Sam (sam)"), {"password", "repeat"}),
    ):
        qtbot.addWidget(dialog)
        required = {key for key, w in dialog.fields.items() if w.property("required")}
        assert expected <= required, type(dialog).__name__
        for key in expected:
            label = dialog.form.labelForField(dialog.fields[key])
            assert label.text().endswith(" *")  # type: ignore[union-attr]
        assert not dialog.legend.isHidden()


def label_width(table: QTableView, column: int) -> int:
    """The heading's text in bold (as when a row is selected) and the header's margins, plus the
    sort arrow on the sorted column."""
    header = table.horizontalHeader()
    font = QFont(header.font())
    font.setBold(True)
    text = str(header.model().headerData(column, Qt.Orientation.Horizontal))
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    arrow = header.isSortIndicatorShown() and header.sortIndicatorSection() == column
    return QFontMetrics(font).horizontalAdvance(text) + 2 * margin + (20 if arrow else 0)


def test_no_table_heading_of_the_main_window_is_cut(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    window = MainWindow(sqlite_db, admin, today=TODAY, idle_minutes=10)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    cut = []
    for table in window.layout_tables():
        header = table.horizontalHeader()
        for column in range(header.count() - 1):  # the last one stretches
            if header.sectionSize(column) < label_width(table, column):
                heading = header.model().headerData(column, Qt.Orientation.Horizontal)
                cut.append(f"{table.objectName()}: {heading}")
    assert cut == [], "\n".join(cut)
    window.close()


def test_the_users_dialog_shows_every_column_without_scrolling(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    create_user(sqlite_db, "l.chen", "Lin Chen", "therapist", PASSWORD, admin)
    create_user(sqlite_db, "m.garcia", "María García", "scheduler", PASSWORD, admin)
    dialog = UsersDialog(sqlite_db, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.adjustSize()  # the smallest the dialog can be
    qtbot.waitExposed(dialog)
    dialog.table.selectRow(2)
    header = dialog.table.horizontalHeader()
    shown = dialog.table.viewport().width()
    assert header.sectionPosition(3) + header.sectionSizeHint(3) <= shown
    assert header.length() <= shown
    qtbot.waitUntil(lambda: dialog.table.horizontalScrollBar().maximum() == 0)


def test_clinic_settings_combos_are_as_wide_as_the_text_fields(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    dialog = ClinicSettingsDialog(sqlite_db, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.adjustSize()
    qtbot.waitExposed(dialog)
    width = dialog.name.width()
    for combo in (dialog.time_zone, dialog.locale, dialog.region):
        assert combo.width() == width, combo.accessibleName()
    edit = dialog.locale.lineEdit()
    assert edit.width() >= edit.fontMetrics().horizontalAdvance(edit.placeholderText())


def test_the_patient_summary_names_the_language_in_words(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    record = load_patient(sqlite_db, seeded_patient(sqlite_db, admin))
    assert record is not None and record.language == "fr"
    html = patient_html(record, TODAY)
    assert "French" in html and ">fr<" not in html
    assert language_name("Tagalog") == "Tagalog" and language_name("") == "—"
    assert language_name("pt-BR") == "Portuguese"


def selected_names(window: MainWindow) -> list[str]:
    rows = {index.row() for index in window.table.selectionModel().selectedRows()}
    return [window.model.index(row, COL_NAME).data() for row in sorted(rows)]


def test_the_list_never_highlights_another_patient_than_the_record_opened(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    add_patient(sqlite_db, "1000001", "Walker", "Emeka")
    sofia = add_patient(sqlite_db, "1000002", "Walker", "Sofia")
    other = add_patient(sqlite_db, "1000003", "Jones", "Bob")
    window = MainWindow(sqlite_db, signed_in(sqlite_db), today=TODAY, idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.search, "walker")
    qtbot.waitUntil(lambda: selected_names(window) == ["Walker, Emeka"])
    window.open_patient(sofia)  # as from a worklist
    assert selected_names(window) == ["Walker, Sofia"]
    assert "Walker, Sofia" in window.detail.toPlainText()
    window.open_patient(other)  # not in the list: nobody is highlighted
    assert selected_names(window) == []
    assert "Jones, Bob" in window.detail.toPlainText()
    window.close()


def test_month_end_chart_has_a_unit_and_a_grid(qtbot: QtBot) -> None:
    """The dashboard's bar chart says what it counts and has grid lines between 0 and the peak
    (pixels of the grid colour across the plot, not only the axis)."""
    from survtrack.ui.dashboard_view import MonthEndChart
    from survtrack.ui.line_chart import chart_colours

    chart = MonthEndChart()
    qtbot.addWidget(chart)
    chart.resize(900, 300)
    chart.set_points([(date(2026, month, 28), 40 * month) for month in range(1, 13)])
    assert "exams overdue (patient and kind)" in chart.accessibleDescription()
    image = chart.grab().toImage()
    grid = chart_colours(chart)[2].rgb()
    x = image.width() - 12  # right of the last bar: only grid lines cross here
    rows = [y for y in range(image.height()) if image.pixelColor(x, y).rgb() == grid]
    assert len(rows) >= 3


def test_a_cut_physician_name_is_whole_on_hover(
    qtbot: QtBot, sqlite_db: Database, admin: SignedIn
) -> None:
    from survtrack.ui.patient_table_model import COL_PHYSICIAN

    add_patient(sqlite_db, "H-1", "Hover", "Hal", physician="Dr. Bartholomew Featherstonehaugh")
    window = MainWindow(sqlite_db, admin, today=TODAY, idle_minutes=10)
    qtbot.addWidget(window)
    window.run_search()
    model = window.table.model()
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    cell = model.index(0, COL_PHYSICIAN)
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "Dr. Bartholomew Featherstonehaugh"
    window.close()
