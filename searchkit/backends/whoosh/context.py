"""One commit of the embedded index as searches read it: its Whoosh searcher, its array ranker and its caches.

Every step of a search (ranking, stored fields, term statistics for corrections and roots, snippets, explain)
goes through one :class:`WhooshContext`, so a search reads one commit from start to end, whatever other
processes commit meanwhile; the context is closed only when its thread moves on to a newer commit or the index
is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from ...compiled import Query
from ...documents import Document
from ..base import Ranked
from .ranking import ArrayRanker


class WhooshContext:
    """A searcher on one commit, with what is computed from it. For one thread at a time, as Whoosh's searcher
    is."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.generation: int = self.reader.generation()
        self.documents: int = searcher.doc_count()
        self.caches: dict[str, Any] = {}
        self._ranker: ArrayRanker | None = None
        self.closed = False

    @property
    def size(self) -> int:
        return self.searcher.doc_count_all()

    @property
    def ranker(self) -> ArrayRanker:
        if self._ranker is None:
            self._ranker = ArrayRanker(self.searcher)
        return self._ranker

    def up_to_date(self) -> bool:
        return self.searcher.up_to_date()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.searcher.close()

    # --- ranking --------------------------------------------------------------------------------------------

    def rank(self, query: Query, limit: int | None, order: str = "relevance") -> Ranked:
        return self.ranker.rank(query, limit, order)

    def score(self, query: Query, docnum: int) -> float:
        return float(self.ranker.dense(query)[docnum])

    def term_weights(self, field: str, term: str, docnums: np.ndarray) -> np.ndarray:
        return self.ranker.weights(field, term, docnums)

    # --- documents ------------------------------------------------------------------------------------------

    def stored(self, docnum: int) -> Document:
        fields = self.searcher.stored_fields(docnum)
        date, modified = fields.get("date"), fields.get("modified")
        return Document(
            id=fields["id"], title=fields.get("title", ""), body=fields.get("body", ""),
            date=date.date() if isinstance(date, dt.datetime) else None, path=fields.get("path", ""),
            format=fields.get("format", ""), encoding=fields.get("encoding", ""), hash=fields.get("hash", ""),
            author=fields.get("author", ""), language=fields.get("language", ""),
            pages=tuple(fields.get("pages", ())), modified=modified if isinstance(modified, dt.datetime) else None)

    def find(self, field: str, value: str) -> int | None:
        return self.searcher.document_number(**{field: value})

    def values(self, field: str) -> Iterator[str]:
        return (term.decode("utf-8") if isinstance(term, bytes) else term for term in self.reader.lexicon(field))

    def field_length(self, docnum: int, field: str) -> int:
        return self.reader.doc_field_length(docnum, field) or 0

    # --- term statistics ------------------------------------------------------------------------------------

    def doc_frequency(self, field: str, term: str) -> int:
        return self.ranker.doc_frequency(field, term)

    def terms(self, field: str, prefix: str) -> Iterator[str]:
        return (term.decode("utf-8") if isinstance(term, bytes) else term
                for term in self.reader.expand_prefix(field, prefix))

    def terms_with_frequencies(self, field: str, prefix: str) -> Iterator[tuple[str, int]]:
        return ((term.decode("utf-8") if isinstance(term, bytes) else term, info.doc_frequency())
                for term, info in self.reader.iter_prefix(field, prefix))
