"""One accessor for the files shipped inside the package (protocols, templates, icons).

Works from a source checkout, an installed wheel and a PyInstaller bundle alike, because it goes
through ``importlib.resources``.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path


def resource(*parts: str) -> Traversable:
    """A shipped resource, e.g. ``resource("protocols", "desmoid.toml")``."""
    node = files(__name__)
    for part in parts:
        node = node.joinpath(part)
    return node


def resource_dir(*parts: str) -> Path:
    """A real filesystem path to a shipped folder (the package is never zipped)."""
    with as_file(resource(*parts)) as path:
        return Path(path)
