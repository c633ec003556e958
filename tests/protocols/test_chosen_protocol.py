"""A protocol chosen for one patient (issue 12 item 6): it replaces the match by site and
histology, also for GIST and Kaposi sarcoma; every other safety rule stays."""

from __future__ import annotations

from datetime import date

import pytest

from survtrack.domain.case import Case, Status, Surgery, Systemic, Tumour
from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade
from survtrack.domain.sites import Site
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.generator import WARN_NO_TIER, plan_case
from survtrack.protocols.loader import load_protocols, parse_protocol_files
from survtrack.protocols.model import ProtocolSet

SURGERY = Surgery(date(2025, 1, 10), "wide_local_excision")
GIST = Tumour(Site.VISCERAL, histology="GIST of the stomach", grade=Grade.G2, size_cm=6.0)

GIST_FILE = """
[protocol]
id = "clinic-gist"
name = "GIST after resection (clinic)"
sites = ["visceral", "retroperitoneum"]
histology = "chosen"

[[rules]]
id = "gist-any-ct-m0-60"
tier = "any"
kind = "abdomen_pelvis_ct"
from_months = 0
to_months = 60
every_months = 6
window_days = 30
source = "Abdomen and pelvis CT every 6 months in years 1-5 (test file)"
"""


def with_gist() -> ProtocolSet:
    shipped = load_protocols()
    extra = parse_protocol_files([("gist.toml", GIST_FILE)])
    return ProtocolSet(shipped.site_protocols + extra.site_protocols, shipped.additional_rules)


def test_gist_without_a_choice_is_refused_with_choose_a_protocol() -> None:
    with pytest.raises(BadInput) as info:
        plan_case(Case(GIST, (SURGERY,)), load_protocols(), ClinicCalendar())
    assert info.value.field == "tumour.histology"
    assert "choose a protocol" in info.value.reason


def test_gist_with_a_chosen_protocol_gets_its_calendar() -> None:
    plan = plan_case(Case(GIST, (SURGERY,)), with_gist(), ClinicCalendar(), "clinic-gist")
    assert plan.protocol == "clinic-gist"
    assert plan.stage is None  # AJCC soft tissue staging does not apply to GIST
    assert plan.risk == "any"
    assert [e.due for e in plan.events][:2] == [date(2025, 7, 10), date(2026, 1, 10)]
    assert {e.kind for e in plan.events} == {"abdomen_pelvis_ct"}
    assert len(plan.events) == 10


def test_kaposi_assigned_a_shipped_tiered_protocol_takes_its_high_risk_rules() -> None:
    kaposi = Tumour(Site.EXTREMITY, histology="Kaposi sarcoma", grade=Grade.G1, size_cm=2.0)
    plan = plan_case(
        Case(kaposi, (SURGERY,)), load_protocols(), ClinicCalendar(), "extremity-trunk-head-neck"
    )
    assert plan.risk == "high" and plan.stage is None
    assert WARN_NO_TIER in plan.warnings
    assert {e.rule for e in plan.events} >= {"ext-high-clinic-m0-36", "ext-high-chestct-m0-36"}


def test_a_chosen_protocol_overrides_the_site_match() -> None:
    thigh = Tumour(Site.EXTREMITY, grade=Grade.G3, size_cm=8.0)
    case = Case(thigh, (SURGERY,))
    default = plan_case(case, load_protocols(), ClinicCalendar())
    chosen = plan_case(case, load_protocols(), ClinicCalendar(), "retroperitoneum-visceral")
    assert default.protocol == "extremity-trunk-head-neck"
    assert chosen.protocol == "retroperitoneum-visceral"
    assert chosen.stage == default.stage and chosen.risk == default.risk == "high"
    assert "abdomen_pelvis_ct" in {e.kind for e in chosen.events}
    assert "abdomen_pelvis_ct" not in {e.kind for e in default.events}


def test_choosing_the_matching_protocol_changes_nothing() -> None:
    thigh = Tumour(Site.EXTREMITY, grade=Grade.G3, size_cm=8.0)
    case = Case(thigh, (SURGERY,))
    assert plan_case(case, load_protocols(), ClinicCalendar()) == plan_case(
        case, load_protocols(), ClinicCalendar(), "extremity-trunk-head-neck"
    )


def test_additional_rules_still_apply_with_a_chosen_protocol() -> None:
    chemo = Systemic(date(2024, 9, 1), date(2024, 12, 1), ("doxorubicin",), 300.0)
    plan = plan_case(Case(GIST, (chemo, SURGERY)), with_gist(), ClinicCalendar(), "clinic-gist")
    assert [e.due for e in plan.events if e.kind == "echocardiogram"] == [date(2025, 6, 1)]


def test_an_unknown_chosen_protocol_is_refused_naming_the_field() -> None:
    with pytest.raises(BadInput) as info:
        plan_case(Case(GIST, (SURGERY,)), load_protocols(), ClinicCalendar(), "clinic-gist")
    assert info.value.field == "protocol"
    assert "not in the protocol set in use" in info.value.reason


def test_the_other_safety_rules_stay_with_a_chosen_protocol() -> None:
    # no anchor: still bad input, not an empty calendar
    with pytest.raises(BadInput):
        plan_case(Case(GIST, ()), with_gist(), ClinicCalendar(), "clinic-gist")
    # nothing due on or after the date of death
    dead = Case(GIST, (SURGERY,), status=Status("deceased", date(2026, 2, 1)))
    plan = plan_case(dead, with_gist(), ClinicCalendar(), "clinic-gist")
    assert [e.due for e in plan.events] == [date(2025, 7, 10), date(2026, 1, 10)]
    # a follow-up date after 9999 names the field
    late = Case(GIST, (Surgery(date(9998, 1, 10), "wide_local_excision"),))
    with pytest.raises(BadInput) as info:
        plan_case(late, with_gist(), ClinicCalendar(), "clinic-gist")
    assert info.value.field == "treatments[0].date"


def test_a_site_no_protocol_covers_says_choose_a_protocol() -> None:
    only_gist = parse_protocol_files([("gist.toml", GIST_FILE)])
    thigh = Tumour(Site.EXTREMITY, grade=Grade.G3, size_cm=8.0)
    with pytest.raises(BadInput) as info:
        plan_case(Case(thigh, (SURGERY,)), only_gist, ClinicCalendar())
    assert info.value.field == "tumour.site"
    assert info.value.reason == (
        "no protocol of the set in use covers the site extremity; choose a protocol for this "
        "patient"
    )
    desmoid = Tumour(Site.TRUNK, histology="desmoid tumour")
    with pytest.raises(BadInput, match="covers a desmoid tumour of the trunk; choose a protocol"):
        plan_case(Case(desmoid, (SURGERY,)), only_gist, ClinicCalendar())
