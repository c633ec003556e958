"""The agent catalogue: synonyms, the doxorubicin-equivalent factors and unknown agents."""

from __future__ import annotations

import pytest

from survtrack.domain.agents import agent_catalogue, parse_agent_catalogue, unknown_agent_warning


@pytest.mark.parametrize(
    "written",
    [
        "doxorubicin",
        "Doxorubicin",
        "  DOXORUBICIN  ",
        "doxorubicin hydrochloride",
        "Adriamycin",
        "liposomal doxorubicin",
        "Pegylated  Liposomal Doxorubicin",
    ],
)
def test_doxorubicin_synonyms_count_with_factor_1(written: str) -> None:
    agent = agent_catalogue().find(written)
    assert agent is not None and agent.name == "doxorubicin"
    assert agent_catalogue().anthracycline_factor([written]) == 1.0


def test_epirubicin_counts_as_doxorubicin_equivalent() -> None:
    assert agent_catalogue().anthracycline_factor(["Epirubicin", "ifosfamide"]) == 0.67


def test_non_anthracyclines_have_no_factor() -> None:
    catalogue = agent_catalogue()
    assert catalogue.anthracycline_factor(["ifosfamide", "mesna"]) is None
    assert catalogue.find("ifosfamide") is not None
    # several anthracyclines in one course: the cautious (largest) factor
    assert catalogue.anthracycline_factor(["epirubicin", "adriamycin"]) == 1.0


def test_unknown_agents_are_named_once_as_written() -> None:
    catalogue = agent_catalogue()
    assert catalogue.unknown(["doxorubicin", " Drug X ", "drug x", "ifosfamide"]) == ["Drug X"]
    warning = unknown_agent_warning("Drug X")
    assert '"Drug X"' in warning and "cardiac rule" in warning
    assert "\n" not in warning


def test_catalogue_cites_its_source() -> None:
    source = agent_catalogue().source
    assert "Children's Oncology Group" in source


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[agents]]\nname = "a"\n', "source"),
        ('[catalogue]\nsource = "s"\n', "no \\[\\[agents\\]\\]"),
        ('[catalogue]\nsource = "s"\n[[agents]]\nsynonyms = []\n', "agent #1: field 'name'"),
        (
            '[catalogue]\nsource = "s"\n[[agents]]\nname = "a"\ndoxorubicin_factor = 0\n',
            "agent 'a': doxorubicin_factor",
        ),
        (
            '[catalogue]\nsource = "s"\n[[agents]]\nname = "a"\n[[agents]]\nname = "b"\n'
            'synonyms = ["A"]\n',
            "'A' is listed twice",
        ),
    ],
)
def test_broken_catalogue_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_agent_catalogue(text)
