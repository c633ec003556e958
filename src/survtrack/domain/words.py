"""Free text compared as whole words (clinical reference section 5, "Histology words").

A word is a run of letters and digits; anything else separates words. Comparisons are
case-insensitive, so "Desmoid-type FIBROMATOSIS" is the words ("desmoid", "type", "fibromatosis")
and "pathologist" never contains the word "gist".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+")


def words(text: str | None) -> tuple[str, ...]:
    """The lower-cased words of ``text`` in order ("Kaposi's" gives kaposi, s)."""
    return tuple(_WORD.findall((text or "").casefold()))


def has_phrase(text_words: Sequence[str], phrase: Sequence[str]) -> bool:
    """True when ``phrase`` occurs as consecutive whole words of ``text_words``."""
    size = len(phrase)
    if not size:
        return False
    first = phrase[0]
    for start in range(len(text_words) - size + 1):
        if text_words[start] == first and tuple(text_words[start : start + size]) == tuple(phrase):
            return True
    return False
