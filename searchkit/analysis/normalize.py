"""Character-level normalisation of words, shared by the indexer, the query parser and the highlighter.

Everything that compares words goes through :func:`fold`, so there is exactly one place that knows that
``ё`` equals ``е``, that stress marks and soft hyphens are invisible, and that a Latin ``р`` typed inside a
Cyrillic word is a Cyrillic ``р``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Combining acute/grave (stress marks) and the soft hyphen: present in typeset text, absent from queries.
INVISIBLE = "\u0301\u0300\u00ad"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")

#: Latin letters that look exactly like Cyrillic ones (after lower-casing).
_LOOKALIKES = str.maketrans("aceopxykmtbh", "асеорхукмтвн")
_CYRILLIC_RE = re.compile("[а-я]")
_LATIN_RE = re.compile("[a-z]")


@lru_cache(maxsize=1 << 18)
def fold(word: str) -> str:
    """Return the comparable form of one word: NFC, no stress marks or soft hyphens, lower case, ``ё``→``е``,
    and Latin look-alike letters mapped to Cyrillic when the word is otherwise Cyrillic."""
    word = unicodedata.normalize("NFC", word)
    word = _INVISIBLE_RE.sub("", word)
    word = word.lower().replace("ё", "е")
    if _LATIN_RE.search(word) and _CYRILLIC_RE.search(word):
        word = word.translate(_LOOKALIKES)
    return word


def is_latin(word: str) -> bool:
    """True for a folded word made of ASCII letters and digits with at least one letter (``python``, ``mp3``)."""
    return word.isascii() and _LATIN_RE.search(word) is not None
