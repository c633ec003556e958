"""The calendar as a timeline: years across, one row per kind of event, a mark per event coloured
by its state (overdue in red)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from survtrack.domain.events import STATE_LABELS, EventKind, EventState
from survtrack.services.calendar import EventRow
from survtrack.ui.line_chart import chart_colours
from survtrack.ui.state_colours import OVERDUE_MARK, STATE_MARK


class TimelineWidget(QWidget):
    """Years across (grid line and label per year), one row per kind, today as a dashed line;
    every size comes from the font's metrics and every colour from the palette (marks keep
    their state colours). The accessible description is the text alternative."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarTimeline")
        self.setAccessibleName("Follow-up timeline")
        self.events: list[EventRow] = []
        self.today = date.today()
        self.active = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # sizes from the font
    @property
    def line(self) -> int:
        return self.fontMetrics().height()

    @property
    def row_height(self) -> int:
        return self.line + 10

    @property
    def top(self) -> int:
        return self.line + 10

    @property
    def label_width(self) -> int:
        metrics = self.fontMetrics()
        names = [EventKind(k).label for k in self.kinds()] or ["Clinic visit"]
        return max(metrics.horizontalAdvance(n) for n in names) + 20

    def set_events(self, events: list[EventRow], today: date, active: bool = True) -> None:
        self.events, self.today, self.active = list(events), today, active
        self.setAccessibleDescription(self.text_alternative())
        self.updateGeometry()
        self.update()

    def text_alternative(self) -> str:
        if not self.events:
            return "No follow-up events: enter the diagnosis and treatments to make a calendar."
        parts = []
        for kind in self.kinds():
            of_kind = [e for e in self.events if e.kind == kind]
            done = sum(1 for e in of_kind if e.state == "completed")
            late = sum(1 for e in of_kind if self.active and e.is_overdue(self.today))
            parts.append(
                f"{EventKind(kind).label}: {len(of_kind)} events, {done} done, {late} overdue"
            )
        first, last = self._years()
        return f"Follow-up from {first} to {last - 1}. " + "; ".join(parts) + "."

    def kinds(self) -> list[str]:
        present = {e.kind for e in self.events}
        return [k.value for k in EventKind if k.value in present]

    def _legend_items(self) -> list[tuple[str, QColor]]:
        return [(STATE_LABELS[EventState(s)], c) for s, c in STATE_MARK.items()] + [
            ("Overdue", OVERDUE_MARK)
        ]

    def _legend_rows(self) -> int:
        metrics = self.fontMetrics()
        width = max(1, self.width() - self.label_width - 16)
        rows, used = 1, 0
        for name, _ in self._legend_items():
            needed = metrics.horizontalAdvance(name) + 30
            if used and used + needed > width:
                rows, used = rows + 1, 0
            used += needed
        return rows

    def sizeHint(self) -> QSize:
        body = self.row_height * max(1, len(self.kinds()))
        return QSize(self.line * 50, self.top + body + (self.line + 4) * 3 + 10)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.line * 30, self.top + self.row_height * 2)

    def _years(self) -> tuple[int, int]:
        if not self.events:
            return self.today.year, self.today.year + 1
        return (min(e.due for e in self.events).year, max(e.due for e in self.events).year + 1)

    def x_of(self, day: date) -> float:
        first, last = self._years()
        span = (date(last, 1, 1) - date(first, 1, 1)).days or 1
        width = max(1, self.width() - self.label_width - 16)
        return self.label_width + width * (day - date(first, 1, 1)).days / span

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        painter.setPen(text)
        kinds = self.kinds()
        if not kinds:
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "No follow-up events yet: enter the diagnosis and treatments (Ctrl+Shift+D, "
                "Ctrl+T) and the calendar appears here.",
            )
            painter.end()
            return
        first, last = self._years()
        top, row_height, line = self.top, self.row_height, self.line
        bottom = top + row_height * len(kinds)
        grid = chart_colours(self)[2]
        metrics = self.fontMetrics()
        year_width = metrics.horizontalAdvance("0000") + 6
        for year in range(first, last + 1):
            x = self.x_of(date(year, 1, 1))
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, top - 6), QPointF(x, bottom))
            room = self.x_of(date(year + 1, 1, 1)) - x
            if year < last and room >= year_width:
                painter.setPen(text)
                painter.drawText(QRectF(x + 3, 2, year_width, line), str(year))
        for row in range(len(kinds) + 1):  # a light line between rows
            y = top + row * row_height
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(self.label_width, y), QPointF(self.width() - 16, y))
        today_x = self.x_of(self.today)
        if self.label_width <= today_x <= self.width():
            painter.setPen(QPen(OVERDUE_MARK, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(today_x, top - 6), QPointF(today_x, bottom))
        for row, kind in enumerate(kinds):
            y = top + row * row_height
            painter.setPen(text)
            painter.drawText(
                QRectF(6, y, self.label_width - 10, row_height),
                Qt.AlignmentFlag.AlignVCenter,
                EventKind(kind).label,
            )
            centre = y + row_height / 2
            radius = max(4.0, line / 3)
            for e in (e for e in self.events if e.kind == kind):
                overdue = self.active and e.is_overdue(self.today)
                colour = OVERDUE_MARK if overdue else STATE_MARK[e.state]
                painter.setPen(QPen(colour.darker(130), 1))
                painter.setBrush(colour)
                painter.drawEllipse(QPointF(self.x_of(e.due), centre), radius, radius)
        self._legend(painter, bottom + 8, text)
        painter.end()

    def _legend(self, painter: QPainter, y: float, text: QColor) -> None:
        metrics = self.fontMetrics()
        line = self.line
        x = float(self.label_width)
        right = self.width() - 16
        for name, colour in self._legend_items():
            needed = metrics.horizontalAdvance(name) + 30
            if x > self.label_width and x + needed > right:
                x, y = float(self.label_width), y + line + 4
            painter.setBrush(colour)
            painter.setPen(QPen(colour.darker(130), 1))
            painter.drawEllipse(QPointF(x + 6, y + line / 2), 5, 5)
            painter.setPen(text)
            painter.drawText(QRectF(x + 14, y, needed, line), Qt.AlignmentFlag.AlignVCenter, name)
            x += needed
