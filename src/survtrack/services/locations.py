"""Where SurvTrack keeps its data: the data folders, the machine's config file and the database.

Which database opens, first match wins:

1. ``--db URL`` on the command line;
2. the ``SURVTRACK_DB`` environment variable;
3. ``url`` in the ``[database]`` section of the machine's ``survtrack.ini`` (``machine_config``);
4. ``survtrack.db`` in ``SURVTRACK_DATA_DIR`` when that variable is set (tests);
5. ``survtrack.db`` in the machine-wide folder on Windows (``%PROGRAMDATA%\\SurvTrack``: every
   Windows user of a workstation sees one registry), in the per-user data folder elsewhere.

``SURVTRACK_CONFIG`` names the config file instead of the machine's (tests use it so they never
read the real one).
"""

from __future__ import annotations

import configparser
import os
import sys
from pathlib import Path

from survtrack.domain.errors import BadInput

APP_DIR_NAME = "SurvTrack"
CONFIG_NAME = "survtrack.ini"


def data_dir() -> Path:
    """The per-user data folder (demo database, clinic templates, an old clinic.toml)."""
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


def machine_data_dir() -> Path | None:
    """The machine-wide data folder on Windows (``%PROGRAMDATA%\\SurvTrack``); None elsewhere."""
    if sys.platform != "win32":
        return None
    return Path(os.environ.get("PROGRAMDATA") or r"C:\ProgramData") / APP_DIR_NAME


def config_candidates() -> list[Path]:
    """Where the machine's ``survtrack.ini`` is looked for, in order."""
    override = os.environ.get("SURVTRACK_CONFIG")
    if override:
        return [Path(override)]
    machine = machine_data_dir()
    if machine is not None:
        return [machine / CONFIG_NAME]
    if sys.platform == "darwin":
        return [Path("/Library/Application Support") / APP_DIR_NAME / CONFIG_NAME]
    dirs = [d for d in (os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":") if d]
    return [Path("/etc/survtrack") / CONFIG_NAME] + [
        Path(d) / "survtrack" / CONFIG_NAME for d in dirs
    ]


def machine_config() -> Path | None:
    """The machine's config file, when there is one."""
    return next((path for path in config_candidates() if path.is_file()), None)


def configured_db_url() -> str | None:
    """``url`` in the ``[database]`` section of the machine's config file (a SQLAlchemy URL or
    the path of a SQLite file); None without a file or a url."""
    path = machine_config()
    if path is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise BadInput(str(path), f"cannot be read: {exc}") from None
    url = parser.get("database", "url", fallback="").strip()
    if not url:
        return None
    return url if "://" in url else f"sqlite:///{Path(url).expanduser()}"


def default_db_url() -> str:
    """The SQLite file used when nothing names a database (points 4 and 5 above).

    On Windows a registry that an earlier version kept in the user's own folder goes on being
    used while there is none in the machine-wide folder: a registry is never left behind unseen
    (the README says how to move it).
    """
    machine = machine_data_dir()
    own = data_dir()
    per_user = (
        os.environ.get("SURVTRACK_DATA_DIR")
        or machine is None
        or ((own / "survtrack.db").exists() and not (machine / "survtrack.db").exists())
    )
    folder = own if per_user or machine is None else machine
    return f"sqlite:///{folder / 'survtrack.db'}"


def demo_db_url() -> str:
    """The demo database: ``--demo`` and ``survtrack demo`` without ``--db`` use only this file,
    never the clinic's database."""
    return f"sqlite:///{data_dir() / 'survtrack-demo.db'}"


def resolve_db_url(given: str | None) -> str:
    """``--db``, then ``SURVTRACK_DB``, then the machine's config file, then the default file."""
    return given or os.environ.get("SURVTRACK_DB") or configured_db_url() or default_db_url()
