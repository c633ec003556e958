"""The main window: patient search and list on the left, the selected record on the right."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from survtrack import __version__
from survtrack.services.auth import Role, SignedIn
from survtrack.services.clinic_settings import idle_lock_minutes
from survtrack.services.patient_search import (
    PAGE_SIZE,
    count_patients,
    search_patients,
)
from survtrack.services.permissions import Action, can
from survtrack.services.protocol_choice import can_assign
from survtrack.services.worklists import NeedsPlanRow
from survtrack.store.engine import Database
from survtrack.ui.forms import open_dialog
from survtrack.ui.idle_lock import IdleLock
from survtrack.ui.layout_memory import restore_layout, save_layout
from survtrack.ui.overdue_view import OverdueView
from survtrack.ui.patient_dialogs import PatientDialog
from survtrack.ui.patient_table_model import PatientTableModel
from survtrack.ui.patient_view import PatientView
from survtrack.ui.protocol_dialog import AssignProtocolDialog
from survtrack.ui.workers import TaskRunner
from survtrack.ui.worklist_views import ClinicDayView, NeedsPlanView, ToBookView

SEARCH_DELAY_MS = 120


class MainWindow(QMainWindow):
    #: the window was closed (quit or sign out); the app ends its event loop on it
    closed = Signal()

    def __init__(
        self,
        db: Database,
        user: SignedIn,
        today: date | None = None,
        idle_minutes: int | None = None,
    ) -> None:
        super().__init__()
        self.db = db
        self.user = user
        #: set by File > Sign out (or signing out of a locked window): the app signs in again
        self.signed_out = False
        self._today = today
        self.runner = TaskRunner(self)
        self._keep_selection = False
        self.import_dialog: QWidget | None = None
        self.setWindowTitle("SurvTrack")
        self.resize(1400, 800)

        self.search = QLineEdit()
        self.search.setObjectName("patientSearch")
        self.search.setAccessibleName("Search patients")
        self.search.setPlaceholderText("Search by MRN or name  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.model = PatientTableModel(self._fetch_page, self)
        self.table = QTableView()
        self.table.setObjectName("patientTable")
        self.table.setAccessibleName("Patients")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((80, 180, 85, 115, 50, 150)):
            self.table.setColumnWidth(column, width)
        self.patient_view = PatientView(db, user, self.today)
        self.patient_view.changed.connect(self._patient_changed)
        self.detail = self.patient_view.summary
        self.to_book = ToBookView(db, self.runner, self.today)
        self.clinic_day = ClinicDayView(db, self.runner, self.today)
        for view in (self.to_book, self.clinic_day):
            view.open_event.connect(self.open_event)
        self.needs_plan = NeedsPlanView(db, self.runner)
        self.needs_plan.open_patient.connect(self.open_patient)
        self.needs_plan.assign_protocol.connect(self.assign_protocol_from_list)
        self.needs_plan.assign_button.setEnabled(can_assign(user))
        self.overdue = OverdueView(db, user, self.runner, self.today)
        self.overdue.open_patient.connect(self.open_event)
        self.overdue.message.connect(lambda text: self.statusBar().showMessage(text, 8000))

        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("patientSplitter")
        self.splitter = splitter
        splitter.addWidget(left)
        splitter.addWidget(self.patient_view)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([560, 840])
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(splitter, "&Patients")
        self.tabs.addTab(self.to_book, "To &book")
        self.tabs.addTab(self.clinic_day, "Clinic &day")
        self.tabs.addTab(self.overdue, "&Overdue")
        self.tabs.addTab(self.needs_plan, "&Needs a plan")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)

        self.count_label = QLabel()
        self.user_label = QLabel(f"Signed in: {user.full_name} ({user.role.label})")
        self.db_label = QLabel(db.url)
        status = self.statusBar()
        status.addWidget(self.count_label, 1)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.db_label)

        self._build_menus()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._focus_table)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        restore_layout(self, self.layout_tables(), [self.splitter])
        self.run_search()
        self.idle_lock = IdleLock(self, db, user, idle_minutes or idle_lock_minutes(db))
        self.idle_lock.sign_out.connect(self.sign_out)

    def layout_tables(self) -> list[QTableView]:
        """The tables whose column widths and order are kept between starts."""
        return [
            self.table,
            self.patient_view.table,
            self.to_book.table,
            self.clinic_day.table,
            self.overdue.table,
            self.overdue.soon_table,
            self.needs_plan.table,
        ]

    # -- menus -------------------------------------------------------------------------------

    def _action(self, menu, text: str, shortcut, slot) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Import patients…", None, self.import_patients)
        self._action(file_menu, "Export patient as &FHIR…", None, self.export_fhir)
        file_menu.addSeparator()
        self._action(file_menu, "Summaries for a clinic &day (PDF)…", None, self.batch_summaries)
        self._action(
            file_menu,
            "&Print summaries for a clinic day…",
            None,
            lambda: self.batch_summaries(to_printer=True),
        )
        file_menu.addSeparator()
        self._action(file_menu, "C&hange password…", None, self.change_password)
        self._action(file_menu, "&Lock now", "Ctrl+Shift+L", lambda: self.idle_lock.lock())
        self._action(file_menu, "Sign &out", None, self.sign_out)
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        view = self.patient_view
        patients = bar.addMenu("&Patients")
        self._action(patients, "&New patient…", "Ctrl+N", self.new_patient)
        self._action(patients, "&Edit patient…", "Ctrl+E", view.edit_patient)
        diagnosis_actions = [
            self._action(patients, "&Diagnosis…", "Ctrl+Shift+D", view.edit_diagnosis),
            self._action(patients, "Add &treatment…", "Ctrl+T", view.add_treatment),
            self._action(patients, "Ed&it treatment…", None, view.edit_treatment),
            self._action(patients, "Delete treatment…", None, view.delete_treatment),
            self._action(patients, "Record &recurrence…", "Ctrl+Shift+R", view.add_recurrence),
        ]
        if not can(self.user, Action.CHANGE_DIAGNOSIS):  # the services refuse it anyway
            for action in diagnosis_actions:
                action.setEnabled(False)
                action.setToolTip("A physician changes the diagnosis and treatments")
        self._action(
            patients,
            "&Status (deceased, discharged, transferred)…",
            "Ctrl+Shift+S",
            view.change_status,
        )
        assign = self._action(patients, "Assign &protocol…", "Ctrl+Shift+P", self.assign_protocol)
        if not can_assign(self.user):  # the service refuses it anyway
            assign.setEnabled(False)
            assign.setToolTip("A physician assigns a protocol")
        self._action(patients, "Export FHIR…", None, self.export_fhir)
        patients.addSeparator()
        self._action(patients, "&Find patient", QKeySequence.StandardKey.Find, self.focus_search)
        self._action(patients, "Re&fresh", "F5", self.refresh_all)

        calendar = bar.addMenu("&Calendar")
        self._action(calendar, "&Book or reschedule…", "Ctrl+B", view.book_selected)
        self._action(calendar, "Mark &done…", "Ctrl+D", view.complete_selected)
        self._action(calendar, "Mark &missed (no-show)", "Ctrl+M", view.miss_selected)
        self._action(calendar, "&Cancel…", "Ctrl+Shift+C", view.cancel_selected)
        waive = self._action(calendar, "&Waive… (physicians)", "Ctrl+Shift+W", view.waive_selected)
        waive.setEnabled(self.user.role is Role.PHYSICIAN)
        self._action(calendar, "&Reopen", "Ctrl+Shift+O", view.reopen_selected)
        self._action(calendar, "Mo&ve planned date…", "Ctrl+Shift+M", view.move_selected)
        calendar.addSeparator()
        self._action(calendar, "&Undo last action", QKeySequence.StandardKey.Undo, view.undo_last)
        self._action(calendar, "Record &visit…", "Ctrl+Shift+V", view.visits.record)
        self._action(
            calendar,
            "&Print after-visit summary…",
            QKeySequence.StandardKey.Print,
            view.visits.print_summary,
        )

        views = bar.addMenu("&View")
        self._action(views, "&Patients", "Ctrl+1", lambda: self.tabs.setCurrentIndex(0))
        self._action(views, "To &book", "Ctrl+2", lambda: self.tabs.setCurrentIndex(1))
        self._action(views, "Clinic &day", "Ctrl+3", lambda: self.tabs.setCurrentIndex(2))
        self._action(views, "&Overdue review", "Ctrl+4", lambda: self.tabs.setCurrentIndex(3))
        self._action(views, "&Needs a plan", "Ctrl+5", lambda: self.tabs.setCurrentIndex(4))
        self._action(views, "Patient &calendar", "Ctrl+L", self.show_calendar)

        if self.user.is_admin:
            admin_menu = bar.addMenu("&Administration")
            self._action(admin_menu, "&Users…", None, self.open_users)
            self._action(admin_menu, "&Clinic settings…", None, self.open_clinic_settings)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About SurvTrack", None, self._about)

    # -- patients ------------------------------------------------------------------------------

    def new_patient(self) -> None:
        dialog = PatientDialog(self.db, self.user, self.today(), None, self)
        self.patient_view.dialog = dialog
        open_dialog(dialog, lambda: self._patient_added(dialog))

    def _patient_added(self, dialog: PatientDialog) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setText(dialog.mrn.text().strip())
        self.run_search()
        if dialog.patient_id is not None:
            self.patient_view.show_patient(dialog.patient_id)
        self.statusBar().showMessage(
            "Patient added. Enter the diagnosis (Ctrl+Shift+D) and treatments (Ctrl+T).", 8000
        )

    def _patient_changed(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        """Re-read the visible list (stage or status may have changed) keeping the selection."""
        self.run_search(keep_selection=True)

    def refresh_all(self) -> None:
        self.run_search(keep_selection=True)
        self.patient_view.reload()
        self._tab_changed(self.tabs.currentIndex())

    def import_patients(self, path: Path | None = None) -> None:
        """File > Import patients…: the preview dialog; nothing is written until confirmed."""
        from PySide6.QtWidgets import QFileDialog

        from survtrack.ui.import_dialog import ImportDialog

        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self,
                "Import patients",
                "",
                "Patient extracts (*.csv *.json);;CSV files (*.csv);;FHIR Bundles (*.json)",
            )
            if not name:
                return
            path = Path(name)
        dialog = ImportDialog(self.db, self.user.actor, path, self.today(), self.runner, self)
        self.import_dialog = dialog
        dialog.imported.connect(self._patients_imported)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()

    def _patients_imported(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        self.refresh_all()

    def export_fhir(self, path: Path | None = None) -> None:
        """The selected patient's record as a FHIR R4 Bundle, written off the GUI thread."""
        from PySide6.QtWidgets import QFileDialog

        from survtrack.services.audit_reads import FHIR_EXPORTED, audit_read
        from survtrack.services.fhir_export import write_fhir

        record = self.patient_view.record
        if record is None:
            self.statusBar().showMessage("Select a patient to export.", 8000)
            return
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Export the patient as FHIR", "patient-fhir.json", "FHIR JSON (*.json)"
            )
            if not name:
                return
            path = Path(name)
        db, patient_id, target = self.db, record.id, path
        audit_read(db, self.user.actor, FHIR_EXPORTED, patient_id, path=target)
        self.statusBar().showMessage("Writing the FHIR file…")
        self.runner.submit(
            lambda: write_fhir(db, patient_id, target),
            lambda _done: self.statusBar().showMessage(f"Saved {target}", 10000),
            lambda error: QMessageBox.warning(
                self, "SurvTrack", f"The FHIR file could not be written.\n{error}"
            ),
            channel="fhir-export",
        )

    def batch_summaries(self, to_printer: bool = False) -> None:
        from PySide6.QtWidgets import QFileDialog, QInputDialog

        from survtrack.domain.errors import BadInput
        from survtrack.reports.avs_template import TemplateError
        from survtrack.ui.visits_view import batch_summaries

        text, ok = QInputDialog.getText(
            self, "Summaries for a clinic day", "Day (YYYY-MM-DD):", text=self.today().isoformat()
        )
        if not ok:
            return
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            QMessageBox.warning(self, "SurvTrack", f"Day: {text!r} is not a date YYYY-MM-DD.")
            return
        printer = None
        name = ""
        if to_printer:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter

            from survtrack.reports.avs_pdf import page_layout

            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setPageLayout(page_layout())
            if not QPrintDialog(printer, self).exec():
                return
        else:
            name, _ = QFileDialog.getSaveFileName(
                self, "Save the summaries", f"summaries-{day}.pdf", "PDF files (*.pdf)"
            )
            if not name:
                return
        notes: list[str] = []
        try:
            count, finished = batch_summaries(
                self,
                self.db,
                day,
                Path(name) if name else None,
                printer,
                notes=notes,
                actor=self.user.actor,
            )
        except (TemplateError, BadInput) as exc:
            QMessageBox.critical(self, "SurvTrack", f"The summaries cannot be printed.\n{exc}")
            return
        except Exception as exc:  # never "saved" for a file that was not written
            from survtrack.services.errors import user_message
            from survtrack.ui.forms import report_failure

            report_failure(exc, "summaries for a clinic day")
            QMessageBox.critical(self, "SurvTrack", user_message(exc))
            return
        where = f"saved to {name}" if name else "sent to the printer"
        message = f"{count} summaries {where}" if finished else "Cancelled"
        self.statusBar().showMessage(message if count else f"No visit on {day}", 10000)
        if notes:
            QMessageBox.information(self, "Summaries for a clinic day", "\n".join(notes))

    def show_calendar(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.patient_view.tabs.setCurrentIndex(1)
        self.patient_view.table.setFocus()

    def open_event(self, patient_id: int, event_id: int) -> None:
        self.tabs.setCurrentIndex(0)
        self.patient_view.show_patient(patient_id)
        self.patient_view.tabs.setCurrentIndex(1)
        self.patient_view.select_event(event_id)
        self.patient_view.table.setFocus()

    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self.to_book.refresh()
        elif index == 2:
            self.clinic_day.refresh()
        elif index == 3:
            self.overdue.load_physicians()
            self.overdue.refresh_current()
        elif index == 4:
            self.needs_plan.refresh()

    def assign_protocol(self) -> None:
        """Ctrl+Shift+P: the selected patient of the "Needs a plan" tab, else the open one."""
        if self.tabs.currentWidget() is self.needs_plan:
            self.needs_plan.assign_selected()
        else:
            self.patient_view.assign_protocol()

    def assign_protocol_from_list(self, row: NeedsPlanRow) -> None:
        dialog = AssignProtocolDialog(
            self.db, self.user, row.patient_id, row.patient, row.mrn, row.version, self
        )
        self.protocol_dialog = dialog

        def saved() -> None:
            change = dialog.change
            message = "Protocol saved" + (f". Calendar: {change.summary()}." if change else ".")
            self.statusBar().showMessage(message, 8000)
            self.needs_plan.refresh()

        open_dialog(dialog, saved)

    def open_patient(self, patient_id: int) -> None:
        self.tabs.setCurrentIndex(0)
        self.patient_view.show_patient(patient_id)
        self._mark_in_list(patient_id)

    def _mark_in_list(self, patient_id: int) -> None:
        """The list on the left highlights the patient shown, or nobody when the patient opened
        (from a worklist) is not among its rows: never another patient than the record."""
        rows = range(self.model.rowCount())
        row = next((r for r in rows if self.model.patient_id(r) == patient_id), -1)
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        if row >= 0:
            self.table.selectRow(row)
        else:
            selection.clearSelection()
        selection.blockSignals(False)
        self.table.viewport().update()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def change_password(self) -> None:
        from survtrack.ui.account_dialogs import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.db, self.user, parent=self)
        if dialog.exec():
            self.statusBar().showMessage("Your password was changed.", 8000)

    def sign_out(self) -> None:
        """Close the window; the app then shows the sign-in dialog again."""
        self.signed_out = True
        self.close()

    def open_users(self) -> None:
        from survtrack.ui.users_dialog import UsersDialog

        UsersDialog(self.db, self.user, self).exec()

    def open_clinic_settings(self) -> None:
        from survtrack.ui.clinic_settings_dialog import ClinicSettingsDialog

        dialog = ClinicSettingsDialog(self.db, self.user, self)

        def saved() -> None:
            self.idle_lock.set_minutes(idle_lock_minutes(self.db))
            self.statusBar().showMessage("Clinic settings saved.", 8000)

        open_dialog(dialog, saved)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About SurvTrack",
            f"SurvTrack {__version__}\nFollow-up surveillance after soft tissue sarcoma.\n"
            f"Database: {self.db.url}",
        )

    # -- search ------------------------------------------------------------------------------

    def today(self) -> date:
        return self._today or date.today()

    def _fetch_page(self, query: str, offset: int, limit: int) -> list:
        return search_patients(self.db, query, offset, limit)

    def run_search(self, keep_selection: bool = False) -> None:
        query = self.search.text().strip()
        db = self.db
        self._keep_selection = keep_selection
        self.count_label.setText("Searching…")

        def work() -> tuple[str, list, int]:
            rows = search_patients(db, query, 0, PAGE_SIZE)
            total = len(rows) if len(rows) < PAGE_SIZE else count_patients(db, query)
            return query, rows, total

        self.runner.submit(work, self._show_results, self._show_error, channel="search")

    def _show_results(self, result: tuple[str, list, int]) -> None:
        query, rows, total = result
        self.model.show_results(query, rows)
        noun = "patient" if total == 1 else "patients"
        self.count_label.setText(f"{total:,} {noun}" + (f" matching “{query}”" if query else ""))
        current = self.patient_view.record.id if self.patient_view.record else None
        if self._keep_selection and current is not None:
            self._keep_selection = False
            row = next((i for i, r in enumerate(rows) if r.id == current), -1)
            if row >= 0:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
            return
        if rows:
            self.table.selectRow(0)
        else:
            self.patient_view.clear(
                "No patient matches this search." if query else "No patients yet."
            )

    def _show_error(self, message: str) -> None:
        self.count_label.setText("Search failed")
        QMessageBox.warning(self, "SurvTrack", f"The patient list could not be read.\n{message}")

    def _focus_table(self) -> None:
        self.table.setFocus()
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() == Qt.Key.Key_Escape and self.search.text():
            self.search.clear()
            self.focus_search()
            return
        super().keyPressEvent(event)

    # -- detail ------------------------------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        self.show_patient_at(indexes[0])

    def show_patient_at(self, index: QModelIndex) -> None:
        patient_id = self.model.patient_id(index.row())
        if patient_id is not None:
            # the record and its calendar: a handful of indexed queries (see the benchmark)
            self.patient_view.show_patient(patient_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle_lock.stop()
        self._search_timer.stop()
        self.runner.wait()
        save_layout(self, self.layout_tables(), [self.splitter])
        super().closeEvent(event)
        self.closed.emit()
