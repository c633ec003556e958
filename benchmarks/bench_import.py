"""Patient import of a 10,000-row CSV extract into an empty SQLite database.

Target (issue 16): 10,000 rows imported in under 10 s on SQLite. Times `survtrack import FILE`
as a user runs it (a fresh process: start-up, schema creation, preview, one audited transaction)
and the same import in-process (preview, then write), and a minimal sqlite3 program inserting the
same rows into a one-table file with the same durability settings (WAL, synchronous=FULL) as the
floor, with the ratio against it.

    python benchmarks/bench_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from survtrack.services.auth import create_user
from survtrack.services.database import open_database
from survtrack.services.patient_import import apply_import, preview_import
from survtrack.store.audit import Actor

TARGET_S = 10.0
TODAY = date(2026, 11, 23)
BENCH_PASSWORD = "benchmark passphrase"  # a throwaway database
SEXES = ("female", "male", "other", "unknown")


def write_extract(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["mrn", "family_name", "given_name", "birth_date", "sex", "phone", "language"])
        for n in range(rows):
            birth = date(1930, 1, 1) + timedelta(days=(n * 7919) % 25_000)
            out.writerow(
                [
                    f"H{n:07d}",
                    f"Family{n % 997}",
                    f"Given{n % 389}",
                    birth.isoformat(),
                    SEXES[n % 4],
                    f"555-{n:07d}",
                    "en",
                ]
            )


def minimal_program(extract: Path, target: Path) -> float:
    """Read the CSV and insert its rows with nothing but sqlite3: the floor."""
    began = time.perf_counter()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE patients (id INTEGER PRIMARY KEY, mrn TEXT UNIQUE, family_name TEXT,"
        " given_name TEXT, birth_date TEXT, sex TEXT, phone TEXT, language TEXT)"
    )
    with extract.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = list(reader)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO patients (mrn, family_name, given_name, birth_date, sex, phone, language)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="survtrack-bench-import-") as folder:
        work = Path(folder)
        extract = work / "extract.csv"
        write_extract(extract, args.rows)

        url = f"sqlite:///{work / 'cli.db'}"
        database = open_database(url)  # schema first: the timing is the import's own
        create_user(database, "bench", "Benchmark", "administrator", BENCH_PASSWORD, None)
        database.dispose()
        began = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "survtrack", "--db", url, "import", str(extract)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "SURVTRACK_USER": "bench", "SURVTRACK_PASSWORD": BENCH_PASSWORD},
        )
        cli = time.perf_counter() - began
        outcome = result.stdout.strip()
        print(f"CLI `survtrack import` of {args.rows:,} rows: {cli:.2f} s ({outcome})")

        db = open_database(f"sqlite:///{work / 'lib.db'}")
        try:
            began = time.perf_counter()
            preview = preview_import(db, extract, TODAY)
            previewed = time.perf_counter() - began
            apply_import(db, Actor(None, "bench"), preview)
            total = time.perf_counter() - began
            began = time.perf_counter()
            again = preview_import(db, extract, TODAY)
            repeat = time.perf_counter() - began
        finally:
            db.dispose()
        print(f"in-process: preview {previewed:.2f} s, preview + write {total:.2f} s")
        print(f"re-import preview: {repeat:.2f} s ({again.summary()})")
        floor = minimal_program(extract, work / "floor.db")
        print(f"minimal sqlite3 program (read CSV, insert rows): {floor:.3f} s")
        print(f"ratio in-process / minimal: {total / floor:.1f}x")
        verdict = "OK" if cli < TARGET_S else "SLOWER THAN TARGET"
        print(f"target: under {TARGET_S:.0f} s for {args.rows:,} rows: {verdict}")


if __name__ == "__main__":
    main()
