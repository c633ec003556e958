"""A document to print: its HTML and the running footer every page carries (no Qt here, so the
services can build one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PrintedDocument:
    """One HTML document and its running footer."""

    html: str
    footer: str = ""  # left of every page, e.g. "Ada Okonkwo · MRN 7700001 · Monday, ..."
    page_label: str = "Page {n} of {m}"  # right of every page, in the document's language
    points: float = 10.0  # the body text size: the footer uses it too

    @property
    def has_footer(self) -> bool:
        return bool(self.footer)
