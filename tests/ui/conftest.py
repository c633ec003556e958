"""UI fixtures: a main window on a temporary database, closed and its workers drained after."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.store.engine import Database
from survtrack.ui.layout_memory import layout_settings
from survtrack.ui.main_window import MainWindow

PHYSICIAN = SignedIn(1, "doc", "Dr Doc", Role.PHYSICIAN)


def signed_in(db: Database) -> SignedIn:
    """``PHYSICIAN`` as an account in ``db`` (reads are audited under its id)."""
    return ensure_user(db, PHYSICIAN.username, PHYSICIAN.full_name, PHYSICIAN.role)


@pytest.fixture(autouse=True)
def fresh_layout() -> Iterator[None]:
    """Each test starts from the default window layout, not one a previous test saved."""
    layout_settings().clear()
    yield
    layout_settings().clear()


@pytest.fixture
def main_window(qtbot: QtBot, sqlite_db: Database) -> Iterator[MainWindow]:
    window = MainWindow(sqlite_db, signed_in(sqlite_db), today=date(2026, 11, 23))
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
