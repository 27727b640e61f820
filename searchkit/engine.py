"""``searchkit.Index``: the library's one entry point. It holds a backend (the embedded Whoosh index by default) and
offers everything a caller needs, so the CLI, the REPL and a Python program do the same things the same way.

    from searchkit import Index

    with Index.open("index") as ix:
        for hit in ix.search("встреча президентов"):
            print(hit.rank, hit.title, hit.snippet.marked())

An ``Index`` may be shared by threads: each search reads one commit from start to end through the calling
thread's context on the latest commit (see :mod:`searchkit.backends.whoosh.store`), and its results carry that
commit's ``generation``. Writes go through one writer at a time.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analysis import AnalyzedToken, analyze, fold
from .backends import (Backend, CheckReport, IndexStats, backend_exists, check_backend, create_backend, open_backend,
                       recorded_settings)
from .compiled import FACETS, Filtered
from .documents import Document
from .errors import DocumentError, SearchkitError
from .index import COMMIT_EVERY_BYTES
from .search import (Explanation, Hit, SearchResults, Span, every_hit, explain, marked_document, matching_files,
                     search)
from .search.synonyms import (INDEX, Rule, Synonyms, default_rules, dictionary, parse_rules, rule_forms, with_rule,
                              without_member)
from .settings import Settings, Source

if TYPE_CHECKING:  # indexing is imported when an index is first written, not with every search
    from .index import Batch, ProgressCallback, SyncReport

#: A query that takes a search through every step, a correction included (a misspelt «встреча»).
WARM_UP_QUERY = "встеча"
#: Completion looks at this many words with the typed prefix at most, so it stays fast on a large index.
COMPLETION_SCAN = 5000


class Index:
    """An index, opened with :meth:`create` or :meth:`open` (also usable as a context manager)."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        backend.keep_analysed(self._synonym_forms)

    # --- opening ------------------------------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` holds an index (perhaps a damaged one, which :meth:`open` then refuses)."""
        return backend_exists(path)

    @staticmethod
    def recorded_settings(path: str | os.PathLike[str]) -> Settings:
        """What the index at ``path`` records of its settings (its sources among them), whichever version of
        searchkit wrote them: the parts still valid, the defaults for the rest."""
        return recorded_settings(path)

    @staticmethod
    def check(path: str | os.PathLike[str]) -> CheckReport:
        """Read the index at ``path`` through (its settings, its table of contents, every segment's documents,
        stored fields and postings) and report each problem with the file it is in."""
        return check_backend(path)

    @classmethod
    def create(cls, path: str | os.PathLike[str], settings: Settings | None = None) -> Index:
        """Create an empty index at ``path``, replacing any index already there."""
        return cls(create_backend(path, settings))

    @classmethod
    def open(cls, path: str | os.PathLike[str], settings: Settings | None = None) -> Index:
        """Open the index at ``path``. Ranking settings may be overridden; analyzer settings are the index's.
        Raises :class:`~searchkit.errors.IndexNotFoundError` or
        :class:`~searchkit.errors.IncompatibleIndexError`."""
        return cls(open_backend(path, settings))

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        """The index folder (for a cluster index, its location as a path: use :attr:`location`)."""
        return Path(self._backend.location)

    @property
    def location(self) -> str:
        """Where the index is, as messages name it: a folder, or ``opensearch://HOST:PORT/NAME``."""
        return self._backend.location

    @property
    def closed(self) -> bool:
        return self._backend.closed

    @property
    def settings(self) -> Settings:
        return self._backend.settings

    @property
    def backend(self) -> Backend:
        """The engine behind the index, for code that works at that level (a backend's own tests)."""
        return self._backend

    # --- reading ------------------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 10, offset: int = 0, snippets: bool = True,
               correct: bool = True, sort: str = "relevance", facets: bool | Sequence[str] = False,
               synonyms: bool = True) -> SearchResults:
        """Ranked hits for ``query`` in the query language (see ``searchkit.search.query``).

        A query in the wrong keyboard layout, a Latin-letter name or a misspelt word is corrected or a correction
        suggested (``results.plan``); ``correct=False`` searches ``query`` exactly as typed. Its words and
        phrases are also searched as their synonyms (the default list and the index's own, ``results.plan``
        names them); ``synonyms=False`` searches without. ``sort``: ``relevance``, ``newest`` or ``oldest`` (by
        date, ties by score, undated documents last). ``facets``: ``True`` for every facet (:data:`FACETS`:
        year, month, folder, format, author), or the names of some: ``results.facets`` then counts all matching
        documents by each. Exact duplicates (another file with the same content) are folded into one hit, which
        lists their paths in ``duplicates``.
        Raises :class:`~searchkit.errors.QueryError` for a malformed query, and
        :class:`~searchkit.errors.SettingsError` when a line of the index's synonyms is not a rule.
        """
        return search(self._backend.context(), self.settings, query, limit=limit, offset=offset,
                      snippets=snippets, correct=correct, sort=sort,
                      facets=FACETS if facets is True else tuple(facets or ()), synonyms=self._synonyms(synonyms))

    def warm_up(self) -> None:
        """Load now what the first search would (the morphological dictionaries, the synonyms, the code of the
        corrections and of ranking, the latest commit), so that it is as fast as the next: for a long-running
        process such as the server, whose searches have a time budget."""
        self.search(WARM_UP_QUERY, limit=1)

    def every_hit(self, results: SearchResults, snippets: bool = True) -> Iterator[Hit]:
        """Every document that the search ``results`` came from matches (its query as corrected and expanded, in
        its order), one hit at a time from the latest commit, so any number of hits can be exported with flat
        memory."""
        return every_hit(self._backend.context(), self.settings, results, snippets, self._synonyms_of(results))

    def files(self, results: SearchResults) -> list[Hit]:
        """The files that the search ``results`` came from matches, each once, best first: the records of a
        record file and the parts split from one file count as their file, and files of the same content are
        folded into one (``duplicates``). Hits without snippets; a document added through the library stands
        for itself."""
        return matching_files(self._backend.context(), self.settings, results, self._synonyms_of(results))

    def _synonym_forms(self) -> set[str]:
        """The forms of the synonyms' words, which every search analyses: kept by the index beside the analyses
        of its documents' forms, a new process finds them there. A dictionary that cannot be read (which a
        search reports) adds none."""
        defaults = default_rules() if self.settings.synonyms.defaults else ()
        try:
            own = parse_rules(self._backend.synonyms_text(), INDEX, self._backend.synonyms_source)
        except SearchkitError:
            own = []
        return rule_forms([*defaults, *own])

    def _synonyms_of(self, results: SearchResults) -> Synonyms | None:
        """The synonyms a search used, to match its documents again."""
        return self._synonyms(bool(results.plan and results.plan.synonyms))

    def explain(self, query: str, doc_id: str, synonyms: bool = True) -> Explanation:
        """Why document ``doc_id`` matches ``query``: each query word's normal forms, the document's forms that
        matched (and the synonyms they matched) and the word's share of the score. Raises
        :class:`~searchkit.errors.DocumentNotFoundError`."""
        return explain(self._backend.context(), self.settings, query, doc_id, self._synonyms(synonyms))

    def document(self, doc_id: str, query: str | None = None,
                 synonyms: bool = True) -> tuple[Document, tuple[Span, ...]]:
        """The stored document ``doc_id`` and, with a ``query``, every word of its body that the query matches.
        Raises :class:`~searchkit.errors.DocumentNotFoundError`."""
        return marked_document(self._backend.context(), self.settings, doc_id, query, self._synonyms(synonyms))

    # --- synonyms -----------------------------------------------------------------------------------------

    def _synonyms(self, wanted: bool = True) -> Synonyms | None:
        """The synonyms in force, read afresh when the index's dictionary changed; None without any."""
        if not wanted:
            return None
        return dictionary(self._backend.synonyms_text(), self.settings.synonyms.defaults, self.settings.analyzer,
                          self._backend.synonyms_source)

    def synonym_rules(self, defaults: bool = False) -> list[Rule]:
        """The index's own synonym rules, in the order of its dictionary; with ``defaults``, the default list's
        first (whether or not it is on: ``settings.synonyms.defaults``). Raises
        :class:`~searchkit.errors.SettingsError` for a line that is not a rule."""
        own = parse_rules(self._backend.synonyms_text(), INDEX, self._backend.synonyms_source)
        return [*(default_rules() if defaults else ()), *own]

    def add_synonyms(self, rule: str) -> Rule:
        """Add a rule to the index's dictionary (``КНДР, Северная Корея`` or ``ВВП => валовой внутренний
        продукт``); it applies from the next search, with nothing re-indexed. Raises
        :class:`~searchkit.errors.SettingsError` for a line that is not a rule."""
        text, added = with_rule(self._backend.synonyms_text(), rule, self._backend.synonyms_source)
        self._backend.save_synonyms_text(text)
        return added

    def remove_synonyms(self, member: str) -> list[Rule]:
        """Remove the rules of the index's dictionary that have ``member`` (case- and ё-insensitive); returns
        them (none when no rule has it)."""
        text, removed = without_member(self._backend.synonyms_text(), member)
        if removed:
            self._backend.save_synonyms_text(text)
        return removed

    def use_default_synonyms(self, on: bool) -> None:
        """Turn the default list of abbreviations on or off for this index, kept in its settings."""
        self._backend.save_synonym_settings(replace(self.settings.synonyms, defaults=on))

    def complete(self, prefix: str, limit: int = 20) -> list[tuple[str, int]]:
        """Index terms (lemmas, and stems of unknown words) of the body that start with ``prefix`` once folded,
        with the number of documents having each: the ``limit`` in most documents among the first
        :data:`COMPLETION_SCAN` in alphabetical order."""
        scan = self._backend.context().terms_with_frequencies("body", fold(prefix))
        found = list(itertools.islice(scan, COMPLETION_SCAN))
        found.sort(key=lambda item: (-item[1], item[0]))
        return found[:limit]

    def documents(self) -> Iterator[Document]:
        """Every document of the latest commit, in the order they were added."""
        context = self._backend.context()
        for docnum in context.rank(Filtered(None, ()), None).docnums.tolist():
            yield context.stored(docnum)

    def doc_count(self) -> int:
        """Live documents in the latest commit."""
        return self._backend.context().documents

    def stats(self) -> IndexStats:
        return self._backend.stats()

    def analyze(self, text: str) -> list[AnalyzedToken]:
        """How this index's analyzer treats ``text``, token by token."""
        return analyze(text, self.settings.analyzer)

    # --- writing ------------------------------------------------------------------------------------------

    def add(self, documents: Iterable[Document | Mapping[str, Any]], processes: int = 1) -> int:
        """Add documents, replacing any with the same id (the last wins); returns how many were written.

        Mappings need ``id`` and ``text`` and may have ``title`` and ``date`` (YYYY-MM-DD). Nothing is written
        if one of them is malformed or cannot be analysed (:class:`~searchkit.errors.DocumentError`).
        """
        docs = [doc if isinstance(doc, Document) else Document.from_record(doc) for doc in documents]
        latest = {doc.id: doc for doc in docs}
        with self._backend.transaction(processes) as transaction:
            for doc in latest.values():
                transaction.delete("id", doc.id)
                transaction.add(doc)
            transaction.finish_adding()
            if transaction.skipped:
                raise DocumentError(transaction.skipped[0].reason)
        return transaction.written

    def delete(self, ids: Iterable[str]) -> int:
        """Delete documents by id; returns how many existed."""
        with self._backend.transaction() as transaction:
            return sum(transaction.delete("id", doc_id) for doc_id in ids)

    def index_path(self, *paths: str | os.PathLike[str], processes: int | None = None,
                   progress: ProgressCallback | None = None, commit_bytes: int = COMMIT_EVERY_BYTES,
                   exclude: Sequence[str] = (), hidden: bool = False, html: str = "main") -> SyncReport:
        """Bring the index in line with files and folders: add new files, re-index changed ones, remove
        deleted ones, committing after every ``commit_bytes`` of files. Files that cannot be read are listed in
        the report, never raised, and so are files of unsupported types and what was left out.

        ``exclude``: patterns in gitignore syntax (``*.log``, ``drafts/``), relative to each folder, beside the
        folder's own ``.searchkitignore``; hidden files and folders are left out unless ``hidden``; ``html``:
        ``main`` indexes a web page's main text, ``full`` every visible text."""
        from .index.sync import sources_of, sync  # indexing, imported when an index is first written

        return sync(self._backend, sources_of(paths, exclude, hidden, html), processes=processes, progress=progress,
                    commit_bytes=commit_bytes)

    def watch(self, *paths: str | os.PathLike[str], on_batch: Callable[[Batch], None],
              stop: threading.Event | None = None, processes: int | None = None, exclude: Sequence[str] = (),
              hidden: bool = False, html: str = "main") -> None:
        """Keep the index in step with files and folders (by default, those it records) until ``stop`` is set
        or Ctrl-C: synced once, then each batch of changes as it is seen, committed (``on_batch`` is told what
        each did). A file still being written is waited for; the write lock is free between batches."""
        from .index.sync import sources_of
        from .index.watch import watch

        sources = sources_of(paths, exclude, hidden, html) if paths else self.sources
        if not sources:
            raise SearchkitError(f"the index {self.path} records no folders: name the folders to watch")
        watch(self._backend, sources, on_batch, stop, ignore=[self.path], processes=processes)

    @property
    def sources(self) -> tuple[Source, ...]:
        """The files and folders this index was built from (each :meth:`index_path` records its paths, with the
        options they were read with)."""
        return self._backend.settings.sources

    def sync(self, processes: int | None = None, progress: ProgressCallback | None = None,
             commit_bytes: int = COMMIT_EVERY_BYTES) -> SyncReport:
        """Bring the index in line with the files and folders it records (:attr:`sources`), each read with the
        options it was indexed with. A recorded folder that is no longer there is an error, not a reason to
        remove its documents: it may be a drive not mounted."""
        gone = [source.path for source in self.sources if not os.path.exists(source.path)]
        if gone:
            raise SearchkitError(f"{gone[0]}, recorded in the index {self.path}, is not there (not mounted, moved "
                                 "or deleted?): name the folders to index instead")
        from .index.sync import sync

        return sync(self._backend, self.sources, processes=processes, progress=progress, commit_bytes=commit_bytes)

    @staticmethod
    def rebuild(path: str | os.PathLike[str], *paths: str | os.PathLike[str], settings: Settings | None = None,
                processes: int | None = None, progress: ProgressCallback | None = None,
                commit_bytes: int = COMMIT_EVERY_BYTES, exclude: Sequence[str] = (), hidden: bool = False,
                html: str = "main") -> SyncReport:
        """Build the index at ``path`` anew from ``paths`` (read as :meth:`index_path` reads them), or from the
        files and folders it records when none are given, keeping the documents that were added through the
        library (read back from their stored fields; the report's ``lost`` names the parts of the old index
        that could not be read). The old index stays searchable until the new one is complete, and stays as it
        was if the rebuild fails or is interrupted. ``settings``: by default the old index's, where still valid."""
        from .index.rebuild import rebuild
        from .index.sync import sources_of

        sources = sources_of(paths, exclude, hidden, html) if paths else None
        return rebuild(path, sources, settings, processes=processes, progress=progress, commit_bytes=commit_bytes)
