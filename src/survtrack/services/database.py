"""Opening the clinic database: connect, migrate to this version's schema, or refuse it; then
import an old ``clinic.toml`` once and take the clinic settings' snapshot.

``open_database`` connects and brings the schema up to date (tests, ``survtrack db upgrade``).
``open_clinic_database`` is what the window and the command line use. It refuses, changing
nothing:

- a SQLite path with no database, unless creation is asked for (``--create``, or the window asks)
  or it is the default file in the data folder (made on first start);
- a file that is not a SurvTrack database (another program's SQLite file, a text file);
- a SQLite file on a network share (SQLite's locks do not hold there);
- a PostgreSQL database behind this version's schema: only ``survtrack db upgrade``, run by the
  owner, changes it. SQLite files keep being upgraded at start.

The SQLite file is made readable and writable by its user only (POSIX).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from survtrack.services.clinic_settings import (
    activate,
    default_protocol_set,
    import_old_settings,
)
from survtrack.services.locations import default_db_url, resolve_db_url
from survtrack.services.protocol_sets import protocol_problems
from survtrack.store.engine import Database
from survtrack.store.migrate import (
    DatabaseNeedsUpgrade,
    DatabaseTooNew,
    check_current,
    ensure_schema,
)

__all__ = [
    "CannotOpen",
    "Database",
    "DatabaseNeedsUpgrade",
    "DatabaseTooNew",
    "open_clinic_database",
    "open_database",
    "sqlite_path",
]

#: Linux file systems that put a file on another machine
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p", "fuse.sshfs"}
)
#: where Linux lists the mounts (tests point it at a file of their own)
MOUNTS = Path("/proc/self/mounts")
SQLITE_HEADER = b"SQLite format 3\x00"


class CannotOpen(RuntimeError):
    """The database was not opened (and not changed); the message says why and what to do."""


log = logging.getLogger(__name__)


def open_database(url: str | None = None, notes: list[str] | None = None) -> Database:
    """The database at ``url`` (or the default), upgraded to the current schema.

    What the staff should be told (the one-time import of clinic.toml) goes into ``notes``, or is
    logged as a warning when no list is given.
    """
    database = Database.open(resolve_db_url(url))
    try:
        ensure_schema(database.engine)
    except BaseException:
        database.dispose()
        raise
    return _with_settings(database, notes)


def _with_settings(database: Database, notes: list[str] | None) -> Database:
    """Import an old clinic.toml once and take the clinic settings' snapshot."""
    try:
        note = import_old_settings(database)
        activate(database)
    except BaseException:
        database.dispose()
        raise
    said = [note] if note else []
    said += protocol_problems(default_protocol_set(database))
    for sentence in said:
        if notes is None:
            log.warning("survtrack: note: %s", sentence)
        else:
            notes.append(sentence)
    return database


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).expanduser()


def open_clinic_database(
    url: str | None = None,
    *,
    create: bool = False,
    ask_create: Callable[[Path], bool] | None = None,
    notes: list[str] | None = None,
) -> Database:
    """The database the window or a command works on, or ``CannotOpen`` /
    ``DatabaseNeedsUpgrade`` / ``DatabaseTooNew`` with nothing changed (module docstring)."""
    resolved = resolve_db_url(url)
    path = sqlite_path(resolved)
    if path is None:
        if make_url(resolved).get_backend_name() == "sqlite":
            return open_database(resolved, notes)
        database = Database.open(resolved)
        try:
            check_current(database.engine)
        except BaseException:
            database.dispose()
            raise
        return _with_settings(database, notes)
    refuse_network_path(path)
    if not is_survtrack_file(path):
        default = resolved == default_db_url()
        if not (create or default or (ask_create is not None and ask_create(path))):
            raise CannotOpen(f"no database at {path}; use --create to make one")
        _create_private(path)
    database = open_database(resolved, notes)
    make_private(path)
    return database


def is_survtrack_file(path: Path) -> bool:
    """True for a SurvTrack database; False for no file or an empty one (a new database);
    ``CannotOpen`` for anything else. Reads only."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return False
    if not path.is_file():
        raise CannotOpen(f"{path} is not a file; it has not been opened")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    not_ours = CannotOpen(f"{path} is not a SurvTrack database; it has not been opened or changed")
    if header != SQLITE_HEADER:
        raise not_ours
    tables = _tables(path)
    if not tables:
        return False  # a SQLite file with nothing in it: a new database
    if not {"alembic_version", "patients", "audit_log"} <= tables:
        raise not_ours
    return True


def _tables(path: Path) -> set[str]:
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise CannotOpen(
            f"{path} is not a SurvTrack database (not a readable SQLite file); "
            "it has not been opened or changed"
        ) from None
    return {str(row[0]) for row in rows}


def _create_private(path: Path) -> None:
    """An empty file readable by its user only, so that the database is never, even for a moment,
    readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def make_private(path: Path) -> None:
    """chmod 600 on the database and its WAL files (POSIX; Windows keeps the folder's ACL)."""
    if os.name != "posix":
        return
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if name.exists():
            os.chmod(name, 0o600)


def network_location(path: Path) -> str | None:
    """What remote place ``path`` lies on (a share, a network drive, an NFS mount...), or None."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "a network share"
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive and ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4:  # DRIVE_REMOTE
            return f"the network drive {drive}"
        return None
    try:
        lines = MOUNTS.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = os.path.abspath(text)
    best, kind = "", ""
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    if kind in NETWORK_FILE_SYSTEMS:
        return f"a network file system ({kind} mounted at {best})"
    return None


def refuse_network_path(path: Path) -> None:
    where = network_location(path)
    if where is not None:
        raise CannotOpen(
            f"{path} is on {where}. SQLite cannot share a file over the network safely (its "
            "locks do not hold there and the database can be damaged). Keep the file on this "
            "computer's own disk, or let several workstations share a PostgreSQL server."
        )
