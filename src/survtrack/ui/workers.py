"""Running database work off the GUI thread and handing results back through signals.

``TaskRunner.submit`` runs a callable on a one-thread ``QThreadPool`` (database work is serialised,
as Anki does) and calls ``on_done`` or ``on_error`` on the GUI thread. A task submitted under a
``channel`` supersedes earlier tasks of that channel: their results are dropped, so a slow search
for "sm" can never overwrite the result for "smith".
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from survtrack.services.errors import user_message

log = logging.getLogger(__name__)


class _Signals(QObject):
    # Only the ticket crosses threads; the result waits in ``TaskRunner._results`` for the GUI
    # thread, so no Python object goes through Qt's queued-connection marshalling.
    done = Signal(int)
    failed = Signal(int, str)


class _Task(QRunnable):
    def __init__(
        self, ticket: int, fn: Callable[[], Any], signals: _Signals, results: dict[int, Any]
    ) -> None:
        super().__init__()
        self.ticket = ticket
        self.fn = fn
        self.signals = signals
        self.results = results

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the GUI thread, never lost
            # The type and the code path only: an exception's text may hold patient data.
            frames = "".join(traceback.format_tb(exc.__traceback__, limit=8))
            log.error("background task failed: %s\n%s", type(exc).__name__, frames)
            # what the user reads: plain words (services.errors), never the driver's text
            self.signals.failed.emit(self.ticket, user_message(exc))
        else:
            self.results[self.ticket] = result
            self.signals.done.emit(self.ticket)


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._next = 0
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[str], None] | None]] = {}
        self._latest: dict[str, int] = {}
        self._channel_of: dict[int, str] = {}
        self._results: dict[int, Any] = {}

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
        channel: str | None = None,
    ) -> int:
        self._next += 1
        ticket = self._next
        self._callbacks[ticket] = (on_done, on_error)
        if channel:
            self._latest[channel] = ticket
            self._channel_of[ticket] = channel
        self.pool.start(_Task(ticket, fn, self._signals, self._results))
        return ticket

    def _current(self, ticket: int) -> bool:
        channel = self._channel_of.pop(ticket, None)
        return channel is None or self._latest.get(channel) == ticket

    def _on_done(self, ticket: int) -> None:
        result = self._results.pop(ticket, None)
        on_done, _ = self._callbacks.pop(ticket, (None, None))
        if on_done is not None and self._current(ticket):
            on_done(result)

    def _on_failed(self, ticket: int, message: str) -> None:
        _, on_error = self._callbacks.pop(ticket, (None, None))
        if self._current(ticket) and on_error is not None:
            on_error(message)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until every task has run (shutdown and tests)."""
        return self.pool.waitForDone(msecs)
