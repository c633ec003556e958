"""The Qt binding itself: a long session must not wear down Python's reference to None.

PySide6 6.12.0 under Python 3.11 dropped a reference to None on every call of a method returning
void; after some 10^5 calls (a day at a scheduler's desk) the interpreter aborted with
"deallocating None". pyproject.toml excludes that release; this test catches any other.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot


def test_void_calls_keep_the_reference_count_of_none(qtbot: QtBot) -> None:
    label = QLabel("x")
    qtbot.addWidget(label)
    app = QApplication.instance()
    assert app is not None
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("a")
        app.processEvents()
    assert sys.getrefcount(None) - before > -100
