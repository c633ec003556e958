"""The audit trail: every insert, update and delete of clinical data is recorded by the same flush.

A ``before_flush`` listener turns the session's new, changed and deleted objects into
``AuditEntry`` rows (who, when, what, old and new values). Because the rows are added to the same
session they commit or roll back with the change they describe. A write session without an actor
is refused, so no change goes unattributed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

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
            at=datetime.now(UTC),
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
    at = datetime.now(UTC)
    entries = [
        {
            "at": at,
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
    session.connection().execute(insert(AuditEntry.__table__), entries)


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
        _installed = True
