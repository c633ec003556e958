"""The window's layout per Windows user: main window geometry and state, splitter positions and
each main table's column widths and order, kept in QSettings (organisation "SurvTrack") and put
back at the next start.

A table's header is stored under its object name and its column count, so a version that adds a
column starts that table from its default widths instead of misplacing the saved ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QTableView

ORGANIZATION = "SurvTrack"
APPLICATION = "SurvTrack"


def layout_settings() -> QSettings:
    """The user's QSettings (the registry on Windows; tests point the default format elsewhere)."""
    return QSettings(
        QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def _table_key(table: QTableView) -> str:
    return f"tables/{table.objectName()}/{table.horizontalHeader().count()}"


def save_layout(
    window: QMainWindow, tables: Iterable[QTableView], splitters: Iterable[QSplitter] = ()
) -> None:
    settings = layout_settings()
    settings.setValue("mainWindow/geometry", window.saveGeometry())
    settings.setValue("mainWindow/state", window.saveState())
    for table in tables:
        settings.setValue(_table_key(table), table.horizontalHeader().saveState())
    for splitter in splitters:
        settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
    settings.sync()


def _bytes(settings: QSettings, key: str) -> QByteArray | None:
    value = settings.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def restore_layout(
    window: QMainWindow, tables: Iterable[QTableView], splitters: Iterable[QSplitter] = ()
) -> bool:
    """Put the saved layout back; False when there was none (first start: default sizes)."""
    settings = layout_settings()
    geometry = _bytes(settings, "mainWindow/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    state = _bytes(settings, "mainWindow/state")
    if state is not None:
        window.restoreState(state)
    for table in tables:
        header = _bytes(settings, _table_key(table))
        if header is not None:
            table.horizontalHeader().restoreState(header)
    for splitter in splitters:
        saved = _bytes(settings, f"splitters/{splitter.objectName()}")
        if saved is not None:
            splitter.restoreState(saved)
    return geometry is not None
