"""`survtrack demo` build time, against a minimal sqlite3 program writing the same rows.

Target (issue 11): `survtrack demo --patients 100000` in under 180 s. The floor is measured in
the same run: the rows the demo wrote are copied, table by table, into an empty file with the
same schema (indexes and triggers included) by plain ``executemany`` in one transaction, with
the same page cache. Only the inserts are timed. The ratio says what generating the patients,
planning their calendars and simulating the clinic's past cost on top of writing the rows.

    python benchmarks/bench_demo.py [--patients N] [--seed S]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 23)
DEMO_TARGET_S = 180.0
CHUNK = 50_000


def floor_seconds(source: Path, target: Path, cache_kib: int) -> tuple[float, int]:
    """Seconds to insert every row of ``source`` into a copy of its empty schema at ``target``."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA journal_mode = WAL")  # as the app opens its files
    dst.execute("PRAGMA synchronous = FULL")
    dst.execute("PRAGMA foreign_keys = ON")
    dst.execute(f"PRAGMA cache_size = -{cache_kib}")
    schema = src.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END"
    ).fetchall()
    for _, _, sql in schema:
        dst.execute(sql)
    tables = [name for kind, name, _ in schema if kind == "table" and name != "alembic_version"]
    elapsed, rows = 0.0, 0
    dst.execute("BEGIN")
    for table in tables:
        columns = [c[1] for c in src.execute(f'PRAGMA table_info("{table}")')]
        quoted = ", ".join(f'"{c}"' for c in columns)
        insert = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" for _ in columns)})'
        if table == "last_completions":
            continue  # kept by the events' triggers, as in the demo
        cursor = src.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
        while batch := cursor.fetchmany(CHUNK):
            began = time.perf_counter()
            dst.executemany(insert, batch)
            elapsed += time.perf_counter() - began
            rows += len(batch)
    began = time.perf_counter()
    dst.execute("COMMIT")
    elapsed += time.perf_counter() - began
    src.close()
    dst.close()
    return elapsed, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=100)
    args = parser.parse_args()

    from survtrack.services.database import open_database
    from survtrack.services.demo import BULK_CACHE_KIB, generate_demo
    from survtrack.store.audit import Actor

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.db"
        db = open_database(f"sqlite:///{path}")
        began = time.perf_counter()
        summary = generate_demo(db, args.patients, args.seed, TODAY, Actor(None, "bench"))
        demo = time.perf_counter() - began
        db.dispose(optimize=False)
        floor, rows = floor_seconds(path, Path(folder) / "floor.db", BULK_CACHE_KIB)
    print(summary.line())
    print(
        f"demo build, {args.patients:,} patients ({rows:,} rows): {demo:.1f} s "
        f"({demo / args.patients * 1e6:.0f} us a patient); minimal sqlite3 inserting the same "
        f"rows: {floor:.1f} s; ratio {demo / floor:.2f}"
    )
    estimate = demo / args.patients * 100_000
    print(
        f"extrapolated to 100,000 patients: {estimate:.0f} s; target {DEMO_TARGET_S:.0f} s; "
        f"ratio {estimate / DEMO_TARGET_S:.2f} of target"
    )


if __name__ == "__main__":
    main()
