"""The on-disk index: a Whoosh index plus the settings it was built with.

Writes go through one writer at a time and become visible only when committed, so a crash or Ctrl-C loses at
most the uncommitted batch and never the index. Readers always see the last commit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from ..analysis import build_analyzer, fold
from ..documents import Document
from ..errors import IncompatibleIndexError, IndexNotFoundError, SearchkitError
from ..settings import SCHEMA_VERSION, SETTINGS_FILE, Settings
from .schema import build_schema
from .writing import Transaction, default_processes

ENV_INDEX = "SEARCHKIT_INDEX"
DEFAULT_INDEX_DIR = "index"

#: Seconds a writer waits for another process's write lock before giving up with a clear message.
LOCK_TIMEOUT = 5.0
#: Tries to open the latest commit while other processes keep committing.
OPEN_ATTEMPTS = 5
#: Completion looks at this many words with the typed prefix at most, so it stays fast on a large index.
VOCABULARY_SCAN = 5000
#: Memory the writing process's Whoosh writer may use for postings before it spills a run to disk.
WRITER_MEMORY_MB = 256


_Store = TypeVar("_Store", bound="IndexStore")


def default_index_dir() -> Path:
    """``$SEARCHKIT_INDEX``, else ``index/`` in the current folder."""
    return Path(os.environ.get(ENV_INDEX) or DEFAULT_INDEX_DIR)


@dataclass(frozen=True)
class IndexStats:
    path: str
    documents: int
    terms: int
    size_bytes: int
    last_update: dt.datetime | None


class IndexStore:
    """An index folder opened for reading and writing; use :meth:`create` or :meth:`open`."""

    def __init__(self, path: Path, ix: whoosh_index.Index, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        self._ix = ix
        # Whoosh re-reads (and unpickles) the table of contents for every ``ix.schema``; ours never changes.
        self._schema: Schema = ix.schema
        self._searcher: Searcher | None = None

    # --- opening ------------------------------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` holds an index (perhaps a damaged one, which :meth:`open` then refuses)."""
        folder = Path(path)
        return (folder / SETTINGS_FILE).is_file() and any(folder.glob("_*.toc"))

    @classmethod
    def create(cls: type[_Store], path: str | os.PathLike[str], settings: Settings | None = None) -> _Store:
        """Create an empty index at ``path``, replacing any index already there."""
        path = Path(path)
        settings = settings or Settings()
        try:
            path.mkdir(parents=True, exist_ok=True)
            ix = whoosh_index.create_in(str(path), build_schema(settings.analyzer))
        except OSError as error:
            raise SearchkitError(f"cannot create an index in {path}: {error.strerror or error}") from None
        settings.save(path)
        return cls(path, ix, settings)

    @classmethod
    def open(cls: type[_Store], path: str | os.PathLike[str], settings: Settings | None = None) -> _Store:
        """Open the index at ``path``. Ranking settings may be overridden; analyzer settings are the index's."""
        path = Path(path)
        if not cls.exists(path):
            raise IndexNotFoundError(f"no searchkit index in {path} (create one with: searchkit index FOLDER)")
        stored = _read_settings(path)
        if settings is not None and settings.analyzer != stored.analyzer:
            raise IncompatibleIndexError(
                f"index in {path} was built with analyzer settings {stored.analyzer}, not {settings.analyzer}: "
                "rebuild it with: searchkit index --rebuild FOLDER")
        if settings is not None:
            stored = Settings(analyzer=stored.analyzer, ranking=settings.ranking)
        try:
            ix = whoosh_index.open_dir(str(path))
            built_with = ix.schema["body"].analyzer
        except Exception as error:  # Whoosh raises several unrelated types for a damaged index
            raise IncompatibleIndexError(f"index in {path} cannot be read ({error}): rebuild it with: "
                                         "searchkit index --rebuild FOLDER") from None
        if built_with != build_analyzer(stored.analyzer):
            raise IncompatibleIndexError(
                f"index in {path} was built with other analyzer settings than {SETTINGS_FILE} says "
                f"({stored.analyzer}): rebuild it with: searchkit index --rebuild FOLDER")
        return cls(path, ix, stored)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix.close()

    def __enter__(self: _Store) -> _Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------------------------------

    @property
    def schema(self) -> Schema:
        return self._schema

    def searcher(self) -> Searcher:
        """A BM25F searcher on the latest commit. A stale one is replaced, not refreshed: Whoosh's refresh can keep
        showing documents deleted since. A commit by another process can delete the table of contents being
        opened; opening is then retried on the newer one."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                if self._searcher is not None and not self._searcher.up_to_date():
                    self._searcher.close()
                    self._searcher = None
                if self._searcher is None:
                    ranking = self.settings.ranking
                    self._searcher = self._ix.searcher(weighting=BM25F(B=ranking.b, K1=ranking.k1))
                return self._searcher
            except FileNotFoundError:
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def vocabulary(self, prefix: str, limit: int = 20, scan: int = VOCABULARY_SCAN) -> list[tuple[str, int]]:
        """Index terms (lemmas, and stems of unknown words) of the body that start with ``prefix`` once folded:
        the ``limit`` found in most documents among the first ``scan`` in alphabetical order."""
        reader = self.searcher().reader()
        found = [(term.decode("utf-8") if isinstance(term, bytes) else term, info.doc_frequency())
                 for term, info in itertools.islice(reader.iter_prefix("body", fold(prefix)), scan)]
        found.sort(key=lambda item: (-item[1], item[0]))
        return found[:limit]

    def stats(self) -> IndexStats:
        reader = self.searcher().reader()
        terms = sum(1 for field in ("title", "body") for _ in reader.lexicon(field))
        files = [entry for entry in self.path.iterdir() if entry.is_file()]
        size = sum(entry.stat().st_size for entry in files)
        tocs = [entry.stat().st_mtime for entry in files if entry.name.endswith(".toc")]
        last = dt.datetime.fromtimestamp(max(tocs)).astimezone() if tocs else None
        return IndexStats(str(self.path), self.doc_count(), terms, size, last)

    # --- writing ------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, processes: int = 1) -> Iterator[Transaction]:
        """The index's single writer: committed when the block ends, cancelled on any error or Ctrl-C. With
        ``processes`` > 1, added documents are analysed and written by that many worker processes."""
        transaction = Transaction(self._ix, str(self.path), min(processes, default_processes()), LOCK_TIMEOUT,
                                  WRITER_MEMORY_MB)
        try:
            yield transaction
            transaction.finish_adding()
        except BaseException:
            transaction.cancel()
            raise
        transaction.commit()

    def add(self, documents: Iterable[Document | Mapping[str, Any]], processes: int = 1) -> int:
        """Add documents, replacing any with the same id (the last wins); returns how many were written.

        Mappings need ``id`` and ``text`` and may have ``title`` and ``date`` (YYYY-MM-DD). Nothing is written
        if one of them is malformed (``ValueError``) or cannot be analysed (``SearchkitError``).
        """
        docs = [doc if isinstance(doc, Document) else Document.from_record(doc) for doc in documents]
        latest = {doc.id: doc for doc in docs}
        with self.transaction(processes) as transaction:
            for doc in latest.values():
                transaction.delete_by_term("id", doc.id)
                transaction.add(doc)
            transaction.finish_adding()
            if transaction.skipped:
                raise SearchkitError(transaction.skipped[0].reason)
        return transaction.written

    def delete(self, ids: Iterable[str]) -> int:
        """Delete documents by id; returns how many existed."""
        with self.transaction() as transaction:
            return sum(transaction.delete_by_term("id", doc_id) for doc_id in ids)


def _read_settings(path: Path) -> Settings:
    try:
        data = json.loads((path / SETTINGS_FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"expected an object, found {type(data).__name__}")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise IncompatibleIndexError(
                f"index in {path} has schema version {version}, this searchkit reads version {SCHEMA_VERSION}: "
                "rebuild it with: searchkit index --rebuild FOLDER")
        return Settings.from_json(data)
    except (OSError, ValueError, TypeError) as error:
        raise IncompatibleIndexError(f"index settings {path / SETTINGS_FILE} are unreadable ({error}): "
                                     "rebuild it with: searchkit index --rebuild FOLDER") from None
