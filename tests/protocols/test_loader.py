"""Protocol files: the shipped ones load; broken ones are refused naming file, rule and field."""

from __future__ import annotations

import pytest

from survtrack.protocols.loader import ProtocolError, load_protocols, parse_protocol_files

GOOD_SERIES = """
[protocol]
id = "test"
name = "Test protocol"
sites = ["extremity"]

[[rules]]
id = "r1"
tier = "high"
kind = "clinic_visit"
from_months = 0
to_months = 12
every_months = 3
window_days = 14
source = "Clinic visit every 3 months in year 1 (test source)"
"""


def test_shipped_protocols_every_rule_cited() -> None:
    protocols = load_protocols()
    assert {p.id for p in protocols.site_protocols} == {
        "extremity-trunk-head-neck",
        "retroperitoneum-visceral",
        "desmoid",
    }
    rules = [r for p in protocols.site_protocols for r in p.rules]
    assert all(r.source.strip() for r in rules)
    assert all(r.source.strip() for r in protocols.additional_rules)
    assert len({r.id for r in rules}) == len(rules)


def test_good_file_parses() -> None:
    protocols = parse_protocol_files([("good.toml", GOOD_SERIES)])
    assert list(protocols.site_protocols[0].rules[0].offsets()) == [3, 6, 9, 12]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("every_months = 3", "every_months = 0"), "good.toml: rule 'r1': field 'every_months'"),
        (('kind = "clinic_visit"', 'kind = "pet_scan"'), "rule 'r1': field 'kind'"),
        (('tier = "high"', 'tier = "medium"'), "rule 'r1': field 'tier'"),
        (
            ('source = "Clinic visit every 3 months in year 1 (test source)"', 'source = ""'),
            "rule 'r1': field 'source'",
        ),
        (
            ("every_months = 3", "every_months = 6"),
            "rule 'r1': field 'source' must say what the rule does ('every 6 months in year 1')",
        ),
        (("to_months = 12", "to_months = 0"), "rule 'r1': field 'to_months'"),
        (("window_days = 14", "window_days = 14\ncolour = 1"), "rule 'r1': unknown field 'colour'"),
        (('id = "r1"', 'ident = "r1"'), "good.toml: rule #1: field 'id' is required"),
        (('sites = ["extremity"]', 'sites = ["leg"]'), "good.toml: [protocol] sites"),
        (("[[rules]]", "[[rules]"), "good.toml: not valid TOML"),
    ],
)
def test_broken_file_names_file_rule_and_field(edit: tuple[str, str], message: str) -> None:
    text = GOOD_SERIES.replace(*edit)
    with pytest.raises(ProtocolError) as info:
        parse_protocol_files([("good.toml", text)])
    assert message in str(info.value)


def test_duplicate_rule_ids_across_files() -> None:
    with pytest.raises(ProtocolError, match="duplicate rule id"):
        parse_protocol_files(
            [("a.toml", GOOD_SERIES), ("b.toml", GOOD_SERIES.replace('id = "test"', 'id = "b"'))]
        )


def test_duplicate_protocol_id_names_both_files() -> None:
    other = GOOD_SERIES.replace('id = "r1"', 'id = "r2"')
    with pytest.raises(
        ProtocolError, match=r"b\.toml: \[protocol\] id 'test' is already used by a"
    ):
        parse_protocol_files([("a.toml", GOOD_SERIES), ("b.toml", other)])


def test_two_protocols_for_one_site_are_refused_naming_both_files() -> None:
    other = GOOD_SERIES.replace('id = "r1"', 'id = "r2"').replace('id = "test"', 'id = "b"')
    with pytest.raises(ProtocolError) as info:
        parse_protocol_files([("a.toml", GOOD_SERIES), ("b.toml", other)])
    assert "b.toml: [protocol] sites: 'extremity'" in str(info.value)
    assert "already covered by a.toml" in str(info.value)
    chosen = other.replace('sites = ["extremity"]', 'sites = ["extremity"]\nhistology = "chosen"')
    protocols = parse_protocol_files([("a.toml", GOOD_SERIES), ("b.toml", chosen)])
    assert protocols.for_site("extremity", desmoid=False).id == "test"  # chosen: never matched
    assert protocols.by_id("b").name == "Test protocol"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('name = "Test protocol"\n', ""), "good.toml: [protocol] field 'name'"),
        (('sites = ["extremity"]', 'sites = ["extremity"]\nhistology = "gist"'), "histology"),
        (('sites = ["extremity"]', 'sites = ["extremity"]\nset = "x"'), "unknown field 'set'"),
    ],
)
def test_broken_protocol_header(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_protocol_files([("good.toml", GOOD_SERIES.replace(*edit))])
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ('[{ at = "2x", before = "7d", after = "7d" }]', "field 'at'"),
        ('[{ at = "2w", before = "7d" }]', "either 'before' and 'after'"),
        ("[]", "field 'events'"),
    ],
)
def test_broken_additional_rule(events: str, message: str) -> None:
    text = f"""
[protocol]
id = "extra"
[[rules]]
id = "x"
trigger = "amputation"
kind = "pt_assessment"
source = "s"
events = {events}
"""
    with pytest.raises(ProtocolError, match=message):
        parse_protocol_files([("extra.toml", text)])


def test_unknown_trigger() -> None:
    text = """
[protocol]
id = "extra"
[[rules]]
id = "x"
trigger = "moon_phase"
kind = "pt_assessment"
source = "s"
events = [{ at = "2w", before = "7d", after = "7d" }]
"""
    with pytest.raises(ProtocolError, match=r"extra\.toml: rule 'x': field 'trigger'"):
        parse_protocol_files([("extra.toml", text)])
