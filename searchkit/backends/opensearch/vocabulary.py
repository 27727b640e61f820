"""The index's vocabulary: each term of a text field with its document frequency, in a companion index.

OpenSearch cannot enumerate the terms of a text field, which prefixes, roots, spelling corrections and completion
need, so searchkit keeps them itself: each commit adds the document frequencies of the terms its documents
brought. Like Lucene's own statistics, a frequency counts the documents deleted since (their terms stay until the
index is rebuilt); it ranks corrections and roots, while BM25 scores come from the cluster's own statistics.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from opensearchpy import OpenSearch, helpers

from .client import with_backoff
from .fields import TEXT_FIELDS, vocabulary_id

#: Terms read at once by a prefix scan, and looked up or written at once when a commit updates them.
SCAN_BATCH = 500
WRITE_BATCH = 5000
#: Prefixes whose terms a context keeps, the most recently used.
LISTED_PREFIXES = 512


class Vocabulary:
    """Read and update the vocabulary index ``name`` through ``client``; what a context has read is kept in its
    caches."""

    def __init__(self, client: OpenSearch, name: str, reported: Callable[[], AbstractContextManager[None]]) -> None:
        self._client = client
        self.name = name
        #: The cluster's errors as one line naming it, around every request.
        self._reported = reported

    def frequency(self, caches: dict[str, Any], field: str, term: str) -> int:
        self.prefetch(caches, {(field, term)})
        return caches["frequencies"][(field, term)]

    def prefetch(self, caches: dict[str, Any], keys: set[tuple[str, str]]) -> None:
        """Read the frequencies of the (field, term) ``keys`` not yet known, in one request."""
        known: dict[tuple[str, str], int] = caches.setdefault("frequencies", {})
        missing = [key for key in keys if key not in known]
        known.update(zip(missing, self._stored(missing)))

    def _stored(self, keys: list[tuple[str, str]]) -> list[int]:
        """The frequencies the vocabulary holds for ``keys`` (0 for a term it has not), read in batches."""
        frequencies: list[int] = []
        for start in range(0, len(keys), WRITE_BATCH):
            ids = [vocabulary_id(*key) for key in keys[start:start + WRITE_BATCH]]
            with self._reported():
                found = self._client.mget(index=self.name, body={"ids": ids}, _source_includes=["df"])["docs"]
            frequencies += [doc["_source"]["df"] if doc.get("found") else 0 for doc in found]
        return frequencies

    def with_prefix(self, caches: dict[str, Any], field: str, prefix: str) -> Iterator[tuple[str, int]]:
        """(term, frequency) of the field's terms from ``prefix``, alphabetically. A query word's terms are
        asked for in the title, then in the body: the first request reads both, and when they are few, both are
        kept; otherwise they are read a batch at a time as they are asked for."""
        listed: OrderedDict[tuple[str, str], list[tuple[str, int]]] = caches.setdefault("prefix_lists", OrderedDict())
        if (field, prefix) not in listed and field in TEXT_FIELDS and prefix:
            self._list_text_fields(caches, listed, prefix)
        if (field, prefix) in listed:
            listed.move_to_end((field, prefix))
            yield from listed[(field, prefix)]
            return
        yield from self._scan(caches, field, prefix)

    def _list_text_fields(self, caches: dict[str, Any], listed: OrderedDict[tuple[str, str], list[tuple[str, int]]],
                          prefix: str) -> None:
        known: dict[tuple[str, str], int] = caches.setdefault("frequencies", {})
        body = {"query": {"bool": {"filter": [{"terms": {"field": list(TEXT_FIELDS)}}, {"prefix": {"term": prefix}}]}},
                "size": SCAN_BATCH, "sort": [{"term": "asc"}, {"field": "asc"}]}
        with self._reported():
            hits = self._client.search(index=self.name, body=body)["hits"]["hits"]
        if len(hits) >= SCAN_BATCH:
            return
        found: dict[str, list[tuple[str, int]]] = {name: [] for name in TEXT_FIELDS}
        for hit in hits:
            name, term, frequency = hit["_source"]["field"], hit["_source"]["term"], hit["_source"]["df"]
            found[name].append((term, frequency))
            known[(name, term)] = frequency
        for name, terms in found.items():
            listed[(name, prefix)] = terms
        while len(listed) > LISTED_PREFIXES:
            listed.popitem(last=False)

    def _scan(self, caches: dict[str, Any], field: str, prefix: str) -> Iterator[tuple[str, int]]:
        known: dict[tuple[str, str], int] = caches.setdefault("frequencies", {})
        query: dict[str, Any] = {"bool": {"filter": [{"term": {"field": field}}]}}
        if prefix:
            query["bool"]["filter"].append({"prefix": {"term": prefix}})
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"query": query, "size": SCAN_BATCH, "sort": [{"term": "asc"}]}
            if after:
                body["search_after"] = after
            with self._reported():
                hits = self._client.search(index=self.name, body=body)["hits"]["hits"]
            for hit in hits:
                term, frequency = hit["_source"]["term"], hit["_source"]["df"]
                known[(field, term)] = frequency
                yield term, frequency
            if len(hits) < SCAN_BATCH:
                return
            after = hits[-1]["sort"]

    def add(self, counts: Counter[tuple[str, str]]) -> None:
        """Add ``counts`` (documents by field and term) to the frequencies; the commit's single writer calls it,
        so a read and a write of the same term never interleave with another's."""
        keys = list(counts)
        for start in range(0, len(keys), WRITE_BATCH):
            batch = keys[start:start + WRITE_BATCH]
            actions = [{"_index": self.name, "_id": vocabulary_id(field, term),
                        "_source": {"field": field, "term": term, "df": counts[(field, term)] + stored}}
                       for (field, term), stored in zip(batch, self._stored(batch))]
            with self._reported():
                with_backoff(lambda: helpers.bulk(self._client, actions, chunk_size=len(actions),
                                                  max_chunk_bytes=50 * 2**20))
        with self._reported():
            self._client.indices.refresh(index=self.name)
