"""Which words of a text may have one of some terms, told without analysing them: what lets snippets and the
weights of a homonym's readings look at a few words of a stored document rather than lemmatise all of it."""

from __future__ import annotations

import functools
from collections.abc import Callable

from .analyzer import EXACT_MARK
from .morphology import Morphology
from .normalize import fold

#: A word beginning with the first this many letters of a wanted term is analysed to see whether it has it.
PREFIX_CHARS = 3


@functools.lru_cache(maxsize=64)
def may_have(morphology: Morphology, wanted: frozenset[str]) -> Callable[[str], bool]:
    """Whether a word as written may have one of the ``wanted`` terms, so that only those words of a text
    are analysed: a form in a wanted lemma's paradigm («людей» of «человек», «дня» of «день»), a word
    beginning as a wanted term does (a stem, an exact form, a word the dictionary does not know, whose lemma is
    guessed from its ending), or a compound, whose parts may hold one. Lemmatising every other word of every
    shown document is what made snippets most of a query's time."""
    bare = {term.lstrip(EXACT_MARK) for term in wanted}
    forms = frozenset().union(*(morphology.paradigm(term) for term in bare))
    starts = {term[:PREFIX_CHARS] for term in bare}

    lengths = sorted({len(start) for start in starts})

    def may_match(surface: str) -> bool:
        folded = _folded(surface)
        if folded in forms or "-" in folded:
            return True
        for length in lengths:
            if folded[:length] in starts:
                return True
        return False
    return may_match


@functools.lru_cache(maxsize=2**16)
def _folded(surface: str) -> str:
    """:func:`fold`, remembered: the words of shown documents come back query after query."""
    return fold(surface)
