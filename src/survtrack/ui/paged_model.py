"""The base of the long lists: a table model that holds rows a page at a time.

The view asks for more as it scrolls (``canFetchMore``/``fetchMore``); the first page arrives from
a background query through ``set_rows``. Subclasses say how a row is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from survtrack.services.rehab import flags_for_patients
from survtrack.store.engine import Database
from survtrack.ui.workers import TaskRunner

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex


class PagedTableModel(QAbstractTableModel, Generic[Row]):
    def __init__(
        self,
        columns: Sequence[str],
        fetch_more: Callable[[int], list[Row]] | None,
        page_size: int,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: list[Row] = []
        self.page_size = page_size
        self._fetch_more = fetch_more
        self._exhausted = True
        #: patient id -> short flag text, filled in after a page arrives (``set_flags``); not
        #: called ``flags``, which would hide QAbstractItemModel.flags() from Qt
        self.patient_flags: dict[int, str] = {}

    def set_rows(self, rows: list[Row], exhausted: bool) -> None:
        self.beginResetModel()
        self.rows, self._exhausted = list(rows), exhausted
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and self._fetch_more is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        assert self._fetch_more is not None
        page = self._fetch_more(len(self.rows))
        self._exhausted = len(page) < self.page_size
        if page:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def header(self, section: int) -> str:
        return self.columns[section]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.header(section)
        return None

    def set_flags(self, flags: dict[int, str]) -> None:
        self.patient_flags.update(flags)
        if self.rows and "Flags" in self.columns:
            column = self.columns.index("Flags")
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column))

    def row_at(self, row: int) -> Row | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


def load_flags(
    runner: TaskRunner,
    db: Database,
    today: date,
    model: PagedTableModel[Any],
    patient_ids: set[int],
) -> None:
    """Fill the model's Flags column for these patients from a background query."""
    if not patient_ids:
        return

    def work() -> dict[int, str]:
        found = flags_for_patients(db, patient_ids, today)
        return {pid: ", ".join(f.short for f in items) for pid, items in found.items() if items}

    runner.submit(work, model.set_flags)
