"""A small dated line chart (grade histories, pain scores, outcome measures), painted with QPainter.

PySide6-Essentials ships no QtCharts; a chart of a few series and a few dozen points needs none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

PALETTE = ("#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: tuple[tuple[date, float], ...]


class LineChart(QWidget):
    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.series: list[Series] = []
        self.y_range: tuple[float, float] | None = None
        self.setMinimumHeight(170)

    def sizeHint(self) -> QSize:
        return QSize(480, 200)

    def set_series(self, series: list[Series], y_range: tuple[float, float] | None = None) -> None:
        self.series = [s for s in series if s.points]
        self.y_range = y_range
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QColor("#333333"))
        painter.drawText(
            QRectF(8, 2, self.width() - 16, 18), Qt.AlignmentFlag.AlignLeft, self.title
        )
        points = [p for s in self.series for p in s.points]
        if not points:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Nothing recorded yet.")
            return
        left, top, right, bottom = 40.0, 24.0, self.width() - 12.0, self.height() - 36.0
        first = min(d for d, _ in points)
        last = max(d for d, _ in points)
        span = max(1, (last - first).days)
        low, high = self.y_range or (min(v for _, v in points), max(v for _, v in points))
        if high <= low:
            high = low + 1

        def at(day: date, value: float) -> QPointF:
            x = left + (right - left) * (day - first).days / span
            y = bottom - (bottom - top) * (value - low) / (high - low)
            return QPointF(x, y)

        painter.setPen(QColor("#999999"))
        painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
        painter.drawLine(QPointF(left, top), QPointF(left, bottom))
        painter.drawText(QRectF(0, top - 7, left - 4, 14), Qt.AlignmentFlag.AlignRight, f"{high:g}")
        painter.drawText(
            QRectF(0, bottom - 7, left - 4, 14), Qt.AlignmentFlag.AlignRight, f"{low:g}"
        )
        painter.drawText(
            QRectF(left, bottom + 2, 90, 14), Qt.AlignmentFlag.AlignLeft, first.isoformat()
        )
        painter.drawText(
            QRectF(right - 90, bottom + 2, 90, 14), Qt.AlignmentFlag.AlignRight, last.isoformat()
        )
        legend_x = left
        for index, series in enumerate(self.series):
            colour = QColor(PALETTE[index % len(PALETTE)])
            painter.setPen(QPen(colour, 2))
            painter.setBrush(colour)
            previous = None
            for day, value in series.points:
                point = at(day, value)
                if previous is not None:
                    painter.drawLine(previous, point)
                painter.drawEllipse(point, 3, 3)
                previous = point
            painter.drawText(
                QRectF(legend_x, bottom + 16, 170, 16),
                Qt.AlignmentFlag.AlignLeft,
                f"● {series.name}",
            )
            legend_x += 175
        painter.end()
