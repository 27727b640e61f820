"""Splitting text into words with their positions and character offsets in the original text.

A hyphenated compound (``северо-западный``, ``Ростов-на-Дону``, ``по-русски``) is one word and also its parts:
the whole shares the position of its first part and the parts take consecutive positions, so the compound is
found whole, by any part, and by a phrase of its parts written with spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

#: Letters and digits, plus combining marks and soft hyphens that may sit inside a word (stress marks,
#: decomposed ``й``/``ё``).
_WORD_CHAR = r"(?:[^\W_]|[\u0300-\u036f\u00ad])"
_PIECE = rf"{_WORD_CHAR}+"
_HYPHEN = "[-\u2010\u2011]"
WORD_RE = re.compile(rf"{_PIECE}(?:{_HYPHEN}{_PIECE})*")
_PIECE_RE = re.compile(_PIECE)

#: Longer runs of letters are not words (base64, hashes, glued garbage); they are not indexed.
MAX_WORD_CHARS = 64


class Word(NamedTuple):
    """One word of the original text: ``text[start:end] == surface``. A tuple, since texts are split into
    millions of them (indexing, highlighting) and a tuple is the cheapest object to make."""

    surface: str
    start: int
    end: int
    position: int


def iter_words(text: str) -> Iterator[Word]:
    """Yield every word and, for compounds, each of its parts, in text order."""
    position = 0
    for match in WORD_RE.finditer(text):
        surface = match.group()
        if len(surface) > MAX_WORD_CHARS:
            position += 1
            continue
        start = match.start()
        yield Word(surface, start, match.end(), position)
        parts = list(_PIECE_RE.finditer(surface)) if is_compound(surface) else ()
        for i, part in enumerate(parts):
            yield Word(part.group(), start + part.start(), start + part.end(), position + i)
        position += max(len(parts), 1)


def is_compound(surface: str) -> bool:
    """Whether a word of :func:`iter_words` is a hyphenated compound, which it follows with its parts."""
    # The characters of _HYPHEN, tested one by one: cheaper than a regular expression, on millions of words.
    return "-" in surface or "\u2010" in surface or "\u2011" in surface
