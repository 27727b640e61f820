"""What the morphology gave each word form of a collection, kept by its index, so that a new process answers
those forms without pymorphy3.

Indexing analyses every word of every document; an index keeps what that gave each distinct form (a
:class:`Lexicon`), and :meth:`Morphology.remember <searchkit.analysis.Morphology.remember>` takes it as answers
given before. Queries and snippets mostly ask about words the collection has, so a one-shot search of such
words never loads pymorphy3's dictionaries (a fraction of a second), and a new process does not analyse again
the words of the documents it shows. The morphology is deterministic under one index's analyzer settings, so a
lexicon written under them answers exactly as pymorphy3 would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple, Protocol


class Reading(NamedTuple):
    """One reading of a word form, for display: a lemma, its part of speech, and the summed probability of
    pymorphy3's parses that give this lemma and part of speech."""

    lemma: str
    pos: str
    score: float


class FormAnalysis(NamedTuple):
    """What the morphology gives one folded form: its index terms with their weights, most probable first, and
    its readings, kept for a dictionary word with more than one term (the only ones a search asks readings of:
    homonyms), empty otherwise."""

    weighted: tuple[tuple[str, float], ...]
    readings: tuple[Reading, ...] = ()


class Lexicon(Protocol):
    """A collection's forms with their analyses (an index's, see :mod:`searchkit.backends`)."""

    def analysis(self, form: str) -> FormAnalysis | None:
        """What the morphology gave the folded ``form``; None for a form the collection does not have."""
        ...

    def forms_having(self, terms: Iterable[str]) -> Mapping[str, str] | None:
        """Every folded form of the collection one of whose terms is in ``terms``, with the first of its terms
        (most probable first) that is; None when the lexicon does not cover the whole collection."""
        ...
