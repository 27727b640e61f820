"""BM25F ranking with array arithmetic: the common queries scored over whole posting lists at once.

Whoosh matches a query by stepping through its postings one document at a time in Python, which costs tens of
milliseconds for a question of ten words on a large index. Here a term's postings are decoded block by block into
NumPy arrays (document numbers, and the term's BM25 score in each document, computed with Whoosh's own formula,
statistics and lossy field lengths), kept in a bounded cache for the commit being searched, and a query tree of
terms, OR, AND, AND NOT, AND MAYBE and DisjunctionMax is evaluated into one score per document. The scores are
Whoosh's up to float rounding, ties go to the lower document number as in Whoosh, and the number of hits is exact.

Phrases (and compounds looked for whole: span queries, which need positions) and date ranges are matched and scored by
Whoosh's own matchers inside such a tree. Queries with anything else (unexpanded prefixes, fields other than
title and body) return None from :meth:`ArrayRanker.rank`, and the caller runs them through Whoosh.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.spans import SpanQuery
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from ..index.schema import TEXT_FIELDS

#: Postings kept decoded per commit, over all cached terms: 24 bytes each (number, weight, score).
CACHED_POSTINGS = 4_000_000

#: Document frequencies remembered per commit.
CACHED_FREQUENCIES = 200_000

#: Field length bytes (Whoosh stores each document's field length in one byte, logarithmically) → length.
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


@dataclass(frozen=True)
class Postings:
    """One term's postings: document numbers (ascending), the term's weight in each, and its BM25 score there."""

    ids: np.ndarray
    weights: np.ndarray
    scores: np.ndarray


def bm25_idf(documents: int, frequency: int) -> float:
    """Whoosh's idf (``WeightingModel.idf``) of a term in ``frequency`` of ``documents`` documents."""
    return log(documents / (frequency + 1)) + 1


class Unsupported(Exception):
    """The query has a part that only Whoosh's matchers evaluate."""


@dataclass(frozen=True)
class Ranked:
    """The best documents of a query: document numbers (in the searcher's numbering) and scores, best first,
    and how many documents match in all."""

    docnums: np.ndarray
    scores: np.ndarray
    total: int
    #: False when ``total`` is an estimate (Whoosh's, for queries it ranks).
    exact: bool = True


class ArrayRanker:
    """Scores queries for one searcher (one commit of the index) with its BM25F parameters, so both ways of
    ranking use the same ones; get it with :func:`ranker_for`."""

    def __init__(self, searcher: Searcher) -> None:
        # Weakly: the ranker is kept in a WeakKeyDictionary under its searcher, which it must not keep alive.
        self._searcher = weakref.ref(searcher)
        weighting = searcher.weighting
        if not isinstance(weighting, BM25F):
            raise TypeError(f"the array ranker scores with BM25F, not {type(weighting).__name__}")
        self.k1 = weighting.K1
        self.b = weighting.B
        self.size = searcher.doc_count_all()
        self._reader = searcher.reader()
        self._leaves = [(reader, offset) for reader, offset in self._reader.leaf_readers()]
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: OrderedDict[tuple[str, str], Postings] = OrderedDict()
        self._cached = 0
        self._frequencies: dict[tuple[str, str], int] = {}
        self._live = self._live_documents()

    # --- ranking ------------------------------------------------------------------------------------------------

    def rank(self, query: wq.Query, limit: int) -> Ranked | None:
        """The ``limit`` best documents for ``query``, or None when the query has parts this ranker leaves to
        Whoosh."""
        try:
            scores = self._dense(query)
        except Unsupported:
            return None
        if self._live is not None:
            scores *= self._live
        matching = np.flatnonzero(scores)
        if limit <= 0:
            return Ranked(matching[:0], scores[:0], len(matching))
        if limit < len(matching):
            # Every document scoring at least the limit-th best score, so ties at the cut are decided as below.
            cut = np.partition(scores[matching], len(matching) - limit)[len(matching) - limit]
            candidates = matching[scores[matching] >= cut]
        else:
            candidates = matching
        order = np.lexsort((candidates, -scores[candidates]))[:limit]
        best = candidates[order]
        return Ranked(best, scores[best], len(matching))

    def _dense(self, query: wq.Query) -> np.ndarray:
        """Scores of every document for ``query``: a fresh array the caller may change."""
        if isinstance(query, wq.Term):
            scores = np.zeros(self.size)
            found = self.postings(query.fieldname, query.text)
            scores[found.ids] = found.scores
        elif isinstance(query, wq.DisjunctionMax) and not query.tiebreak:
            scores = np.zeros(self.size)
            for sub in query.subqueries:
                if isinstance(sub, wq.Term):
                    found = self.postings(sub.fieldname, sub.text)
                    scores[found.ids] = np.maximum(scores[found.ids], found.scores * sub.boost)
                else:
                    np.maximum(scores, self._dense(sub), out=scores)
        elif type(query) is wq.Or and not query.minmatch and not query.scale:
            scores = np.zeros(self.size)
            for sub in query.subqueries:
                if isinstance(sub, wq.Term):
                    found = self.postings(sub.fieldname, sub.text)
                    scores[found.ids] += found.scores * sub.boost
                else:
                    scores += self._dense(sub)
        elif type(query) is wq.And:
            scores = np.zeros(self.size)
            matched = np.ones(self.size, dtype=bool)
            for sub in query.subqueries:
                part = self._dense(sub)
                scores += part
                matched &= part > 0
            scores[~matched] = 0.0
        elif isinstance(query, wq.AndMaybe):
            scores = self._dense(query.a)
            matched = scores > 0
            scores[matched] += self._dense(query.b)[matched]
        elif type(query) is wq.AndNot:
            scores = self._dense(query.a)
            scores[self._dense(query.b) > 0] = 0.0
        elif isinstance(query, (SpanQuery, wq.DateRange)):
            return self._whoosh_scores(query)  # its matcher applies its boost
        elif query is wq.NullQuery:
            return np.zeros(self.size)
        else:
            raise Unsupported(type(query).__name__)
        # Whoosh applies a compound query's boost only when it has several parts (one is matched directly).
        if query.boost != 1.0 and not (isinstance(query, wq.CompoundQuery) and len(query.subqueries) == 1):
            scores *= query.boost
        return scores

    def _whoosh_scores(self, query: wq.Query) -> np.ndarray:
        """A part matched and scored by Whoosh: one that needs positions (a phrase, a compound word), or a date
        range."""
        scores = np.zeros(self.size)
        searcher = self._searcher()
        assert searcher is not None, "ranking with the searcher of a closed commit"
        for subsearcher, offset in searcher.leaf_searchers():
            matcher = query.matcher(subsearcher, subsearcher.context(needs_current=True))
            while matcher.is_active():
                scores[offset + matcher.id()] = matcher.score()
                matcher.next()
        return scores

    # --- postings -----------------------------------------------------------------------------------------------

    def postings(self, fieldname: str, text: str) -> Postings:
        """The term's postings over all segments, deleted documents included (they are masked after scoring)."""
        if fieldname not in TEXT_FIELDS:
            raise Unsupported(f"field {fieldname}")
        key = (fieldname, text)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        ids, weights = self._read_postings(fieldname, text)
        found = Postings(ids, weights, self._bm25(fieldname, text, ids, weights) if len(ids) else weights)
        self._postings[key] = found
        self._cached += len(ids)
        while self._cached > CACHED_POSTINGS and len(self._postings) > 1:
            _, dropped = self._postings.popitem(last=False)
            self._cached -= len(dropped.ids)
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents with the term (deleted ones included, as in Whoosh's idf), remembered for the commit: the
        corrections ask for every query word's, and Whoosh looks each up in every segment."""
        key = (fieldname, text)
        frequency = self._frequencies.get(key)
        if frequency is None:
            if len(self._frequencies) >= CACHED_FREQUENCIES:
                self._frequencies.clear()
            frequency = self._frequencies[key] = self._reader.doc_frequency(fieldname, text)
        return frequency

    def weights(self, fieldname: str, text: str, docnums: np.ndarray) -> np.ndarray:
        """The term's weight (its frequency, each occurrence counted by its reading's probability) in each of the
        documents ``docnums`` (sorted), 0 where it does not occur."""
        found = self.postings(fieldname, text)
        weights = np.zeros(len(docnums))
        if len(found.ids):
            at = np.minimum(np.searchsorted(found.ids, docnums), len(found.ids) - 1)
            present = found.ids[at] == docnums
            weights[present] = found.weights[at[present]]
        return weights

    def _bm25(self, fieldname: str, text: str, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Whoosh's ``BM25FScorer``: its idf, average field length (``Searcher.avg_field_length``) and one-byte
        field lengths."""
        idf = bm25_idf(self.size, self.doc_frequency(fieldname, text))
        average = self._reader.field_length(fieldname) / (self.size or 1) or 1
        lengths = self._field_lengths(fieldname)[ids]
        k1, b = self.k1, self.b
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))

    def _read_postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for reader, offset in self._leaves:
            if (fieldname, text) not in reader:
                continue
            matcher = reader.postings(fieldname, text)
            if isinstance(matcher, FilterMatcher):  # the segment's deletions; masked out after scoring instead
                matcher = matcher.child
            if not isinstance(matcher, W3LeafMatcher):
                raise Unsupported(type(matcher).__name__)
            for ids, weights in _blocks(matcher):
                id_parts.append(ids + offset)
                weight_parts.append(weights)
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(id_parts), np.concatenate(weight_parts)

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of the field, as Whoosh's scorer sees it (decoded from its byte)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            codes = np.zeros(self.size, dtype=np.uint8)
            for reader, offset in self._leaves:
                column = _length_bytes(reader, fieldname)
                codes[offset:offset + len(column)] = column
            lengths = self._lengths[fieldname] = _LENGTHS[codes]
        return lengths

    def _live_documents(self) -> np.ndarray | None:
        """1 for documents not deleted, 0 for deleted ones; None when no segment has deletions."""
        if not any(reader.has_deletions() for reader, _ in self._leaves):
            return None
        live = np.ones(self.size)
        for reader, offset in self._leaves:
            for docnum in reader._perdoc.deleted_docs():
                live[offset + docnum] = 0.0
        return live


def _blocks(matcher: W3LeafMatcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(document numbers, weights) of each block of a Whoosh 2.7 posting list, decoded as whole arrays (the
    matcher's own reading decodes the delta-coded numbers one at a time)."""
    while matcher.is_active():
        matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        ids = np.asarray(raw_ids, dtype=np.int64)
        if not matcher._byteids:
            ids = np.cumsum(ids)
        count = matcher._blocklength
        if raw_weights is None:
            weights = np.ones(count)
        elif isinstance(raw_weights, float):
            weights = np.full(count, raw_weights)
        else:
            weights = np.asarray(raw_weights, dtype=np.float64)
        yield ids, weights
        matcher._next_block()


def _length_bytes(reader: SegmentReader, fieldname: str) -> np.ndarray:
    """A segment's one-byte field lengths, read as one array."""
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.zeros(0, dtype=np.uint8)
    count = min(column._count, reader.doc_count_all())
    return np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)


_rankers: weakref.WeakKeyDictionary[Searcher, ArrayRanker] = weakref.WeakKeyDictionary()


def ranker_for(searcher: Searcher) -> ArrayRanker:
    """The ranker of this searcher, made on first use; it lives as long as the searcher (one commit). Like
    Whoosh's searchers, a ranker is for one thread at a time."""
    ranker = _rankers.get(searcher)
    if ranker is None:
        ranker = _rankers[searcher] = ArrayRanker(searcher)
    return ranker
