"""Colours for event states (the verdict comes from the services; the view only paints it)."""

from __future__ import annotations

from PySide6.QtGui import QColor

STATE_BACKGROUND = {
    "completed": QColor("#e3f1e0"),
    "booked": QColor("#dde9f7"),
    "missed": QColor("#fbe6c8"),
    "waived": QColor("#eeeeee"),
    "cancelled": QColor("#f2f2f2"),
    "superseded": QColor("#f2f2f2"),
    "covered": QColor("#eef5ec"),
}
STATE_MARK = {
    "planned": QColor("#9aa5b1"),
    "booked": QColor("#2f6db5"),
    "completed": QColor("#2e8b3a"),
    "missed": QColor("#d9822b"),
    "cancelled": QColor("#b0b0b0"),
    "waived": QColor("#7d7d7d"),
    "superseded": QColor("#c8c8c8"),
    "covered": QColor("#8fbf95"),
}
OVERDUE_BACKGROUND = QColor("#f8d7d7")
OVERDUE_MARK = QColor("#c62828")
MUTED_TEXT = QColor("#777777")
