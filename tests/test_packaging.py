"""The layout the build relies on: code in src/survtrack, shipped files in the top-level
resources/ installed as survtrack.resources, and every subpackage listed for the wheel.

(The wheel and the frozen bundle themselves are built and run by ``packaging/build.py --check``
in .ci/run; these checks catch the mistakes that would only show there, in seconds.)
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

import survtrack.resources
from survtrack.resources import resource, resource_dir
from tests.paths import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_every_subpackage_under_src_is_shipped_in_the_wheel() -> None:
    src = REPO / "src"
    found = {".".join(init.parent.relative_to(src).parts) for init in src.rglob("__init__.py")} | {
        "survtrack.resources"
    }
    assert set(SETUPTOOLS["packages"]) == found


def test_resources_live_at_the_top_level_and_are_the_installed_package() -> None:
    assert SETUPTOOLS["package-dir"]["survtrack.resources"] == "resources"
    assert not (REPO / "src" / "survtrack" / "resources").exists()  # one place only
    # the editable install maps survtrack.resources to the top-level folder
    assert Path(survtrack.resources.__file__).resolve().parent == REPO / "resources"
    assert Path(str(files("survtrack.resources"))).resolve() == REPO / "resources"


def test_what_the_app_reads_is_reachable_through_the_accessor() -> None:
    for parts in (
        ("protocols", "desmoid.toml"),
        ("catalogues", "histology.toml"),
        ("templates", "avs.html"),
        ("fonts", "DejaVuSans.ttf"),
        ("icons", "survtrack.svg"),
        ("icons", "survtrack.ico"),
        ("icons", "survtrack-256.png"),
    ):
        assert resource(*parts).is_file(), parts
    assert sorted(p.name for p in resource_dir("protocols").glob("*.toml"))


def test_the_windows_icon_holds_every_size_from_16_to_256() -> None:
    data = resource("icons", "survtrack.ico").read_bytes()
    reserved, kind, count = (int.from_bytes(data[i : i + 2], "little") for i in (0, 2, 4))
    assert (reserved, kind) == (0, 1)  # an icon, not a cursor
    sides = {data[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sides


def test_the_version_is_written_once() -> None:
    assert PYPROJECT["project"]["version"]
    init = (REPO / "src" / "survtrack" / "__init__.py").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["version"] not in init  # read from the metadata, not repeated
