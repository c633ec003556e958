"""The patient list model: a page of rows at a time, fetched from SQL as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from survtrack.domain.sites import Site
from survtrack.services.patient_search import PAGE_SIZE, PatientListRow

COLUMNS = ("MRN", "Name", "Birth date", "Site", "Stage", "Physician", "Status")
COL_MRN, COL_NAME, COL_BIRTH, COL_SITE, COL_STAGE, COL_PHYSICIAN, COL_STATUS = range(7)
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
INACTIVE_COLOUR = QColor("#6b6b6b")  # deceased, discharged, transferred

Index = QModelIndex | QPersistentModelIndex
PageFetcher = Callable[[str, int, int], list[PatientListRow]]


class PatientTableModel(QAbstractTableModel):
    def __init__(self, fetch_page: PageFetcher, parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch_page = fetch_page
        self._rows: list[PatientListRow] = []
        self._query = ""
        self._exhausted = True

    # -- loading ---------------------------------------------------------------------------

    def show_results(self, query: str, first_page: list[PatientListRow]) -> None:
        """Replace the contents with the first page of a (background) search."""
        self.beginResetModel()
        self._query = query
        self._rows = list(first_page)
        self._exhausted = len(first_page) < PAGE_SIZE
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page = self._fetch_page(self._query, len(self._rows), PAGE_SIZE)
        self._exhausted = len(page) < PAGE_SIZE
        if page:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == PATIENT_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == COL_MRN:
                return row.mrn
            if column == COL_NAME:
                return row.name
            if column == COL_BIRTH:
                return row.birth_date.isoformat()
            if column == COL_SITE:
                return Site(row.site).label if row.site else ""
            if column == COL_STAGE:
                return row.stage or ""
            if column == COL_PHYSICIAN:
                return row.physician or ""
            if column == COL_STATUS:
                return row.status.capitalize()
        if role == Qt.ItemDataRole.ForegroundRole and row.status != "active":
            return INACTIVE_COLOUR
        return None

    def patient_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None
