"""Rebuilding an index folder without ever leaving it unsearchable.

The new index is built in a hidden folder beside the old one while the old one's write lock is held, so nothing
else writes to it meanwhile; only when the build has finished are the two folders exchanged, in one atomic
``renameat2(RENAME_EXCHANGE)`` where the kernel offers it. A crash, a kill or Ctrl-C before that leaves the old
index as it was, and the half-built folder is removed (by this run, or by the next rebuild).

The documents that were added through the library rather than from files (they carry no ``source_key``) cannot
be read again from anywhere else, so they are read from the old index's stored fields first: from every segment
that can still be read, even when the index as a whole cannot be opened (another schema version, a damaged
file), and the rest are named as lost.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from ...documents import Document
from ...errors import IndexLockedError, SearchkitError
from ...settings import Settings
from ..base import Salvage
from .check import UnreadableToc, latest_toc
from .context import document_from_stored
from .store import INDEX_NAME, LOCK_TIMEOUT, WhooshBackend
from .synonyms_file import SYNONYMS_FILE

#: The prefix of the folder a rebuild is built in, beside the index folder.
BUILDING = ".rebuilding-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextmanager
def rebuilding(path: Path, settings: Settings) -> Iterator[tuple[WhooshBackend, Salvage]]:
    """A new empty index with ``settings`` and what was salvaged from the index at ``path``; when the block ends
    without an error, the new index takes the old one's place."""
    path = Path(os.path.abspath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _locked(path) if path.is_dir() else None
    try:
        for leftover in path.parent.glob(f"{BUILDING}{path.name}-*"):
            shutil.rmtree(leftover, ignore_errors=True)  # a rebuild killed before it could clean up
        salvage = salvaged(path) if WhooshBackend.exists(path) else Salvage()
        building = path.parent / f"{BUILDING}{path.name}-{os.getpid()}"
        fresh = WhooshBackend.create(building, settings)
        # The index's own dictionary goes with it, and so do hidden files (a repository's .gitkeep), which are
        # not the index's and which Whoosh leaves alone too.
        kept = [path / SYNONYMS_FILE] + (sorted(path.glob(".*")) if path.is_dir() else [])
        for file in kept:
            if file.is_file():
                shutil.copy2(file, building / file.name)
        try:
            yield fresh, salvage
            fresh.close()
            _exchange(building, path)
        finally:
            if not fresh.closed:
                fresh.close()
            shutil.rmtree(building, ignore_errors=True)  # the unfinished index, or the old one once exchanged
    finally:
        if lock is not None:
            lock.release()


def salvaged(path: Path) -> Salvage:
    """The documents added through the library to the index at ``path``, read from each segment that can be
    read, whether or not the index can be opened as a whole."""
    salvage = Salvage()
    storage = FileStorage(str(path), readonly=True)
    try:
        generation, toc = latest_toc(storage)
    except UnreadableToc as error:
        salvage.lost.append(f"{error.problem}: any documents added through the library or the API are lost")
        return salvage
    for segment in toc.segments:
        try:
            reader = SegmentReader(storage, toc.schema, segment, generation=generation)
            try:
                salvage.documents.extend(_added(reader))
            finally:
                reader.close()
        except Exception as error:  # a damaged file breaks Whoosh's readers in many ways; each is this segment's
            salvage.lost.append(f"segment {segment.segment_id()} ({segment.doc_count()} documents) cannot be read "
                                f"({type(error).__name__}): the documents among them added through the library "
                                "or the API are lost")
    return salvage


def added_docnums(reader: Any) -> list[int]:
    """The live documents of ``reader`` that came through the library, not from a file: those without a
    ``source_key``."""
    from_files: set[int] = set()
    if "source_key" in reader.indexed_field_names():
        for key in reader.lexicon("source_key"):
            from_files.update(reader.postings("source_key", key).all_ids())
    return [docnum for docnum in reader.all_doc_ids() if docnum not in from_files]


def _added(reader: Any) -> list[Document]:
    return [document_from_stored(reader.stored_fields(docnum)) for docnum in added_docnums(reader)]


def _locked(path: Path) -> Any:
    """The index's write lock, held so that nothing is written to the old index while the new one is built."""
    lock = FileStorage(str(path)).lock(f"{INDEX_NAME}_WRITELOCK")
    deadline = time.monotonic() + LOCK_TIMEOUT
    while not _acquired(lock, path):
        if time.monotonic() > deadline:
            raise IndexLockedError(f"index in {path} is being written by another process; try again when it "
                                   "has finished")
        time.sleep(0.05)
    return lock


def _acquired(lock: Any, path: Path) -> bool:
    try:
        return bool(lock.acquire())
    except OSError as error:
        raise SearchkitError(f"cannot rebuild the index in {path}: {error.strerror or error}") from None


def _exchange(built: Path, path: Path) -> None:
    """Put the folder ``built`` at ``path`` and the folder that was at ``path`` at ``built``: atomically with
    ``renameat2`` where the kernel and C library have it, else by two renames (a crash between them leaves the
    old index at ``built``, the new one at ``path`` not yet in place)."""
    if not path.exists():
        built.rename(path)
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None and renameat2(_AT_FDCWD, os.fsencode(built), _AT_FDCWD, os.fsencode(path),
                                           _RENAME_EXCHANGE) == 0:
        return
    aside = built.with_name(built.name + "-old")
    path.rename(aside)
    built.rename(path)
    aside.rename(built)
