"""The clinic's settings file (clinic.toml in the test data folder) for the duration of a test."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pypdf import PdfReader

from survtrack.services.locations import data_dir

CLINIC = {
    "name": "Northside Follow-up Clinic",
    "address": "1 Harbour Road, Springfield",
    "phone": "555-0100",
    "time_zone": "America/New_York",
    "locale": "en_US",
}


@contextmanager
def clinic_toml(**values: str | None) -> Iterator[Path]:
    """clinic.toml with ``CLINIC`` changed by ``values`` (None drops a key); removed afterwards."""
    settings = {k: v for k, v in {**CLINIC, **values}.items() if v is not None}
    path = data_dir() / "clinic.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f'{k} = "{v}"\n' for k, v in settings.items()), encoding="utf-8")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def fold(text: str) -> str:
    """White space folded and ligatures (ﬁ, ﬀ) spelt out."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def pdf_pages(path: Path) -> list[str]:
    return [fold(page.extract_text()) for page in PdfReader(path).pages]


def pdf_text(path: Path) -> str:
    return " ".join(pdf_pages(path))
