"""Histology matched as whole words, and the histology catalogue (data with a citation)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survtrack.domain.errors import BadInput
from survtrack.domain.histology import (
    histology_catalogue,
    histology_without_protocol,
    is_desmoid,
    parse_histology_catalogue,
)
from survtrack.domain.risk import require_default_protocol
from survtrack.domain.words import has_phrase, words


@pytest.mark.parametrize(
    ("histology", "desmoid", "no_protocol"),
    [
        # the examples: substrings are not words
        ("leiomyosarcoma, reviewed by sarcoma pathologist", False, None),
        ("kaposiform hemangioendothelioma", False, None),
        ("Kaposiform haemangioendothelioma (9130/1)", False, None),
        ("plantar fibromatosis", False, None),
        ("Palmar fibromatosis", False, None),
        ("superficial fibromatosis", False, None),
        ("fibromatosis", False, None),
        ("desmoidal change", False, None),
        ("logistic", False, None),
        # desmoid by the word or by the phrase
        ("Desmoid-type FIBROMATOSIS", True, None),
        ("desmoid tumour", True, None),
        ("Aggressive fibromatosis of the abdominal wall", True, None),
        ("deep fibromatosis", True, None),
        ("DEEP   fibromatosis", True, None),
        ("deep-fibromatosis", True, None),
        # no default protocol
        ("GIST", False, "GIST"),
        ("gist, high risk", False, "GIST"),
        ("Gastrointestinal stromal tumour", False, "GIST"),
        ("gastrointestinal-stromal tumor", False, "GIST"),
        ("Kaposi sarcoma", False, "Kaposi sarcoma"),
        ("Kaposi's sarcoma", False, "Kaposi sarcoma"),
        ("KAPOSI SARCOMA, classic type", False, "Kaposi sarcoma"),
        ("Kaposi", False, None),
        ("undifferentiated pleomorphic sarcoma", False, None),
        (None, False, None),
        ("", False, None),
    ],
)
def test_histology_words(histology: str | None, desmoid: bool, no_protocol: str | None) -> None:
    assert is_desmoid(histology) is desmoid
    assert histology_without_protocol(histology) == no_protocol


def test_refusal_names_the_field_and_the_histology() -> None:
    with pytest.raises(BadInput) as info:
        require_default_protocol("Kaposi's sarcoma", "tumour.histology")
    assert info.value.field == "tumour.histology"
    assert "Kaposi sarcoma has no default surveillance protocol" in info.value.reason
    require_default_protocol("leiomyosarcoma, reviewed by sarcoma pathologist", "x")


WORDISH = st.text(alphabet="abcdefgimnopst", min_size=1, max_size=8)


@given(left=WORDISH, right=WORDISH, sep=st.sampled_from([" ", ", ", "-", "/", " (", "'"]))
def test_a_word_glued_to_gist_is_not_gist(left: str, right: str, sep: str) -> None:
    """ "gist" inside a longer word never refuses; "gist" as its own word always does."""
    glued = f"{left}gist{right}"
    if glued.casefold() in {"gist"}:
        return
    text_words = words(f"{glued}{sep}sarcoma")
    assert ("gist" in text_words) is (glued == "gist")
    assert histology_without_protocol(f"{left}{sep}gist{sep}{right}") == "GIST"


def test_words_and_phrases() -> None:
    assert words("Kaposi's sarcoma") == ("kaposi", "s", "sarcoma")
    assert words("Desmoid-type  FIBROMATOSIS") == ("desmoid", "type", "fibromatosis")
    assert words("spindle_cell") == ("spindle", "cell")
    assert has_phrase(words("an aggressive fibromatosis"), ("aggressive", "fibromatosis"))
    assert not has_phrase(
        words("aggressive, recurrent fibromatosis"), ("aggressive", "fibromatosis")
    )
    assert not has_phrase(words("anything"), ())


def test_catalogue_is_data_with_a_citation_and_codes() -> None:
    catalogue = histology_catalogue()
    assert "WHO" in catalogue.source and "ICD-O" in catalogue.source
    assert len(catalogue.entries) >= 50
    for entry in catalogue.entries:
        assert entry.code[:4].isdigit() and entry.code[4] == "/" and entry.code[5] in "0123"
    names = [e.name for e in catalogue.entries]
    assert len(names) == len(set(names))


def test_catalogue_entries_agree_with_the_word_rules() -> None:
    catalogue = histology_catalogue()
    by_name = {e.name: e for e in catalogue.entries}
    assert is_desmoid(by_name["Desmoid-type fibromatosis"].name)
    assert not is_desmoid(by_name["Palmar/plantar fibromatosis"].name)
    assert histology_without_protocol(by_name["Gastrointestinal stromal tumour"].name) == "GIST"
    assert histology_without_protocol(by_name["Kaposi sarcoma"].name) == "Kaposi sarcoma"
    assert histology_without_protocol(by_name["Kaposiform haemangioendothelioma"].name) is None
    for synonym in by_name["Desmoid-type fibromatosis"].synonyms:
        assert is_desmoid(synonym)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("leio", "Leiomyosarcoma"),
        ("LEIOMYO", "Leiomyosarcoma"),
        ("myxoid lipo", "Myxoid liposarcoma"),
        ("lipo myx", "Myxoid liposarcoma"),
        ("MFH", "Undifferentiated pleomorphic sarcoma"),
        ("malignant fibrous hist", "Undifferentiated pleomorphic sarcoma"),
        ("aggressive fib", "Desmoid-type fibromatosis"),
        ("8890", "Leiomyosarcoma"),
        ("MPNST", "Malignant peripheral nerve sheath tumour"),
    ],
)
def test_search_as_you_type(query: str, first: str) -> None:
    found = histology_catalogue().search(query)
    assert found and found[0].name == first


def test_search_ranks_name_starts_first_and_limits() -> None:
    catalogue = histology_catalogue()
    found = catalogue.search("sarcoma", limit=5)
    assert len(found) == 5
    assert catalogue.search("zzzz") == []
    assert len(catalogue.search("")) == 20
    lipo = [e.name for e in catalogue.search("liposarcoma")]
    assert lipo[0] == "Liposarcoma, NOS"  # the name starts with what was typed
    assert "Myxoid liposarcoma" in lipo


def test_by_name_finds_names_displays_and_synonyms() -> None:
    catalogue = histology_catalogue()
    entry = catalogue.by_name("leiomyosarcoma (8890/3)")
    assert entry is not None and entry.name == "Leiomyosarcoma"
    assert catalogue.by_name(" ups ") is not None
    assert catalogue.by_name("leiomyosarcoma of the thigh") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[entries]]\nname = "A"\ncode = "1/3"\n', "source"),
        ('[catalogue]\nsource = "s"\n', "no \\[\\[entries"),
        ('[catalogue]\nsource = "s"\n[[entries]]\nname = "A"\n', "entry 'A': field 'code'"),
        (
            '[catalogue]\nsource = "s"\n[[entries]]\nname = "A"\ncode = "1"\nsynonyms = "x"\n',
            "synonyms",
        ),
        ('[catalogue]\nsource = "s"\n[handling.x]\nlabel = "X"\n', "handling 'x' needs phrases"),
    ],
)
def test_broken_catalogue_is_refused_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_histology_catalogue(text)
