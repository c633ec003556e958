"""Bringing a database to the schema this version of the app expects, or refusing it.

``ensure_schema`` creates or upgrades: at every start on SQLite, and on PostgreSQL only through
``survtrack db upgrade`` run by the owner (a workstation there calls ``check_current``, which
refuses a database behind this build with ``DatabaseNeedsUpgrade``). One written by a newer
SurvTrack (a revision this build does not know) is refused with ``DatabaseTooNew`` before anything
reads or writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from survtrack.store.migrations import HEAD_REVISION

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a database is not at this build's head: a start or a CLI command
# on an up-to-date database skips loading it and every migration script (about 0.8 s).
from survtrack.store.engine import READ_ONLY

#: the migration scripts, shipped next to this module (wheel, editable install, PyInstaller)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseTooNew(RuntimeError):
    """The database schema comes from a newer version of SurvTrack."""


class DatabaseNeedsUpgrade(RuntimeError):
    """A PostgreSQL database behind this version's schema: the owner runs ``survtrack db upgrade``
    (a workstation never changes the schema at its start)."""

    def __init__(self, current: str | None) -> None:
        where = f"schema {current}" if current else "no SurvTrack schema yet"
        super().__init__(
            f"The database needs `survtrack db upgrade` ({where}); the clinic's database "
            "administrator runs it once, as the database's owner."
        )
        self.current = current


def _scripts_config() -> Config:
    """Alembic's configuration naming this build's migration scripts."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def known_revision(revision: str) -> bool:
    """Whether this build knows the schema revision (an older or the current one)."""
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory.from_config(_scripts_config()).get_revision(revision)
    except Exception:  # alembic raises several kinds for an unknown id
        return False
    return True


def check_current(engine: Engine) -> None:
    """Refuse a database that is not at this build's schema, changing nothing."""
    current = current_revision(engine)
    if current is not None and not known_revision(current):
        raise DatabaseTooNew(
            f"This database was written by a newer version of SurvTrack (schema {current}). "
            "It has not been opened or changed; install the newer version to use it."
        )
    if current != head_revision(engine):
        raise DatabaseNeedsUpgrade(current)


def alembic_config(engine: Engine) -> Config:
    config = _scripts_config()
    config.attributes["url"] = engine.url.render_as_string(hide_password=False)
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    # a read: on SQLite a deferred BEGIN, so checking the schema never waits behind a writer
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def stored_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database, read without Alembic (None when empty)."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision(engine: Engine) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def ensure_schema(engine: Engine) -> None:
    if stored_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    current = current_revision(engine)
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:  # alembic raises several kinds for an unknown id
            raise DatabaseTooNew(
                f"This database was written by a newer version of SurvTrack (schema {current}). "
                "It has not been opened or changed; install the newer version to use it."
            ) from None
        if current == script.get_current_head():
            return
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # a schema change may rewrite a large table: not cut off by the workstation timeout
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()
