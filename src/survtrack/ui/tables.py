"""Table views configured the same way everywhere: compact rows, whole-row selection, read-only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
)


def list_table(model: QAbstractTableModel, name: str, several: bool = False) -> QTableView:
    """A compact, row-selecting table view for a list model."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if several
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def header_label_width(table: QTableView, column: int) -> int:
    """The width a column needs to show its heading in full: in bold (a selected row makes the
    headings bold), with the style's margins, and with the sort arrow where it is shown."""
    header = table.horizontalHeader()
    label = str(table.model().headerData(column, Qt.Orientation.Horizontal) or "")
    font = QFont(header.font())
    font.setBold(True)
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    width = QFontMetrics(font).horizontalAdvance(label) + 4 * margin
    if header.isSortIndicatorShown() and header.sortIndicatorSection() == column:
        width += QFontMetrics(font).height() + margin
    return width


def fit_header_labels(table: QTableView) -> None:
    """Widen a column set narrower than its heading ("Window opens", "Days overdue"), so no
    heading is cut to "Window ope…" at any font size or scaling."""
    header = table.horizontalHeader()
    for column in range(header.count() - 1):  # the last column stretches
        needed = header_label_width(table, column)
        if header.sectionSize(column) < needed:
            header.resizeSection(column, needed)


def read_only_table(headers: Sequence[str], name: str) -> QTableWidget:
    """A small read-only table of a few rows (side effects, visits, users, milestones)."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    return table


#: the widest a column grows to fit its text (longer text wraps or shows in full as a tooltip)
MAX_COLUMN_WIDTH = 320


def fill_rows(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    """Fill the table; columns fit their text (up to ``MAX_COLUMN_WIDTH``), so nothing is cut at
    a larger font; a cell's full text is its tooltip."""
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if len(value) > 30:
                item.setToolTip(value)
            table.setItem(r, c, item)
    if rows:
        table.resizeColumnsToContents()
        for c in range(table.columnCount() - 1):
            table.setColumnWidth(c, min(table.columnWidth(c), MAX_COLUMN_WIDTH))
        table.resizeRowsToContents()
