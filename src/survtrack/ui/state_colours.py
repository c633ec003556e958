"""Colours for event states (the verdict comes from the services; the view only paints it).

Every light background here comes with ``ROW_TEXT``: a model that paints a background also sets
the foreground, so rows stay readable in a dark palette (light text on a pastel row is not).
Messages drawn in colour (warnings, errors) pick a tone that reads on the palette in use.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

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
#: an appointment whose day passed with no outcome recorded (to-book list)
OUTCOME_MISSING_BACKGROUND = QColor("#e9ddf6")  # lavender: apart from booked, missed, overdue
OVERDUE_MARK = QColor("#c62828")
MUTED_TEXT = QColor("#777777")

#: text on every painted (light) row background, whatever the palette
ROW_TEXT = QColor("#1b1b1b")


def dark_palette() -> bool:
    """True when the application's window background is dark (a dark Windows theme)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def warning_text() -> str:
    return "#f0b35a" if dark_palette() else "#8a5a00"


def error_text() -> str:
    return "#ff8a80" if dark_palette() else "#a61b1b"


def muted_text() -> QColor:
    return QColor("#a0a0a0") if dark_palette() else MUTED_TEXT
