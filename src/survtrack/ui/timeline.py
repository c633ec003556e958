"""The calendar as a timeline: years across, one row per kind of event, a mark per event coloured
by its state (overdue in red)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from survtrack.domain.events import EventKind
from survtrack.services.calendar import EventRow
from survtrack.ui.state_colours import OVERDUE_MARK, STATE_MARK

LABEL_WIDTH = 170
ROW_HEIGHT = 26
TOP = 28


class TimelineWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarTimeline")
        self.events: list[EventRow] = []
        self.today = date.today()
        self.active = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_events(self, events: list[EventRow], today: date, active: bool = True) -> None:
        self.events, self.today, self.active = list(events), today, active
        self.updateGeometry()
        self.update()

    def kinds(self) -> list[str]:
        present = {e.kind for e in self.events}
        return [k.value for k in EventKind if k.value in present]

    def sizeHint(self) -> QSize:
        return QSize(800, TOP + ROW_HEIGHT * max(1, len(self.kinds())) + 40)

    def _years(self) -> tuple[int, int]:
        if not self.events:
            return self.today.year, self.today.year + 1
        return (min(e.due for e in self.events).year, max(e.due for e in self.events).year + 1)

    def x_of(self, day: date) -> float:
        first, last = self._years()
        span = (date(last, 1, 1) - date(first, 1, 1)).days or 1
        width = max(1, self.width() - LABEL_WIDTH - 16)
        return LABEL_WIDTH + width * (day - date(first, 1, 1)).days / span

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        kinds = self.kinds()
        if not kinds:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No events.")
            return
        first, last = self._years()
        bottom = TOP + ROW_HEIGHT * len(kinds)
        grid = QPen(QColor("#dddddd"))
        for year in range(first, last + 1):
            x = self.x_of(date(year, 1, 1))
            painter.setPen(grid)
            painter.drawLine(QPointF(x, TOP - 6), QPointF(x, bottom))
            if year < last:
                painter.setPen(QColor("#444444"))
                painter.drawText(QRectF(x + 3, 4, 60, 18), str(year))
        today_x = self.x_of(self.today)
        if LABEL_WIDTH <= today_x <= self.width():
            painter.setPen(QPen(QColor("#c62828"), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(today_x, TOP - 6), QPointF(today_x, bottom))
        for row, kind in enumerate(kinds):
            y = TOP + row * ROW_HEIGHT
            painter.setPen(QColor("#222222"))
            painter.drawText(
                QRectF(6, y, LABEL_WIDTH - 10, ROW_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter,
                EventKind(kind).label,
            )
            centre = y + ROW_HEIGHT / 2
            for e in (e for e in self.events if e.kind == kind):
                overdue = self.active and e.is_overdue(self.today)
                colour = OVERDUE_MARK if overdue else STATE_MARK[e.state]
                painter.setPen(QPen(colour.darker(130), 1))
                painter.setBrush(colour)
                painter.drawEllipse(QPointF(self.x_of(e.due), centre), 5, 5)
        self._legend(painter, bottom + 10)
        painter.end()

    def _legend(self, painter: QPainter, y: float) -> None:
        x = float(LABEL_WIDTH)
        items = [(s, c) for s, c in STATE_MARK.items()] + [("overdue", OVERDUE_MARK)]
        for name, colour in items:
            painter.setBrush(colour)
            painter.setPen(QPen(colour.darker(130), 1))
            painter.drawEllipse(QPointF(x + 5, y + 8), 5, 5)
            painter.setPen(QColor("#444444"))
            painter.drawText(QRectF(x + 14, y, 90, 16), Qt.AlignmentFlag.AlignVCenter, name)
            x += 96
