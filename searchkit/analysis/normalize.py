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
#: The other Latin letters: a word part with one of these is Latin text beside Cyrillic (IT-отдел), not a typo.
_UNLIKE_RE = re.compile("[dfgijlnqrsuvwz]")
#: A part of a hyphenated word.
_PART_RE = re.compile("[^-\u2010\u2011]+")


@lru_cache(maxsize=1 << 18)
def fold(word: str) -> str:
    """Return the comparable form of one word: NFC, no stress marks or soft hyphens, lower case, ``ё``→``е``,
    and Latin look-alike letters mapped to Cyrillic in a Cyrillic word (or part of a hyphenated one) whose only
    Latin letters are look-alikes: «pусский» is «русский», but «IT-отдел» keeps its «t»."""
    word = unicodedata.normalize("NFC", word)
    word = _INVISIBLE_RE.sub("", word)
    word = word.lower().replace("ё", "е")
    if _LATIN_RE.search(word) and _CYRILLIC_RE.search(word):
        word = _PART_RE.sub(_cyrillic_lookalikes, word)
    return word


def _cyrillic_lookalikes(part: re.Match[str]) -> str:
    """A part of a word mixing the alphabets, with look-alikes made Cyrillic when it has no other Latin letter."""
    text = part.group()
    if _CYRILLIC_RE.search(text) and not _UNLIKE_RE.search(text):
        return text.translate(_LOOKALIKES)
    return text


#: What folding removes or changes besides case and ``ё``: stress marks, soft hyphens, decomposed letters (NFC),
#: Latin look-alikes in a word that mixes the alphabets (a Latin and a Cyrillic letter in one run of word
#: characters and hyphens), and the Greek sigma, the one letter whose lower case depends on what follows it (a
#: whole text and a word of it may lower-case it differently).
_CHANGED_RE = re.compile(f"[{INVISIBLE}\u0300-\u036fσς]")
_RUN_RE = re.compile("[\\w\u2010\u2011-]+")


def _folds_otherwise(lowered: str) -> bool:
    """Whether a text in lower case with «ё» as «е» has something folding removes or changes besides. Most
    Russian texts have no Latin letter, which one character class tells at once; only the others are split into
    runs to look for one that mixes the alphabets."""
    if _CHANGED_RE.search(lowered) is not None:
        return True
    return _LATIN_RE.search(lowered) is not None and any(
        _LATIN_RE.search(run) and _CYRILLIC_RE.search(run) for run in _RUN_RE.findall(lowered) if not run.isascii())


def lowered(text: str) -> str | None:
    """``text`` in lower case with «ё» as «е», character for character, when each of its words is then folded
    (:func:`fold` of a word of ``text`` is the word at the same place of the result); None for a text that has
    something else folding would change or that lower-casing lengthens."""
    result = text.lower().replace("ё", "е")
    if len(result) != len(text) or _folds_otherwise(result) or not unicodedata.is_normalized("NFC", text):
        return None
    return result


def may_contain(text: str, form: str) -> bool:
    """False when no word of ``text`` can fold to the folded word ``form``: a quick test before splitting a long
    text into words. The text in NFC and lower case with ``ё`` as ``е`` must have ``form`` as a whole word (or part
    of a hyphenated one), unless it has something else that folding would remove or change."""
    lowered = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    return _whole_word(form).search(lowered) is not None or _folds_otherwise(lowered)


@lru_cache(maxsize=256)
def _whole_word(form: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_]){re.escape(form)}(?![^\W_])")


def is_latin(word: str) -> bool:
    """True for a folded word made of ASCII letters and digits with at least one letter (``python``, ``mp3``)."""
    return word.isascii() and _LATIN_RE.search(word) is not None


_CYRILLIC_WORD_RE = re.compile(r"[а-яё]+(?:-[а-яё]+)*", re.IGNORECASE)


def is_cyrillic(word: str) -> bool:
    """True for a word of Cyrillic letters only, perhaps hyphenated (``сталь``, ``северо-западный``)."""
    return _CYRILLIC_WORD_RE.fullmatch(word) is not None
