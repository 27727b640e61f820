"""``searchkit.Index``: the library's one entry point, joining the index store, search and analysis.

    from searchkit import Index

    with Index.open("index") as ix:
        for hit in ix.search("встреча президентов").hits:
            print(hit.rank, hit.title, hit.snippet.marked())
"""

from __future__ import annotations

import os
from .analysis import AnalyzedToken, analyze
from .index import COMMIT_EVERY_BYTES, IndexStore, ProgressCallback, SyncReport, sync
from .search import SearchResults, search


class Index(IndexStore):
    """An index folder, opened with :meth:`create` or :meth:`open` (also usable as a context manager)."""

    def index_path(self, *paths: str | os.PathLike[str], processes: int | None = None,
                   progress: ProgressCallback | None = None, commit_bytes: int = COMMIT_EVERY_BYTES) -> SyncReport:
        """Bring the index in line with files and folders: add new files, re-index changed ones, remove
        deleted ones, committing after every ``commit_bytes`` of files. Files that cannot be read are listed in
        the report, never raised."""
        return sync(self, paths, processes=processes, progress=progress, commit_bytes=commit_bytes)

    def search(self, query: str, limit: int = 10, offset: int = 0, snippets: bool = True,
               correct: bool = True) -> SearchResults:
        """Ranked hits for ``query`` in the query language (see ``searchkit.search.query``).

        A query in the wrong keyboard layout, a Latin-letter name or a misspelt word is corrected or a correction
        suggested (``results.plan``); ``correct=False`` searches ``query`` exactly as typed.
        Raises :class:`~searchkit.errors.QueryError` for a malformed query.
        """
        return search(self, query, limit=limit, offset=offset, snippets=snippets, correct=correct)

    def analyze(self, text: str) -> list[AnalyzedToken]:
        """How this index's analyzer treats ``text``, token by token."""
        return analyze(text, self.settings.analyzer)
