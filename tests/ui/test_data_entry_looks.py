"""Data entry like Windows users expect, and looks (issue 15, points 4 and 5): date fields with a
calendar pop-up in the locale's format, required fields marked, words instead of codes, the
booking dialog, the clinic day in time slots, rows readable in a dark palette, charts with a text
alternative, CSV for Excel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from survtrack.domain.errors import BadInput
from survtrack.services.auth import Role, ensure_user
from survtrack.services.calendar import load_calendar
from survtrack.services.diagnosis import (
    StagePreview,
    TreatmentInput,
    TumourInput,
    save_treatment,
    save_tumour,
)
from survtrack.services.event_actions import book
from survtrack.services.patient_edit import PatientInput, create_patient
from survtrack.store.engine import Database
from survtrack.ui.calendar_model import CalendarTableModel
from survtrack.ui.diagnosis_dialogs import TreatmentDialog, stage_words
from survtrack.ui.event_dialogs import BookDialog
from survtrack.ui.forms import DateField
from survtrack.ui.line_chart import LineChart, Series, nice_ticks
from survtrack.ui.patient_dialogs import PatientDialog
from survtrack.ui.timeline import TimelineWidget
from survtrack.ui.workers import TaskRunner
from survtrack.ui.worklist_views import ClinicDayView

TODAY = date(2026, 11, 23)  # a Monday
TODAY_NOW = datetime(2026, 11, 23, 8, 0)


@pytest.fixture
def british() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    yield
    QLocale.setDefault(before)


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


def test_date_field_shows_the_locale_format_and_still_reads_iso(
    qtbot: QtBot, british: None
) -> None:
    field = DateField("Onset", date(2026, 11, 25))
    qtbot.addWidget(field)
    assert field.text() == "25/11/2026" and field.placeholderText() == "DD/MM/YYYY"
    field.setText("2026-12-01")
    field.editingFinished.emit()
    assert (field.value(), field.text()) == (date(2026, 12, 1), "01/12/2026")
    field.setText("3/2/2027")
    assert field.value() == date(2027, 2, 3)
    field.setText("31/02/2026")
    with pytest.raises(BadInput) as caught:
        field.value()
    assert caught.value.field == "Onset" and "25/11/2026 or YYYY-MM-DD" in caught.value.reason
    assert field.accessibleName() == "Onset" and "calendar" in field.accessibleDescription()


def test_date_field_calendar_pop_up_picks_a_day(qtbot: QtBot, british: None) -> None:
    field = DateField("Date", date(2026, 11, 25))
    qtbot.addWidget(field)
    field.show()
    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = field.calendar
    assert popup is not None and popup.isVisible()
    assert popup.selectedDate() == QDate(2026, 11, 25)
    with qtbot.waitSignal(field.picked):
        popup.clicked.emit(QDate(2026, 12, 3))
    assert field.value() == date(2026, 12, 3) and not popup.isVisible()
    assert field.text() == "03/12/2026"


def test_required_fields_are_marked_and_described(qtbot: QtBot, sqlite_db: Database) -> None:
    user = ensure_user(sqlite_db, "sam", "Sam", Role.SCHEDULER)
    dialog = PatientDialog(sqlite_db, user, TODAY)
    qtbot.addWidget(dialog)
    labels = {dialog.form.labelForField(w).text(): w for w in dialog.fields.values()}  # type: ignore[union-attr]
    assert "&MRN *" in labels and "&Birth date *" in labels and "&Phone" in labels
    assert labels["&MRN *"].accessibleDescription() == "Required"
    assert labels["&Phone"].accessibleDescription() == ""
    assert all(w.accessibleName() for w in dialog.fields.values())
    assert not dialog.legend.isHidden() and dialog.legend.text() == "* required"


def test_combos_show_words_not_codes(qtbot: QtBot, sqlite_db: Database) -> None:
    user, patient_id = seed(sqlite_db)
    dialog = TreatmentDialog(sqlite_db, user, TODAY, patient_id)
    qtbot.addWidget(dialog)
    texts = [
        combo.itemText(i) for combo in dialog.findChildren(QComboBox) for i in range(combo.count())
    ]
    assert "IMRT" in texts and "Transtibial (below knee)" in texts
    assert "Wide local excision" in texts
    assert not [t for t in texts if "_" in t], texts


def test_stage_preview_reads_as_words() -> None:
    preview = StagePreview(
        "T2", "IIIA", "high", "3", ("staging incomplete: high-risk calendar used",)
    )
    assert stage_words(preview) == (
        "Stage IIIA (AJCC 8th edition) · size category T2 · grade 3 · High risk: the high-risk "
        "follow-up calendar\n⚠ Staging incomplete: high-risk calendar used."
    )
    assert stage_words(StagePreview(None, None, "high", None)).startswith("Not staged")


def test_booking_names_the_patient_and_never_prefills_a_past_day(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    user, patient_id = seed(sqlite_db)
    events = load_calendar(sqlite_db, patient_id)
    past = next(e for e in events if (e.suggested or e.due) < TODAY and e.state == "planned")
    now = datetime(2026, 11, 27, 10, 0)  # a Friday: the next open day is Monday 30th
    dialog = BookDialog(sqlite_db, user, past, now, "Sarcoma clinic")
    qtbot.addWidget(dialog)
    who = dialog.findChild(QLabel, "eventPatient")
    assert who is not None and "Lind, Eva" in who.text() and "MRN 55" in who.text()
    assert "Lind, Eva" in dialog.windowTitle()
    assert dialog.day.value() == date(2026, 11, 30)
    assert "suggested date has passed" in dialog.warning.text()


def test_booking_warns_of_a_double_booking(qtbot: QtBot, sqlite_db: Database) -> None:
    user, patient_id = seed(sqlite_db)
    events = [e for e in load_calendar(sqlite_db, patient_id) if e.state == "planned"]
    first, second = events[0], events[1]
    book(sqlite_db, user, first.id, datetime(2026, 12, 2, 9, 0), "Sarcoma clinic", TODAY_NOW)
    dialog = BookDialog(sqlite_db, user, second, TODAY_NOW, "Sarcoma clinic")
    qtbot.addWidget(dialog)
    dialog.day.setText("2026-12-02")
    assert "already has an appointment that day" in dialog.warning.text()
    dialog.day.setText("2026-12-03")
    assert "already has" not in dialog.warning.text()


def test_clinic_day_in_quarter_hour_slots(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    user, patient_id = seed(sqlite_db)
    first = next(e for e in load_calendar(sqlite_db, patient_id) if e.state == "planned")
    book(sqlite_db, user, first.id, datetime(2026, 11, 25, 9, 15), "MRI suite", TODAY_NOW)
    runner = TaskRunner()
    view = ClinicDayView(sqlite_db, runner, lambda: TODAY)
    qtbot.addWidget(view)
    view.day.setText("2026-11-25")
    view.refresh()
    qtbot.waitUntil(lambda: view.slot_model.rowCount() > 0)
    slots = view.slot_model
    times = [slots.index(r, 0).data() for r in range(slots.rowCount())]
    assert times[:6] == ["08:00", "08:15", "08:30", "08:45", "09:00", "09:15"]
    assert len(times) == 36 and times[-1] == "16:45"
    assert [slots.index(5, c).data() for c in range(3)] == [
        "09:15",
        first_label(first),
        "Lind, Eva",
    ]
    assert slots.index(5, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert view.pages.currentWidget() is view.slot_table
    path = view.export_csv(tmp_path / "day.csv")
    assert path is not None and path.read_bytes().startswith(b"\xef\xbb\xbf")

    view.day.setText("2026-11-26")
    view.refresh()
    qtbot.waitUntil(lambda: view.count.text().startswith("No appointments on this day"))
    assert "Ctrl+B" in view.count.text()
    runner.wait()


def first_label(event) -> str:  # type: ignore[no-untyped-def]
    from survtrack.domain.events import EventKind

    return EventKind(event.kind).label


def test_every_painted_row_sets_its_text_colour(sqlite_db: Database) -> None:
    _user, patient_id = seed(sqlite_db)
    model = CalendarTableModel()
    model.set_events(load_calendar(sqlite_db, patient_id), TODAY)
    painted = 0
    for row in range(model.rowCount()):
        index = model.index(row, 4)
        if index.data(Qt.ItemDataRole.BackgroundRole) is not None:
            painted += 1
            assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
        assert "_" not in index.data()
    assert painted > 0


def test_charts_have_a_text_alternative_and_fit_a_large_font(qtbot: QtBot) -> None:
    chart = LineChart("Pain", unit="score 0–10")
    qtbot.addWidget(chart)
    chart.set_series(
        [Series("Phantom limb pain", ((date(2026, 1, 5), 6.0), (date(2026, 3, 2), 3.0)))], (0, 10)
    )
    assert chart.accessibleName() == "Pain"
    assert chart.accessibleDescription() == (
        "Pain. Phantom limb pain: 6 on 2026-01-05, 3 on 2026-03-02."
    )
    small = chart.minimumHeight()
    holder = QWidget()
    qtbot.addWidget(holder)
    font = QFont(holder.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    holder.setFont(font)
    big = LineChart("Pain", holder)  # sizes come from the font's metrics (150 % here)
    assert big.minimumHeight() > small and big.sizeHint().width() > chart.sizeHint().width()
    assert nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.set_events([], TODAY)
    assert "enter the diagnosis" in timeline.accessibleDescription()


def test_widgets_without_names_are_few(qtbot: QtBot, sqlite_db: Database) -> None:
    user, patient_id = seed(sqlite_db)
    dialog = TreatmentDialog(sqlite_db, user, TODAY, patient_id)
    qtbot.addWidget(dialog)
    unnamed = [
        w for w in dialog.fields.values() if isinstance(w, QWidget) and not w.accessibleName()
    ]
    assert unnamed == []
