"""A small dated line chart (grade histories, pain scores, outcome measures), painted with QPainter.

PySide6-Essentials ships no QtCharts; a chart of a few series and a few dozen points needs none.
The chart has a y axis with its unit, a date axis, a light grid and a legend; every margin comes
from the font's metrics, so nothing is cut at 150 % scaling or with a large font. Colours come from
the palette (readable in a dark palette). The accessible description is the text alternative: the
values of every series in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

PALETTE = ("#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")
DARK_PALETTE = ("#ff8a80", "#82b1ff", "#81c784", "#ffb74d", "#ce93d8", "#4dd0e1")


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: tuple[tuple[date, float], ...]


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(1, most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        if value >= low - step * 1e-9:
            ticks.append(round(value, 10))
        value += step
    return ticks


def chart_colours(widget: QWidget) -> tuple[QColor, QColor, QColor, tuple[str, ...]]:
    """Background, text, grid and series colours from the widget's palette."""
    palette = widget.palette()
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    dark = base.lightness() < 128
    share = 0.3 if dark else 0.18  # an opaque mix of text into the background
    grid = QColor.fromRgbF(
        base.redF() + (text.redF() - base.redF()) * share,
        base.greenF() + (text.greenF() - base.greenF()) * share,
        base.blueF() + (text.blueF() - base.blueF()) * share,
    )
    return base, text, grid, DARK_PALETTE if dark else PALETTE


class LineChart(QWidget):
    def __init__(self, title: str = "", parent: QWidget | None = None, unit: str = "") -> None:
        super().__init__(parent)
        self.title = title
        self.unit = unit
        self.series: list[Series] = []
        self.y_range: tuple[float, float] | None = None
        self.setAccessibleName(title or "Chart")
        self.setAccessibleDescription("Nothing recorded yet.")
        line = self.fontMetrics().height()
        self.setMinimumHeight(line * 9)

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        return QSize(line * 30, line * 13)

    def set_series(self, series: list[Series], y_range: tuple[float, float] | None = None) -> None:
        self.series = [s for s in series if s.points]
        self.y_range = y_range
        self.setAccessibleDescription(self.text_alternative())
        self.setToolTip(self.text_alternative())
        self.update()

    def text_alternative(self) -> str:
        """The chart in words (screen readers, tooltip)."""
        if not self.series:
            return f"{self.title}: nothing recorded yet."
        parts = []
        for s in self.series:
            values = ", ".join(f"{v:g} on {d.isoformat()}" for d, v in s.points)
            parts.append(f"{s.name}: {values}")
        return f"{self.title}. " + "; ".join(parts) + "."

    def _legend_rows(self, width: float) -> list[list[tuple[int, str]]]:
        metrics = self.fontMetrics()
        rows: list[list[tuple[int, str]]] = [[]]
        used = 0.0
        for index, s in enumerate(self.series):
            text = f"● {s.name}"
            needed = metrics.horizontalAdvance(text) + metrics.horizontalAdvance("    ")
            if rows[-1] and used + needed > width:
                rows.append([])
                used = 0.0
            rows[-1].append((index, text))
            used += needed
        return rows

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        base, text, grid, colours = chart_colours(self)
        painter.fillRect(self.rect(), base)
        metrics = self.fontMetrics()
        line = metrics.height()
        pad = line / 2
        painter.setPen(text)
        title = self.title + (f" ({self.unit})" if self.unit else "")
        painter.drawText(
            QRectF(pad, pad / 2, self.width() - 2 * pad, line), Qt.AlignmentFlag.AlignLeft, title
        )
        points = [p for s in self.series for p in s.points]
        if not points:
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                "Nothing recorded yet: values appear here once entered.",
            )
            painter.end()
            return
        low, high = self.y_range or (min(v for _, v in points), max(v for _, v in points))
        if high <= low:
            low, high = low - 1, high + 1
        ticks = nice_ticks(low, high)
        low, high = min(low, ticks[0]), max(high, ticks[-1])
        labels = [f"{t:g}" for t in ticks]
        left = pad + max(metrics.horizontalAdvance(s) for s in labels) + pad
        right = self.width() - pad - metrics.horizontalAdvance("0000-00") / 2
        legend = self._legend_rows(self.width() - left - pad)
        top = pad / 2 + line + pad
        bottom = self.height() - pad - line * (1 + len(legend)) - pad / 2
        if bottom - top < line * 2 or right - left < line * 4:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Too small to draw.")
            painter.end()
            return
        first = min(d for d, _ in points)
        last = max(d for d, _ in points)
        if last == first:
            first, last = first - timedelta(days=15), last + timedelta(days=15)
        span = (last - first).days

        def x_of(day: date) -> float:
            return left + (right - left) * (day - first).days / span

        def y_of(value: float) -> float:
            return bottom - (bottom - top) * (value - low) / (high - low)

        # y grid and tick labels
        for tick, label in zip(ticks, labels, strict=True):
            y = y_of(tick)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(left, y), QPointF(right, y))
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y - line / 2, left - pad / 2, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        # x ticks: as many dates as fit side by side
        sample = "0000-00-00"
        room = metrics.horizontalAdvance(sample) + line
        count = max(2, min(6, int((right - left) // room) + 1))
        for i in range(count):
            day = first + timedelta(days=round(span * i / (count - 1)))
            x = x_of(day)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            painter.setPen(text)
            width = metrics.horizontalAdvance(sample) + 4
            align = Qt.AlignmentFlag.AlignHCenter
            box_x = x - width / 2
            if i == 0:
                box_x, align = x - 2, Qt.AlignmentFlag.AlignLeft
            elif i == count - 1:
                box_x, align = x - width + 2, Qt.AlignmentFlag.AlignRight
            painter.drawText(QRectF(box_x, bottom + 2, width, line), align, day.isoformat())
        # axes
        painter.setPen(QPen(text, 1))
        painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
        painter.drawLine(QPointF(left, top), QPointF(left, bottom))
        # series
        for index, series in enumerate(self.series):
            colour = QColor(colours[index % len(colours)])
            painter.setPen(QPen(colour, 2))
            painter.setBrush(colour)
            previous = None
            for day, value in series.points:
                point = QPointF(x_of(day), y_of(value))
                if previous is not None:
                    painter.drawLine(previous, point)
                painter.drawEllipse(point, 3, 3)
                previous = point
        # legend, wrapped onto as many rows as it needs
        y = bottom + line + pad / 2
        for row in legend:
            x = left
            for index, label in row:
                painter.setPen(QColor(colours[index % len(colours)]))
                painter.drawText(QRectF(x, y, self.width() - x, line), label)
                x += metrics.horizontalAdvance(label) + metrics.horizontalAdvance("    ")
            y += line
        painter.end()
