"""Engine and session setup: SQLite pragmas that keep committed data, and units of work.

SQLite: foreign keys on, WAL, ``synchronous=FULL``, a busy timeout so a second workstation waits
instead of failing, and ``BEGIN IMMEDIATE`` for write units so two writers never deadlock on a lock
upgrade. pysqlite's own transaction handling is switched off (``isolation_level = None``) so that
SQLAlchemy's ``begin`` event is where a transaction really starts.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from survtrack.store.audit import Actor, install_audit
from survtrack.store.limits import install_limits
from survtrack.store.models import User

BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "survtrack_read_only"
_READ_ONLY = READ_ONLY

#: PostgreSQL: how long a statement waits for a row lock, and how long any statement may run,
#: before the server gives up (the user is told in words: services.errors.user_message).
PG_LOCK_TIMEOUT = "5s"
PG_STATEMENT_TIMEOUT = "30s"
PG_CONNECT_TIMEOUT_S = 10
ALLOW_PLAINTEXT_VARIABLE = "SURVTRACK_PG_ALLOW_PLAINTEXT"
_SAFE_SSLMODES = ("require", "verify-ca", "verify-full")


class PlaintextRefused(ValueError):
    """A PostgreSQL server on another machine would be reached without TLS."""


def _is_local_host(host: str) -> bool:
    """A Unix socket (a path, or no host at all) or a loopback address: traffic never leaves
    the machine, so TLS is not required."""
    host = host.strip().strip("[]")
    if not host or host.startswith("/") or host.startswith("@"):
        return True
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _pg_hosts(url: URL) -> list[str]:
    hosts: list[str] = []
    for value in (url.host, url.query.get("host"), url.query.get("hostaddr")):
        for item in value if isinstance(value, tuple) else [value]:
            if item:
                hosts.extend(
                    part.split(":")[0] if part.count(":") == 1 else part
                    for part in str(item).split(",")
                )
    return hosts


def pg_tls_settings(url: URL, allow_plaintext: bool | None = None) -> dict[str, str]:
    """The connection arguments that make a PostgreSQL connection encrypted when the server is
    on another machine: ``sslmode=require`` unless the URL asks for stricter. A URL that asks for
    less is refused (``PlaintextRefused``) unless ``SURVTRACK_PG_ALLOW_PLAINTEXT=1``."""
    if allow_plaintext is None:
        allow_plaintext = os.environ.get(ALLOW_PLAINTEXT_VARIABLE, "").strip() == "1"
    hosts = _pg_hosts(url)
    if allow_plaintext or all(_is_local_host(host) for host in hosts) or not hosts:
        return {}
    asked = url.query.get("sslmode")
    mode = asked if isinstance(asked, str) else None
    if mode is None:
        return {"sslmode": "require"}
    if mode in _SAFE_SSLMODES:
        return {}
    raise PlaintextRefused(
        f"The database server {', '.join(hosts)} is on another machine and the connection asks "
        f"for sslmode={mode}, which can send patient data unencrypted. Use sslmode=require (or "
        f"verify-full), or set {ALLOW_PLAINTEXT_VARIABLE}=1 if the network is protected otherwise."
    )


def _pg_connect_args(url: URL, allow_plaintext: bool | None) -> dict[str, Any]:
    args: dict[str, Any] = dict(pg_tls_settings(url, allow_plaintext))
    args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    if url.get_driver_name() in ("psycopg", "psycopg2") and "options" not in url.query:
        args["options"] = (
            f"-c lock_timeout={PG_LOCK_TIMEOUT} -c statement_timeout={PG_STATEMENT_TIMEOUT}"
        )
    return args


def _pg_connect(dbapi_connection: Any, _record: Any) -> None:
    """Timeouts on every connection, also when the URL carries its own ``options``."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET lock_timeout = '{PG_LOCK_TIMEOUT}'")
    cursor.execute(f"SET statement_timeout = '{PG_STATEMENT_TIMEOUT}'")
    cursor.close()
    dbapi_connection.autocommit = autocommit


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, allow_plaintext: bool | None = None) -> Engine:
    """An engine for any SQLAlchemy URL, with the SQLite settings above where it is SQLite.

    PostgreSQL: TLS required to a server on another machine (``pg_tls_settings``), lock and
    statement timeouts and a connection timeout on every connection.
    ``hide_parameters``: error messages never carry the bound values (names, MRNs, dates).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(
            url,
            pool_pre_ping=True,
            hide_parameters=True,
            connect_args=_pg_connect_args(parsed, allow_plaintext),
        )
        if "options" in parsed.query:
            event.listen(engine, "connect", _pg_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


class AccountChanged(PermissionError):
    """The signed-in account was disabled, removed or given another role since it signed in."""


def check_account(session: Session, actor: Actor) -> None:
    """Re-read the actor's account where every write begins (roles are never trusted from the
    sign-in alone): a disabled or demoted user's open session cannot write."""
    row = session.execute(
        select(User.active, User.role).where(User.id == actor.user_id)
    ).one_or_none()
    if row is None or not row.active:
        raise AccountChanged(
            f"the account {actor.username!r} has been disabled by an administrator: "
            "nothing was saved"
        )
    if actor.role is not None and row.role != actor.role:
        raise AccountChanged(
            f"the account {actor.username!r} is now a {row.role} account, no longer a "
            f"{actor.role}: nothing was saved; sign out and sign in again"
        )


class Database:
    """The engine and the two kinds of unit of work the services use."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = sessionmaker(engine, expire_on_commit=False)
        # A read unit of several statements must see one snapshot: SQLite's deferred BEGIN
        # gives that; PostgreSQL needs REPEATABLE READ (READ COMMITTED snapshots per statement).
        isolation = (
            {} if engine.dialect.name == "sqlite" else {"isolation_level": "REPEATABLE READ"}
        )
        self._reader = sessionmaker(
            engine.execution_options(**{_READ_ONLY: True}, **isolation), expire_on_commit=False
        )

    @classmethod
    def open(cls, url: str) -> Database:
        return cls(make_engine(url))

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def write(self, actor: Actor) -> Iterator[Session]:
        """One transaction: committed at the end, rolled back whole on any error.

        Every change made in it is audited in the same transaction, attributed to ``actor``.
        """
        with self._writer() as session, session.begin():
            if actor.user_id is not None:
                check_account(session, actor)
            session.info["actor"] = actor
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read unit of work: one snapshot (deferred BEGIN on SQLite, REPEATABLE READ on PG).

        Closing ends the transaction without expiring what was loaded, so the plain values read
        here stay usable after the block.
        """
        with self._reader() as session:
            yield session

    def optimize(self, thorough: bool = False) -> None:
        """Refresh the query planner's statistics: all of them (``thorough``, after bulk loads)
        or where SQLite judges them stale (``PRAGMA optimize``, at close).

        Without them SQLite may pick a worse index for the worklists on a freshly filled file.
        (``analysis_limit`` would make the close cheaper but its sampled statistics put 4 rows
        per day where there are 280, enough to change plans: not used.)
        """
        with self.engine.connect() as conn:
            if thorough or not self.is_sqlite:
                conn.exec_driver_sql("ANALYZE")
            else:
                conn.exec_driver_sql("PRAGMA optimize")
            conn.commit()

    def dispose(self, optimize: bool = True) -> None:
        """Close every connection; on SQLite first refresh stale statistics unless told not to
        (a one-shot read such as a CLI export has nothing to gain from a re-analysis)."""
        if self.is_sqlite and optimize:
            # statistics are a nicety: closing must not fail because of them
            with suppress(Exception):
                self.optimize()
        self.engine.dispose()


install_audit()
install_limits()
