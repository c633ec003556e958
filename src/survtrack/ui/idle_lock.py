"""Locking the window after the clinic's idle time (clinic settings: idle lock minutes).

Any key press, click, wheel turn or mouse move in the application restarts the timer. When it
runs out every SurvTrack window is hidden (a dialog left open is cancelled: what it held is not
saved) and the unlock dialog asks for the same user's password, or lets them sign out.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from survtrack.services.auth import SignedIn
from survtrack.store.engine import Database
from survtrack.ui.account_dialogs import UnlockDialog

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleLock(QObject):
    """Watches the application's input; ``sign_out`` is emitted when the locked user signs out."""

    sign_out = Signal()

    def __init__(self, window: QWidget, db: Database, user: SignedIn, minutes: int) -> None:
        super().__init__(window)
        self.window = window
        self.db = db
        self.user = user
        self.minutes = minutes
        self.dialog: UnlockDialog | None = None
        self._hidden: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(minutes * 60_000)
        self.timer.timeout.connect(self.lock)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.timer.start()

    def set_minutes(self, minutes: int) -> None:
        """A new idle time (the administrator changed the clinic settings), counted from now."""
        self.minutes = minutes
        self.timer.setInterval(minutes * 60_000)
        if not self.is_locked:
            self.timer.start()

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and not self.is_locked and self.timer.isActive():
            self.timer.start()
        return False

    def stop(self) -> None:
        """The window is closing: no more locking, and an open unlock dialog goes with it."""
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.finished.disconnect(self._finished)
            dialog.signed_out = True
            dialog.reject()
            dialog.deleteLater()

    def lock(self) -> None:
        if self.is_locked:
            return
        self.timer.stop()
        self._hidden = []
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible():
                widget.hide()
                # a modal dialog's exec() has ended with the hide: it is not shown again
                if not (isinstance(widget, QDialog) and widget.isModal()):
                    self._hidden.append(widget)
        self.dialog = UnlockDialog(self.db, self.user, self.minutes)
        self.dialog.finished.connect(self._finished)
        self.dialog.open()

    def _finished(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        assert dialog is not None
        dialog.deleteLater()
        if dialog.signed_out:
            self._hidden = []
            self.sign_out.emit()
            return
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        self.timer.start()
