"""Summaries to PDF with Qt's text layout, in the font SurvTrack ships.

The template names "DejaVu Sans"; the font files ship in resources/fonts and are registered before
any layout, so page breaks are the same on every workstation and the PDF always carries its text
(Qt writes a PDF without text, and without a warning, when it finds no font). Several summaries go
into one PDF, each starting on a new page.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

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


def page_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(16, 14, 16, 14),
        QPageLayout.Unit.Millimeter,
    )


def paint_documents(
    device: QPagedPaintDevice,
    documents: Sequence[str],
    progress: Callable[[int, int], bool] | None = None,
) -> tuple[int, bool]:
    """Lay out each HTML document from a new page on a PDF writer or a printer.

    Returns (pages, finished). ``progress(done, total)`` is called after each document; returning
    False stops there (the caller discards what was started).
    """
    register_fonts()
    area = device.pageLayout().paintRectPixels(device.logicalDpiX())
    painter = QPainter(device)
    pages = 0
    try:
        for index, html in enumerate(documents):
            document = QTextDocument()
            document.documentLayout().setPaintDevice(device)
            document.setDefaultFont(QFont(FONT_FAMILY, 10))
            document.setPageSize(QSizeF(area.width(), area.height()))
            document.setHtml(html)
            for page in range(document.pageCount()):
                if pages:
                    device.newPage()
                painter.save()
                painter.translate(0, -page * area.height())
                context = QAbstractTextDocumentLayout.PaintContext()
                context.clip = QRectF(0, page * area.height(), area.width(), area.height())
                document.documentLayout().draw(painter, context)
                painter.restore()
                pages += 1
            if progress is not None and not progress(index + 1, len(documents)):
                return pages, False
    finally:
        painter.end()
    return pages, True


def write_pdf(
    documents: Sequence[str],
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
