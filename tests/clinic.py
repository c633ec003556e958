"""The clinic's settings (in the database) for the duration of a test, and PDF text helpers."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from survtrack.services.auth import Role, SignedIn, ensure_user
from survtrack.services.clinic_settings import ClinicSettings, load_settings, save_settings
from survtrack.store.engine import Database

CLINIC = {
    "name": "Northside Follow-up Clinic",
    "address": "1 Harbour Road, Springfield",
    "phone": "555-0100",
    "time_zone": "America/New_York",
    "locale": "en_US",
}


def administrator(db: Database) -> SignedIn:
    return ensure_user(db, "clinic.admin", "Clinic Administrator", Role.ADMINISTRATOR)


@contextmanager
def clinic_settings(db: Database, **values: str | None) -> Iterator[ClinicSettings]:
    """The settings ``CLINIC`` changed by ``values`` (None: not set; ``emergency`` and
    ``emergency_<lang>`` are the sentences), saved by an administrator; put back afterwards."""
    merged = {k: v or "" for k, v in {**CLINIC, **values}.items()}
    sentences = {
        ("en" if key == "emergency" else key.removeprefix("emergency_")): merged.pop(key)
        for key in [k for k in merged if k.startswith("emergency")]
    }
    admin = administrator(db)
    before = load_settings(db)
    saved = save_settings(
        db,
        admin,
        replace(ClinicSettings(**merged), version=before.version, emergency_sentences=sentences),
    )
    try:
        yield saved
    finally:
        save_settings(db, admin, replace(before, version=load_settings(db).version))


def fold(text: str) -> str:
    """White space folded and ligatures (ﬁ, ﬀ) spelt out."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def pdf_pages(path: Path) -> list[str]:
    return [fold(page.extract_text()) for page in PdfReader(path).pages]


def pdf_text(path: Path) -> str:
    return " ".join(pdf_pages(path))
