"""Alembic environment: batch mode on SQLite, foreign keys off during a migration and checked after.

SQLite rebuilds a table for most ALTERs (``render_as_batch``). With foreign keys on, dropping the
old copy of a parent table with ``ON DELETE CASCADE`` children would silently delete the children,
so migrations run with ``PRAGMA foreign_keys=OFF`` and a ``PRAGMA foreign_key_check`` must come back
empty before the transaction commits.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from survtrack.store.engine import make_engine
from survtrack.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    given = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    return given or os.environ.get("SURVTRACK_DB") or ""


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        transaction_per_migration=False,
    )
    if sqlite:
        # A PRAGMA inside a transaction is silently ignored: set it on the driver connection
        # before Alembic begins (our ``begin`` listener then issues BEGIN IMMEDIATE).
        if connection.in_transaction():
            connection.commit()
        _driver_execute(connection, "PRAGMA foreign_keys = OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        if connection.in_transaction():
            connection.commit()
    except BaseException:
        if connection.in_transaction():
            connection.rollback()
        raise
    finally:
        if sqlite:
            _driver_execute(connection, "PRAGMA foreign_keys = ON")


def _driver_execute(connection: Connection, sql: str) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(sql)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
