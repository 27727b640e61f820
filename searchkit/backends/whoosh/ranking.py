"""BM25F ranking with array arithmetic: compiled queries scored over whole posting lists at once.

Whoosh matches a query by stepping through its postings one document at a time in Python. Here a term's
postings are decoded block by block into NumPy arrays (document numbers, and the term's BM25 score in each
document, computed with Whoosh's own formula, statistics and lossy field lengths), kept in a bounded cache for
the commit being searched, and a compiled query of terms, OR, AND, AND NOT, AND MAYBE and DisMax is evaluated
into one score per document. The scores are Whoosh's up to float rounding, ties go to the lower document number
as in Whoosh, and the number of hits is exact.

Phrases and the ``=form`` operator, which need positions, are matched and scored by Whoosh's own matchers
(:func:`.translate.to_whoosh`) inside such a tree. Dates, for filters and for ordering by date, are read once
per commit into an array.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from ... import compiled as cq
from ...compiled import bm25_idf
from ..base import Ranked
from .internals import deleted_documents, length_bytes
from .term_tables import CommitTerms, term_text
from .translate import to_whoosh

#: Postings kept decoded per commit, over all cached terms: 24 bytes each (number, weight, score).
CACHED_POSTINGS = 4_000_000

#: Document frequencies remembered per commit.
CACHED_FREQUENCIES = 200_000

#: Path and keyword filters remembered per commit: which of a field's values each passes.
CACHED_FILTERS = 256

#: Bytes of score arrays a commit's ranker keeps for its next queries (:class:`_Scratch`).
SCRATCH_BYTES = 64 << 20

#: Field length bytes (Whoosh stores each document's field length in one byte, logarithmically) → length.
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)

#: The day number of an undated document: before every date, so filters never pass it.
UNDATED = np.iinfo(np.int64).min
#: The day number (``date.toordinal()``) of NumPy's day 0, 1970-01-01.
_EPOCH_ORDINAL = 719_163


def _documents(reader: SegmentReader, fieldname: str, term: bytes, offset: int) -> np.ndarray:
    """The numbers (in the commit) of a segment's documents having ``term``."""
    return np.fromiter(reader.postings(fieldname, term).all_ids(), dtype=np.int64) + offset


def _counted(values: list[str], codes: np.ndarray, in_order: bool = False) -> dict[str, int]:
    """How many of ``codes`` (indexes into ``values``, -1 for none) point at each value: the most first, or in
    the order of ``values``."""
    counts = np.bincount(codes[codes >= 0], minlength=len(values))
    present = np.flatnonzero(counts)
    if not in_order:
        present = present[np.lexsort((present, -counts[present]))]
    return {values[n]: int(counts[n]) for n in present}


class _Scratch:
    """Arrays of one score per document, lent to the evaluation of a query and given back when a node has
    added its part's scores to its own. A query of a few words needs a dozen such arrays at once; freed
    together, they are handed back to the system by the C allocator (each is above its threshold for mapping
    memory of its own, or at the top of its heap beyond its threshold for trimming) and the next ones fault in
    their pages anew, which costs more than all the arithmetic on them. Kept here, they are reused, zeroed."""

    def __init__(self, size: int, budget: int = SCRATCH_BYTES) -> None:
        self.size = size
        self._kept = max(2, budget // max(8 * size, 1))
        self._free: list[np.ndarray] = []

    def filled(self, value: float) -> np.ndarray:
        """An array of ``value`` for every document, which the caller owns until it gives it back."""
        if not self._free:
            return np.full(self.size, value)
        scores = self._free.pop()
        scores.fill(value)
        return scores

    def give(self, scores: np.ndarray) -> None:
        """Take back an array no one else refers to (one :meth:`filled` lent, or any fresh one of the size)."""
        if len(self._free) < self._kept and scores.shape == (self.size,) and scores.dtype == np.float64 and \
                scores.base is None:
            self._free.append(scores)


@dataclass(frozen=True)
class Postings:
    """One term's postings: document numbers (ascending), the term's weight in each, and its BM25 score there."""

    ids: np.ndarray
    weights: np.ndarray
    scores: np.ndarray


class ArrayRanker:
    """Scores compiled queries for one searcher (one commit of the index) with its BM25F parameters, so both ways
    of ranking use the same ones. Owned by the commit's context, so it is used by one thread at a time."""

    def __init__(self, searcher: Searcher, folder: str | None = None) -> None:
        weighting = searcher.weighting
        if not isinstance(weighting, BM25F):
            raise TypeError(f"the array ranker scores with BM25F, not {type(weighting).__name__}")
        self.k1 = weighting.K1
        self.b = weighting.B
        self.size = searcher.doc_count_all()
        self._searcher = searcher
        self._reader = searcher.reader()
        self._leaves = [(reader, offset) for reader, offset in self._reader.leaf_readers()]
        #: The commit's terms, from the segments' tables in ``folder`` where they have them.
        self.terms = CommitTerms(self._leaves, folder)
        self._lengths: dict[str, np.ndarray] = {}
        self._average_lengths: dict[str, float] = {}
        #: Postings by (field, term), and those of a DisjunctionMax's terms together by its terms.
        self._postings: OrderedDict[tuple[object, ...], Postings] = OrderedDict()
        self._cached = 0
        self._frequencies: dict[tuple[str, str], int] = {}
        self._live = self._live_documents()
        self._scratch = _Scratch(self.size)
        self._days: np.ndarray | None = None
        self._columns: dict[str, tuple[list[str], np.ndarray]] = {}
        self._wanted: dict[tuple[str, object], np.ndarray] = {}
        self._facet_columns: dict[str, tuple[list[str], np.ndarray]] = {}

    # --- ranking ------------------------------------------------------------------------------------------------

    def rank(self, query: cq.Query, limit: int | None, order: str = "relevance",
             facets: tuple[str, ...] = ()) -> Ranked:
        """The ``limit`` best documents for ``query`` in ``order`` (all of them for ``None``), and the counts of
        all of them by each of ``facets``. A query of filters alone matches the documents that pass them, each
        scoring 0."""
        if isinstance(query, cq.Filtered) and query.query is None:
            scores = self._scratch.filled(0.0)
            matched = self._passing(query.filters)
            if self._live is not None:
                matched &= self._live > 0
            matching = np.flatnonzero(matched)
        else:
            scores = self._dense(query)
            if self._live is not None:
                scores *= self._live
            matching = np.flatnonzero(scores != 0)  # a bool array: flatnonzero of floats is several times slower
        wanted = len(matching) if limit is None else max(0, min(limit, len(matching)))
        if order == "relevance":
            best = self._best(matching, scores, wanted)
        else:
            days = self.days()[matching]
            dated = days != UNDATED
            # Dated documents first, by date (newest or oldest first), then by score, then by number.
            newest_first = -days if order == "newest" else days
            best = matching[np.lexsort((matching, -scores[matching], newest_first, ~dated))][:wanted]
        counts = {name: self._facet(name, matching) for name in facets}
        ranked = Ranked(best, scores[best], len(matching), facets=counts)
        self._scratch.give(scores)
        return ranked

    @staticmethod
    def _best(matching: np.ndarray, scores: np.ndarray, wanted: int) -> np.ndarray:
        if wanted < len(matching):
            # Every document scoring at least the wanted-th best score, so ties at the cut are decided as below.
            cut = np.partition(scores[matching], len(matching) - wanted)[len(matching) - wanted]
            candidates = matching[scores[matching] >= cut]
        else:
            candidates = matching
        order = np.lexsort((candidates, -scores[candidates]))[:wanted]
        return candidates[order]

    def dense(self, query: cq.Query) -> np.ndarray:
        """Scores of every document for ``query``, deleted documents included: a fresh array the caller may
        change and keep."""
        return self._dense(query).copy()

    def _dense(self, query: cq.Query) -> np.ndarray:
        """:meth:`dense` in an array lent by the scratch pool: the caller gives it back when done with it."""
        zeros, give = self._scratch.filled, self._scratch.give
        if isinstance(query, cq.Term):
            scores = zeros(0.0)
            found = self.postings(query.field, query.text)
            scores[found.ids] = found.scores
        elif isinstance(query, cq.DisMax):
            scores = zeros(0.0)
            terms = tuple(part for part in query.parts if isinstance(part, cq.Term))
            if terms:
                found = self._postings_together(terms)
                np.maximum.at(scores, found.ids, found.scores)
            for part in query.parts:
                if not isinstance(part, cq.Term):
                    part_scores = self._dense(part)
                    np.maximum(scores, part_scores, out=scores)
                    give(part_scores)
        elif isinstance(query, cq.Or):
            scores = zeros(0.0)
            for part in query.parts:
                if isinstance(part, cq.Term):
                    found = self.postings(part.field, part.text)
                    scores[found.ids] += found.scores * part.boost
                else:
                    part_scores = self._dense(part)
                    scores += part_scores
                    give(part_scores)
        elif isinstance(query, cq.And):
            scores = zeros(0.0)
            matched = np.ones(self.size, dtype=bool)
            for part in query.parts:
                part_scores = self._dense(part)
                scores += part_scores
                matched &= part_scores > 0
                give(part_scores)
            scores[~matched] = 0.0
        elif isinstance(query, cq.AndMaybe):
            scores = self._dense(query.required)
            matched = scores > 0
            optional = self._dense(query.optional)
            scores[matched] += optional[matched]
            give(optional)
        elif isinstance(query, cq.AndNot):
            scores = self._dense(query.positive)
            negative = self._dense(query.negative)
            scores[negative > 0] = 0.0
            give(negative)
        elif isinstance(query, cq.Filtered):
            scores = self._dense(query.query) if query.query is not None else zeros(1.0)
            scores[~self._passing(query.filters)] = 0.0
        elif isinstance(query, cq.DateRange):
            scores = zeros(0.0)
            scores[self._in_range(query)] = query.boost
            return scores
        elif isinstance(query, (cq.Phrase, cq.FormInText, cq.TermNotAmong)):
            return self._whoosh_scores(query)  # its matcher applies its boost
        elif isinstance(query, cq.Nothing):
            return zeros(0.0)
        else:
            raise TypeError(f"not a compiled query: {query!r}")
        if query.boost != 1.0:
            scores *= query.boost
        return scores

    def _whoosh_scores(self, query: cq.Query) -> np.ndarray:
        """A part matched and scored by Whoosh, one that needs positions."""
        scores = self._scratch.filled(0.0)
        whoosh_query = to_whoosh(query)
        for subsearcher, offset in self._searcher.leaf_searchers():
            matcher = whoosh_query.matcher(subsearcher, subsearcher.context(needs_current=True))
            while matcher.is_active():
                scores[offset + matcher.id()] = matcher.score()
                matcher.next()
        return scores

    # --- filters and dates ----------------------------------------------------------------------------------------

    def _passing(self, filters: tuple[cq.Filter, ...]) -> np.ndarray:
        """Whether each document passes every filter (one of each filter's alternatives)."""
        passing = np.ones(self.size, dtype=bool)
        for condition in filters:
            any_of = np.zeros(self.size, dtype=bool)
            for alternative in condition.alternatives:
                any_of |= self._passes(condition.field, alternative)
            passing &= any_of
        return passing

    def _passes(self, fieldname: str, alternative: cq.DateRange | cq.PathPattern | cq.Keyword | cq.Matching
                ) -> np.ndarray:
        if isinstance(alternative, cq.DateRange):
            return self._in_range(alternative)
        if isinstance(alternative, cq.Matching):
            scores = self._dense(alternative.query)
            passing = scores > 0
            self._scratch.give(scores)
            return passing
        key = (fieldname, alternative)
        passing = self._wanted.get(key)
        if passing is None:
            passing = np.zeros(self.size, dtype=bool)
            # The field's values are scanned (a term list, cheap) and only the postings of those that pass are
            # read: a path filter on a one-shot search must not read every path's postings.
            for value, documents in self._keyword_values(fieldname):
                if value == alternative.value if isinstance(alternative, cq.Keyword) else alternative.matches(value):
                    passing[documents()] = True
            if len(self._wanted) >= CACHED_FILTERS:
                self._wanted.clear()
            self._wanted[key] = passing
        return passing

    # --- keyword columns and facets -------------------------------------------------------------------------------

    def column(self, fieldname: str) -> tuple[list[str], np.ndarray]:
        """A keyword field (``folder``, ``format``, ``author_name``; ``path`` or ``hash``, whose tens of thousands
        of values take seconds to read) as a column: its distinct values, and each document's value as an index
        into them (-1 for none); read once per commit from the terms."""
        found = self._columns.get(fieldname)
        if found is None:
            index: dict[str, int] = {}
            codes = np.full(self.size, -1, dtype=np.int32)
            for value, documents in self._keyword_values(fieldname):
                codes[documents()] = index.setdefault(value, len(index))
            found = self._columns[fieldname] = (list(index), codes)
        return found

    def _keyword_values(self, fieldname: str) -> Iterator[tuple[str, Callable[[], np.ndarray]]]:
        """Each value of a keyword field, segment by segment, with a function that reads the numbers of its
        documents there. A value is looked up only in the segments that have it, where asking the whole commit for
        each of tens of thousands of paths would ask every segment for each."""
        for reader, offset in self._leaves:
            if fieldname in reader.indexed_field_names():
                for term in reader.lexicon(fieldname):
                    yield term_text(term), partial(_documents, reader, fieldname, term, offset)

    def _facet(self, name: str, matching: np.ndarray) -> dict[str, int]:
        """How many of the ``matching`` documents have each value of the facet ``name``
        (:data:`searchkit.compiled.FACETS`); documents without one are not counted."""
        values, codes = self._facet_column(name)
        return _counted(values, codes[matching], in_order=name in ("year", "month"))

    def _facet_column(self, name: str) -> tuple[list[str], np.ndarray]:
        """A facet as a column, built once per commit: its values (years and months in order of time) and each
        document's as an index into them (-1 for none), so that counting the matches is one ``bincount``."""
        found = self._facet_columns.get(name)
        if found is None:
            if name in ("year", "month"):
                days = self.days()
                dated = days != UNDATED
                stamps = (days[dated] - _EPOCH_ORDINAL).astype("datetime64[D]").astype(
                    "datetime64[Y]" if name == "year" else "datetime64[M]")
                distinct, inverse = np.unique(stamps, return_inverse=True)
                codes = np.full(self.size, -1, dtype=np.int64)
                codes[dated] = inverse
                found = ([str(value) for value in distinct], codes)
            else:
                values, keyword_codes = self.column({"folder": "folder", "format": "format", "author": "author_name"}[name])
                found = (values, keyword_codes.astype(np.int64))
            self._facet_columns[name] = found
        return found

    def _in_range(self, dates: cq.DateRange) -> np.ndarray:
        days = self.days()
        inside = days != UNDATED
        if dates.start is not None:
            inside &= days >= dates.start.toordinal()
        if dates.end is not None:
            inside &= days <= dates.end.toordinal()
        return inside

    def days(self) -> np.ndarray:
        """Each document's date as a day number (``date.toordinal()``), :data:`UNDATED` where it has none; read
        once per commit from the date field's terms."""
        if self._days is None:
            self._days = self._field_days("date")
        return self._days

    def _field_days(self, fieldname: str) -> np.ndarray:
        days = np.full(self.size, UNDATED, dtype=np.int64)
        field = self._searcher.schema[fieldname]
        for term in field.sortable_terms(self._reader, fieldname):
            day = field.from_bytes(term).date().toordinal()
            days[np.fromiter(self._reader.postings(fieldname, term).all_ids(), dtype=np.int64)] = day
        return days

    # --- postings -----------------------------------------------------------------------------------------------

    def postings(self, fieldname: str, text: str) -> Postings:
        """The term's postings over all segments, deleted documents included (they are masked after scoring)."""
        key = (fieldname, text)
        found = self._remembered(key)
        if found is None:
            ids, weights = self.terms.postings(fieldname, text)
            scores = self._bm25(fieldname, self._idf(fieldname, text), ids, weights) if len(ids) else weights
            found = self._remember(key, Postings(ids, weights, scores))
        return found

    def _postings_together(self, terms: tuple[cq.Term, ...]) -> Postings:
        """The postings of all ``terms`` (a DisjunctionMax's, such as a root's hundred), one term's after
        another's, each scored and multiplied by its term's boost: read and scored in a few NumPy calls for all
        of them, and remembered as one."""
        found = self._remembered(terms)
        if found is None:
            ids, weights, scores = [], [], []
            for fieldname in dict.fromkeys(term.field for term in terms):
                group = [term for term in terms if term.field == fieldname]
                texts = [term.text for term in group]
                field_ids, field_weights, counts = self.terms.postings_of(fieldname, texts)
                idf = np.repeat([self._idf(fieldname, text) if count else 0.0 for text, count in zip(texts, counts)],
                                counts)
                boosts = np.repeat([term.boost for term in group], counts)
                ids.append(field_ids)
                weights.append(field_weights)
                scores.append(self._bm25(fieldname, idf, field_ids, field_weights) * boosts)
            found = self._remember(terms, Postings(np.concatenate(ids), np.concatenate(weights),
                                                   np.concatenate(scores)))
        return found

    def _idf(self, fieldname: str, text: str) -> float:
        return bm25_idf(self.size, self.doc_frequency(fieldname, text))

    def _remembered(self, key: tuple[object, ...]) -> Postings | None:
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
        return found

    def _remember(self, key: tuple[object, ...], found: Postings) -> Postings:
        """Keep ``found`` for the commit's later queries, the least recently used dropped beyond
        :data:`CACHED_POSTINGS`."""
        self._postings[key] = found
        self._cached += len(found.ids)
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
            frequency = self._frequencies[key] = self.terms.doc_frequency(fieldname, text)
        return frequency

    def weights(self, fieldname: str, text: str, docnums: np.ndarray) -> np.ndarray:
        """The term's weight in each of the documents ``docnums`` (sorted), 0 where it does not occur."""
        found = self.postings(fieldname, text)
        weights = np.zeros(len(docnums))
        if len(found.ids):
            at = np.minimum(np.searchsorted(found.ids, docnums), len(found.ids) - 1)
            present = found.ids[at] == docnums
            weights[present] = found.weights[at[present]]
        return weights

    def _bm25(self, fieldname: str, idf: float | np.ndarray, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Whoosh's ``BM25FScorer`` of postings whose term has the idf ``idf`` (or each its own): its average field
        length (``Searcher.avg_field_length``) and one-byte field lengths."""
        average = self._average_lengths.get(fieldname)
        if average is None:  # Whoosh adds up every segment's total each time
            total = self._reader.field_length(fieldname)
            average = self._average_lengths[fieldname] = total / (self.size or 1) or 1
        lengths = self._field_lengths(fieldname)[ids]
        k1, b = self.k1, self.b
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of the field, as Whoosh's scorer sees it (decoded from its byte)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            codes = np.zeros(self.size, dtype=np.uint8)
            for reader, offset in self._leaves:
                column = length_bytes(reader, fieldname)
                codes[offset:offset + len(column)] = column
            lengths = self._lengths[fieldname] = _LENGTHS[codes]
        return lengths

    def _live_documents(self) -> np.ndarray | None:
        """1 for documents not deleted, 0 for deleted ones; None when no segment has deletions."""
        if not any(reader.has_deletions() for reader, _ in self._leaves):
            return None
        live = np.ones(self.size)
        for reader, offset in self._leaves:
            for docnum in deleted_documents(reader):
                live[offset + docnum] = 0.0
        return live
