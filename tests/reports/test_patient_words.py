"""The summary words as data: every shipped language says everything English says, every kind has
its length, preparation and source, every warning sign its words and source, every CTCAE term its
plain explanation in every language."""

from __future__ import annotations

from datetime import date
from typing import Any

from survtrack.domain.events import EventKind
from survtrack.domain.late_effects import ctcae, rehab_reference
from survtrack.reports.patient_words import (
    DateWords,
    common,
    shipped_languages,
    summary_language,
    words,
)


def _keys(node: Any, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return {prefix}
    return set().union(*(_keys(v, f"{prefix}.{k}" if prefix else k) for k, v in node.items()))


def test_every_language_has_every_phrase_english_has() -> None:
    english = _keys(words("en").data)
    for language in shipped_languages():
        assert _keys(words(language).data) == english, language


def test_every_kind_has_words_length_preparation_and_a_source() -> None:
    data = common()
    for kind in EventKind:
        assert data.minutes[kind.value] > 0
        assert data.preparation_sources[kind.value]
        for language in shipped_languages():
            w = words(language)
            assert w(f"kinds.{kind.value}.name") and w(f"kinds.{kind.value}.to_book")
            assert w.get(f"kinds.{kind.value}.prepare")


def test_warning_signs_have_words_a_known_condition_and_a_source() -> None:
    for sign in common().warning_signs:
        assert sign.source and sign.when in {
            "always",
            "abdominal",
            "anthracycline",
            "amputation",
            "recent_surgery",
        }
        for language in shipped_languages():
            assert words(language)(f"signs.{sign.id}")


def test_ctcae_terms_k_levels_and_milestones_have_plain_words_in_every_language() -> None:
    terms, _ = ctcae()
    for language in shipped_languages():
        w = words(language)
        for term in terms:
            assert term.plain_in(language), (term.term, language)
        for level in rehab_reference().k_levels:
            assert w(f"k_levels.{level}")
        for programme in rehab_reference().programmes.values():
            for milestone in programme.milestones:
                assert w(f"milestones.{milestone.code}"), (milestone.code, language)


def test_preferred_language_values() -> None:
    assert summary_language(None) == "en" and summary_language("") == "en"
    for value in ("es", "ES", "es-MX", "es_AR", "Spanish", "Español", "castellano"):
        assert summary_language(value) == "es", value
    assert summary_language("English") == "en"
    assert summary_language("fr") is None and summary_language("Português") is None


def test_dates_in_words() -> None:
    english = DateWords(words("en"), "en_US")
    spanish = DateWords(words("es"), "es_ES")
    today = date(2026, 11, 23)
    assert english.day(date(2026, 12, 8)) == "Tuesday, December 8, 2026"
    assert spanish.day(date(2026, 12, 8)) == "martes, 8 de diciembre de 2026"
    assert english.around(date(2027, 1, 3), today) == "in early January 2027"
    assert english.around(date(2027, 1, 15), today) == "around mid-January 2027"
    assert english.around(date(2027, 1, 28), today) == "in late January 2027"
    assert english.around(date(2026, 10, 1), today) == "as soon as we can"
    assert spanish.around(date(2027, 1, 15), today) == "a mediados de enero de 2027"
