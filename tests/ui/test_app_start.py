"""Start-up pieces: the demo database is separate from the clinic's and signs in a physician."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

import survtrack
from survtrack import cli
from survtrack.services.auth import Role
from survtrack.services.database import open_database
from survtrack.services.locations import default_db_url
from survtrack.services.patient_search import count_patients
from survtrack.ui.app import app_icon, demo_db_url, prepare_demo


def test_demo_uses_its_own_database_and_a_demo_physician() -> None:
    assert demo_db_url() != default_db_url()
    assert Path(demo_db_url().removeprefix("sqlite:///")).name == "survtrack-demo.db"
    db = open_database(demo_db_url())
    try:
        user = prepare_demo(db)
        assert user.role is Role.PHYSICIAN
        first = count_patients(db)
        assert first == 500
        assert prepare_demo(db).user_id == user.user_id  # a second start adds nothing
        assert count_patients(db) == first
    finally:
        db.dispose()


def test_the_window_carries_the_survtrack_icon_at_small_and_large_sizes(qapp: QApplication) -> None:
    icon = app_icon()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
    assert not icon.pixmap(32, 32).toImage().isNull()


def test_smoke_test_opens_the_main_window_and_leaves_the_data_folder_alone(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SURVTRACK_DATA_DIR=str(data))
    done = subprocess.run(
        [sys.executable, "-m", "survtrack", "--smoke-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "main window opened" in done.stdout
    assert list(data.iterdir()) == []  # no database, no settings where the user keeps data


def test_the_smoke_test_is_not_offered_to_users(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.parse(["--help"])
    shown = capsys.readouterr().out
    assert "--demo" in shown
    assert "smoke" not in shown


def test_the_version_comes_from_the_package_metadata() -> None:
    assert survtrack.__version__ == metadata.version("survtrack")
    assert survtrack.__version__ != "0+unknown"
