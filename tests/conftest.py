"""Test setup shared by every test: offscreen Qt, a private data folder, real databases.

Database tests take the ``db`` fixture, which runs each test on a fresh SQLite file and, when
``SURVTRACK_TEST_PG_URL`` names a server (``.ci/run`` starts a throwaway one), on a fresh
PostgreSQL database too. ``SURVTRACK_REQUIRE_PG=1`` turns a missing server into a failure.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
_DATA = Path(tempfile.mkdtemp(prefix="survtrack-test-data-"))
os.environ["SURVTRACK_DATA_DIR"] = str(_DATA)
os.environ["SURVTRACK_CONFIG"] = str(_DATA / "survtrack.ini")  # never the machine's own
for _old in ("SURVTRACK_COUNTRY", "SURVTRACK_REGION", "SURVTRACK_CLOSURES"):
    os.environ.pop(_old, None)
os.environ.pop("SURVTRACK_DB", None)

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from survtrack.services.database import open_database  # noqa: E402
from survtrack.store.engine import Database  # noqa: E402

PG_URL = os.environ.get("SURVTRACK_TEST_PG_URL")
REQUIRE_PG = os.environ.get("SURVTRACK_REQUIRE_PG") == "1"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_configure(config: pytest.Config) -> None:
    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)
    # window layouts (QSettings) go to the test data folder, never the user's own
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(_DATA / "qt"))
    # One QApplication for the session, made before any test: report tests that lay out PDFs
    # would otherwise make a plain QGuiApplication that the widget tests cannot use.
    config._survtrack_app = QApplication.instance() or QApplication(["survtrack-tests"])


class PgServer:
    """Creates and drops one database per test on the throwaway server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    if not PG_URL:
        yield None
        return
    server = PgServer(PG_URL)
    yield server
    server.admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_server: PgServer | None
) -> Iterator[str]:
    """The URL of an empty database (no tables) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'survtrack.db'}"
        return
    if pg_server is None:
        if REQUIRE_PG:
            pytest.fail("SURVTRACK_REQUIRE_PG=1 but SURVTRACK_TEST_PG_URL is not set")
        pytest.skip("no PostgreSQL server (set SURVTRACK_TEST_PG_URL; .ci/run starts one)")
    url = pg_server.create()
    yield url
    pg_server.drop(url)


@pytest.fixture
def db(empty_db_url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = open_database(empty_db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database only (UI and demo tests)."""
    database = open_database(f"sqlite:///{tmp_path / 'survtrack.db'}")
    yield database
    database.dispose()
