"""Every rule's citation says what the rule does: its interval and years, then the guideline."""

from __future__ import annotations

import pytest

from survtrack.protocols.loader import load_protocols
from survtrack.protocols.model import SeriesRule

SERIES = [rule for protocol in load_protocols().site_protocols for rule in protocol.rules]
GUIDELINES = ("NCCN", "ESMO", "retroperitoneal STS", "national centre")


@pytest.mark.parametrize("rule", SERIES, ids=lambda r: r.id)
def test_series_rule_citation_states_its_own_interval(rule: SeriesRule) -> None:
    assert rule.source.split(" (")[0].endswith(rule.interval_words()), rule.source
    assert any(name in rule.source for name in GUIDELINES)


@pytest.mark.parametrize(
    ("rule_id", "words"),
    [
        ("cardiac-doxorubicin-echo", ("6 to 12 months after each anthracycline course", "250")),
        ("amputation-rehab-pt", ("every 2 weeks to week 12", "months 6, 9 and 12", "year 5")),
        ("amputation-lower-fitting", ("6 to 8 weeks",)),
        ("amputation-upper-fitting", ("within 30 days", "by 6 months")),
        ("limb-sparing-rehab-pt", ("1 month after limb-sparing surgery",)),
    ],
)
def test_additional_rule_citation_states_what_it_does(rule_id: str, words: tuple[str, ...]) -> None:
    rule = next(r for r in load_protocols().additional_rules if r.id == rule_id)
    for word in words:
        assert word in rule.source


@pytest.mark.parametrize(
    ("numbers", "words"),
    [
        ((0, 36, 3), "every 3 months in years 1-3"),
        ((36, 60, 6), "every 6 months in years 4-5"),
        ((60, 120, 12), "yearly in years 6-10"),
        ((0, 12, 6), "every 6 months in year 1"),
        ((0, 18, 1), "monthly in months 1-18"),
    ],
)
def test_interval_words(numbers: tuple[int, int, int], words: str) -> None:
    start, end, every = numbers
    rule = SeriesRule("r", "any", "clinic_visit", start, end, every, 14, "s")
    assert rule.interval_words() == words
