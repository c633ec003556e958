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
    ("Missed slots", "slots"),
    ("Risk", "risk"),
    ("Physician", "physician"),
    ("Last done", ""),
    ("Booking", ""),
    ("Hidden until", ""),
    ("Flags", ""),
    ("Note", ""),
)
SEVERITY_BACKGROUND = {
    "critical": QColor("#f4c7c3"),
    "high": QColor("#fce8b2"),
    "moderate": QColor("#fff6d6"),
    "low": QColor("#ffffff"),
}
#: Text stays dark on the light severity colours, whatever the palette.
SEVERITY_FOREGROUND = QColor("#1a1a1a")
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
        if r.snoozed_until:
            ack = f"{r.snoozed_until.isoformat()} ({r.acknowledged_by or ''})"
        booking = ""
        if r.booked:
            booking = r.booked_at.strftime("%Y-%m-%d %H:%M") if r.booked_at else "booked"
            if r.location and not due_soon:
                booking += f", {r.location}"
        elif r.state in ("missed", "cancelled"):
            booking = "no-show" if r.state == "missed" else "cancelled"
        elif r.state == "booked":
            booking = "booking passed without a result"
        return [
            r.severity.capitalize(),
            r.patient,
            r.mrn,
            EventKind(r.kind).label,
            r.due.isoformat(),
            r.window_end.isoformat(),
            str(days),
            "" if due_soon else str(r.slots),
            {"high": "High", "low": "Low", "any": "Desmoid"}.get(r.risk or "", ""),
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
        if role == Qt.ItemDataRole.ForegroundRole and not self.due_soon:
            return SEVERITY_FOREGROUND
        if role == Qt.ItemDataRole.ToolTipRole and row.note:
            return row.note
        return None
