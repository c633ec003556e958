"""AJCC 8 staging: every stage group and every size boundary for the three staged sites."""

from __future__ import annotations

import pytest

from survtrack.domain.errors import BadInput
from survtrack.domain.grading import Grade, fnclcc_score, grade_from_fnclcc
from survtrack.domain.risk import RiskTier, first_episode_risk
from survtrack.domain.sites import Metastasis, Nodes, Site
from survtrack.domain.staging import stage_tumour, t_category

STAGED = [Site.EXTREMITY, Site.TRUNK, Site.RETROPERITONEUM]


@pytest.mark.parametrize("site", STAGED)
@pytest.mark.parametrize(
    ("size", "t"),
    [
        (0.1, "T1"),
        (5.0, "T1"),
        (5.1, "T2"),
        (10.0, "T2"),
        (10.1, "T3"),
        (15.0, "T3"),
        (15.1, "T4"),
        (40.0, "T4"),
    ],
)
def test_size_boundaries(site: Site, size: float, t: str) -> None:
    assert t_category(site, size) == t


@pytest.mark.parametrize("site", STAGED)
@pytest.mark.parametrize(
    ("size", "grade", "stage"),
    [
        (5.0, Grade.G1, "IA"),
        (5.0, Grade.GX, "IA"),
        (5.1, Grade.G1, "IB"),
        (10.0, Grade.GX, "IB"),
        (15.0, Grade.G1, "IB"),
        (15.1, Grade.G1, "IB"),
        (5.0, Grade.G2, "II"),
        (5.0, Grade.G3, "II"),
        (5.1, Grade.G2, "IIIA"),
        (10.0, Grade.G3, "IIIA"),
        (10.1, Grade.G2, "IIIB"),
        (15.0, Grade.G3, "IIIB"),
        (15.1, Grade.G3, "IIIB"),
    ],
)
def test_stage_groups_n0_m0(site: Site, size: float, grade: Grade, stage: str) -> None:
    assert stage_tumour(site, size, grade, Nodes.N0, Metastasis.M0).stage == stage


@pytest.mark.parametrize(
    ("site", "stage"), [(Site.EXTREMITY, "IV"), (Site.TRUNK, "IV"), (Site.RETROPERITONEUM, "IIIB")]
)
def test_nodes_n1(site: Site, stage: str) -> None:
    assert stage_tumour(site, 3.0, Grade.G1, Nodes.N1, Metastasis.M0).stage == stage
    # N1 stages even without size or grade
    assert stage_tumour(site, None, None, Nodes.N1, None).stage == stage


@pytest.mark.parametrize("site", STAGED)
def test_metastasis_is_stage_iv_whatever_else(site: Site) -> None:
    assert stage_tumour(site, 2.0, Grade.G1, Nodes.N1, Metastasis.M1).stage == "IV"
    assert stage_tumour(site, None, None, None, Metastasis.M1).stage == "IV"


def test_missing_size_or_grade_cannot_stage_and_says_why() -> None:
    no_size = stage_tumour(Site.EXTREMITY, None, Grade.G3)
    assert no_size.stage is None and any("size" in w for w in no_size.warnings)
    no_grade = stage_tumour(Site.TRUNK, 6.0, None)
    assert no_grade.stage is None and any("grade" in w for w in no_grade.warnings)


def test_gx_always_warns() -> None:
    result = stage_tumour(Site.EXTREMITY, 3.0, Grade.GX)
    assert result.stage == "IA"
    assert any("GX" in w for w in result.warnings)


def test_head_neck_t_by_size_and_invasion_without_stage_group() -> None:
    assert [t_category(Site.HEAD_NECK, s) for s in (2.0, 2.1, 4.0, 4.1)] == ["T1", "T2", "T2", "T3"]
    result = stage_tumour(Site.HEAD_NECK, 1.0, Grade.G3, t4_invasion=True)
    assert result.t == "T4" and result.stage is None


def test_visceral_has_no_size_t_and_no_stage() -> None:
    result = stage_tumour(Site.VISCERAL, 12.0, Grade.G2)
    assert result.t is None and result.stage is None
    assert result.warnings


@pytest.mark.parametrize(
    ("score", "grade"),
    [(2, Grade.G1), (3, Grade.G1), (4, Grade.G2), (5, Grade.G2), (6, Grade.G3), (8, Grade.G3)],
)
def test_fnclcc_score_to_grade(score: int, grade: Grade) -> None:
    assert grade_from_fnclcc(score) is grade


def test_fnclcc_components() -> None:
    assert fnclcc_score(1, 9, 0) == 2
    assert fnclcc_score(2, 10, 10) == 5
    assert fnclcc_score(3, 20, 50) == 8
    with pytest.raises(BadInput, match="fnclcc_score"):
        grade_from_fnclcc(9)
    with pytest.raises(BadInput, match="differentiation"):
        fnclcc_score(4, 0, 0)


@pytest.mark.parametrize(
    ("site", "size", "grade", "nodes", "tier", "warns"),
    [
        (Site.EXTREMITY, 4.0, Grade.G1, None, RiskTier.LOW, False),
        (Site.EXTREMITY, 12.0, Grade.G1, None, RiskTier.LOW, False),
        (Site.EXTREMITY, 4.0, Grade.G2, None, RiskTier.HIGH, False),
        (Site.EXTREMITY, None, Grade.G1, None, RiskTier.HIGH, True),
        (Site.HEAD_NECK, 9.0, Grade.G1, None, RiskTier.LOW, False),
        (Site.HEAD_NECK, 1.0, Grade.G1, Nodes.N1, RiskTier.HIGH, False),
        (Site.VISCERAL, None, None, None, RiskTier.HIGH, True),
        # grade GX: high at every site, with a warning (clinical reference section 5)
        (Site.VISCERAL, None, Grade.GX, None, RiskTier.HIGH, True),
        (Site.HEAD_NECK, 1.0, Grade.GX, None, RiskTier.HIGH, True),
        (Site.EXTREMITY, 4.0, Grade.GX, None, RiskTier.HIGH, True),
        (Site.RETROPERITONEUM, 20.0, Grade.GX, None, RiskTier.HIGH, True),
        (Site.VISCERAL, None, Grade.G3, None, RiskTier.HIGH, False),
    ],
)
def test_first_episode_risk(
    site: Site,
    size: float | None,
    grade: Grade | None,
    nodes: Nodes | None,
    tier: RiskTier,
    warns: bool,
) -> None:
    staging = stage_tumour(site, size, grade, nodes, None)
    got, warnings = first_episode_risk(staging, grade, nodes, None)
    assert got is tier
    assert bool(warnings) is warns
