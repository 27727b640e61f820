"""One commit of the embedded index as searches read it: its Whoosh searcher, its array ranker and its caches.

Every step of a search (ranking, stored fields, term statistics for corrections and roots, snippets, explain)
goes through one :class:`WhooshContext`, so a search reads one commit from start to end, whatever other
processes commit meanwhile; the context is closed only when its thread moves on to a newer commit or the index
is closed.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Collection, Generator, Iterator
from typing import Any, NoReturn, TypeVar

import numpy as np
from whoosh.searching import Searcher

from ...compiled import Query
from ...errors import IndexDamagedError, SearchkitError
from ...documents import Document
from ..base import Ranked
from .form_lexicon import CommitForms
from .ranking import ArrayRanker, term_text

_Value = TypeVar("_Value")

#: Up to this many documents, keyword values are read from their stored fields; for more, from a column of the
#: commit (built once, which takes seconds on a large index: a one-shot search should not pay for it).
STORED_LOOKUPS = 2000


def damage_reported(method: Callable[..., _Value]) -> Callable[..., _Value]:
    """An error raised inside Whoosh's reading code while answering is a damaged file: reported as
    :class:`~searchkit.errors.IndexDamagedError` in one line, not as whatever Whoosh stumbled on."""
    @functools.wraps(method)
    def reported(self: WhooshContext, *args: Any, **kwargs: Any) -> _Value:
        try:
            value = method(self, *args, **kwargs)
        except Exception as error:
            raise_damage(self.location, error)
        if isinstance(value, Generator):  # the terms of a field, read as they are asked for
            return _read_reported(self.location, value)  # type: ignore[return-value]
        return value
    return reported


def _read_reported(location: str, items: Generator[Any, None, None]) -> Iterator[Any]:
    try:
        yield from items
    except Exception as error:
        raise_damage(location, error)


def _damage(location: str, error: Exception) -> Exception:
    """The error to raise for ``error``: itself, unless Whoosh's reading code raised it, which means a damaged
    file of the index at ``location``."""
    if isinstance(error, SearchkitError) or not _raised_in_whoosh(error):
        return error
    return IndexDamagedError(f"index damaged: run searchkit check --index {location} "
                             f"({type(error).__name__}: {error})")


def raise_damage(location: str, error: Exception) -> NoReturn:
    """Raise ``error`` as it is, or as the damaged index it means."""
    reported = _damage(location, error)
    if reported is error:
        raise error
    raise reported from None


def _raised_in_whoosh(error: BaseException) -> bool:
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    return trace is not None and f"{os.sep}whoosh{os.sep}" in trace.tb_frame.f_code.co_filename


class WhooshContext:
    """A searcher on one commit, with what is computed from it. For one thread at a time, as Whoosh's searcher
    is. A file found damaged while answering is reported as such (:func:`damage_reported`)."""

    def __init__(self, searcher: Searcher, location: str = "") -> None:
        self.location = location
        self.searcher = searcher
        self.reader = searcher.reader()
        self.generation: int = self.reader.generation()
        self.documents: int = searcher.doc_count()
        self.caches: dict[str, Any] = {}
        self._ranker: ArrayRanker | None = None
        self._lexicon: CommitForms | None = None
        self.closed = False

    @property
    def size(self) -> int:
        return self.searcher.doc_count_all()

    @property
    def ranker(self) -> ArrayRanker:
        if self._ranker is None:
            self._ranker = ArrayRanker(self.searcher, self.location or None)
        return self._ranker

    @property
    def lexicon(self) -> CommitForms | None:
        """The lexicons of the commit's segments; None for an index held in memory only."""
        if self._lexicon is None and self.location:
            self._lexicon = CommitForms(self.location, [reader.segment().segment_id()
                                                        for reader, _ in self.reader.leaf_readers()
                                                        if reader.segment() is not None])
        return self._lexicon

    def up_to_date(self) -> bool:
        return self.searcher.up_to_date()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.searcher.close()
            if self._lexicon is not None:
                self._lexicon.close()

    # --- ranking --------------------------------------------------------------------------------------------

    @damage_reported
    def rank(self, query: Query, limit: int | None, order: str = "relevance", facets: tuple[str, ...] = ()
             ) -> Ranked:
        return self.ranker.rank(query, limit, order, facets)

    @damage_reported
    def keywords(self, field: str, docnums: list[int]) -> list[str]:
        if len(docnums) <= STORED_LOOKUPS:  # a page of hits: their stored fields, not a column of the whole commit
            return [self.searcher.stored_fields(docnum).get(field) or "" for docnum in docnums]
        values, codes = self.ranker.column(field)
        return [values[code] if code >= 0 else "" for code in codes[docnums].tolist()]

    @damage_reported
    def score(self, query: Query, docnum: int) -> float:
        return float(self.ranker.dense(query)[docnum])

    @damage_reported
    def term_weights(self, field: str, term: str, docnums: np.ndarray) -> np.ndarray:
        return self.ranker.weights(field, term, docnums)

    # --- documents ------------------------------------------------------------------------------------------

    @damage_reported
    def stored(self, docnum: int) -> Document:
        return document_from_stored(self.searcher.stored_fields(docnum))

    @damage_reported
    def find(self, field: str, value: str) -> int | None:
        return self.searcher.document_number(**{field: value})

    @damage_reported
    def values(self, field: str) -> Iterator[str]:
        return (term_text(term) for term in self.reader.lexicon(field))

    @damage_reported
    def field_length(self, docnum: int, field: str) -> int:
        return self.reader.doc_field_length(docnum, field) or 0

    # --- term statistics ------------------------------------------------------------------------------------

    @damage_reported
    def doc_frequency(self, field: str, term: str) -> int:
        return self.ranker.doc_frequency(field, term)

    def doc_frequencies(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], int]:
        return {(field, term): self.doc_frequency(field, term) for field, term in keys}

    @damage_reported
    def terms(self, field: str, prefix: str) -> Iterator[str]:
        return iter(self.ranker.terms.terms(field, prefix))

    @damage_reported
    def terms_with_frequencies(self, field: str, prefix: str) -> Iterator[tuple[str, int]]:
        return iter(self.ranker.terms.terms_with_frequencies(field, prefix))


def document_from_stored(fields: dict[str, Any]) -> Document:
    """A document from the fields stored for it (of this schema version or an earlier one)."""
    date, modified = fields.get("date"), fields.get("modified")
    return Document(
        id=fields["id"], title=fields.get("title", ""), body=fields.get("body", ""),
        date=date.date() if isinstance(date, dt.datetime) else None, path=fields.get("path", ""),
        format=fields.get("format", ""), encoding=fields.get("encoding", ""), hash=fields.get("hash", ""),
        author=fields.get("author", ""), language=fields.get("language", ""),
        pages=tuple(fields.get("pages", ())), modified=modified if isinstance(modified, dt.datetime) else None)

