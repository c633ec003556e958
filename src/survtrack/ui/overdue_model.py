"""Table model of the overdue (and due-soon) list: pages from SQL, sorting done by SQL.

Clicking a header asks the view to re-query in that order (``sort`` emits ``sort_requested``);
rows are painted from the severity the services computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from survtrack.domain.events import EventKind
from survtrack.services.overdue import OverdueRow
from survtrack.ui.paged_model import PagedTableModel

COLUMNS: tuple[tuple[str, str], ...] = (
    ("Severity", "default"),
    ("Patient", "patient"),
    ("MRN", "mrn"),
    ("Kind", "kind"),
    ("Due", "due"),
    ("Window end", "window_end"),
    ("Days overdue", "days_overdue"),
    ("Risk", "risk"),
    ("Physician", "physician"),
    ("Last done", ""),
    ("Booking", ""),
    ("Acknowledged", ""),
    ("Flags", ""),
    ("Note", ""),
)
SEVERITY_BACKGROUND = {
    "critical": QColor("#f4c7c3"),
    "high": QColor("#fce8b2"),
    "moderate": QColor("#ffffff"),
}
PAGE = 200
Index = QModelIndex | QPersistentModelIndex


class OverdueModel(PagedTableModel[OverdueRow]):
    sort_requested = Signal(str, bool)  # sort key, descending

    def __init__(self, fetch_more: Callable[[int], list[OverdueRow]], parent: Any = None):
        super().__init__([title for title, _ in COLUMNS], fetch_more, PAGE, parent)
        self.due_soon = False

    def header(self, section: int) -> str:
        title = self.columns[section]
        return "Days left" if self.due_soon and title == "Days overdue" else title

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else ""
        if key:
            self.sort_requested.emit(key, order == Qt.SortOrder.DescendingOrder)

    @staticmethod
    def cells(r: OverdueRow, due_soon: bool = False) -> list[str]:
        days = -r.days_overdue if due_soon else r.days_overdue
        ack = ""
        if r.acknowledged_at:
            ack = f"{r.acknowledged_at.date().isoformat()} {r.acknowledged_by or ''}".strip()
        booking = ""
        if r.booked:
            booking = r.booked_at.strftime("%Y-%m-%d %H:%M") if r.booked_at else "booked"
        elif r.state in ("missed", "cancelled"):
            booking = r.state
        return [
            r.severity,
            r.patient,
            r.mrn,
            EventKind(r.kind).label,
            r.due.isoformat(),
            r.window_end.isoformat(),
            str(days),
            r.risk or "",
            r.physician or "",
            r.last_done.isoformat() if r.last_done else "never",
            booking,
            ack,
            "",  # flags: filled per patient by the view (``set_flags``)
            r.note or "",
        ]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if self.columns[index.column()] == "Flags":
                return self.patient_flags.get(row.patient_id, "")
            return self.cells(row, self.due_soon)[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and not self.due_soon:
            return SEVERITY_BACKGROUND.get(row.severity)
        if role == Qt.ItemDataRole.ToolTipRole and row.note:
            return row.note
        return None
