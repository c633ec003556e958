"""What the user sees when something unexpected fails: a dialog with "Copy details", and the
traceback in the log file. The details are ``safe_traceback``: where it failed, never the error's
message, so nothing a patient could be recognised by leaves the app through them."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from survtrack.services.app_log import SAFE, safe_traceback

log = logging.getLogger("survtrack.crash")

MESSAGE = (
    "Something went wrong that SurvTrack did not expect. What you were doing may not have been "
    "saved: please check it. The details (no patient data) are in the log file; "
    '"Copy details" puts them on the clipboard for the clinic\'s IT.'
)


def crash_dialog(details: str, parent: QWidget | None = None) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, "SurvTrack", MESSAGE, parent=parent)
    box.setObjectName("crashDialog")
    box.setDetailedText(details)
    copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)

    def copy_details() -> None:
        QApplication.clipboard().setText(details)

    # an ActionRole button would close the box after its click: keep it open
    copy.clicked.disconnect()
    copy.clicked.connect(copy_details)
    return box


def handle_exception(
    kind: type[BaseException],
    error: BaseException,
    tb: TracebackType | None,
    show: Callable[[str], None] | None = None,
) -> None:
    """The excepthook: log the safe traceback, then show the dialog (unless Ctrl+C)."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    details = safe_traceback(kind, error, tb)
    log.critical("unexpected error\n%s", details, extra={SAFE: True})
    if show is not None:
        show(details)
    elif QApplication.instance() is not None:
        crash_dialog(details, QApplication.activeWindow()).exec()


def install_excepthook() -> None:
    sys.excepthook = handle_exception
