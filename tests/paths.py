"""Where the worked examples live: a copy of the shared examples inside the repository, so a
fresh clone alone passes (tests never read outside the repository)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "tests" / "data" / "examples"
