"""Where the shared examples live (../shared beside the repository)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO.parent / "shared" / "examples"
