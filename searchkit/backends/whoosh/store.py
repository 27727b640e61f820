"""The embedded index: a Whoosh index in a folder, plus the settings it was built with (``searchkit.json``).

Writes go through one writer at a time and become visible only when committed, so a crash or Ctrl-C loses at
most the uncommitted batch and never the index. Readers always see the last commit.

Threads: each thread that searches gets a context (a searcher and its caches) on the latest commit of its own,
kept until a newer commit appears. Whoosh documents one searcher per thread, and a context's caches fill as
its thread searches without any lock; a context shared under a lock would make concurrent searches wait for each
other. The cost is one set of caches per searching thread, each bounded.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import index as whoosh_index
from whoosh.scoring import BM25F

from ...analysis import get_analyzer
from ...errors import IncompatibleIndexError, IndexNotFoundError, SearchkitError
from ...compiled import TEXT_FIELDS
from ...settings import SCHEMA_VERSION, SETTINGS_FILE, Settings, Source, SynonymSettings
from ..base import IndexStats
from .context import WhooshContext, raise_damage
from .schema import WhooshAnalyzer, build_schema
from .synonyms_file import SynonymsFile

if TYPE_CHECKING:
    from .writing import Transaction

#: Seconds a writer waits for another process's write lock before giving up with a clear message.
LOCK_TIMEOUT = 5.0
#: Tries to open the latest commit while other processes keep committing.
OPEN_ATTEMPTS = 5
#: Memory the writing process's Whoosh writer may use for postings before it spills a run to disk.
WRITER_MEMORY_MB = 256

REBUILD = "rebuild it with: searchkit index --rebuild FOLDER"
#: The name Whoosh gives the index in its folder (``_MAIN_1.toc``).
INDEX_NAME = "MAIN"
#: The errors of a disk (or a quota) that has no more room.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
#: The errors of a folder that may not be written (a mounted archive, a folder of someone else's).
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


class WhooshBackend:
    """An index folder opened for reading and writing; use :meth:`create` or :meth:`open`."""

    def __init__(self, path: Path, ix: whoosh_index.Index, settings: Settings) -> None:
        self.path = path
        self.location = str(path)
        self.settings = settings
        self._ix = ix
        self._local = threading.local()
        self._contexts: weakref.WeakSet[WhooshContext] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._synonyms = SynonymsFile(path)
        self.synonyms_source = str(self._synonyms.path)
        self._kept_words: Callable[[], Iterable[str]] = tuple
        self.closed = False

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` holds an index (perhaps a damaged one, which :meth:`open` then refuses)."""
        folder = Path(path)
        return (folder / SETTINGS_FILE).is_file() and any(folder.glob("_*.toc"))

    @classmethod
    def create(cls, path: str | os.PathLike[str], settings: Settings | None = None) -> WhooshBackend:
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
    def open(cls, path: str | os.PathLike[str], settings: Settings | None = None) -> WhooshBackend:
        """Open the index at ``path``. Ranking and synonym settings may be overridden; analyzer settings are the
        index's."""
        path = Path(path)
        if not cls.exists(path):
            raise IndexNotFoundError(f"no searchkit index in {path} (create one with: searchkit index FOLDER)")
        stored = read_settings(path)
        if settings is not None and settings.analyzer != stored.analyzer:
            raise IncompatibleIndexError(
                f"index in {path} was built with analyzer settings {stored.analyzer}, not {settings.analyzer}: "
                + REBUILD)
        if settings is not None:
            stored = replace(stored, ranking=settings.ranking, synonyms=settings.synonyms)
        try:
            ix = whoosh_index.open_dir(str(path))
            built_with = ix.schema["body"].analyzer
        except Exception as error:  # Whoosh raises several unrelated types for a damaged index
            raise IncompatibleIndexError(f"index damaged: run searchkit check --index {path} to see what "
                                         f"({type(error).__name__}: {error}); or {REBUILD}") from None
        if built_with != WhooshAnalyzer(stored.analyzer):
            raise IncompatibleIndexError(f"index in {path} was built with other analyzer settings than "
                                         f"{SETTINGS_FILE} says ({stored.analyzer}): {REBUILD}")
        return cls(path, ix, stored)

    def close(self) -> None:
        self.closed = True
        with self._lock:
            for context in list(self._contexts):
                context.close()
            self._contexts = weakref.WeakSet()
        self._local = threading.local()
        self._ix.close()

    # --- reading ------------------------------------------------------------------------------------------

    def context(self) -> WhooshContext:
        """This thread's context on the latest commit. A stale one is replaced, not refreshed: Whoosh's refresh
        can keep showing documents deleted since. A commit by another process can delete the table of contents
        being opened; opening is then retried on the newer one."""
        if self.closed:
            raise SearchkitError(f"the index in {self.path} is closed")
        current: WhooshContext | None = getattr(self._local, "context", None)
        for attempt in range(OPEN_ATTEMPTS):
            try:
                if current is not None and current.up_to_date():
                    return current
                fresh = WhooshContext(self._ix.searcher(weighting=BM25F(B=self.settings.ranking.b,
                                                                          K1=self.settings.ranking.k1)),
                                      self.location)
                break
            except FileNotFoundError:
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
            except Exception as error:  # a segment that cannot even be opened
                raise_damage(self.location, error)
        with self._lock:
            if current is not None:
                current.close()  # only this thread used it, and it has finished with it
                self._contexts.discard(current)
            self._contexts.add(fresh)
        self._local.context = fresh
        if fresh.lexicon is not None:
            get_analyzer(self.settings.analyzer).morphology.remember(fresh.lexicon)
        return fresh

    def stats(self) -> IndexStats:
        context = self.context()
        terms = len({term for field in TEXT_FIELDS for term in context.reader.lexicon(field)})
        files = [entry for entry in self.path.iterdir() if entry.is_file()]
        size = sum(entry.stat().st_size for entry in files)
        tocs = [entry.stat().st_mtime for entry in files if entry.name.endswith(".toc")]
        last = dt.datetime.fromtimestamp(max(tocs)).astimezone() if tocs else None
        return IndexStats(str(self.path), context.documents, terms, size, last, context.generation)

    # --- writing ------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, processes: int = 1) -> Iterator[Transaction]:
        """The index's single writer: committed when the block ends, cancelled on any error or Ctrl-C. With
        ``processes`` > 1, added documents are analysed and written by that many worker processes."""
        try:
            from .writing import Transaction  # what writes, with the readers of files: not for a search

            transaction = Transaction(self._ix, str(self.path), min(processes, os.cpu_count() or 1), LOCK_TIMEOUT,
                                      WRITER_MEMORY_MB, frozenset(self._kept_words()))
        except OSError as error:
            raise self._write_error(error) from None
        try:
            yield transaction
            transaction.finish_adding()
            transaction.commit()
        except BaseException as error:
            transaction.cancel()
            if isinstance(error, OSError) and error.errno in DISK_FULL:
                raise self._disk_full() from None
            raise

    def keep_analysed(self, words: Callable[[], Iterable[str]]) -> None:
        self._kept_words = words

    def record_sources(self, sources: tuple[Source, ...]) -> None:
        """Record the files and folders being indexed in ``searchkit.json``, merged into those it holds (ranking
        settings given when opening stay this process's own)."""
        stored = self._save_changed(lambda recorded: recorded.with_sources(sources))
        self.settings = replace(self.settings, sources=stored.sources)

    def _save_changed(self, change: Callable[[Settings], Settings]) -> Settings:
        """``searchkit.json`` as it is on disk now (another process may have written it), changed and written back
        when the change changes anything; a folder that cannot be written is one line."""
        try:
            recorded = read_settings(self.path)
            changed = change(recorded)
            if changed != recorded:
                changed.save(self.path)
        except OSError as error:
            raise self._write_error(error) from None
        return changed

    def _write_error(self, error: OSError) -> Exception:
        """The one-line error of a folder that cannot be written, or ``error`` itself."""
        if error.errno in READ_ONLY:
            return SearchkitError(f"the index folder {self.path} is read-only: it can be searched, not written")
        if error.errno in DISK_FULL:
            return self._disk_full()
        return error

    # --- query-time settings ----------------------------------------------------------------------------------

    def synonyms_text(self) -> str:
        return self._synonyms.text()

    def save_synonyms_text(self, text: str) -> None:
        self._synonyms.save(text)

    def save_synonym_settings(self, synonyms: SynonymSettings) -> None:
        self._save_changed(lambda recorded: replace(recorded, synonyms=synonyms))
        self.settings = replace(self.settings, synonyms=synonyms)

    def _disk_full(self) -> SearchkitError:
        free = shutil.disk_usage(self.path).free
        return SearchkitError(f"the disk holding the index {self.path} is full ({free / 2**20:,.1f} MB free): "
                              "the index keeps its last commit; free some space and index again")


def read_settings(path: Path) -> Settings:
    """The settings in the index folder's ``searchkit.json``, refused when of another schema version."""
    try:
        data = json.loads((path / SETTINGS_FILE).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"expected an object, found {type(data).__name__}")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise IncompatibleIndexError(
                f"index in {path} has schema version {version}, this searchkit reads version {SCHEMA_VERSION}: "
                + REBUILD)
        return Settings.from_json(data)
    except (OSError, ValueError, TypeError) as error:
        raise IncompatibleIndexError(f"index settings {path / SETTINGS_FILE} are unreadable ({error}): "
                                     + REBUILD) from None
