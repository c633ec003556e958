"""Every rule's citation says what the rule does: its interval and years, then the guideline."""

from __future__ import annotations

import pytest

from survtrack.protocols.loader import load_protocols
from survtrack.protocols.model import SeriesRule

SERIES = [rule for protocol in load_protocols().site_protocols for rule in protocol.rules]
GUIDELINES = ("NCCN", "ESMO", "retroperitoneal STS", "national centre")


def interval_words(rule: SeriesRule) -> str:
    every = "yearly" if rule.every_months == 12 else f"every {rule.every_months} months"
    first, last = rule.from_months // 12 + 1, rule.to_months // 12
    years = f"year {first}" if first == last else f"years {first}-{last}"
    return f"{every} in {years}"


@pytest.mark.parametrize("rule", SERIES, ids=lambda r: r.id)
def test_series_rule_citation_states_its_own_interval(rule: SeriesRule) -> None:
    assert rule.source.split(" (")[0].endswith(interval_words(rule)), rule.source
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
