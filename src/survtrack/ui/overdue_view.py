"""The physician's overdue review: filters, the overdue list, due-soon, and the dashboard.

One row per patient and kind (the oldest overdue event, with the slots missed since), split into
rows still to book and rows already booked late. Every query runs on the background runner.
Actions (book now, done elsewhere, waive, note, hide until a day) act on the selected rows; the
list is then re-read, so a resolved or hidden row leaves it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.overdue import ModalityGroup
from survtrack.reports.overdue_export import overdue_csv
from survtrack.services.audit_reads import OVERDUE_EXPORTED, audit_read
from survtrack.services.auth import Role, SignedIn
from survtrack.services.calendar import load_event
from survtrack.services.errors import user_message
from survtrack.services.overdue import (
    OverdueQuery,
    OverdueRow,
    acknowledge,
    add_note,
    dashboard,
    due_soon,
    iter_export_values,
    overdue_count,
    overdue_rows,
    physicians,
    snooze_default,
)
from survtrack.store.engine import Database
from survtrack.ui.dashboard_view import DashboardView
from survtrack.ui.event_dialogs import BookDialog, CompleteDialog, ReasonDialog
from survtrack.ui.forms import DateField, FormDialog, open_dialog, report_failure
from survtrack.ui.list_printing import preview, table_html, write_pdf
from survtrack.ui.overdue_model import COLUMNS, PAGE, OverdueModel
from survtrack.ui.paged_model import load_flags
from survtrack.ui.saving import checked_write
from survtrack.ui.tables import fit_header_labels, list_table
from survtrack.ui.workers import TaskRunner

ALL = "All"
PRINT_LEFT_OUT = ("Due", "Hidden until", "Flags", "Note")


def _table(model: OverdueModel, name: str) -> QTableView:
    table = list_table(model, name, several=True)
    table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)  # asks the model to sort; the model asks SQL
    table.horizontalHeader().setSortIndicatorShown(True)
    for column, width in enumerate((70, 150, 75, 130, 85, 85, 100, 95, 55, 140, 85, 130, 110)):
        table.setColumnWidth(column, width)
    fit_header_labels(table)
    return table


class OverdueView(QWidget):
    open_patient = Signal(int, int)  # patient id, event id
    message = Signal(str)
    exported = Signal(str)  # the path of a finished export

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        runner: TaskRunner,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.user, self.runner, self.today = db, user, runner, today
        self.sort_key, self.descending = "default", False
        self.dialog: FormDialog | None = None
        self.preview_dialog: QWidget | None = None
        self.total = 0
        self.count = QLabel()
        self.count.setObjectName("overdueCount")

        self.physician = QComboBox()
        self.physician.setObjectName("physicianFilter")
        # editable: a part of a name ("Moretti") finds "Dr. Lucia Moretti"
        self.physician.setEditable(True)
        self.physician.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.physician.lineEdit().setPlaceholderText("any physician")
        self.physician.setAccessibleName("Physician filter")
        self.physician.addItem(ALL, None)
        self.section = QComboBox()
        self.section.setObjectName("sectionFilter")
        self.section.setAccessibleName("Which rows")
        for label, value in (
            ("Still to book", "to_book"),
            ("Booked late", "booked_late"),
            ("Both", "all"),
        ):
            self.section.addItem(label, value)
        self.hidden = QCheckBox("Show &hidden rows")
        self.hidden.setObjectName("showHidden")
        self.hidden.setToolTip("Rows a physician acknowledged and hid until a later day")
        self.group = QComboBox()
        self.group.setObjectName("groupFilter")
        self.group.setAccessibleName("Group filter")
        self.group.addItem(ALL, None)
        for group in ModalityGroup:
            self.group.addItem(group.value.capitalize(), group.value)
        self.risk = QComboBox()
        self.risk.setObjectName("riskFilter")
        self.risk.setAccessibleName("Risk filter")
        for label, value in ((ALL, None), ("High", "high"), ("Low", "low"), ("Desmoid", "any")):
            self.risk.addItem(label, value)
        self.min_days = QSpinBox()
        self.min_days.setObjectName("minDays")
        self.min_days.setAccessibleName("At least this many days overdue")
        self.min_days.setRange(0, 3650)
        self.min_days.setSuffix(" days")
        filters = QHBoxLayout()
        for label, widget in (
            ("Show", self.section),
            ("Physician", self.physician),
            ("Group", self.group),
            ("Risk", self.risk),
            ("At least", self.min_days),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.hidden)
        filters.addStretch(1)
        for widget in (self.section, self.group, self.risk):
            widget.currentIndexChanged.connect(lambda _i: self.refresh())
        self.physician.currentIndexChanged.connect(lambda _i: self.refresh())
        self.physician.lineEdit().editingFinished.connect(self.refresh)
        self.hidden.toggled.connect(lambda _on: self.refresh())
        self.min_days.valueChanged.connect(lambda _v: self.refresh())

        self.model = OverdueModel(self._more_overdue, self)
        self.model.sort_requested.connect(self._sort)
        self.table = _table(self.model, "overdueTable")
        self.table.setAccessibleName("Overdue follow-up")
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.soon_model = OverdueModel(self._more_soon, self)
        self.soon_model.due_soon = True
        self.soon_table = _table(self.soon_model, "dueSoonTable")
        self.soon_table.setAccessibleName("Due soon")
        self.soon_table.setSortingEnabled(False)
        self.soon_table.doubleClicked.connect(lambda _i: self.open_selected())
        self.soon_days = QSpinBox()
        self.soon_days.setObjectName("soonDays")
        self.soon_days.setAccessibleName("Windows closing within")
        self.soon_days.setRange(1, 366)
        self.soon_days.setValue(14)
        self.soon_days.setSuffix(" days")
        self.soon_days.valueChanged.connect(lambda _v: self.refresh_soon())
        self.dashboard = DashboardView()

        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, text, slot in (
            ("book", "&Book now…", self.book_selected),
            ("done", "Done &elsewhere…", self.done_elsewhere),
            ("waive", "&Waive…", self.waive_selected),
            ("note", "&Note…", self.note_selected),
            ("ack", "&Hide until…", self.acknowledge_selected),
            ("open", "&Open patient", self.open_selected),
            ("csv", "Export &CSV…", self.export_csv),
            ("pdf", "Export &PDF…", self.export_pdf),
            ("print", "&Print…", self.print_preview),
        ):
            button = QPushButton(text)
            button.setObjectName(f"{key}Button")
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.buttons[key] = button
        actions.addStretch(1)
        self.buttons["waive"].setEnabled(user.role is Role.PHYSICIAN)

        overdue_page = QWidget()
        layout = QVBoxLayout(overdue_page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.table)
        soon_page = QWidget()
        soon_layout = QVBoxLayout(soon_page)
        soon_layout.setContentsMargins(0, 4, 0, 0)
        soon_row = QHBoxLayout()
        soon_row.addWidget(QLabel("Windows closing within"))
        soon_row.addWidget(self.soon_days)
        soon_row.addStretch(1)
        soon_layout.addLayout(soon_row)
        soon_layout.addWidget(self.soon_table)
        self.tabs = QTabWidget()
        self.tabs.addTab(overdue_page, "Overdue")
        self.tabs.addTab(soon_page, "Due soon")
        self.tabs.addTab(self.dashboard, "Dashboard")
        self.tabs.currentChanged.connect(lambda _i: self.refresh_current())
        outer = QVBoxLayout(self)
        outer.addLayout(filters)
        outer.addLayout(actions)
        outer.addWidget(self.tabs)
        outer.addWidget(self.count)

    # -- queries -----------------------------------------------------------------------------

    def physician_filter(self) -> str | None:
        text = self.physician.currentText().strip()
        return None if not text or text == ALL else text

    def query(self) -> OverdueQuery:
        return OverdueQuery(
            self.today(),
            physician=self.physician_filter(),
            section=self.section.currentData(),
            acknowledged=self.hidden.isChecked(),
            group=self.group.currentData(),
            risk=self.risk.currentData(),
            min_days=self.min_days.value(),
            sort=self.sort_key,
            descending=self.descending,
        )

    def load_physicians(self) -> None:
        current = self.physician.currentData()
        self.physician.blockSignals(True)
        self.physician.clear()
        self.physician.addItem(ALL, None)
        for name in physicians(self.db):
            self.physician.addItem(name, name)
        found = self.physician.findData(current)
        if found >= 0 or current is None:
            self.physician.setCurrentIndex(max(0, found))
        self.physician.blockSignals(False)

    def refresh_current(self) -> None:
        index = self.tabs.currentIndex()
        if index == 0:
            self.refresh()
        elif index == 1:
            self.refresh_soon()
        else:
            self.refresh_dashboard()

    def refresh(self) -> None:
        """The first page as soon as it is read, then the total (a second, shorter query)."""
        query, db = self.query(), self.db
        self.count.setText("Loading…")
        self.runner.submit(
            lambda: overdue_rows(db, query, 0, PAGE), self._show, self._failed, channel="overdue"
        )

    def _show(self, rows: list[OverdueRow]) -> None:
        self.model.set_rows(rows, len(rows) < PAGE)
        load_flags(self.runner, self.db, self.today(), self.model, {r.patient_id for r in rows})
        if len(rows) < PAGE:
            self._show_total(len(rows))
            return
        self.count.setText(f"{len(rows)}+ overdue rows, counting…")
        query, db = self.query(), self.db
        self.runner.submit(
            lambda: overdue_count(db, query),
            self._show_total,
            self._failed,
            channel="overdue_count",
        )

    def _show_total(self, total: int) -> None:
        self.total = total
        query = self.query()
        what = {"to_book": "still to book", "booked_late": "booked late", "all": ""}[query.section]
        if total == 0:
            filtered = query.physician or query.group or query.risk or query.min_days
            self.count.setText(
                "No row matches these filters."
                if filtered
                else f"Nothing overdue {what}.".replace("  ", " ")
            )
            return
        self.count.setText(
            f"{total:,} overdue (patient and kind) {'row' if total == 1 else 'rows'} {what} "
            f"as of {self.today().isoformat()}".replace("  ", " ")
        )

    def _more_overdue(self, offset: int) -> list[OverdueRow]:
        return overdue_rows(self.db, self.query(), offset, PAGE)

    def _sort(self, key: str, descending: bool) -> None:
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.refresh()

    def refresh_soon(self) -> None:
        query, db, days = self.query(), self.db, self.soon_days.value()
        self.count.setText("Loading…")
        self.runner.submit(
            lambda: due_soon(db, query, days, 0, PAGE),
            self._show_soon,
            self._failed,
            channel="due_soon",
        )

    def _show_soon(self, rows: list[OverdueRow]) -> None:
        self.soon_model.set_rows(rows, len(rows) < PAGE)
        load_flags(
            self.runner, self.db, self.today(), self.soon_model, {r.patient_id for r in rows}
        )
        more = "+" if len(rows) == PAGE else ""
        self.count.setText(
            f"{len(rows)}{more} events whose window closes within {self.soon_days.value()} days"
        )

    def _more_soon(self, offset: int) -> list[OverdueRow]:
        return due_soon(self.db, self.query(), self.soon_days.value(), offset, PAGE)

    def refresh_dashboard(self) -> None:
        db, today = self.db, self.today()
        self.count.setText("Counting…")
        self.runner.submit(
            lambda: dashboard(db, today), self._show_dashboard, self._failed, channel="dashboard"
        )

    def _show_dashboard(self, board) -> None:  # type: ignore[no-untyped-def]
        self.dashboard.show_dashboard(board)
        unrecorded = (
            f", {board.outcome_missing:,} past "
            f"{'appointment' if board.outcome_missing == 1 else 'appointments'} with no outcome "
            "recorded (on To book)"
            if board.outcome_missing
            else ""
        )
        self.count.setText(
            f"{board.total:,} overdue to book, {board.booked_late:,} booked late{unrecorded} "
            f"as of {self.today().isoformat()}"
        )

    def _failed(self, message: str) -> None:
        self.count.setText(f"Could not load the list: {message}")

    # -- selection and actions ---------------------------------------------------------------

    def _current(self) -> tuple[QTableView, OverdueModel]:
        if self.tabs.currentIndex() == 1:
            return self.soon_table, self.soon_model
        return self.table, self.model

    def selected_rows(self) -> list[OverdueRow]:
        table, model = self._current()
        indexes = table.selectionModel().selectedRows()
        return [model.rows[i.row()] for i in sorted(indexes, key=lambda i: i.row())]

    def _one(self) -> OverdueRow | None:
        rows = self.selected_rows()
        if len(rows) != 1:
            self.message.emit("Select one row for this action.")
            return None
        return rows[0]

    def _event_dialog(self, make: Callable[..., FormDialog]) -> None:
        row = self._one()
        if row is None:
            return
        event = load_event(self.db, row.event_id)
        if event is None:
            self.refresh_current()
            return
        dialog = make(event)
        self.dialog = dialog
        open_dialog(dialog, lambda: self._acted("Saved"))

    def _acted(self, text: str) -> None:
        self.message.emit(text)
        self.refresh_current()

    def book_selected(self) -> None:
        now = datetime.combine(self.today(), datetime.now().time())
        self._event_dialog(lambda e: BookDialog(self.db, self.user, e, now, "Sarcoma clinic", self))

    def done_elsewhere(self) -> None:
        self._event_dialog(
            lambda e: CompleteDialog(self.db, self.user, e, self.today(), self, elsewhere=True)
        )

    def waive_selected(self) -> None:
        if self.user.role is not Role.PHYSICIAN:
            self.message.emit("Only a physician can waive an event.")
            return
        self._event_dialog(lambda e: ReasonDialog(self.db, self.user, e, True, self))

    def note_selected(self) -> None:
        row = self._one()
        if row is None:
            return
        text, ok = QInputDialog.getText(self, "Note", "Note on this event:", text=row.note or "")
        if ok:
            try:
                add_note(self.db, self.user, row.event_id, text, row.version)
            except Exception as exc:  # said in words; the list shows what is there now
                report_failure(exc, "overdue note")
                QMessageBox.warning(self, "Note", user_message(exc))
                self.refresh()
                return
            self._acted("Note saved")

    def acknowledge_selected(self) -> None:
        """Hide the reviewed rows until a day the physician picks (or until they change)."""
        if self.tabs.currentIndex() != 0:
            self.message.emit("Rows can be hidden from the overdue list only.")
            return
        rows = self.selected_rows()
        if not rows:
            self.message.emit("Select the rows you have reviewed.")
            return
        dialog = SnoozeDialog(self.db, self.user, rows, self.today(), self)
        self.dialog = dialog
        open_dialog(dialog, lambda: self._acted(dialog.done_text))

    def open_selected(self) -> None:
        row = self._one()
        if row is not None:
            self.open_patient.emit(row.patient_id, row.event_id)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_selected()
            return
        super().keyPressEvent(event)

    # -- export and print --------------------------------------------------------------------

    def _in_background(
        self,
        build: Callable[[Database, OverdueQuery], object],
        finish: Callable[[object], None],
        what: str,
    ) -> None:
        """Build the output from the filtered list off the GUI thread."""
        query, db = self.query(), self.db
        self.message.emit(f"Preparing the {what}…")

        def finish_or_say(result: object) -> None:
            try:
                finish(result)
            except Exception as exc:  # never "saved" for a file that was not written
                report_failure(exc, what)
                self.message.emit(f"The {what} failed: {user_message(exc)}")

        self.runner.submit(
            lambda: build(db, query),
            finish_or_say,
            lambda error: self.message.emit(f"The {what} failed: {error}"),
            channel=f"export-{what}",
        )

    def _audited(
        self, build: Callable[[Database, OverdueQuery], object], target: Path
    ) -> Callable[[Database, OverdueQuery], object]:
        """``build``, after the export is recorded in the audit trail as a read."""
        actor = self.user.actor

        def audited(db: Database, query: OverdueQuery) -> object:
            detail = {"as of": query.as_of.isoformat(), "format": target.suffix.lstrip(".")}
            audit_read(db, actor, OVERDUE_EXPORTED, path=target, detail=detail)
            return build(db, query)

        return audited

    def _ask_path(self, title: str, default: str, pattern: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, title, default, pattern)
        return Path(name) if name else None

    def export_csv(self, path: Path | None = None) -> None:
        """Every row of the filtered list as CSV (``exported`` says when the file is written)."""
        path = path or self._ask_path("Export overdue list", "overdue.csv", "CSV files (*.csv)")
        if path is None:
            return
        target = path

        def finish(text: object) -> None:
            checked_write(target, lambda: target.write_text(str(text), encoding="utf-8-sig"))
            self.message.emit(f"Exported to {target}")
            self.exported.emit(str(target))

        self._in_background(
            self._audited(
                lambda db, query: overdue_csv(iter_export_values(db, query), words=True), target
            ),
            finish,
            "CSV export",
        )

    def _html_builder(self) -> Callable[[Database, OverdueQuery], object]:
        query = self.query()
        filters = [f"as of {query.as_of.isoformat()}"]
        for label, value in (
            ("physician", query.physician),
            ("group", query.group),
            ("risk", query.risk),
        ):
            if value:
                filters.append(f"{label}: {value}")
        if query.min_days:
            filters.append(f"at least {query.min_days} days overdue")
        # what fits across a printed page: without due day, hidden until, flags and note
        keep = [i for i, (title, _) in enumerate(COLUMNS) if title not in PRINT_LEFT_OUT]
        columns = [COLUMNS[i][0] for i in keep]
        return lambda db, query: table_html(
            "Overdue follow-up (one row per patient and kind)",
            "; ".join(filters),
            columns,
            [
                [cells[i] for i in keep]
                for cells in map(OverdueModel.cells, overdue_rows(db, query))
            ],
        )

    def export_pdf(self, path: Path | None = None) -> None:
        path = path or self._ask_path(
            "Export overdue list as PDF", "overdue.pdf", "PDF files (*.pdf)"
        )
        if path is None:
            return
        target = path

        def finish(html: object) -> None:
            checked_write(target, lambda: write_pdf(str(html), target))
            self.message.emit(f"Saved {target}")
            self.exported.emit(str(target))

        self._in_background(self._audited(self._html_builder(), target), finish, "PDF export")

    def print_preview(self) -> None:
        def finish(html: object) -> None:
            dialog = preview(str(html), self)
            self.preview_dialog = dialog
            dialog.finished.connect(lambda _r: dialog.deleteLater())
            dialog.open()

        self._in_background(self._html_builder(), finish, "print preview")


class SnoozeDialog(FormDialog):
    """Acknowledge overdue rows: they leave the default view until the chosen day, or sooner if
    their oldest event, their missed slots or their booking change."""

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        rows: list[OverdueRow],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        count = len(rows)
        super().__init__(
            "Hide until",
            parent,
            f"{count} reviewed {'row' if count == 1 else 'rows'} will leave the list until the "
            "day below, or sooner if something about them changes.",
        )
        self.db, self.user, self.rows, self.today = db, user, rows, today
        self.until = self.add(
            "&Hide until", DateField("Hide until", snooze_default(today)), "Hide until"
        )
        self.done_text = ""

    def save(self) -> None:
        count = acknowledge(
            self.db, self.user, self.rows, self.until.value(), self.today, datetime.now(UTC)
        )
        self.done_text = (
            f"{count} {'row' if count == 1 else 'rows'} hidden until {self.until.value()}"
        )
