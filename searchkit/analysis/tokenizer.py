"""Splitting text into words with their positions and character offsets in the original text.

A hyphenated compound (``северо-западный``, ``Ростов-на-Дону``, ``по-русски``) is one word and also its parts:
the whole shares the position of its first part and the parts take consecutive positions, so the compound is
found whole, by any part, and by a phrase of its parts written with spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple, TypeVar

from .normalize import fold, lowered

#: Letters and digits, plus combining marks and soft hyphens that may sit inside a word (stress marks,
#: decomposed ``й``/``ё``).
_WORD_CHAR = r"(?:[^\W_]|[\u0300-\u036f\u00ad])"
_PIECE = rf"{_WORD_CHAR}+"
_HYPHEN = "[-\u2010\u2011]"
WORD_RE = re.compile(rf"{_PIECE}(?:{_HYPHEN}{_PIECE})*")
_PIECE_RE = re.compile(_PIECE)

#: Longer runs of letters are not words (base64, hashes, glued garbage); they are not indexed.
MAX_WORD_CHARS = 64
_Match = TypeVar("_Match")
_HYPHENS = "-\u2010\u2011"


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


def match_words(text: str, match: Callable[[str], _Match | None]) -> list[tuple[Word, _Match]]:
    """The words of ``text`` (and parts of compounds, as :func:`iter_words` gives them, with the same positions)
    for which ``match(surface)`` is not None, each with what it gave, in text order; where two overlap (a
    compound and its part), the one that begins first, and of those the longer. ``match`` is asked once per
    distinct surface; the matched ones are looked for with ``str.find`` and the positions counted by a regular
    expression, in compiled code, which matters where a text has thousands of words and a few are wanted."""
    words = WORD_RE.findall(text)
    distinct = {word for word in words if len(word) <= MAX_WORD_CHARS}
    distinct.update(part for word in [w for w in distinct if is_compound(w)] for part in _PIECE_RE.findall(word))
    matched = {surface: found for surface in distinct for found in [match(surface)] if found is not None}
    if not matched:
        return []
    if any(len(word) > MAX_WORD_CHARS for word in words):  # positions then differ from a count of pieces
        return _without_overlaps([(word, matched[word.surface]) for word in iter_words(text)
                                  if word.surface in matched])
    return _located(text, text, matched)


def match_forms(text: str, forms: Mapping[str, _Match], positions: bool = True) -> list[tuple[Word, _Match]]:
    """:func:`match_words` for ``match`` looking each word's folded form up in ``forms`` (a few forms, those of
    a query's terms): where the text folds word for word by lower-casing
    (:func:`~searchkit.analysis.normalize.lowered`, most texts), each form is looked for in it, and the text is
    never split into words. Without ``positions`` the words found there are not counted up to each match (a
    snippet needs none), and their positions are 0."""
    def folded_match(surface: str) -> _Match | None:
        return forms.get(fold(surface))

    folded_text = lowered(text)
    if folded_text is None:
        return match_words(text, folded_match)
    present = {form: found for form, found in forms.items() if form in folded_text}
    if not present:
        return []
    # A word lies within a run of characters between spaces: only a text with a run longer than a word may be
    # is split to see whether it has a word too long to index, whose positions match_words counts.
    if max(map(len, folded_text.split())) > MAX_WORD_CHARS and \
            any(len(word) > MAX_WORD_CHARS for word in WORD_RE.findall(folded_text)):
        return match_words(text, folded_match)
    return _located(text, folded_text, present, positions)


def _located(text: str, searched: str, matched: Mapping[str, _Match], positions: bool = True
             ) -> list[tuple[Word, _Match]]:
    """The words of ``text`` that are ``matched`` (the words of ``searched``, which is ``text`` character for
    character, are ``matched``'s keys), found in ``searched``, as :func:`match_words` gives them where no word is
    too long to index."""
    found = []
    for surface in matched:
        compound = is_compound(surface)
        start = searched.find(surface)
        while start >= 0:
            end = start + len(surface)
            if _stands_alone(searched, start, end, compound):
                found.append((start, end, surface))
            start = searched.find(surface, start + 1)
    located, position, counted_to = [], 0, 0
    for start, end, surface in sorted(found, key=lambda where: (where[0], -where[1])):  # the longer first
        if positions:  # every piece of a word takes one position: a word's is the number of pieces before it
            position += len(_PIECE_RE.findall(searched, counted_to, start))
            counted_to = start
        located.append((Word(text[start:end], start, end, position), matched[surface]))
    return _without_overlaps(located)


def _stands_alone(text: str, start: int, end: int, compound: bool) -> bool:
    """Whether ``text[start:end]`` is a whole word, or (unless it is a ``compound`` itself) a whole part of one."""
    before, after = text[max(start - 2, 0):start], text[end:end + 2]
    if _is_word_char(before[-1:]) or _is_word_char(after[:1]):
        return False
    return not compound or not (len(before) == 2 and before[1] in _HYPHENS and _is_word_char(before[0]) or
                                len(after) == 2 and after[0] in _HYPHENS and _is_word_char(after[1]))


def _is_word_char(char: str) -> bool:
    """Whether ``char`` (one character, or none) is one of :data:`_WORD_CHAR`: ``[^\\W_]`` is what
    ``str.isalnum`` tells, which costs less than a regular expression, as this is asked of every place a wanted
    form is found."""
    return char.isalnum() or "\u0300" <= char <= "\u036f" or char == "\u00ad"


def _without_overlaps(words: list[tuple[Word, _Match]]) -> list[tuple[Word, _Match]]:
    kept: list[tuple[Word, _Match]] = []
    for word, found in words:
        if not (kept and word.start < kept[-1][0].end):
            kept.append((word, found))
    return kept


def is_compound(surface: str) -> bool:
    """Whether a word of :func:`iter_words` is a hyphenated compound, which it follows with its parts."""
    # The characters of _HYPHEN, tested one by one: cheaper than a regular expression, on millions of words.
    return "-" in surface or "\u2010" in surface or "\u2011" in surface
