"""The main window: patient search and list on the left, the selected record on the right."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer
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
    QVBoxLayout,
    QWidget,
)

from survtrack import __version__
from survtrack.services.auth import SignedIn
from survtrack.services.patient_records import load_patient
from survtrack.services.patient_search import (
    PAGE_SIZE,
    count_patients,
    search_patients,
)
from survtrack.store.engine import Database
from survtrack.ui.patient_detail import PatientDetailPane
from survtrack.ui.patient_table_model import PatientTableModel
from survtrack.ui.workers import TaskRunner

SEARCH_DELAY_MS = 120


class MainWindow(QMainWindow):
    def __init__(self, db: Database, user: SignedIn, today: date | None = None) -> None:
        super().__init__()
        self.db = db
        self.user = user
        self._today = today
        self.runner = TaskRunner(self)
        self.setWindowTitle("SurvTrack")
        self.resize(1200, 720)

        self.search = QLineEdit()
        self.search.setObjectName("patientSearch")
        self.search.setPlaceholderText("Search by MRN or name  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.model = PatientTableModel(self._fetch_page, self)
        self.table = QTableView()
        self.table.setObjectName("patientTable")
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
        self.detail = PatientDetailPane()

        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.setCentralWidget(splitter)

        self.count_label = QLabel()
        self.user_label = QLabel(f"Signed in: {user.full_name} ({user.role.value})")
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
        self.run_search()

    # -- menus -------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        patient_menu = self.menuBar().addMenu("&Patients")
        find = QAction("&Find patient", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        patient_menu.addAction(find)
        refresh = QAction("&Refresh list", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.run_search)
        patient_menu.addAction(refresh)

        if self.user.is_admin:
            admin_menu = self.menuBar().addMenu("&Administration")
            users = QAction("&Users…", self)
            users.triggered.connect(self.open_users)
            admin_menu.addAction(users)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About SurvTrack", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def open_users(self) -> None:
        from survtrack.ui.users_dialog import UsersDialog

        UsersDialog(self.db, self.user, self).exec()

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

    def run_search(self) -> None:
        query = self.search.text().strip()
        db = self.db
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
        if rows:
            self.table.selectRow(0)
        else:
            self.detail.show_placeholder(
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
        if patient_id is None:
            return
        record = load_patient(self.db, patient_id)  # one indexed row and its children: ~2 ms
        if record is None:
            self.detail.show_placeholder("This patient is no longer in the database.")
            return
        self.detail.show_patient(record, self.today())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._search_timer.stop()
        self.runner.wait()
        super().closeEvent(event)
