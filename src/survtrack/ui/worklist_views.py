"""The scheduler's worklists: what to book in the next weeks, the clinic's day or week, and the
active patients who have no follow-up calendar ("Needs a plan").

The to-book list starts with the appointments whose day passed with no outcome recorded, painted
apart and saying so: open the patient to record the result, or mark the event missed and book it
again.

Queries run on the background runner; the first page arrives through a signal and further pages
load as the table scrolls. Enter or double-click opens the patient with that event selected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.errors import BadInput
from survtrack.domain.events import EventKind, is_overdue
from survtrack.domain.labels import state_label
from survtrack.reports.appointment_export import clinic_day_csv
from survtrack.services.booking_checks import ClinicDayGrid, clinic_day_grid
from survtrack.services.errors import user_message
from survtrack.services.worklists import (
    OUTCOME_MISSING,
    NeedsPlanRow,
    WorklistRow,
    clinic_day,
    needs_a_plan,
    to_book,
)
from survtrack.store.engine import Database
from survtrack.ui.forms import DateField, report_failure
from survtrack.ui.paged_model import PagedTableModel, load_flags
from survtrack.ui.saving import checked_write
from survtrack.ui.state_colours import (
    OUTCOME_MISSING_BACKGROUND,
    OVERDUE_BACKGROUND,
    ROW_TEXT,
    STATE_BACKGROUND,
)
from survtrack.ui.tables import fit_header_labels, list_table
from survtrack.ui.workers import TaskRunner

PAGE = 500
Index = QModelIndex | QPersistentModelIndex


class WorklistModel(PagedTableModel[WorklistRow]):
    def __init__(
        self,
        columns: tuple[str, ...],
        fetch_more: Callable[[int], list[WorklistRow]] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(columns, fetch_more, PAGE, parent)
        self.today = date.today()  # rows whose window closed before it are painted overdue

    def _value(self, r: WorklistRow, column: str) -> str:
        values = {
            "Time": r.booked_at.strftime("%Y-%m-%d %H:%M") if r.booked_at else "",
            "Window opens": r.window_start.isoformat(),
            "Due": r.due.isoformat(),
            "Window closes": r.window_end.isoformat(),
            "Suggested": r.suggested.isoformat() if r.suggested else "",
            "Kind": EventKind(r.kind).label,
            "Patient": r.patient,
            "MRN": r.mrn,
            "Physician": r.physician or "",
            "State": outcome_missing_words(r) if r.outcome_missing else state_label(r.state),
            "Location": r.location or "",
            "Flags": self.patient_flags.get(r.patient_id, ""),
        }
        return values[column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._value(row, self.columns[index.column()])
        if role == Qt.ItemDataRole.ToolTipRole and row.outcome_missing:
            assert row.booked_at is not None
            where = f" at {row.location}" if row.location else ""
            return (
                f"The appointment of {row.booked_at.strftime('%Y-%m-%d %H:%M')}{where} has "
                "passed and no outcome was recorded. Open the patient (Enter) to record the "
                "result, or mark it missed and book it again."
            )
        if role == Qt.ItemDataRole.BackgroundRole:
            if is_overdue(row.state, row.window_end, self.today):
                return OVERDUE_BACKGROUND
            if row.outcome_missing:
                return OUTCOME_MISSING_BACKGROUND
            return STATE_BACKGROUND.get(row.state)
        if role == Qt.ItemDataRole.ForegroundRole:
            painted = is_overdue(row.state, row.window_end, self.today)
            return ROW_TEXT if painted or row.state in STATE_BACKGROUND else None
        return None


def outcome_missing_words(row: WorklistRow) -> str:
    """The to-book list's State cell for a booking whose day passed with no outcome recorded."""
    booked = row.booked_at.date().isoformat() if row.booked_at else ""
    # short enough for the State column at 1366 px; the tooltip says what to do
    return f"Booked {booked}: no outcome yet" if booked else OUTCOME_MISSING


@dataclass(frozen=True, slots=True)
class SlotEntry:
    at: datetime
    row: WorklistRow | None
    clash: str = ""  # why this appointment is flagged (double booking), in words


def slot_entries(rows: list[WorklistRow], day: date, grid: ClinicDayGrid) -> list[SlotEntry]:
    """The clinic day as time slots: every slot of the grid, empty or with its appointments
    (appointments outside the grid's hours at their own time), double bookings flagged."""
    per_slot: dict[tuple[datetime, str], int] = {}
    per_patient: dict[tuple[int, object], int] = {}
    for r in rows:
        if r.booked_at is not None:
            key = (grid.slot_of(r.booked_at), (r.location or "").strip().casefold())
            per_slot[key] = per_slot.get(key, 0) + 1
            for twice in ((r.patient_id, grid.slot_of(r.booked_at)), (r.patient_id, r.kind)):
                per_patient[twice] = per_patient.get(twice, 0) + 1
    entries: list[SlotEntry] = []
    booked = [r for r in rows if r.booked_at is not None and r.booked_at.date() == day]
    used: set[int] = set()
    for slot in grid.slots(day):
        inside = [r for r in booked if r.booked_at and grid.slot_of(r.booked_at) == slot]
        early = [r for r in booked if r.booked_at and r.booked_at < slot and r.event_id not in used]
        for r in early + inside:
            used.add(r.event_id)
            entries.append(
                SlotEntry(r.booked_at or slot, r, _clash(r, grid, per_slot, per_patient))
            )
        if not inside:
            entries.append(SlotEntry(slot, None))
    for r in booked:
        if r.event_id not in used:
            entries.append(
                SlotEntry(
                    r.booked_at or datetime.combine(day, time.max),
                    r,
                    _clash(r, grid, per_slot, per_patient),
                )
            )
    return entries


def _clash(
    r: WorklistRow,
    grid: ClinicDayGrid,
    per_slot: dict[tuple[datetime, str], int],
    per_patient: dict[tuple[int, object], int],
) -> str:
    """Why an appointment is marked: its slot is over the clinic's capacity at its location, or
    the same patient is booked twice in one slot or twice for the same kind that day (a scan and
    a visit on one day is normal and not marked; the booking dialog still mentions it)."""
    assert r.booked_at is not None
    reasons = []
    slot = grid.slot_of(r.booked_at)
    count = per_slot.get((slot, (r.location or "").strip().casefold()), 0)
    if count > grid.appointments_per_slot:
        reasons.append(
            f"{count} appointments at {slot.strftime('%H:%M')} in {r.location or 'no location'}"
        )
    if per_patient.get((r.patient_id, slot), 0) > 1:
        reasons.append("this patient has another appointment at the same time")
    if per_patient.get((r.patient_id, r.kind), 0) > 1:
        reasons.append(f"this patient has two {EventKind(r.kind).label} appointments this day")
    return "; ".join(reasons)


class ClinicSlotModel(QAbstractTableModel):
    """The clinic day in time slots (08:00 to 17:00 in 15-minute rows by default)."""

    COLUMNS = ("Time", "Kind", "Patient", "MRN", "Location", "Physician")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[SlotEntry] = []

    def set_entries(self, entries: list[SlotEntry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        r = entry.row
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return entry.at.strftime("%H:%M") + (" ⚠" if entry.clash else "")
            if r is None:
                return ""
            return (
                "",
                EventKind(r.kind).label,
                r.patient,
                r.mrn,
                r.location or "",
                r.physician or "",
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and entry.clash:
            return f"Double booking: {entry.clash}."
        if role == Qt.ItemDataRole.BackgroundRole:
            if entry.clash:
                return OVERDUE_BACKGROUND
            return STATE_BACKGROUND["booked"] if r is not None else None
        if role == Qt.ItemDataRole.ForegroundRole and r is not None:
            return ROW_TEXT
        return None


class _WorklistView(QWidget):
    open_event = Signal(int, int)  # patient id, event id

    def __init__(
        self,
        db: Database,
        runner: TaskRunner,
        today: Callable[[], date],
        columns: tuple[str, ...],
        name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.today = db, runner, today
        self.model = WorklistModel(columns, self._more, self)
        self.table = list_table(self.model, name)
        self.table.doubleClicked.connect(self._open)
        self.count = QLabel()
        self.controls = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.controls)
        layout.addWidget(self.table)
        layout.addWidget(self.count)
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(self.refresh)
        self.refresh_button = refresh

    def _more(self, offset: int) -> list[WorklistRow]:
        return []

    def _open(self, index: QModelIndex) -> None:
        row = self.model.rows[index.row()]
        self.open_event.emit(row.patient_id, row.event_id)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.table.currentIndex().isValid():
            self._open(self.table.currentIndex())
            return
        super().keyPressEvent(event)

    def _show(self, rows: list[WorklistRow], exhausted: bool, noun: tuple[str, str]) -> None:
        self.model.today = self.today()
        self.model.set_rows(rows, exhausted)
        if "Flags" in self.model.columns:
            load_flags(self.runner, self.db, self.today(), self.model, {r.patient_id for r in rows})
        more = "" if exhausted else "+"
        singular, plural = noun
        self.count.setText(f"{len(rows):,}{more} {singular if len(rows) == 1 else plural}")

    def _failed(self, message: str) -> None:
        self.count.setText(f"Could not load the list: {message}")

    def refresh(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class ToBookView(_WorklistView):
    COLUMNS = (
        "Window opens",
        "Due",
        "Window closes",
        "Suggested",
        "Kind",
        "Patient",
        "MRN",
        "Physician",
        "State",
        "Flags",
    )

    def __init__(
        self,
        db: Database,
        runner: TaskRunner,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(db, runner, today, self.COLUMNS, "toBookTable", parent)
        self.table.setAccessibleName("Events to book")
        metrics = self.fontMetrics()
        day = metrics.horizontalAdvance("0000-00-00") + 18
        kind = max(metrics.horizontalAdvance(k.label) for k in EventKind) + 16
        state = metrics.horizontalAdvance("Booked 0000-00-00: no outcome yet") + 16
        for column, width in enumerate((day, day, day, day, kind, 190, 85, 180, state)):
            self.table.setColumnWidth(column, width)
        fit_header_labels(self.table)
        self.weeks = QSpinBox()
        self.weeks.setObjectName("weeks")
        self.weeks.setAccessibleName("Windows opening in the next")
        self.weeks.setRange(1, 52)
        self.weeks.setValue(4)
        self.weeks.setSuffix(" weeks")
        self.overdue = QCheckBox("Include windows already closed")
        self.overdue.setObjectName("includeOverdue")
        self.controls.addWidget(QLabel("Windows opening in the next"))
        self.controls.addWidget(self.weeks)
        self.controls.addWidget(self.overdue)
        self.controls.addStretch(1)
        self.controls.addWidget(self.refresh_button)
        self.weeks.valueChanged.connect(lambda _v: self.refresh())
        self.overdue.toggled.connect(lambda _v: self.refresh())

    def _query(self, offset: int) -> Callable[[], list[WorklistRow]]:
        """The query with the filters as they are now (read here, on the GUI thread)."""
        db, today = self.db, self.today()
        weeks, overdue = self.weeks.value(), self.overdue.isChecked()
        return lambda: to_book(db, today, weeks, overdue, offset, PAGE)

    def _more(self, offset: int) -> list[WorklistRow]:
        return self._query(offset)()

    def _show_to_book(self, rows: list[WorklistRow]) -> None:
        self._show(rows, len(rows) < PAGE, ("event to book", "events to book"))
        unrecorded = sum(r.outcome_missing for r in rows)
        if unrecorded:
            more = "" if len(rows) < PAGE or unrecorded < len(rows) else "+"
            self.count.setText(
                f"{self.count.text()}; {unrecorded:,}{more} of them booked for a day that has "
                "passed with no outcome recorded (listed first)"
            )
        if not rows:
            self.count.setText(
                "Nothing to book in these weeks: choose more weeks or include windows already "
                "closed."
            )

    def refresh(self) -> None:
        self.count.setText("Loading…")
        self.runner.submit(
            self._query(0),
            self._show_to_book,
            self._failed,
            channel="to_book",
        )


class ClinicDayView(_WorklistView):
    COLUMNS = ("Time", "Kind", "Patient", "MRN", "Location", "Physician")

    def __init__(
        self,
        db: Database,
        runner: TaskRunner,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(db, runner, today, self.COLUMNS, "clinicDayTable", parent)
        self.day = DateField("Day", today())
        self.day.setObjectName("clinicDay")
        self.span = QComboBox()
        self.span.addItem("Day", 1)
        self.span.addItem("Week", 7)
        previous = QPushButton("◀")
        following = QPushButton("▶")
        previous.clicked.connect(lambda: self._step(-1))
        following.clicked.connect(lambda: self._step(1))
        self.controls.addWidget(QLabel("From"))
        self.controls.addWidget(self.day)
        self.controls.addWidget(self.span)
        self.controls.addWidget(previous)
        self.controls.addWidget(following)
        self.controls.addStretch(1)
        export = QPushButton("Export &CSV…")
        export.clicked.connect(lambda: self.export_csv())
        self.controls.addWidget(export)
        self.controls.addWidget(self.refresh_button)
        self.day.returnPressed.connect(self.refresh)
        self.day.picked.connect(self.refresh)
        self.span.currentIndexChanged.connect(lambda _i: self.refresh())
        self.span.setAccessibleName("Day or week")
        previous.setAccessibleName("Previous day or week")
        following.setAccessibleName("Next day or week")
        # one day: the time slots; a week: the list (the same rows, ``self.model``)
        self.slot_model = ClinicSlotModel(self)
        self.slot_table = list_table(self.slot_model, "clinicSlotTable")
        self.slot_table.doubleClicked.connect(self._open_slot)
        self.slot_table.setAccessibleName("Clinic day in 15-minute slots")
        self.table.setAccessibleName("Appointments of the week")
        self.pages = QStackedWidget()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.replaceWidget(self.table, self.pages)
        self.pages.addWidget(self.slot_table)
        self.pages.addWidget(self.table)
        for table in (self.slot_table, self.table):
            for column, width in enumerate((130, 200, 220, 90, 160)):
                table.setColumnWidth(column, width)
        self.slot_table.setColumnWidth(0, 70)

    def _open_slot(self, index: QModelIndex) -> None:
        entry = self.slot_model.entries[index.row()]
        if entry.row is not None:
            self.open_event.emit(entry.row.patient_id, entry.row.event_id)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        on_slots = self.pages.currentWidget() is self.slot_table
        if enter and on_slots and self.slot_table.currentIndex().isValid():
            self._open_slot(self.slot_table.currentIndex())
            return
        super().keyPressEvent(event)

    def _show_day(self, rows: list[WorklistRow], first: date, days: int) -> None:
        self._show(rows, True, ("appointment", "appointments"))
        self.pages.setCurrentIndex(0 if days == 1 else 1)
        if days == 1:
            self.slot_model.set_entries(slot_entries(rows, first, clinic_day_grid()))
            clashes = sum(1 for e in self.slot_model.entries if e.clash)
            if clashes:
                self.count.setText(
                    self.count.text() + f"; ⚠ {clashes} double-booked (hover the time for why)"
                )
        if not rows:
            self.count.setText(
                f"No appointments {'on this day' if days == 1 else 'this week'}. Book from the "
                "To book list or a patient's calendar (Ctrl+B); ◀ ▶ move the day."
            )

    def _step(self, direction: int) -> None:
        try:
            first = self.day.value() or self.today()
        except BadInput:
            first = self.today()
        self.day.set_value(first + timedelta(days=direction * self.span.currentData()))
        self.refresh()

    def refresh(self) -> None:
        try:
            first = self.day.value() or self.today()
        except BadInput as exc:
            self.count.setText(f"{exc.field}: {exc.reason}")
            return
        last = first + timedelta(days=self.span.currentData() - 1)
        self.count.setText("Loading…")
        db = self.db
        days = self.span.currentData()
        self.runner.submit(
            lambda: clinic_day(db, first, last),
            lambda rows: self._show_day(rows, first, days),
            self._failed,
            channel="clinic_day",
        )

    def export_csv(self, path: Path | None = None) -> Path | None:
        """The appointments on screen as CSV (the list is already loaded: no query)."""
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Clinic day as CSV", "clinic-day.csv", "CSV files (*.csv)"
            )
            if not name:
                return None
            path = Path(name)
        rows = [
            (
                r.booked_at.strftime("%Y-%m-%d %H:%M") if r.booked_at else "",
                r.mrn,
                r.patient,
                EventKind(r.kind).label,
                r.location or "",
                r.physician or "",
            )
            for r in self.model.rows
        ]
        target = path
        try:
            checked_write(
                target, lambda: target.write_text(clinic_day_csv(rows), encoding="utf-8-sig")
            )
        except Exception as exc:  # never a silent failure
            report_failure(exc, "clinic day CSV")
            QMessageBox.warning(self, "Clinic day", user_message(exc))
            return None
        return path


class NeedsPlanModel(PagedTableModel[NeedsPlanRow]):
    COLUMNS = ("Patient", "MRN", "Physician", "Why there is no calendar")

    def __init__(self, fetch_more: Callable[[int], list[NeedsPlanRow]], parent: Any = None):
        super().__init__(self.COLUMNS, fetch_more, PAGE, parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        r = self.rows[index.row()]
        return (r.patient, r.mrn, r.physician or "", r.reason)[index.column()]


class NeedsPlanView(QWidget):
    """Active patients for whom no calendar could be made, with the reason; they stay here until
    a calendar exists or they leave follow-up. Enter or double-click opens the patient."""

    open_patient = Signal(int)
    #: "Assign protocol…" on the selected row (the window opens the dialog)
    assign_protocol = Signal(object)

    def __init__(self, db: Database, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.runner = db, runner
        self.model = NeedsPlanModel(self._more, self)
        self.table = list_table(self.model, "needsPlanTable")
        self.table.setAccessibleName("Patients who need a plan")
        for column, width in enumerate((200, 90, 170)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._open)
        intro = QLabel(
            "These active patients have no follow-up calendar. Open each one and complete the "
            "diagnosis or treatments, or choose a protocol with the treating physician."
        )
        intro.setWordWrap(True)
        self.count = QLabel()
        self.count.setObjectName("needsPlanCount")
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(self.refresh)
        self.assign_button = QPushButton("Assign protocol…")
        self.assign_button.setObjectName("needsPlanAssign")
        self.assign_button.setToolTip("Choose a protocol for the selected patient (Ctrl+Shift+P)")
        self.assign_button.clicked.connect(self.assign_selected)
        top = QHBoxLayout()
        top.addWidget(intro, 1)
        top.addWidget(self.assign_button)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.count)

    def _more(self, offset: int) -> list[NeedsPlanRow]:
        return needs_a_plan(self.db, offset, PAGE)

    def refresh(self) -> None:
        db = self.db
        self.count.setText("Loading…")
        self.runner.submit(
            lambda: needs_a_plan(db, 0, PAGE), self._show, self._failed, channel="needs_plan"
        )

    def _show(self, rows: list[NeedsPlanRow]) -> None:
        self.model.set_rows(rows, len(rows) < PAGE)
        more = "" if len(rows) < PAGE else "+"
        self.count.setText(
            "Every active patient has a follow-up calendar."
            if not rows
            else f"{len(rows):,}{more} {'patient needs' if len(rows) == 1 else 'patients need'} "
            "a plan"
        )

    def _failed(self, message: str) -> None:
        self.count.setText(f"Could not load the list: {message}")

    def _open(self, index: QModelIndex) -> None:
        self.open_patient.emit(self.model.rows[index.row()].patient_id)

    def assign_selected(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.assign_protocol.emit(self.model.rows[index.row()])
        else:
            self.count.setText("Select a patient first, then assign a protocol.")

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.table.currentIndex().isValid():
            self._open(self.table.currentIndex())
            return
        super().keyPressEvent(event)
