"""The overdue dashboard: counts by kind and by physician, and the count at each month end
(a bar chart painted with QPainter; PySide6-Essentials has no QtCharts)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
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
from survtrack.ui.line_chart import chart_colours, nice_ticks


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
        self.setAccessibleDescription(
            f"Overdue at each month end, in {self.UNIT.lower()}. {words}." if points else ""
        )
        self.update()

    #: what one unit of the y axis counts (the dashboard's own definition of "overdue")
    UNIT = "Exams overdue (patient and kind)"

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        base, text, grid, _ = chart_colours(self)  # readable in a dark palette too
        painter.fillRect(self.rect(), base)
        painter.setPen(text)
        if not self.points:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No data yet.")
            return
        metrics = painter.fontMetrics()
        line = metrics.height()
        peak = max(1, max(n for _, n in self.points))
        ticks = [t for t in nice_ticks(0, peak) if t == int(t)] or [0.0, float(peak)]
        top_value = max(ticks[-1], peak)
        # margins from the font: the widest tick label, the unit above, month names below
        left = max(metrics.horizontalAdvance(f"{int(t):,}") for t in ticks) + 12.0
        top, bottom = line * 2.4, self.height() - line * 1.8
        width = self.width() - left - 10
        painter.drawText(
            QRectF(4, 2, self.width() - 8, line), Qt.AlignmentFlag.AlignLeft, self.UNIT
        )

        def y_of(value: float) -> float:
            return bottom - (bottom - top) * value / top_value

        for tick in ticks:  # the grid, and the tick labels of the y axis
            y = y_of(tick)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(int(left), int(y), int(left + width), int(y))
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y - line / 2, left - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{int(tick):,}",
            )
        painter.setPen(text)
        painter.drawLine(int(left), int(top), int(left), int(bottom))
        painter.drawLine(int(left), int(bottom), int(left + width), int(bottom))
        slot = width / len(self.points)
        for index, (day, count) in enumerate(self.points):
            height = bottom - y_of(count)
            x = left + index * slot + slot * 0.15
            painter.fillRect(QRectF(x, bottom - height, slot * 0.7, height), QColor("#c62828"))
            painter.setPen(text)
            painter.drawText(
                QRectF(left + index * slot, bottom + 4, slot, line),
                Qt.AlignmentFlag.AlignCenter,
                day.strftime("%b %y"),
            )
            painter.drawText(
                QRectF(left + index * slot, bottom - height - line - 2, slot, line),
                Qt.AlignmentFlag.AlignCenter,
                f"{count:,}",
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
