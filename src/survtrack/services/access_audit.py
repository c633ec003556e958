"""Audit of reads and exports of patient data by the command line (the window's own reads are
audited where it opens a record): who printed a summary, exported a worklist or a record.

``audited`` records the entry in a write transaction and runs the export inside it, so an export
that fails leaves no entry, and an entry that cannot be written leaves no new file behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from survtrack.store.audit import Actor, record
from survtrack.store.engine import Database


@contextmanager
def audited(
    db: Database,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None = None,
    details: dict[str, Any] | None = None,
    output: Path | None = None,
) -> Iterator[None]:
    """Record ``action`` (e.g. ``export_overdue``, ``print_summary``) for the block inside it.

    ``output``: a file the block writes, removed again when the entry could not be committed
    (unless it was there before the block began).
    """
    existed = output is not None and output.exists()
    try:
        with db.write(actor) as session:
            record(session, action, entity, entity_id, details)
            session.flush()
            yield
    except BaseException:
        if output is not None and not existed:
            output.unlink(missing_ok=True)
        raise
