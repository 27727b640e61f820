"""One commit of a cluster index as searches read it.

The cluster has no snapshots a client can hold, so a commit is a transaction number: every document carries the
number of the transaction that wrote it, and a context, made for the number committed when it was opened, sees
the documents written up to it (:func:`visible`). Documents are numbered in the order the context first meets
them (a search's hits, a lookup), so the rest of searchkit can speak of document numbers as it does for the
embedded index. The term statistics come from the index's vocabulary (:mod:`.vocabulary`), cached for the
context's life.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ...analysis import get_analyzer, iter_words, may_have
from ...compiled import Query, bm25_idf
from ...documents import Document
from ..base import Ranked
from .fields import TEXT_SOURCE, document_from_source
from .translate import Dsl, Translation, lucene_idf, terms_of

if TYPE_CHECKING:
    from .store import OpenSearchBackend

#: Hits fetched with their source in the search that ranks them: a page; more are fetched when asked for.
SOURCES_WITH_HITS = 100
#: Documents read at once by ``mget`` and hits by each request of a long listing.
READ_BATCH = 1000
#: Documents read with one asked for that has not been read (those ranked after it).
READ_AHEAD = 50
#: Documents' fields whose words a context keeps counted, and the weights of homonyms' readings in documents it
#: keeps: a query asked again costs nothing to analyse.
WORDS_KEPT = 2000
WEIGHTS_KEPT = 200_000
#: Up to this many documents, a context answers lookups by a keyword field from one map of its values.
LOOKUP_MAP_DOCUMENTS = 50_000
#: The facet values counted at most (the most frequent).
FACET_VALUES = 10_000
_FACET_FIELDS = {"folder": "folder", "format": "format", "author": "author_name"}


def visible(generation: int) -> Dsl:
    """The documents of transactions committed up to ``generation``."""
    return {"range": {"txn": {"lte": generation}}}


class OpenSearchContext:
    """A committed state of a cluster index, for one thread at a time."""

    def __init__(self, backend: OpenSearchBackend, generation: int, documents: int) -> None:
        self._backend = backend
        self._client = backend.client
        self._index = backend.names.documents
        self.generation = generation
        self.documents = documents
        self.caches: dict[str, Any] = {}
        #: A cluster keeps no lexicon of forms: the morphology analyses every word.
        self.lexicon = None
        self._ids: list[str] = []
        self._numbers: dict[str, int] = {}
        self._sources: dict[int, dict[str, Any]] = {}
        self._analyzer = get_analyzer(backend.settings.analyzer)
        self._dsl = Translation(backend.bm25_k1, self._idf_ratio, backend.cluster.weights).dsl
        self._written: int | None = None
        self.closed = False

    @property
    def size(self) -> int:
        return self.documents

    def close(self) -> None:
        self.closed = True

    # --- numbering -------------------------------------------------------------------------------------------

    def _number(self, cluster_id: str, source: dict[str, Any] | None = None) -> int:
        number = self._numbers.get(cluster_id)
        if number is None:
            number = self._numbers[cluster_id] = len(self._ids)
            self._ids.append(cluster_id)
        if source is not None:
            self._sources[number] = source
        return number

    def _idf_ratio(self, field: str, term: str) -> float:
        """searchkit's idf of the term over the cluster's (taken as one shard would see the index)."""
        frequency = self.doc_frequency(field, term)
        if not frequency:
            return 1.0
        having = self._documents_written()
        return bm25_idf(self.size, frequency) / max(lucene_idf(max(having, frequency), frequency), 1e-6)

    def _documents_written(self) -> int:
        """BM25's N in OpenSearch for every weighted field: the documents having the field, which is every
        document written (:data:`.fields.LENGTH_PAD`), those of transactions not committed or not yet deleted
        too."""
        if self._written is None:
            with self._backend.reported():
                self._written = int(self._client.count(index=self._index)["count"])
        return self._written

    def _prepare(self, query: Query) -> None:
        """Read at once the document frequencies the translation of ``query`` will ask for."""
        self.doc_frequencies(set(terms_of(query)))

    def _visible(self, query: Dsl) -> Dsl:
        return {"bool": {"must": [query], "filter": [visible(self.generation)]}}

    def _search(self, body: Dsl, **params: Any) -> Dsl:
        with self._backend.reported():
            return self._client.search(index=self._index, body=body, **self._backend.search_options, **params)

    # --- ranking ---------------------------------------------------------------------------------------------

    def rank(self, query: Query, limit: int | None, order: str = "relevance", facets: tuple[str, ...] = ()
             ) -> Ranked:
        self._prepare(query)
        body: Dsl = {"query": self._visible(self._dsl(query)), "track_total_hits": True,
                     "aggs": {name: _facet_aggregation(name) for name in facets}}
        # Equal scores in the order the documents were written, as the embedded index orders them, whatever
        # shards they are on.
        body["sort"] = [{"_score": "desc"}, {"seq": "asc"}]
        if order != "relevance":
            body["sort"].insert(0, {"date": {"order": "desc" if order == "newest" else "asc", "missing": "_last"}})
            body["track_scores"] = True
        if limit is None:
            hits, answer = self._every_hit(body)
        else:
            body["size"] = limit
            body["_source"] = limit <= SOURCES_WITH_HITS
            answer = self._search(body)
            hits = answer["hits"]["hits"]
        numbers = [self._number(hit["_id"], hit.get("_source")) for hit in hits]
        scores = [hit["_score"] or 0.0 for hit in hits]
        total = answer["hits"]["total"]
        return Ranked(np.array(numbers, dtype=np.int64), np.array(scores, dtype=float), total["value"],
                      exact=total["relation"] == "eq",
                      facets={name: _counted(name, answer["aggregations"][name]) for name in facets})

    def _every_hit(self, body: Dsl) -> tuple[list[Dsl], Dsl]:
        """Every hit in order, fetched a batch at a time after the last one (a point in time keeps the batches on
        one view of the index)."""
        with self._backend.reported():
            pit = self._client.create_pit(index=self._index, params={"keep_alive": "2m"})["pit_id"]
        try:
            body = {**body, "size": READ_BATCH, "_source": False, "pit": {"id": pit, "keep_alive": "2m"},
                    "sort": [*body["sort"], {"_shard_doc": "asc"}], "track_scores": True}
            hits: list[Dsl] = []
            first: Dsl | None = None
            while True:
                with self._backend.reported():
                    answer = self._client.search(body=body, **self._backend.search_options)
                first = first or answer
                page = answer["hits"]["hits"]
                hits.extend(page)
                if len(page) < READ_BATCH:
                    return hits, first
                body = {**body, "search_after": page[-1]["sort"], "aggs": {}, "track_total_hits": False}
        finally:
            with self._backend.reported():
                self._client.delete_pit(body={"pit_id": [pit]})

    def keywords(self, field: str, docnums: list[int]) -> list[str]:
        self._read_sources(docnums)
        return [str(self._sources[number].get(field) or "") for number in docnums]

    def score(self, query: Query, docnum: int) -> float:
        self._prepare(query)
        body = {"query": {"bool": {"must": [self._dsl(query)], "filter": [{"ids": {"values": [self._ids[docnum]]}}]}},
                "size": 1, "_source": False}
        hits = self._search(body)["hits"]["hits"]
        return float(hits[0]["_score"] or 0.0) if hits else 0.0

    def term_weights(self, field: str, term: str, docnums: np.ndarray) -> np.ndarray:
        """From the documents' stored text, analysed again (the cluster keeps no postings a client can read):
        only its words that may be forms of ``term``, each distinct word once."""
        numbers = docnums.tolist()
        known: dict[tuple[int, str, str], float] = self.caches.setdefault("term_weights", {})
        missing = [number for number in numbers if (number, field, term) not in known]
        if missing:
            self._read_sources(missing)
            if len(known) >= WEIGHTS_KEPT:
                known.clear()
            may_be = may_have(self._analyzer.morphology, frozenset((term,)))
            for number in missing:
                weight = 0.0
                for surface, count in self._words_in(number, field).items():
                    if may_be(surface):
                        word = self._analyzer.word(surface)
                        if not word.stopword:
                            weight += count * sum(w for lemma, w in word.weighted if lemma == term)
                known[(number, field, term)] = weight
        return np.array([known[(number, field, term)] for number in numbers], dtype=float)

    def _words_in(self, number: int, field: str) -> Counter[str]:
        """How often each word (as written) stands in a document's field: split once per context, since the
        shares of a query's homonyms ask of the same hits for each reading of each ambiguous word."""
        words: dict[tuple[int, str], Counter[str]] = self.caches.setdefault("words_in", {})
        found = words.get((number, field))
        if found is None:
            if len(words) >= WORDS_KEPT:
                words.clear()
            text = self._sources[number].get(TEXT_SOURCE[field]) or ""
            found = words[(number, field)] = Counter(surface for surface, _, _, _ in iter_words(text))
        return found

    def field_length(self, docnum: int, field: str) -> int:
        self._read_sources([docnum])
        return int(self._sources[docnum].get(f"{field}_length") or 0)

    # --- documents -------------------------------------------------------------------------------------------

    def stored(self, docnum: int) -> Document:
        self._read_sources([docnum])
        return document_from_source(self._sources[docnum])

    def _read_sources(self, numbers: list[int]) -> None:
        """Read the sources of ``numbers`` not yet read; asked for one, read it with the next ones not yet read
        too (in rank order: a search folding duplicates or listing hits past a page reads them one by one)."""
        missing = [number for number in dict.fromkeys(numbers) if number not in self._sources]
        if len(missing) == 1:
            missing += [number for number in range(missing[0] + 1, min(len(self._ids), missing[0] + READ_AHEAD))
                        if number not in self._sources]
        for start in range(0, len(missing), READ_BATCH):
            batch = missing[start:start + READ_BATCH]
            with self._backend.reported():
                answer = self._client.mget(index=self._index, body={"ids": [self._ids[n] for n in batch]})
            for number, found in zip(batch, answer["docs"]):
                self._sources[number] = found.get("_source") or {"id": "", "body_text": ""}

    def find(self, field: str, value: str) -> int | None:
        """A sync asks this for every file (and every record of a record file), so on an index of up to
        :data:`LOOKUP_MAP_DOCUMENTS` documents the field's values are read once, a batch at a time, rather than
        each asked for in a request of its own."""
        if self.documents <= LOOKUP_MAP_DOCUMENTS:
            found = self._lookup_map(field).get(value)
            return None if found is None else self._number(found)
        hits = self._search({"query": self._visible({"term": {field: value}}), "size": 1})["hits"]["hits"]
        return self._number(hits[0]["_id"], hits[0]["_source"]) if hits else None

    def _lookup_map(self, field: str) -> dict[str, str]:
        """Each value of a keyword field among the visible documents, with the id of a document having it."""
        maps: dict[str, dict[str, str]] = self.caches.setdefault("lookup_maps", {})
        if field not in maps:
            found = maps[field] = {}
            if self.documents:
                for bucket in self._buckets(field, visible_only=True, first_id=True):
                    found[bucket["key"]["value"]] = bucket["first"]["hits"]["hits"][0]["_id"]
        return maps[field]

    def values(self, field: str) -> Iterator[str]:
        """Every value of a keyword field, in order (those of documents not yet committed too)."""
        return (bucket["key"]["value"] for bucket in self._buckets(field, visible_only=False, first_id=False))

    def _buckets(self, field: str, visible_only: bool, first_id: bool) -> Iterator[Dsl]:
        """The buckets of a composite aggregation over a keyword field's values, in order, read a batch at a
        time; with ``first_id``, each with the id of one of its documents."""
        after: Dsl | None = None
        while True:
            composite: Dsl = {"composite": {"size": READ_BATCH, "sources": [{"value": {"terms": {"field": field}}}]}}
            if after:
                composite["composite"]["after"] = after
            if first_id:
                composite["aggs"] = {"first": {"top_hits": {"size": 1, "_source": False}}}
            body: Dsl = {"size": 0, "aggs": {"values": composite}}
            if visible_only:
                body["query"] = visible(self.generation)
            answer = self._search(body)["aggregations"]["values"]
            yield from answer["buckets"]
            after = answer.get("after_key")
            if len(answer["buckets"]) < READ_BATCH or after is None:
                return

    # --- term statistics -------------------------------------------------------------------------------------

    def doc_frequency(self, field: str, term: str) -> int:
        return self._backend.vocabulary.frequency(self.caches, field, term)

    def doc_frequencies(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], int]:
        self._backend.vocabulary.prefetch(self.caches, set(keys))
        return {(field, term): self.doc_frequency(field, term) for field, term in keys}

    def terms(self, field: str, prefix: str) -> Iterator[str]:
        return (term for term, _ in self.terms_with_frequencies(field, prefix))

    def terms_with_frequencies(self, field: str, prefix: str) -> Iterator[tuple[str, int]]:
        return self._backend.vocabulary.with_prefix(self.caches, field, prefix)


def _facet_aggregation(name: str) -> Dsl:
    if name in ("year", "month"):
        return {"date_histogram": {"field": "date", "calendar_interval": name, "min_doc_count": 1,
                                   "format": "yyyy" if name == "year" else "yyyy-MM"}}
    return {"terms": {"field": _FACET_FIELDS[name], "size": FACET_VALUES}}


def _counted(name: str, aggregation: Dsl) -> dict[str, int]:
    """A facet's counts, the most first (years and months in order of time, as the histogram gives them)."""
    counts = [(str(bucket.get("key_as_string", bucket["key"])), bucket["doc_count"])
              for bucket in aggregation["buckets"]]
    if name not in ("year", "month"):
        counts.sort(key=lambda item: (-item[1], item[0]))
    return dict(counts)
