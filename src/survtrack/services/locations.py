"""Where SurvTrack keeps its data: the per-user data folder and the default database URL.

``SURVTRACK_DATA_DIR`` overrides the folder (tests use it so they never touch a real user's data);
``SURVTRACK_DB`` or ``--db`` overrides the database URL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "SurvTrack"


def data_dir() -> Path:
    override = os.environ.get("SURVTRACK_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME.lower()


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'survtrack.db'}"


def demo_db_url() -> str:
    """The demo database: ``--demo`` and ``survtrack demo`` without ``--db`` use only this file,
    never the clinic's database."""
    return f"sqlite:///{data_dir() / 'survtrack-demo.db'}"


def resolve_db_url(given: str | None) -> str:
    """``--db`` first, then ``SURVTRACK_DB``, then the SQLite file in the data folder."""
    return given or os.environ.get("SURVTRACK_DB") or default_db_url()
