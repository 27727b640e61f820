"""Roots: the index terms that share their first letters with a query word's lemmas, to rank derived words.

Lemmas join the forms of one word, not the words derived from one another: «урбанистический» and
«урбанизированный», «спутник» and «спутница», «переименовать» and «переименование» share no lemma. Russian
derivation mostly changes the end of a word, so their first :data:`ROOT_CHARS` letters agree: truncation, the
crudest stemmer, is also one of the better ones for Russian retrieval. So each plain query word is also looked
up as a DisjunctionMax of the index terms (lemmas, stems of unknown words) that begin with the first letters of
one of its lemmas; a lemma shorter than that stands for itself only. Nothing is added to the index.

Five letters also join words that are not related («правило», «правительство»), so roots never decide whether a
document matches: the query compiler has them add ``RankingSettings.root_weight`` of their score to the
documents the query matches by lemma, and snippets mark only the words matched by lemma.

Two more things shape a root's score (:func:`root_shares`). A lemma made with a prefix (спроектировать) also
brings the roots of the word without it (проектировать, :mod:`searchkit.analysis.prefixes`), at a lower share.
And no root term counts for more than the word itself: a derived word rarer than the word's rarest lemma has its
idf brought down to that lemma's, or a rare one (городок for город) would outweigh an exact match.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from ..backends import SearchContext
from ..compiled import bm25_idf

#: Letters of a lemma that make its root: four join too many words, six leave derived words apart
#: (benchmarks/README.md).
ROOT_CHARS = 5

#: Index terms one root stands for at most: those in most documents.
MAX_ROOT_TERMS = 256

#: Terms with a root's letters read at most (alphabetically) before the most frequent are chosen.
ROOT_SCAN = 20_000

#: The share of its score a term counts with when it shares a root only with a query word's lemma without its
#: prefix: such words are further from the query word than those derived from its lemma (benchmarks/README.md).
UNPREFIXED_SHARE = 0.7

#: Terms of roots remembered per commit (by its search context): looking terms up in the index is most of what
#: roots cost a query.
CACHED_ROOT_TERMS = 500_000


class _RootCache(OrderedDict[tuple[str, ...], tuple[Any, ...]]):
    """What roots looked up in one commit: (field, root) → its terms, and (field, lemmas, unprefixed) → a word's
    (term, share) pairs; least recently used first, with the number of terms held (an empty answer counts one)."""

    held = 0

_Value = TypeVar("_Value", bound=tuple[Any, ...])


def root_prefixes(lemmas: Iterable[str]) -> list[str]:
    """The roots of a word with these index terms, in order: each lemma's first :data:`ROOT_CHARS` letters (a
    shorter lemma whole); a number is a root of itself, so that a year counts as much as a word as rare."""
    return list(dict.fromkeys(lemma if lemma.isdigit() else lemma[:ROOT_CHARS] for lemma in lemmas))


def root_shares(context: SearchContext, fieldname: str, lemmas: Sequence[str],
                unprefixed: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """The terms of ``fieldname`` sharing a root with a query word whose index terms are ``lemmas`` (most probable
    first) and whose lemmas without their prefix are ``unprefixed``, each with the share of its score that counts:
    1, :data:`UNPREFIXED_SHARE` for the roots of ``unprefixed`` only, and less for a term rarer than the rarest of
    ``lemmas`` in the index, whose idf is brought down to that lemma's; remembered for the commit's later
    queries."""
    def shares() -> tuple[tuple[str, float], ...]:
        counted = _root_terms(context, fieldname, lemmas)
        found = dict.fromkeys(counted, 1.0)
        for term, frequency in _root_terms(context, fieldname, unprefixed).items():
            if len(found) >= MAX_ROOT_TERMS:
                break
            if term not in found:
                found[term] = UNPREFIXED_SHARE
                counted[term] = frequency
        documents = context.size
        frequencies = [frequency for frequency in (context.doc_frequency(fieldname, lemma) for lemma in lemmas)
                       if frequency]
        if frequencies:
            ceiling = bm25_idf(documents, min(frequencies))
            for term in found:
                rarity = bm25_idf(documents, counted[term])
                if rarity > ceiling:
                    found[term] *= ceiling / rarity
        return tuple(found.items())

    return _remembered(context, (fieldname, tuple(lemmas), tuple(unprefixed)), shares)


def root_terms(context: SearchContext, fieldname: str, lemmas: Iterable[str]) -> list[str]:
    """The terms of ``fieldname`` in the commit that share a root with one of ``lemmas`` (a word's index terms,
    most probable first), at most :data:`MAX_ROOT_TERMS`."""
    return list(_root_terms(context, fieldname, lemmas))


def _root_terms(context: SearchContext, fieldname: str, lemmas: Iterable[str]) -> dict[str, int]:
    """:func:`root_terms`, each with its document frequency."""
    terms: dict[str, int] = {}
    for root in root_prefixes(lemmas):
        for term, frequency in _terms_of_root(context, fieldname, root):
            terms.setdefault(term, frequency)
    return dict(itertools.islice(terms.items(), MAX_ROOT_TERMS))


def _terms_of_root(context: SearchContext, fieldname: str, root: str) -> tuple[tuple[str, int], ...]:
    """The field's terms beginning with ``root`` (only ``root`` itself when it is a number or shorter than a
    root), the :data:`MAX_ROOT_TERMS` in most documents when there are more, each with its document frequency
    (read with the terms, which the root's shares need); remembered for the commit's later queries."""
    def terms() -> tuple[tuple[str, int], ...]:
        if len(root) < ROOT_CHARS or root.isdigit():
            frequency = context.doc_frequency(fieldname, root)
            return ((root, frequency),) if frequency else ()
        found = list(itertools.islice(context.terms_with_frequencies(fieldname, root), ROOT_SCAN))
        if len(found) > MAX_ROOT_TERMS:
            found.sort(key=lambda item: (-item[1], item[0]))
        return tuple(found[:MAX_ROOT_TERMS])

    return _remembered(context, (fieldname, root), terms)


def _remembered(context: SearchContext, key: tuple[Any, ...], compute: Callable[[], _Value]) -> _Value:
    """``compute()``, remembered for the commit under ``key``; the least recently used are forgotten once more
    than :data:`CACHED_ROOT_TERMS` terms are held (an empty answer counting as one, so that words found nowhere
    are forgotten too), except the one just asked for."""
    cached = context.caches.setdefault("roots", _RootCache())
    value = cached.pop(key, None)
    if value is None:
        value = compute()
        cached.held += _held(value)
        while cached and cached.held > CACHED_ROOT_TERMS:
            cached.held -= _held(cached.popitem(last=False)[1])
    cached[key] = value  # the most recently used last
    return value  # type: ignore[return-value]


def _held(value: tuple[Any, ...]) -> int:
    return len(value) or 1
