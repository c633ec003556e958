"""The audit trail: every insert, update and delete of clinical data is recorded by the same flush.

A ``before_flush`` listener turns the session's new, changed and deleted objects into
``AuditEntry`` rows (who, when, what, old and new values). Because the rows are added to the same
session they commit or roll back with the change they describe. A write session without an actor
is refused, so no change goes unattributed.

Times: on PostgreSQL the server's clock (``clock_timestamp()``), so that every workstation's
entries share one clock; on SQLite the local clock (there is no server).

On SQLite each row also carries ``row_hash``, sha256 over the previous row's hash and the row's
own content: a row changed or removed behind the app's back (the append-only triggers dropped by
hand) breaks the chain, and ``verify_chain`` names the first row that no longer fits. On
PostgreSQL the app's database role cannot update, delete or truncate the table instead
(``survtrack db grant-app-role``), and concurrent writers would interleave a chain anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, event, func, insert, inspect, select
from sqlalchemy.orm import Mapper, Session, object_session

from survtrack.store.models import AuditEntry

#: Columns never copied into the audit trail.
_SKIPPED = frozenset(
    {
        "password_hash",
        "version",
        "search_key",
        "calendar_key",
        # sign-in bookkeeping: the sign-in and failure entries already record it
        "failed_sign_ins",
        "locked_until",
    }
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a write is attributed to. With a ``user_id``, every write first re-reads the account:
    a disabled account, or one whose role is no longer ``role``, cannot write."""

    user_id: int | None
    username: str
    role: str | None = None


SYSTEM = Actor(None, "system")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: int | None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add a named audit entry (sign-in, demo data, bulk action) to the current transaction."""
    actor: Actor = session.info.get("actor", SYSTEM)
    session.add(
        AuditEntry(
            at=_now(session.connection()),
            user_id=actor.user_id,
            username=actor.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes=json.dumps(changes or {}, default=str, sort_keys=True),
        )
    )


def record_inserts(session: Session, entity: str, rows: list[tuple[int, dict[str, Any]]]) -> None:
    """Audit rows inserted in bulk (Core, past the flush listener), as the listener records an
    ORM insert: one ``insert`` entry per row with its non-null columns as ``[None, value]``."""
    if not rows:
        return
    actor: Actor = session.info.get("actor", SYSTEM)
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    at = datetime.now(UTC)
    entries = [
        {
            **({"at": at} if sqlite else {}),
            "user_id": actor.user_id,
            "username": actor.username,
            "action": "insert",
            "entity": entity,
            "entity_id": row_id,
            "changes": json.dumps(
                {
                    key: [None, _plain(value)]
                    for key, value in values.items()
                    if value is not None and key not in _SKIPPED and key != "id"
                },
                default=str,
                sort_keys=True,
            ),
        }
        for row_id, values in rows
    ]
    statement = insert(AuditEntry.__table__)
    if sqlite:
        previous = _last_hash(session, connection)
        for entry in entries:
            previous = entry["row_hash"] = chain_hash(previous, entry)
        session.info[_TAIL] = previous
    else:
        statement = statement.values(at=func.clock_timestamp())  # the server's clock
    connection.execute(statement, entries)
    if sqlite:
        session.info.pop(_TAIL, None)  # written: the next row reads the table again


_TAIL = "audit_chain_tail"
#: the columns a row's hash covers, in this order, after the previous row's hash
HASHED = ("at", "user_id", "username", "action", "entity", "entity_id", "changes")


def _now(connection: Connection) -> Any:
    if connection.dialect.name == "sqlite":
        return datetime.now(UTC)
    return func.clock_timestamp()


def _time_text(value: Any) -> str:
    """The time as SQLite stores and returns it (UTC, no zone, microseconds)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value.isoformat(sep=" ", timespec="microseconds"))


def chain_hash(previous: str | None, row: Any) -> str:
    """sha256 (hex) over the previous row's hash and this row's content (a mapping or object)."""
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    content = [previous or ""]
    content += [_time_text(get("at")) if key == "at" else get(key) for key in HASHED]
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _last_hash(session: Session, connection: Connection) -> str | None:
    if _TAIL in session.info:
        return str(session.info[_TAIL])
    table = AuditEntry.__table__
    return connection.execute(
        select(table.c.row_hash).order_by(table.c.id.desc()).limit(1)
    ).scalar_one_or_none()


def _before_insert(_mapper: Mapper[Any], connection: Connection, target: AuditEntry) -> None:
    # every row of a flush passes here, in insert order, before any of them is written
    if connection.dialect.name != "sqlite":
        return
    session = object_session(target)
    assert session is not None
    target.row_hash = chain_hash(_last_hash(session, connection), target)
    session.info[_TAIL] = target.row_hash


def _forget_tail(session: Session, *_args: Any) -> None:
    session.info.pop(_TAIL, None)


def verify_chain(rows: Iterable[Any]) -> tuple[int, int | None]:
    """(rows checked, id of the first row whose hash does not follow, or None when all do)."""
    previous: str | None = None
    count = 0
    for row in rows:
        count += 1
        if row.row_hash != chain_hash(previous, row):
            return count, int(row.id)
        previous = row.row_hash
    return count, None


def verify_database(engine: Engine) -> tuple[int, int | None]:
    """``verify_chain`` over a SQLite database's audit log, read in id order."""
    table = AuditEntry.__table__
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=2000).execute(select(table).order_by(table.c.id))
        return verify_chain(result)


def _changes(obj: Any, mode: str) -> dict[str, Any]:
    state = inspect(obj)
    result: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIPPED or key == "id":
            continue
        history = state.attrs[key].history
        if mode == "insert":
            value = getattr(obj, key)
            if value is not None:
                result[key] = [None, _plain(value)]
        elif mode == "delete":
            value = getattr(obj, key)
            if value is not None:
                result[key] = [_plain(value), None]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                result[key] = [_plain(old), _plain(new)]
    return result


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    pending: list[tuple[str, Any]] = []
    pending += [("insert", obj) for obj in session.new if not isinstance(obj, AuditEntry)]
    pending += [("update", obj) for obj in session.dirty if session.is_modified(obj)]
    pending += [("delete", obj) for obj in session.deleted]
    if not pending:
        return
    if "actor" not in session.info:
        raise RuntimeError("a change was flushed outside Database.write(): no actor to audit")
    if any(isinstance(obj, AuditEntry) for _, obj in pending if _ != "insert"):
        raise RuntimeError("the audit log is append-only")
    session.info.setdefault("audit_pending", []).extend(
        (mode, obj, _changes(obj, mode)) for mode, obj in pending
    )


def _after_flush_postexec(session: Session, _context: Any) -> None:
    # Ids of new rows exist only after the flush; the entries go out with the next flush,
    # which the commit always performs, so they stay inside the same transaction.
    pending = session.info.pop("audit_pending", [])
    for mode, obj, changes in pending:
        if changes or mode != "update":
            record(session, mode, obj.__tablename__, getattr(obj, "id", None), changes)


_installed = False


def install_audit() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush_postexec", _after_flush_postexec)
        event.listen(AuditEntry, "before_insert", _before_insert)
        event.listen(Session, "after_flush", _forget_tail)
        event.listen(Session, "after_soft_rollback", _forget_tail)
        _installed = True
