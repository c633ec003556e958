"""The selected patient: summary, calendar table and timeline, and every action on them.

Dialogs open window-modal (``open()``) and report back through ``accepted``, so the window never
blocks in a nested event loop. After each change the view reloads the patient (two indexed
queries) and tells the main window what changed through ``changed``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.events import ACTIONABLE_STATES, EventKind
from survtrack.services.audit_reads import OPENED, audit_read
from survtrack.services.auth import Role, SignedIn
from survtrack.services.calendar import CalendarChange, EventRow, load_calendar
from survtrack.services.diagnosis import delete_treatment
from survtrack.services.errors import user_message
from survtrack.services.event_actions import Undo, miss, reopen, undo
from survtrack.services.patient_records import PatientRecord, TreatmentRecord, load_patient
from survtrack.services.protocol_choice import can_assign, load_assignment
from survtrack.services.rehab import patient_flags
from survtrack.store.engine import Database
from survtrack.ui.calendar_model import CalendarTableModel
from survtrack.ui.diagnosis_dialogs import RecurrenceDialog, TreatmentDialog, TumourDialog
from survtrack.ui.event_dialogs import BookDialog, CompleteDialog, MoveDialog, ReasonDialog
from survtrack.ui.forms import FormDialog, open_dialog, report_failure
from survtrack.ui.patient_detail import PatientDetailPane, treatment_line
from survtrack.ui.patient_dialogs import PatientDialog, StatusDialog
from survtrack.ui.protocol_dialog import AssignProtocolDialog, assignment_words
from survtrack.ui.rehab_view import RehabView
from survtrack.ui.side_effects_view import SideEffectsView
from survtrack.ui.state_colours import error_text
from survtrack.ui.tables import fit_header_labels
from survtrack.ui.timeline import TimelineWidget
from survtrack.ui.visits_view import VisitsView

DEFAULT_LOCATION = "Sarcoma clinic"


class PatientView(QWidget):
    changed = Signal(str)  # a message for the status bar; the patient list may need a refresh

    def __init__(
        self, db: Database, user: SignedIn, today: Callable[[], date], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.user, self.today = db, user, today
        self.record: PatientRecord | None = None
        self.events: list[EventRow] = []
        self.dialog: FormDialog | None = None
        self.last_undo: Undo | None = None

        self.header = QLabel()
        self.header.setObjectName("patientHeader")
        self.header.setStyleSheet("font-size: 15px; font-weight: bold; padding: 4px;")
        self.tabs = QTabWidget()
        self.summary = PatientDetailPane()
        self.calendar = CalendarTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("calendarTable")
        self.table.setAccessibleName("Follow-up calendar")
        self.table.setModel(self.calendar)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        metrics = self.fontMetrics()
        kind_width = max(metrics.horizontalAdvance(k.label) for k in EventKind) + 16
        date_width = metrics.horizontalAdvance("0000-00-00") + 16
        for column, width in enumerate(
            (date_width, kind_width, date_width * 2, date_width, 150, 130, 110, 150, 35)
        ):
            self.table.setColumnWidth(column, width)
        fit_header_labels(self.table)
        self.table.doubleClicked.connect(lambda _index: self.book_selected())
        self.timeline = TimelineWidget()

        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("book", "&Book…", self.book_selected),
            ("complete", "Mark &done…", self.complete_selected),
            ("missed", "Missed", self.miss_selected),
            ("cancel", "Cancel…", self.cancel_selected),
            ("waive", "Waive…", self.waive_selected),
            ("reopen", "Reopen", self.reopen_selected),
            ("move", "Move…", self.move_selected),
            ("undo", "Undo", self.undo_last),
        ):
            button = QPushButton(text)
            button.setObjectName(f"{key}Button")
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch(1)
        calendar_page = QWidget()
        calendar_layout = QVBoxLayout(calendar_page)
        calendar_layout.setContentsMargins(0, 4, 0, 0)
        calendar_layout.addLayout(buttons)
        calendar_layout.addWidget(self.table)

        self.tabs.addTab(self.summary, "&Summary")
        self.tabs.addTab(calendar_page, "&Calendar")
        self.tabs.addTab(self.timeline, "T&imeline")
        self.side_effects = SideEffectsView(db, user, today)
        self.rehab = RehabView(db, user, today)
        self.tabs.addTab(self.side_effects, "Side &effects")
        self.tabs.addTab(self.rehab, "&Rehabilitation")
        self.visits = VisitsView(db, user, today)
        self.tabs.addTab(self.visits, "&Visits")
        self.tabs.currentChanged.connect(
            lambda i: (
                self.scroll_to_today()
                if self.tabs.widget(i) is calendar_page and not self.selected_event()
                else None
            )
        )
        for view in (self.side_effects, self.rehab, self.visits):
            view.changed.connect(self._sub_view_changed)
        self.protocol = QLabel()
        self.protocol.setObjectName("patientProtocol")
        self.protocol.setWordWrap(True)
        self.protocol_button = QPushButton("Assign protocol…")
        self.protocol_button.setObjectName("assignProtocolButton")
        self.protocol_button.setToolTip(
            "Choose this patient's protocol, with a reason (Ctrl+Shift+P)"
        )
        self.protocol_button.clicked.connect(self.assign_protocol)
        self.protocol_button.setEnabled(can_assign(user))
        protocol_row = QHBoxLayout()
        protocol_row.setContentsMargins(4, 0, 4, 0)
        protocol_row.addWidget(self.protocol, 1)
        protocol_row.addWidget(self.protocol_button)
        self.flags = QLabel()
        self.flags.setObjectName("patientFlags")
        self.flags.setStyleSheet(f"color: {error_text()}; font-weight: bold; padding: 0 4px;")
        self.flags.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addLayout(protocol_row)
        layout.addWidget(self.flags)
        layout.addWidget(self.tabs)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.clear()

    # -- loading -----------------------------------------------------------------------------

    def clear(self, message: str = "Select a patient to see the record.") -> None:
        self.record, self.events = None, []
        self.header.setText("")
        self.protocol.setText("")
        self.protocol_button.hide()
        self.flags.setText("")
        self.flags.hide()
        self.summary.show_placeholder(message)
        self.calendar.set_events([], self.today())
        self.timeline.set_events([], self.today())
        self._update_buttons()

    def show_patient(self, patient_id: int) -> None:
        record = load_patient(self.db, patient_id)
        if record is None:
            self.clear("This patient is no longer in the database.")
            return
        if self.record is None or self.record.id != patient_id:  # opened, not refreshed
            audit_read(self.db, self.user.actor, OPENED, patient_id)
        self.record = record
        self.events = load_calendar(self.db, patient_id)
        today = self.today()
        tumour = record.tumours[0] if record.tumours else None
        stage = f"stage {tumour.stage}" if tumour and tumour.stage else "not staged"
        risk = f", {tumour.risk} risk" if tumour and tumour.risk else ""
        status = "" if record.status == "active" else f" · {record.status.upper()}"
        self.header.setText(f"{record.display_name} · MRN {record.mrn} · {stage}{risk}{status}")
        self.side_effects.show_patient(patient_id)
        self.visits.show_patient(patient_id)
        self.rehab.show_patient(patient_id)
        self._show_flags()
        self.protocol.setText(assignment_words(load_assignment(self.db, patient_id)))
        self.protocol_button.show()
        self.summary.show_patient(record, today)
        selected = self.selected_event()
        active = record.status == "active"
        self.calendar.set_events(self.events, today, active)
        self.timeline.set_events(self.events, today, active)
        if selected is not None:
            row = self.calendar.row_of(selected.id)
            if row >= 0:
                self.table.selectRow(row)
        else:
            self.scroll_to_today()
        self._update_buttons()

    def today_row(self) -> int:
        """The first event due today or later (the last one when all are past)."""
        today = self.today()
        rows = self.calendar.rows
        return next((i for i, e in enumerate(rows) if e.due >= today), len(rows) - 1)

    def scroll_to_today(self) -> None:
        """The calendar opens at today: the first event due from today at the top."""
        row = self.today_row()
        if row >= 0:
            self.table.scrollTo(
                self.calendar.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )

    def _show_flags(self) -> None:
        found = patient_flags(self.db, self.record.id, self.today()) if self.record else []
        self.flags.setText("  ·  ".join(f"⚠ {flag.text}" for flag in found))
        self.flags.setVisible(bool(found))

    def _sub_view_changed(self, message: str) -> None:
        self._show_flags()
        self.changed.emit(message)

    def reload(self) -> None:
        if self.record is not None:
            self.show_patient(self.record.id)

    # -- selection and buttons ---------------------------------------------------------------

    def selected_event(self) -> EventRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.calendar.event_at(rows[0].row()) if rows else None

    def select_event(self, event_id: int) -> None:
        row = self.calendar.row_of(event_id)
        if row >= 0:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        event = self.selected_event()
        state = event.state if event else None
        active = self.record is not None and self.record.status == "active"
        open_states = ACTIONABLE_STATES
        enabled = {
            "book": active and state in open_states,
            "complete": state in open_states,
            "missed": state in ("planned", "booked"),
            "cancel": state in open_states,
            "waive": state in open_states and self.user.role is Role.PHYSICIAN,
            "reopen": state in ("completed", "missed", "cancelled", "waived", "booked", "covered"),
            "move": state == "planned",
            "undo": self.last_undo is not None,
        }
        for key, button in self.buttons.items():
            button.setEnabled(bool(enabled[key]))
        self.buttons["book"].setText("Re&schedule…" if state == "booked" else "&Book…")
        if self.last_undo:
            self.buttons["undo"].setText(f"Undo {self.last_undo.label}")
        else:
            self.buttons["undo"].setText("Undo")

    # -- dialogs -------------------------------------------------------------------------------

    def _open(self, dialog: FormDialog, done: Callable[[FormDialog], None]) -> None:
        self.dialog = dialog
        open_dialog(dialog, lambda: done(dialog))

    def _after_change(self, change: CalendarChange | None, what: str) -> None:
        self.reload()
        message = what if change is None else f"{what}. Calendar: {change.summary()}."
        self.changed.emit(message)

    def _after_action(self, dialog: FormDialog) -> None:
        token: Undo | None = getattr(dialog, "undo", None)
        if token is not None:
            self.last_undo = token
            self._after_change(None, f"Saved: {token.label}")

    def edit_patient(self) -> None:
        if self.record:
            self._open(
                PatientDialog(self.db, self.user, self.today(), self.record, self),
                lambda d: self._after_change(None, "Patient saved"),
            )

    def edit_diagnosis(self) -> None:
        if not self.record:
            return
        tumour = self.record.tumours[0] if self.record.tumours else None
        self._open(
            TumourDialog(self.db, self.user, self.today(), self.record.id, tumour, parent=self),
            lambda d: self._after_change(d.change, "Diagnosis saved"),
        )  # type: ignore[attr-defined]

    def add_treatment(self) -> None:
        if self.record:
            self._open(
                TreatmentDialog(self.db, self.user, self.today(), self.record.id, parent=self),
                lambda d: self._after_change(d.change, "Treatment saved"),
            )  # type: ignore[attr-defined]

    def _choose_treatment(self, title: str) -> TreatmentRecord | None:
        if not self.record or not self.record.treatments:
            self.changed.emit("No treatment recorded for this patient.")
            return None
        labels = [treatment_line(t) for t in self.record.treatments]
        label, ok = QInputDialog.getItem(self, title, "Treatment:", labels, 0, False)
        return self.record.treatments[labels.index(label)] if ok else None

    def edit_treatment(self) -> None:
        chosen = self._choose_treatment("Edit treatment")
        if chosen is not None and self.record:
            self._open(
                TreatmentDialog(self.db, self.user, self.today(), self.record.id, chosen, self),
                lambda d: self._after_change(d.change, "Treatment saved"),  # type: ignore[attr-defined]
            )

    def delete_treatment(self) -> None:
        chosen = self._choose_treatment("Delete treatment")
        if chosen is None or not self.record:
            return
        answer = QMessageBox.question(
            self,
            "Delete treatment",
            f"Delete this treatment?\n{treatment_line(chosen)}\n\nThe calendar is regenerated; "
            "completed, booked and other recorded events are kept. The audit trail keeps the "
            "deleted values.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            change = delete_treatment(self.db, self.user, self.record.id, chosen.id, chosen.version)
        except Exception as exc:  # said in words; the screen shows what is there now
            report_failure(exc, "delete treatment")
            QMessageBox.warning(self, "SurvTrack", user_message(exc))
            self.reload()
            return
        self._after_change(change, "Treatment deleted")

    def add_recurrence(self, when: date | None = None) -> None:
        if self.record:
            self._open(
                RecurrenceDialog(self.db, self.user, self.today(), self.record.id, self, when),
                lambda d: self._after_change(d.change, "Recurrence recorded"),
            )  # type: ignore[attr-defined]

    def change_status(self, preset: str | None = None) -> None:
        if self.record:
            dialog = StatusDialog(self.db, self.user, self.today(), self.record, self)
            if preset:
                dialog.status.setCurrentIndex(dialog.status.findData(preset))
            self._open(
                dialog,
                lambda d: self._after_change(d.change, "Status saved"),  # type: ignore[attr-defined]
            )

    def assign_protocol(self) -> None:
        if self.record:
            record = self.record
            self._open(
                AssignProtocolDialog(
                    self.db,
                    self.user,
                    record.id,
                    record.display_name,
                    record.mrn,
                    record.version,
                    self,
                ),
                lambda d: self._after_change(d.change, "Protocol saved"),  # type: ignore[attr-defined]
            )

    def _now(self) -> datetime:
        """Now, on the view's "today" (a fixed day in tests, the real one in use)."""
        return datetime.combine(self.today(), datetime.now().time())

    def book_selected(self) -> None:
        event = self.selected_event()
        if event and self.buttons["book"].isEnabled():
            self._open(
                BookDialog(self.db, self.user, event, self._now(), DEFAULT_LOCATION, self),
                self._after_action,
            )

    def complete_selected(self) -> None:
        event = self.selected_event()
        if event and self.buttons["complete"].isEnabled():
            self._open(
                CompleteDialog(self.db, self.user, event, self.today(), self),
                self._after_completion,
            )

    def _after_completion(self, dialog: FormDialog) -> None:
        self._after_action(dialog)
        if isinstance(dialog, CompleteDialog) and dialog.result_code == "recurrence":
            answer = QMessageBox.question(
                self,
                "Record the recurrence?",
                "The result was a recurrence. Record it now? The calendar then starts a new "
                "high-risk episode.",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.add_recurrence(dialog.day.value())

    def cancel_selected(self) -> None:
        event = self.selected_event()
        if event and self.buttons["cancel"].isEnabled():
            self._open(ReasonDialog(self.db, self.user, event, False, self), self._after_action)

    def waive_selected(self) -> None:
        event = self.selected_event()
        if event and self.buttons["waive"].isEnabled():
            self._open(ReasonDialog(self.db, self.user, event, True, self), self._after_action)

    def move_selected(self) -> None:
        event = self.selected_event()
        if event and self.buttons["move"].isEnabled():
            self._open(MoveDialog(self.db, self.user, event, self), self._after_action)

    # -- direct actions (no dialog) ----------------------------------------------------------------

    def _direct(self, action: Callable[[], Undo]) -> None:
        try:
            self.last_undo = action()
        except Exception as exc:  # said in words; the screen shows what is there now
            report_failure(exc, "event action")
            QMessageBox.warning(self, "SurvTrack", user_message(exc))
            self.reload()
            return
        self._after_change(None, f"Saved: {self.last_undo.label}")

    def miss_selected(self) -> None:
        event = self.selected_event()
        if event and self.buttons["missed"].isEnabled():
            self._direct(lambda: miss(self.db, self.user, event.id, self.today(), event.version))

    def reopen_selected(self) -> None:
        event = self.selected_event()
        if event and self.buttons["reopen"].isEnabled():
            self._direct(lambda: reopen(self.db, self.user, event.id, event.version))

    def undo_last(self) -> None:
        token = self.last_undo
        if token is None:
            return
        try:
            undo(self.db, self.user, token)
        except Exception as exc:  # said in words; the screen shows what is there now
            report_failure(exc, "undo")
            QMessageBox.warning(self, "SurvTrack", user_message(exc))
            self.last_undo = None
            self.reload()
            return
        self.last_undo = None
        self._after_change(None, f"Undone: {token.label}")
        self.select_event(token.event_id)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.hasFocus():
            self.book_selected()
            return
        super().keyPressEvent(event)
