"""The patient's calendar as a table: every event with its window, state, booking and the rule
that produced it, in words (the rule's source, never its id)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from survtrack.domain.events import EventKind
from survtrack.domain.labels import state_label
from survtrack.services.calendar import EventRow
from survtrack.services.event_actions import RESULTS
from survtrack.ui.state_colours import (
    MUTED_TEXT,
    OUTCOME_MISSING_BACKGROUND,
    OVERDUE_BACKGROUND,
    ROW_TEXT,
    STATE_BACKGROUND,
)

COLUMNS = (
    "Due",
    "Kind",
    "Window",
    "Suggested",
    "State",
    "Booked",
    "Location",
    "Result / reason",
    "Episode",
    "Why (the rule, in words)",
)
EVENT_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


class CalendarTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[EventRow] = []
        self.today = date.today()
        self.active = True

    def set_events(self, rows: list[EventRow], today: date, active: bool = True) -> None:
        """``active``: the patient is under surveillance (nothing of an inactive one is overdue)."""
        self.beginResetModel()
        self.rows, self.today, self.active = list(rows), today, active
        self.endResetModel()

    def overdue(self, e: EventRow) -> bool:
        return self.active and e.is_overdue(self.today)

    def outcome_missing(self, e: EventRow) -> bool:
        """Booked for a day before today and nothing recorded (the to-book list has it)."""
        return e.state == "booked" and e.booked_at is not None and e.booked_at.date() < self.today

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def event_at(self, row: int) -> EventRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, event_id: int) -> int:
        return next((i for i, e in enumerate(self.rows) if e.id == event_id), -1)

    def _text(self, e: EventRow, column: int) -> str:
        if column == 0:
            return e.due.isoformat()
        if column == 1:
            return EventKind(e.kind).label
        if column == 2:
            return f"{e.window_start.isoformat()} – {e.window_end.isoformat()}"
        if column == 3:
            suggested = e.suggested.isoformat() if e.suggested else ""
            return suggested + (" (moved)" if e.moved_by_hand else "")
        if column == 4:
            if self.overdue(e):
                return state_label(e.state) + " · overdue"
            if self.outcome_missing(e):
                return state_label(e.state) + " · day passed, no outcome recorded"
            return state_label(e.state)
        if column == 5:
            return e.booked_at.strftime("%Y-%m-%d %H:%M") if e.booked_at else ""
        if column == 6:
            return e.location or ""
        if column == 7:
            return RESULTS.get(e.result or "", "") or (e.reason or "")
        if column == 8:
            return str(e.episode)
        return e.source or "Added by hand"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(e, index.column())
        if role == EVENT_ROLE:
            return e
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Why: {e.source}" if e.source else None
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.overdue(e):
                return OVERDUE_BACKGROUND
            if self.outcome_missing(e):
                return OUTCOME_MISSING_BACKGROUND
            return STATE_BACKGROUND.get(e.state)
        if role == Qt.ItemDataRole.ForegroundRole:
            if e.state in ("cancelled", "superseded"):
                return MUTED_TEXT  # on its light grey background
            if self.overdue(e) or e.state in STATE_BACKGROUND:
                return ROW_TEXT
        return None
