"""Summaries to PDF with Qt's text layout, in the font SurvTrack ships.

The template names "DejaVu Sans"; the font files ship in resources/fonts and are registered before
any layout, so page breaks are the same on every workstation and the PDF always carries its text
(Qt writes a PDF without text, and without a warning, when it finds no font). Several summaries go
into one PDF, each starting on a new page. A document may carry a running footer (the patient's
name, MRN and the visit date, and "page N of M" counted within that document) drawn on every page
in the document's own text size, so large print enlarges it too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from survtrack.reports.printed_document import PrintedDocument
from survtrack.resources import resource_dir

FONT_FAMILY = "DejaVu Sans"
RESOLUTION = 300
_registered = False


def ensure_gui() -> None:
    """A QGuiApplication for text layout; offscreen when there is no display (the CLI)."""
    if QGuiApplication.instance() is None:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QGuiApplication([sys.argv[0] if sys.argv else "survtrack"])


def register_fonts() -> None:
    global _registered
    if _registered:
        return
    ensure_gui()
    for path in sorted(resource_dir("fonts").glob("*.ttf")):
        if QFontDatabase.addApplicationFont(str(path)) < 0:
            raise RuntimeError(f"the font {path.name} could not be loaded")
    if FONT_FAMILY not in QFontDatabase.families():
        raise RuntimeError(f"the font {FONT_FAMILY} is not available after registration")
    _registered = True


def _as_document(document: PrintedDocument | str) -> PrintedDocument:
    return document if isinstance(document, PrintedDocument) else PrintedDocument(document)


class _Footer:
    """The running footer of one document on one device: one line when the name, MRN and date fit
    beside the page number, else two (large print); its height is kept off the text area."""

    def __init__(self, document: PrintedDocument, device: QPagedPaintDevice, width: float) -> None:
        self.document = document
        self.font = QFont(FONT_FAMILY)
        self.font.setPointSizeF(document.points * 0.9)
        metrics = QFontMetricsF(self.font, device)
        widest_label = document.page_label.format(n=888, m=888)
        gap = metrics.horizontalAdvance("MMMM")
        self.lines = 1
        if (
            metrics.horizontalAdvance(document.footer)
            + gap
            + metrics.horizontalAdvance(widest_label)
            > width
        ):
            self.lines = 2
        self.line = metrics.lineSpacing()
        self.height = (self.lines + 0.8) * self.line if document.has_footer else 0.0
        self.pen = max(1.0, device.logicalDpiY() / 150)

    def draw(self, painter: QPainter, page: int, pages: int, area: QRectF) -> None:
        painter.save()
        painter.setFont(self.font)
        painter.setPen(QPen(Qt.GlobalColor.black, self.pen))
        top = area.height() - self.height
        rule = round(top + self.line * 0.4)
        painter.drawLine(0, rule, round(area.width()), rule)
        first = QRectF(0, top + self.line * 0.7, area.width(), self.line)
        last = QRectF(0, top + self.line * (0.7 + self.lines - 1), area.width(), self.line)
        middle = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(first, Qt.AlignmentFlag.AlignLeft | middle, self.document.footer)
        painter.drawText(
            last,
            Qt.AlignmentFlag.AlignRight | middle,
            self.document.page_label.format(n=page, m=pages),
        )
        painter.restore()


def page_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(16, 14, 16, 14),
        QPageLayout.Unit.Millimeter,
    )


def paint_documents(
    device: QPagedPaintDevice,
    documents: Sequence[PrintedDocument | str],
    progress: Callable[[int, int], bool] | None = None,
) -> tuple[int, bool]:
    """Lay out each HTML document from a new page on a PDF writer or a printer.

    Returns (pages, finished). ``progress(done, total)`` is called after each document; returning
    False stops there (the caller discards what was started).
    """
    register_fonts()
    area = QRectF(device.pageLayout().paintRectPixels(device.logicalDpiX()))
    painter = QPainter(device)
    pages = 0
    try:
        for index, item in enumerate(documents):
            printed = _as_document(item)
            footer = _Footer(printed, device, area.width())
            height = area.height() - footer.height
            document = QTextDocument()
            document.documentLayout().setPaintDevice(device)
            document.setDefaultFont(QFont(FONT_FAMILY, round(printed.points)))
            document.setPageSize(QSizeF(area.width(), height))
            document.setHtml(printed.html)
            count = document.pageCount()
            for page in range(count):
                if pages:
                    device.newPage()
                painter.save()
                painter.translate(0, -page * height)
                context = QAbstractTextDocumentLayout.PaintContext()
                context.clip = QRectF(0, page * height, area.width(), height)
                document.documentLayout().draw(painter, context)
                painter.restore()
                if printed.has_footer:
                    footer.draw(painter, page + 1, count, area)
                pages += 1
            if progress is not None and not progress(index + 1, len(documents)):
                return pages, False
    finally:
        painter.end()
    return pages, True


def write_pdf(
    documents: Sequence[PrintedDocument | str],
    path: Path,
    progress: Callable[[int, int], bool] | None = None,
) -> int:
    """Summaries into one PDF file; a cancelled file is removed. Returns the page count."""
    register_fonts()
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(page_layout())
    writer.setTitle("After-visit summary")
    writer.setCreator("SurvTrack")
    pages, finished = paint_documents(writer, documents, progress)
    del writer  # closes the file
    if not finished:
        path.unlink(missing_ok=True)
    return pages
