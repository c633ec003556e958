"""The patient list model: a page of rows at a time, fetched from SQL as the view scrolls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from survtrack.domain.sites import Site
from survtrack.services.patient_search import PAGE_SIZE, PatientListRow
from survtrack.ui.paged_model import PagedTableModel
from survtrack.ui.state_colours import muted_text

COLUMNS = ("MRN", "Name", "Birth date", "Site", "Stage", "Physician", "Status")
COL_MRN, COL_NAME, COL_BIRTH, COL_SITE, COL_STAGE, COL_PHYSICIAN, COL_STATUS = range(7)
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex
PageFetcher = Callable[[str, int, int], list[PatientListRow]]


class PatientTableModel(PagedTableModel[PatientListRow]):
    def __init__(self, fetch_page: PageFetcher, parent: Any = None) -> None:
        super().__init__(
            COLUMNS, lambda offset: fetch_page(self._query, offset, PAGE_SIZE), PAGE_SIZE, parent
        )
        self._query = ""

    def show_results(self, query: str, first_page: list[PatientListRow]) -> None:
        """Replace the contents with the first page of a (background) search."""
        self._query = query
        self.set_rows(first_page, len(first_page) < PAGE_SIZE)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
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
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (COL_NAME, COL_PHYSICIAN):
            # a narrow column at 1366 px shows "Dr. …": the whole text on hover
            return self.data(index, Qt.ItemDataRole.DisplayRole) or None
        if role == Qt.ItemDataRole.ForegroundRole and row.status != "active":
            return muted_text()
        return None

    def patient_id(self, row: int) -> int | None:
        found = self.row_at(row)
        return None if found is None else found.id
