"""Errors the services raise besides ``BadInput``, and the one place that turns any error a
database can raise into a sentence a user understands.

``user_message(exc)`` is what every dialog shows: conflicts, duplicates, values too long, a locked
database, a full disk, an unreachable server, timeouts. It never repeats a driver's text (which
can hold SQL, parameters or patient data); an error it does not know becomes a plain "nothing was
saved" sentence, and ``error_kind(exc)`` is ``None`` for it so tests can count raw errors.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm.exc import StaleDataError

from survtrack.domain.errors import BadInput


class ConflictError(Exception):
    """The row was changed at another workstation since it was read; nothing was written."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} was changed at another workstation since you opened it. Nothing was saved; "
            "the screen shows the current version."
        )


def check_version(what: str, current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise ConflictError(what)


NOTHING_SAVED = "Nothing was saved."
MESSAGES = {
    "conflict": "Someone changed this record at another workstation while you were working on "
    "it. Nothing was saved; open it again to see the current version.",
    "duplicate": "This is already recorded (a record with the same details exists). "
    "Nothing was saved.",
    "not_allowed": "A value is missing, refers to a record that no longer exists, or is not "
    "allowed. Nothing was saved; open the record again and check what was typed.",
    "too_long": "A value is too long for the database. Nothing was saved; shorten the text "
    "and try again.",
    "locked": "The database is busy with another workstation's change. Nothing was saved; "
    "try again in a moment.",
    "timeout": "The database took too long to answer. Nothing was saved; try again, and tell "
    "the clinic's IT if it keeps happening.",
    "disk_full": "The disk holding the database is full. Nothing was saved; free some space "
    "(or tell the clinic's IT) and try again.",
    "unreachable": "The database server cannot be reached. Nothing was saved; check the "
    "network connection and try again.",
    "read_only": "The database cannot be written (read-only file or account). Nothing was "
    "saved; tell the clinic's IT.",
    "file": "The file could not be written. Nothing was saved; choose another folder or check "
    "that there is space on the disk.",
}
UNKNOWN = (
    "The change could not be completed because of an unexpected error. Nothing was saved; "
    "the details are in the log."
)

# PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG_CODES = {
    "40001": "conflict",  # serialization_failure
    "40P01": "conflict",  # deadlock_detected
    "23505": "duplicate",  # unique_violation
    "22001": "too_long",  # string_data_right_truncation
    "55P03": "locked",  # lock_not_available (lock_timeout)
    "57014": "timeout",  # query_canceled (statement_timeout)
    "53100": "disk_full",  # disk_full
    "25006": "read_only",  # read_only_sql_transaction
    "57P01": "unreachable",  # admin_shutdown
    "08000": "unreachable",
    "08003": "unreachable",
    "08006": "unreachable",
    "08001": "unreachable",
    "08004": "unreachable",
}
_SQLITE_FULL = 13
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_CONSTRAINT_UNIQUE = 2067
_SQLITE_CONSTRAINT_PRIMARYKEY = 1555


def _sqlstate(orig: BaseException | None) -> str | None:
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code if isinstance(code, str) else None


def _from_driver(orig: BaseException | None, wrapper: BaseException) -> str | None:
    code = _sqlstate(orig)
    if code is not None:
        if code in _PG_CODES:
            return _PG_CODES[code]
        if code.startswith("08"):
            return "unreachable"
        if code.startswith("23"):  # not null, foreign key, check
            return "not_allowed"
    if isinstance(orig, sqlite3.Error):
        number = getattr(orig, "sqlite_errorcode", None)
        text = str(orig).lower()
        if number == _SQLITE_FULL or "disk is full" in text:
            return "disk_full"
        if number in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
            return "locked"
        if number == _SQLITE_READONLY or "readonly database" in text:
            return "read_only"
        if number in (_SQLITE_CONSTRAINT_UNIQUE, _SQLITE_CONSTRAINT_PRIMARYKEY) or (
            "unique constraint failed" in text
        ):
            return "duplicate"
        if isinstance(orig, sqlite3.IntegrityError):
            return "not_allowed"
    if isinstance(orig, OSError):
        return _from_os_error(orig)
    if isinstance(wrapper, sa_exc.DBAPIError) and wrapper.connection_invalidated:
        return "unreachable"
    if isinstance(wrapper, sa_exc.DataError):
        text = str(orig).lower()
        if "too long" in text or "truncat" in text:
            return "too_long"
    if isinstance(wrapper, sa_exc.OperationalError) and orig is not None:
        text = str(orig).lower()
        if any(
            word in text
            for word in (
                "could not connect",
                "connection refused",
                "server closed the connection",
                "connection timed out",
                "connection is closed",
                "terminating connection",
                "no route to host",
                "could not translate host name",
                "failed to resolve host",
            )
        ):
            return "unreachable"
        if "lock timeout" in text:
            return "locked"
        if "statement timeout" in text:
            return "timeout"
    return None


def _from_os_error(exc: OSError) -> str | None:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "disk_full"
    if exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT):
        return "unreachable"
    return "file"


def error_kind(exc: BaseException) -> str | None:
    """What kind of failure ``exc`` is (a key of ``MESSAGES``, or "input", "permission",
    "conflict"), or ``None`` for an error nobody has put words to."""
    if isinstance(exc, BadInput):
        return "input"
    if isinstance(exc, ConflictError | StaleDataError):
        return "conflict"
    if isinstance(exc, PermissionError) and exc.errno is None:  # a role's refusal, not a file's
        return "permission"
    if isinstance(exc, sa_exc.DBAPIError):
        return _from_driver(exc.orig, exc)
    if isinstance(exc, sqlite3.Error):
        return _from_driver(exc, exc)
    if isinstance(exc, OSError):
        return _from_os_error(exc)
    if isinstance(exc, sa_exc.TimeoutError):  # the connection pool had nothing free
        return "timeout"
    if isinstance(exc, sa_exc.DisconnectionError):
        return "unreachable"
    return None


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return NOTHING_SAVED
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def user_message(exc: BaseException) -> str:
    """One plain sentence (or two) for ``exc``: what happened and that nothing was saved.

    ``BadInput``, ``ConflictError`` and ``PermissionError`` carry their own words (written for
    users by the services); everything else is classified, never quoted.
    """
    if isinstance(exc, BadInput):
        return _sentence(f"{exc.field[:1].upper()}{exc.field[1:]}: {exc.reason}")
    if isinstance(exc, ConflictError) or (isinstance(exc, PermissionError) and exc.errno is None):
        return _sentence(str(exc))
    kind = error_kind(exc)
    if kind is None or kind not in MESSAGES:
        return UNKNOWN
    return MESSAGES[kind]
