"""Printing a worklist: an HTML table laid out by ``QTextDocument``, to the printer, the print
preview or a PDF file."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget


def table_html(
    title: str, subtitle: str, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> str:
    head = "".join(f"<th align='left'>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        "<html><body style='font-family: \"DejaVu Sans\", sans-serif; font-size: 8pt;'>"
        f"<h2>{escape(title)}</h2><p>{escape(subtitle)}</p>"
        "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<p>{len(rows)} rows</p></body></html>"
    )


def _document(html: str) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(html)
    return document


def _landscape(printer: QPrinter) -> None:
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )


def write_pdf(html: str, path: Path) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    _landscape(printer)
    _document(html).print_(printer)


def preview(html: str, parent: QWidget | None) -> QPrintPreviewDialog:
    """A print preview (with its own Print button); the caller opens it."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    _landscape(printer)
    dialog = QPrintPreviewDialog(printer, parent)
    document = _document(html)
    dialog.paintRequested.connect(lambda target: document.print_(target))
    # the dialog owns neither: keep both alive as long as it lives
    dialog._document = document  # type: ignore[attr-defined]
    dialog._printer = printer  # type: ignore[attr-defined]
    return dialog
