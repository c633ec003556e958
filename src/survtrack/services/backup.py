"""Backups and restores of the clinic database.

SQLite: ``backup_sqlite`` copies the file with SQLite's online backup API in one step, inside a
read transaction: the copy is the database as it was at one commit, even while workstations keep
writing (a plain file copy misses what is still in the WAL file). ``rotate_backups`` keeps the
last few automatic copies made when the window closes. ``restore`` checks a copy (the file is a
SQLite database, ``PRAGMA integrity_check`` passes, it is a SurvTrack schema this version knows)
before anything is replaced, and keeps the replaced file aside.

PostgreSQL: ``pg_dump`` when it is on the PATH, otherwise ``PgBackupProcedure`` carries the
documented procedure (README, "Security for the clinic's IT").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from survtrack.domain.errors import BadInput
from survtrack.services.database import (
    CannotOpen,
    is_survtrack_file,
    make_private,
    sqlite_path,
)
from survtrack.services.locations import data_dir
from survtrack.store.migrate import known_revision

#: automatic copies kept in the data folder's ``backups`` folder (SURVTRACK_BACKUPS overrides)
DEFAULT_KEEP = 7  # the clinic settings hold the count; this is their default
AUTO_PREFIX = "survtrack-auto-"

PG_PROCEDURE = """\
pg_dump was not found on this computer's PATH. Back up the PostgreSQL database on the server:
  pg_dump --format=custom --file=survtrack-YYYYMMDD.dump --dbname=survtrack
(run as the database's owner; keep the copies off the server). To restore into an empty database:
  pg_restore --dbname=survtrack --no-owner survtrack-YYYYMMDD.dump
then run `survtrack db grant-app-role ROLE` again."""


class PgBackupProcedure(RuntimeError):
    """No pg_dump here: the message is the procedure to follow on the server."""


def backups_dir() -> Path:
    return data_dir() / "backups"


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def backup_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of the SQLite database ``source`` at ``target`` (not overwritten)."""
    if target.exists():
        raise BadInput("FILE", f"{target} already exists; choose a new name")
    if not target.parent.is_dir():
        raise BadInput("FILE", f"no such folder: {target.parent}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # the copy is one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    make_private(partial)
    os.replace(partial, target)
    return target


def backup(url: str, target: Path | None = None) -> Path:
    """Back up the database at ``url`` to ``target`` (default: a new file in ``backups``)."""
    path = sqlite_path(url)
    if path is not None:
        if not is_survtrack_file(path):
            raise CannotOpen(f"no database at {path}")
        if target is None:
            backups_dir().mkdir(parents=True, exist_ok=True)
            target = backups_dir() / f"survtrack-{_stamp()}.db"
        return backup_sqlite(path, target)
    return _pg_dump(url, target or Path(f"survtrack-{_stamp()}.dump"))


def _pg_dump(url: str, target: Path) -> Path:
    program = shutil.which("pg_dump")
    if program is None:
        raise PgBackupProcedure(PG_PROCEDURE)
    if target.exists():
        raise BadInput("FILE", f"{target} already exists; choose a new name")
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)  # never on the command line (ps shows it)
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string()
    done = subprocess.run(
        [program, "--format=custom", f"--file={target}", f"--dbname={libpq}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["pg_dump failed"])[-1]
        raise CannotOpen(f"pg_dump failed: {last}")
    return target


def keep_count() -> int:
    """How many automatic copies to keep: ``SURVTRACK_BACKUPS`` when the clinic's IT sets it on a
    workstation, otherwise the clinic settings' "backups kept" (7 when never set)."""
    text = os.environ.get("SURVTRACK_BACKUPS", "").strip()
    if not text:
        from survtrack.services.clinic_settings import backups_kept

        return backups_kept()
    try:
        count = int(text)
    except ValueError:
        raise BadInput("SURVTRACK_BACKUPS", "must be a whole number (0 turns them off)") from None
    if count < 0:
        raise BadInput("SURVTRACK_BACKUPS", "must be 0 or more")
    return count


def rotate_backups(
    source: Path, keep: int | None = None, folder: Path | None = None
) -> Path | None:
    """The automatic backup at close: a new copy, and only the newest ``keep`` kept."""
    keep = keep_count() if keep is None else keep
    if keep <= 0 or not source.exists():
        return None
    folder = folder or backups_dir()
    folder.mkdir(parents=True, exist_ok=True)
    made = backup_sqlite(source, folder / f"{AUTO_PREFIX}{_stamp()}.db")
    copies = sorted(folder.glob(f"{AUTO_PREFIX}*.db"))
    for old in copies[: max(0, len(copies) - keep)]:
        old.unlink(missing_ok=True)
    return made


def check_backup(source: Path) -> str:
    """The schema revision of a backup file fit to restore; ``BadInput`` saying why not."""
    if not source.is_file():
        raise BadInput("FILE", f"no such file: {source}")
    try:
        if not is_survtrack_file(source):
            raise BadInput("FILE", f"{source} is an empty database, not a SurvTrack backup")
    except CannotOpen:
        raise BadInput("FILE", f"{source} is not a SurvTrack database") from None
    conn = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)
    try:
        problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    if problems != ["ok"]:
        raise BadInput("FILE", f"{source} is damaged (integrity check: {problems[0]})")
    if revision is None or not known_revision(str(revision[0])):
        found = revision[0] if revision else "none"
        raise BadInput(
            "FILE", f"{source} has a schema this version does not know ({found}); not restored"
        )
    return str(revision[0])


def restore(url: str, source: Path) -> tuple[str, Path | None]:
    """Replace the SQLite database at ``url`` by the backup ``source`` once it passed
    ``check_backup``; (revision restored, where the replaced file was kept or None)."""
    path = sqlite_path(url)
    if path is None:
        raise PgBackupProcedure(
            "A PostgreSQL database is restored on the server with pg_restore:\n"
            "  pg_restore --clean --if-exists --no-owner --dbname=survtrack BACKUP.dump\n"
            "then run `survtrack db grant-app-role ROLE` again."
        )
    revision = check_backup(source)
    if path.exists() and path.resolve() == source.resolve():
        raise BadInput("FILE", "is the database itself")
    aside = None
    if path.exists():
        is_survtrack_file(path)  # refuses to replace a file that is not ours (CannotOpen)
        # the replaced database, whole (with what is still in its WAL), kept beside it
        aside = path.with_name(f"{path.stem}.replaced-{_stamp()}{path.suffix}")
        backup_sqlite(path, aside)
    path.parent.mkdir(parents=True, exist_ok=True)
    incoming = path.with_name(path.name + ".restoring")
    incoming.unlink(missing_ok=True)
    shutil.copyfile(source, incoming)
    make_private(incoming)
    for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    os.replace(incoming, path)
    return revision, aside
