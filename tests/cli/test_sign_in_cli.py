"""Sign-in everywhere on the command line (issue 14): commands that read patient data sign in,
failures exit 2 with one line, exports are audited under the user's name, ``--demo`` never opens
another database, ``survtrack demo`` writes into another database only for an administrator."""

from __future__ import annotations

import json
import os
import pty
import select as select_fd
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from survtrack.services.database import open_database
from survtrack.store.audit import SYSTEM
from survtrack.store.models import AuditEntry, User
from tests.cli.test_cli import CLERK, CLERK_PASSWORD, add_clerk, demo_patients, run


def entries(url: str, action: str) -> list[AuditEntry]:
    db = open_database(url)
    try:
        with db.read() as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
    finally:
        db.dispose()


def reads(url: str, what: str) -> list[AuditEntry]:
    """The audit trail's reads of patient data of one kind ("overdue list exported", ...)."""
    return [e for e in entries(url, "read") if json.loads(e.changes or "{}")["what"] == what]


def one_line_exit_2(result: object, starts: str) -> None:
    assert result.returncode == 2, result.stderr  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert result.stderr.startswith(starts), result.stderr  # type: ignore[attr-defined]
    assert result.stderr.count("\n") == 1  # type: ignore[attr-defined]


@pytest.fixture
def url(tmp_path: Path) -> str:
    demo_patients(f"sqlite:///{tmp_path / 'clinic.db'}")
    return f"sqlite:///{tmp_path / 'clinic.db'}"


def test_commands_that_read_patients_refuse_without_sign_in(url: str, tmp_path: Path) -> None:
    nobody = {"SURVTRACK_USER": "", "SURVTRACK_PASSWORD": ""}
    for args in (
        ["overdue"],
        ["fhir", "--mrn", "X", "-o", str(tmp_path / "p.json")],
        ["import", str(tmp_path / "none.csv"), "--dry-run"],
    ):
        result = run(*args, "--db", url, env=nobody)
        one_line_exit_2(result, "survtrack: user: sign-in needed")
    wrong = run("overdue", "--db", url, env={"SURVTRACK_PASSWORD": "not the password"})
    one_line_exit_2(wrong, "survtrack: sign-in: unknown user name or wrong password")
    unknown = run("overdue", "--db", url, "--user", "mallory")
    one_line_exit_2(unknown, "survtrack: sign-in: unknown user name or wrong password")
    failed = [json.loads(e.changes)["username"] for e in entries(url, "sign_in_failed")]
    assert failed == [CLERK, "mallory"]


def test_without_a_terminal_or_variable_the_password_is_not_guessed(url: str) -> None:
    env = {**os.environ, "SURVTRACK_USER": CLERK}
    env.pop("SURVTRACK_PASSWORD", None)
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "survtrack", "overdue", "--db", url],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    one_line_exit_2(result, "survtrack: password: no terminal to ask for it")
    assert "SURVTRACK_PASSWORD" in result.stderr


def test_password_typed_at_the_terminal_is_not_echoed(url: str) -> None:
    """A user at a terminal is asked for the password (getpass), as a person would type it."""
    env = {**os.environ, "SURVTRACK_USER": CLERK}
    env.pop("SURVTRACK_PASSWORD", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: survtrack on a real terminal
        os.execvpe(
            sys.executable,
            [sys.executable, "-m", "survtrack", "overdue", "--db", url, "--format", "json"],
            env,
        )
    output = b""
    sent = False
    while True:
        ready, _, _ = select_fd.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not sent and b"password for clerk" in output:
            os.write(fd, CLERK_PASSWORD.encode() + b"\n")
            sent = True
    _, status = os.waitpid(pid, 0)
    assert sent and os.waitstatus_to_exitcode(status) == 0, output
    assert CLERK_PASSWORD.encode() not in output  # never echoed
    assert b"[" in output  # the JSON worklist followed


def test_exports_are_audited_under_the_users_name(empty_db_url: str, tmp_path: Path) -> None:
    mrn = demo_patients(empty_db_url)
    overdue = run("overdue", "--db", empty_db_url, "--format", "csv", "--as-of", "2027-06-01")
    assert overdue.returncode == 0, overdue.stderr
    out = tmp_path / "p.json"
    fhir = run("fhir", "--mrn", mrn, "-o", str(out), "--db", empty_db_url)
    assert fhir.returncode == 0, fhir.stderr
    [export] = reads(empty_db_url, "overdue list exported")
    assert export.username == CLERK and export.user_id is not None
    assert json.loads(export.changes)["format"] == "csv"
    [record] = reads(empty_db_url, "FHIR record exported")
    assert (record.username, record.entity) == (CLERK, "patients")
    signed = [e.username for e in entries(empty_db_url, "sign_in")]
    assert signed == [CLERK, CLERK]


def test_a_disabled_account_or_a_reset_password_cannot_use_the_command_line(url: str) -> None:
    db = open_database(url)
    try:
        with db.write(SYSTEM) as session:
            session.execute(update(User).values(must_change_password=True))
    finally:
        db.dispose()
    reset = run("overdue", "--db", url)
    one_line_exit_2(reset, "survtrack: sign-in: an administrator reset this password")
    db = open_database(url)
    try:
        with db.write(SYSTEM) as session:
            session.execute(update(User).values(must_change_password=False, active=False))
    finally:
        db.dispose()
    one_line_exit_2(run("overdue", "--db", url), "survtrack: sign-in:")


def test_demo_flag_never_opens_another_database(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.db"
    result = run("--db", f"sqlite:///{clinic}", "--demo")
    one_line_exit_2(result, "survtrack: --demo: opens only the demo database")
    assert not clinic.exists()
    with_command = run("--demo", "overdue")
    one_line_exit_2(with_command, "survtrack: --demo: opens the window")


def test_demo_into_a_named_database_needs_an_administrator(url: str, tmp_path: Path) -> None:
    add_clerk(url, role="scheduler", name="sched")
    refused = run("demo", "--patients", "2", "--db", url, "--user", "sched")
    one_line_exit_2(refused, "survtrack: user: only an administrator")
    added = run("demo", "--patients", "2", "--no-events", "--db", url)
    assert added.returncode == 0, added.stderr
    assert [e.username for e in entries(url, "demo")] == ["demo", CLERK]
