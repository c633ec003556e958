"""The overdue dashboard: counts by kind and by physician, and the count at each month end
(a bar chart painted with QPainter; PySide6-Essentials has no QtCharts)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from survtrack.domain.events import EventKind
from survtrack.services.overdue import Dashboard
from survtrack.ui.line_chart import chart_colours


class MonthEndChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthEndChart")
        self.setAccessibleName("Overdue at each month end")
        self.points: list[tuple[date, int]] = []
        self.setMinimumHeight(220)

    def sizeHint(self) -> QSize:
        return QSize(640, 260)

    def set_points(self, points: list[tuple[date, int]]) -> None:
        self.points = list(points)
        words = ", ".join(f"{day.strftime('%B %Y')}: {count}" for day, count in points)
        self.setAccessibleDescription(f"Overdue at each month end. {words}." if points else "")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        base, text, _grid, _ = chart_colours(self)  # readable in a dark palette too
        painter.fillRect(self.rect(), base)
        painter.setPen(text)
        if not self.points:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No data yet.")
            return
        left, top, bottom = 50.0, 20.0, self.height() - 30.0
        width = self.width() - left - 10
        peak = max(1, max(n for _, n in self.points))
        slot = width / len(self.points)
        painter.setPen(text)
        painter.drawLine(int(left), int(bottom), int(left + width), int(bottom))
        painter.drawText(QRectF(0, top - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, str(peak))
        painter.drawText(QRectF(0, bottom - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, "0")
        for index, (day, count) in enumerate(self.points):
            height = (bottom - top) * count / peak
            x = left + index * slot + slot * 0.15
            painter.fillRect(QRectF(x, bottom - height, slot * 0.7, height), QColor("#c62828"))
            painter.setPen(text)
            painter.drawText(
                QRectF(x - 10, bottom + 4, slot * 0.7 + 20, 16),
                Qt.AlignmentFlag.AlignCenter,
                day.strftime("%b %y"),
            )
            painter.drawText(
                QRectF(x - 10, bottom - height - 16, slot * 0.7 + 20, 14),
                Qt.AlignmentFlag.AlignCenter,
                str(count),
            )
        painter.end()


def _counts_table(name: str, header: str) -> QTableWidget:
    table = QTableWidget(0, 2)
    table.setObjectName(name)
    table.setAccessibleName(f"Overdue by {header.lower()}")
    table.setHorizontalHeaderLabels([header, "Overdue"])
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.setColumnWidth(0, 220)
    return table


def _fill(table: QTableWidget, counts: dict[str, int]) -> None:
    items = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    table.setRowCount(len(items))
    for row, (label, count) in enumerate(items):
        table.setItem(row, 0, QTableWidgetItem(label))
        cell = QTableWidgetItem(f"{count:,}")
        cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(row, 1, cell)


class DashboardView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.by_kind = _counts_table("byKind", "Kind")
        self.by_physician = _counts_table("byPhysician", "Physician")
        self.chart = MonthEndChart()
        grid = QGridLayout()
        for column, (title, widget) in enumerate(
            (("By kind", self.by_kind), ("By physician", self.by_physician))
        ):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(widget)
            grid.addWidget(box, 0, column)
        chart_box = QGroupBox("Overdue at each month end, past 12 months")
        QVBoxLayout(chart_box).addWidget(self.chart)
        grid.addWidget(chart_box, 1, 0, 1, 2)
        self.setLayout(grid)

    def show_dashboard(self, board: Dashboard) -> None:
        _fill(self.by_kind, {EventKind(k).label: n for k, n in board.by_kind.items()})
        _fill(self.by_physician, board.by_physician)
        self.chart.set_points(board.month_ends)
