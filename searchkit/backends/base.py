"""What a backend gives the rest of searchkit: the seam between the engine-neutral stages and an engine.

Documents are analysed by :mod:`searchkit.analysis` and queries compiled by :mod:`searchkit.search` into
:mod:`searchkit.compiled` objects without knowing which engine holds the index. A backend stores analysed
documents and answers compiled queries with BM25F; the embedded Whoosh index (:mod:`.whoosh`) is the default,
and a cluster engine can be added beside it by implementing these protocols, without touching analysis or query
understanding.

A backend offers:

- **writing** (:class:`Transaction`): add and delete documents, all visible together at commit or not at all;
- **one commit at a time for reading** (:class:`SearchContext`): every step of a search reads the same commit
  through one context, which owns that commit's caches;
- **ranking** of a compiled query: the best documents' numbers and scores, ordered by relevance or by date, and
  the number of all matches; filters (``compiled.Filtered``) restrict what matches and add nothing to scores;
- **term statistics** for corrections, roots and completion: document frequencies and the terms of a field in
  alphabetical order from a prefix;
- **stored fields** for snippets, explain and folder sync.

Filters on structured fields (dates, paths, formats, authors) and facet counts over every match are part of
ranking; every hit in rank order is ``rank`` with ``limit=None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..analysis import Lexicon
from ..compiled import Query
from ..documents import Document, Skipped, SourceFile
from ..settings import Settings, Source, SynonymSettings

if TYPE_CHECKING:  # NumPy is imported by a backend when an index is opened, not with searchkit
    import numpy as np

    from ..documents import FileRead


@dataclass(frozen=True)
class Ranked:
    """The best documents of a query: document numbers (in the context's numbering) and scores, best first,
    and how many documents match in all."""

    docnums: np.ndarray
    scores: np.ndarray
    total: int
    #: False when ``total`` is an estimate.
    exact: bool = True
    #: For each facet asked for, how many of all the matching documents have each value, the most first
    #: (years and months in order of time).
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexStats:
    path: str
    documents: int
    #: Distinct terms over the text fields.
    terms: int
    size_bytes: int
    last_update: dt.datetime | None
    #: The commit the figures describe.
    generation: int = 0


@dataclass
class CheckReport:
    """What checking an index found: the documents and segments read, and each problem as (file, what is
    wrong)."""

    documents: int = 0
    segments: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Salvage:
    """What a rebuild read back from the old index of the documents added through the library (they have no file
    to be read again from), and a line for each part of the old index that could not be read."""

    documents: list[Document] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


class SearchContext(Protocol):
    """One commit of an index, as searches read it. A context is used by one thread at a time and never
    changes; a newer commit gets a new context."""

    #: The commit's number; results carry it.
    generation: int
    #: Live (not deleted) documents.
    documents: int
    #: Caches of the search stage for this commit (roots, lexicons by letter), dropped with the context.
    caches: dict[str, Any]
    #: The forms of the commit's documents with what the morphology gave them, written when they were indexed;
    #: None when the backend keeps none.
    lexicon: Lexicon | None

    def rank(self, query: Query, limit: int | None, order: str = "relevance", facets: tuple[str, ...] = ()
             ) -> Ranked:
        """The ``limit`` best documents for ``query`` (all, for ``None``) in ``order``
        (:data:`searchkit.compiled.ORDERS`), the number of all matches, and their counts by each of ``facets``
        (:data:`searchkit.compiled.FACETS`)."""
        ...

    def keywords(self, field: str, docnums: list[int]) -> list[str]:
        """The value of a keyword field (``path``, ``format``, ``hash``) of each document; "" where it has none."""
        ...

    def score(self, query: Query, docnum: int) -> float:
        """The score of document ``docnum`` for ``query``; 0 where it does not match."""
        ...

    def stored(self, docnum: int) -> Document:
        """A document as it was indexed (its title as shown, though a title made up from the text is not indexed)."""
        ...

    def find(self, field: str, value: str) -> int | None:
        """The number of a live document whose keyword field (``id``, ``path``, ``source_key``) is ``value``."""
        ...

    def values(self, field: str) -> Iterator[str]:
        """Every value of a keyword field in the commit (deleted documents' too), in order."""
        ...

    def doc_frequency(self, field: str, term: str) -> int:
        """Documents having ``term`` in a text field (deleted ones included, as in the idf)."""
        ...

    def doc_frequencies(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """:meth:`doc_frequency` of each (field, term) at once: a search asks for those of its words first, so
        that a backend behind a network reads them in one request rather than one each."""
        ...

    def terms(self, field: str, prefix: str) -> Iterator[str]:
        """The text field's terms starting with ``prefix``, in alphabetical order."""
        ...

    def terms_with_frequencies(self, field: str, prefix: str) -> Iterator[tuple[str, int]]:
        """(term, document frequency) of the text field's terms starting with ``prefix``, alphabetically."""
        ...

    def term_weights(self, field: str, term: str, docnums: np.ndarray) -> np.ndarray:
        """The term's weight (its frequency, each occurrence counted by its reading's probability) in each of the
        sorted documents ``docnums``; 0 where it does not occur."""
        ...

    def field_length(self, docnum: int, field: str) -> int:
        """How many terms the document has in a text field (0 for a field not indexed)."""
        ...

    @property
    def size(self) -> int:
        """Documents in the commit, deleted ones included (the count the idf is taken over)."""
        ...


class Transaction(Protocol):
    """Deletions and additions that become visible together when the transaction's block ends, or not at all."""

    #: Documents written, those that could not be analysed, and what each file given to :meth:`add_file` gave;
    #: final after :meth:`finish_adding`.
    written: int
    skipped: list[Skipped]
    files: list[FileRead]

    def add(self, document: Document, source_key: str = "") -> None:
        """Add a document; ``source_key`` ties it to the version of the file it came from."""
        ...

    def add_file(self, source: SourceFile, source_key: str) -> None:
        """Read a file and add its documents (in a worker process, where the backend has them); what reading
        each file gave is in ``files`` after :meth:`finish_adding`."""
        ...

    def delete(self, field: str, value: str) -> int:
        """Delete the documents whose keyword field (``id``, ``path``) is ``value``; how many there were."""
        ...

    def finish_adding(self) -> None: ...


class Backend(Protocol):
    """An index in one engine: its settings, its latest commit for reading, and its single writer."""

    #: Where the index is (a folder for the embedded index).
    location: str
    settings: Settings
    #: Set by :meth:`close`; a closed backend answers nothing more.
    closed: bool

    def context(self) -> SearchContext:
        """The latest commit, for the calling thread."""
        ...

    def transaction(self, processes: int = 1) -> AbstractContextManager[Transaction]:
        """The index's single writer: committed when the block ends, cancelled on any error or Ctrl-C. With
        ``processes`` > 1, added documents are analysed by that many worker processes."""
        ...

    def record_sources(self, sources: tuple[Source, ...]) -> None:
        """Keep the files and folders being indexed with the index's settings (``settings.sources``)."""
        ...

    def keep_analysed(self, words: Callable[[], Iterable[str]]) -> None:
        """Words (folded) that every search analyses whatever it asks, such as those of the synonym dictionaries,
        asked for when a transaction begins: a backend that keeps the analyses of its documents' forms
        (:attr:`SearchContext.lexicon`) keeps theirs too."""
        ...

    def stats(self) -> IndexStats: ...

    def close(self) -> None: ...

    # The query-time parts of an index's settings, kept with it: changing them re-indexes nothing.

    #: Where the index's own synonym dictionary is kept, as messages name it (a file of the embedded index).
    synonyms_source: str

    def synonyms_text(self) -> str:
        """The index's own synonym dictionary as text ('' when it has none), as it is now."""
        ...

    def save_synonyms_text(self, text: str) -> None:
        """Replace the index's synonym dictionary; the next search reads it."""
        ...

    def save_synonym_settings(self, synonyms: SynonymSettings) -> None:
        """Keep the synonym settings with the index's settings and use them from now; the rest of what they
        record (sources, ranking) is left as it is."""
        ...
