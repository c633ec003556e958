"""Issue 14 points 6 and 7: backups that restore, files that are refused untouched, limits."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

import survtrack.services.database as database_module
from survtrack.domain.errors import BadInput
from survtrack.services.backup import rotate_backups
from survtrack.services.database import CannotOpen, open_clinic_database
from survtrack.store.audit import Actor, verify_database
from survtrack.store.engine import Database
from survtrack.store.models import AuditEntry, Patient
from tests.cli.test_cli import SIGNED_IN, add_clerk
from tests.factories import add_patient
from tests.security.helpers import run


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_missing_path_is_refused_unless_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    result = run("overdue", "--db", f"sqlite:///{path}")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"survtrack: no database at {path}; use --create to make one\n"
    assert not path.exists()
    made = run("db", "upgrade", "--db", f"sqlite:///{path}", "--create")
    assert made.returncode == 0, made.stderr
    assert path.stat().st_mode & 0o777 == 0o600  # readable by its user only


def test_the_window_asks_before_making_a_database(tmp_path: Path) -> None:
    path = tmp_path / "asked.db"
    asked: list[Path] = []

    def no(p: Path) -> bool:
        asked.append(p)
        return False

    with pytest.raises(CannotOpen):
        open_clinic_database(f"sqlite:///{path}", ask_create=no)
    assert asked == [path] and not path.exists()
    open_clinic_database(f"sqlite:///{path}", ask_create=lambda _p: True).dispose()
    assert path.exists()


@pytest.mark.parametrize("kind", ["other sqlite", "text"])
def test_a_file_that_is_not_survtrack_is_refused_untouched(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "other.db"
    if kind == "text":
        path.write_text("not a database at all\n", encoding="utf-8")
    else:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()
        conn.close()
    before = _digest(path)
    for args in (["overdue"], ["audit", "verify"], ["backup", str(tmp_path / "b.db")]):
        result = run(*args, "--db", f"sqlite:///{path}", "--create")
        assert result.returncode == 1 and "not a SurvTrack database" in result.stderr, args
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_a_database_on_a_network_mount_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mounts = tmp_path / "mounts"
    share = tmp_path / "share"
    mounts.write_text(
        f"/dev/sda1 / ext4 rw 0 0\n//server/clinic {share} cifs rw 0 0\n", encoding="utf-8"
    )
    monkeypatch.setattr(database_module, "MOUNTS", mounts)
    with pytest.raises(CannotOpen, match=r"network file system \(cifs"):
        open_clinic_database(f"sqlite:///{share / 'survtrack.db'}", create=True)
    with pytest.raises(CannotOpen, match="network share"):
        open_clinic_database("sqlite:///\\\\server\\share\\survtrack.db", create=True)
    assert not share.exists()
    open_clinic_database(f"sqlite:///{tmp_path / 'local.db'}", create=True).dispose()


def test_text_and_dates_have_limits(db: Database) -> None:
    add_patient(db, "L-1", "Long", "Lee")
    for field, value, message in (
        ("phone", "1" * 33, "Phone: must be at most 32 characters"),
        ("physician", "D" * 121, "Physician: must be at most 120 characters"),
        ("status_date", date(2201, 1, 1), "Status date: must be between 1900-01-01"),
        ("birth_date", date(1899, 12, 31), "Birth date: must be between 1900-01-01"),
    ):
        with pytest.raises(BadInput, match=message), db.write(Actor(None, "t")) as session:
            patient = session.get(Patient, 1)
            assert patient is not None
            setattr(patient, field, value)
    with db.read() as session:
        patient = session.get(Patient, 1)
        assert patient is not None and patient.phone is None  # nothing written


def test_backup_during_writes_restores_consistent(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    db = open_clinic_database(f"sqlite:///{path}", create=True)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            add_patient(db, f"W-{n}", "Writer", f"W{n}")
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.05)
        copy = tmp_path / "copy.db"
        result = run("backup", str(copy), "--db", f"sqlite:///{path}")
        assert result.returncode == 0, result.stderr
    finally:
        stop.set()
        thread.join()
        db.dispose()
    assert copy.stat().st_mode & 0o777 == 0o600
    target = tmp_path / "restored.db"
    restored = run("restore", str(copy), "--db", f"sqlite:///{target}")
    assert restored.returncode == 0, restored.stderr
    check = open_clinic_database(f"sqlite:///{target}")
    try:
        with check.read() as session:
            patients = session.scalar(select(func.count()).select_from(Patient)) or 0
            audited = session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.entity == "patients", AuditEntry.action == "insert")
            )
        # every patient in the copy came with its audit row: one transaction, whole or not at all
        assert 0 < patients == audited <= len(written)
        assert verify_database(check.engine)[1] is None
    finally:
        check.dispose()


def test_restore_checks_before_replacing_and_keeps_the_old_file(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    db = open_clinic_database(f"sqlite:///{live}", create=True)
    add_patient(db, "K-1", "Keep", "Kit")
    db.dispose()
    before = _digest(live)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello", encoding="utf-8")
    for bad in (damaged, text_file, tmp_path / "none.db"):
        result = run("restore", str(bad), "--db", f"sqlite:///{live}")
        assert result.returncode == 2 and result.stdout == "", bad
        assert result.stderr.startswith("survtrack: FILE:")
    assert _digest(live) == before
    empty = tmp_path / "empty.db"
    open_clinic_database(f"sqlite:///{empty}", create=True).dispose()
    result = run("restore", str(empty), "--db", f"sqlite:///{live}")
    assert result.returncode == 0, result.stderr
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("live.replaced-")]
    assert len(kept) == 1 and str(kept[0]) in result.stdout
    for path, patients in ((live, 0), (kept[0], 1)):
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM patients").fetchone()[0] == patients
        conn.close()


def test_rotating_backups_keep_the_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live = tmp_path / "live.db"
    open_clinic_database(f"sqlite:///{live}", create=True).dispose()
    folder = tmp_path / "backups"
    monkeypatch.setenv("SURVTRACK_BACKUPS", "3")
    made = [rotate_backups(live, folder=folder) for _ in range(5)]
    left = sorted(folder.iterdir())
    assert left == sorted(p for p in made[-3:] if p is not None)
    monkeypatch.setenv("SURVTRACK_BACKUPS", "0")
    assert rotate_backups(live, folder=folder) is None


def test_backup_on_each_backend(db: Database, tmp_path: Path) -> None:
    add_patient(db, "B-1", "Back", "Bea")
    url = db.engine.url.render_as_string(hide_password=False)
    target = tmp_path / ("b.db" if db.is_sqlite else "b.dump")
    result = run("backup", str(target), "--db", url)
    if db.is_sqlite or _has_pg_dump():
        assert result.returncode == 0, result.stderr
        assert target.stat().st_size > 0 and str(target) in result.stdout
    else:
        assert result.returncode == 1 and "pg_dump" in result.stderr
    if db.is_sqlite:
        assert target.read_bytes().startswith(b"SQLite format 3\x00")
    else:  # the restore of a dump is pg_restore's (README)
        restore = run("restore", str(target), "--db", url)
        assert restore.returncode == 1 and "pg_restore" in restore.stderr


def _has_pg_dump() -> bool:
    import shutil

    return shutil.which("pg_dump") is not None


def test_postgresql_is_never_migrated_by_a_workstation(empty_db_url: str) -> None:
    if empty_db_url.startswith("sqlite"):
        result = run("overdue", "--db", empty_db_url)
        assert "no database at" in result.stderr  # SQLite: refused until created
        return
    result = run("overdue", "--db", empty_db_url, "--create")
    assert result.returncode == 1 and result.stdout == ""
    assert "needs `survtrack db upgrade`" in result.stderr
    assert run("db", "upgrade", "--db", empty_db_url).returncode == 0
    add_clerk(empty_db_url)
    assert run("overdue", "--db", empty_db_url, env=SIGNED_IN).returncode == 0
