"""File > Import patients…: a preview of every row (new, update, unchanged or error, with the
reason), and the import itself only when the user confirms.

Reading and judging the file, and writing it, run off the GUI thread (``TaskRunner``). A preview
with errors cannot be imported: the file is fixed and opened again. If a patient changed at
another workstation between the preview and the confirmation, nothing is written and the preview
is made again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.errors import BadInput
from survtrack.services.errors import ConflictError
from survtrack.services.patient_import import (
    ERROR,
    NEW,
    UPDATE,
    ImportPreview,
    ImportResult,
    PreviewRow,
    apply_import,
    preview_import,
)
from survtrack.store.audit import Actor
from survtrack.store.engine import Database
from survtrack.ui.state_colours import error_text
from survtrack.ui.workers import TaskRunner

COLUMNS = ("Row", "MRN", "Result", "Details")
_STATUS_WORDS = {NEW: "New", UPDATE: "Update", "unchanged": "Unchanged", ERROR: "Error"}

Index = QModelIndex | QPersistentModelIndex


class PreviewModel(QAbstractTableModel):
    """The preview's rows, errors first (then in file order)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PreviewRow] = []

    def show(self, preview: ImportPreview) -> None:
        self.beginResetModel()
        self.rows = sorted(preview.rows, key=lambda r: (r.status != ERROR, r.row))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return f"{row.unit} {row.row}"
            if index.column() == 1:
                return row.mrn
            if index.column() == 2:
                return _STATUS_WORDS.get(row.status, row.status)
            return f"{row.column}: {row.detail}" if row.status == ERROR else row.detail
        if role == Qt.ItemDataRole.ForegroundRole and row.status == ERROR:
            return QBrush(QColor(error_text()))
        return None


class ImportDialog(QDialog):
    imported = Signal(str)  # the result line, once written

    def __init__(
        self,
        db: Database,
        actor: Actor,
        path: Path,
        today: date,
        runner: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.path, self.today, self.runner = db, actor, path, today, runner
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None
        self.setWindowTitle(f"Import patients from {path.name}")
        self.resize(820, 520)
        self.summary = QLabel("Reading the file…")
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setObjectName("importPreview")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((80, 110, 90)):
            self.table.setColumnWidth(column, width)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            "&Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        self.load_preview()

    def _submit(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.runner.submit(work, done, self._failed, channel="import")

    def load_preview(self) -> None:
        db, path, today = self.db, self.path, self.today
        self.import_button.setEnabled(False)
        self._submit(lambda: _guarded(lambda: preview_import(db, path, today)), self._show)

    def _show(self, outcome: object) -> None:
        if isinstance(outcome, BadInput):
            self.summary.setText(
                f"This file cannot be imported.\n{outcome.field}: {outcome.reason}"
            )
            return
        assert isinstance(outcome, ImportPreview)
        self.preview = outcome
        self.model.show(outcome)
        to_write = outcome.count(NEW) + outcome.count(UPDATE)
        text = outcome.summary().capitalize() + "."
        if outcome.errors:
            text += " Correct the rows with errors and open the file again; nothing is imported."
        elif not to_write:
            text += " Nothing to import: the database already holds every row."
        else:
            text += " Nothing is written until you choose Import."
        self.summary.setText(text)
        self.import_button.setEnabled(not outcome.errors and to_write > 0)

    def confirm(self) -> None:
        if self.preview is None or self.preview.errors:
            return
        db, actor, preview = self.db, self.actor, self.preview
        self.import_button.setEnabled(False)
        self.summary.setText("Importing…")
        self._submit(lambda: _guarded(lambda: apply_import(db, actor, preview)), self._written)

    def _written(self, outcome: object) -> None:
        if isinstance(outcome, ConflictError):
            self.summary.setText(f"{outcome} Preparing the preview again…")
            self.load_preview()
            return
        if isinstance(outcome, BadInput):
            self.summary.setText(f"Nothing was imported.\n{outcome.field}: {outcome.reason}")
            return
        assert isinstance(outcome, ImportResult)
        self.result = outcome
        self.imported.emit(
            f"Imported: {outcome.created} new, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged"
        )
        self.accept()

    def _failed(self, message: str) -> None:
        self.summary.setText(f"The import failed; nothing was written.\n{message}")


def _guarded(work: Callable[[], object]) -> object:
    """Expected refusals come back as values, to be shown in the dialog, not logged as failures."""
    try:
        return work()
    except (BadInput, ConflictError) as exc:
        return exc
