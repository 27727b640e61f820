"""Bringing an index in line with folders on disk: add new files, re-index changed ones, remove deleted ones.

A file is identified by its path relative to the indexed folder's parent, and its version by the SHA-1 of its
bytes. Each indexed document carries ``source_key`` = path + hash, so an unchanged file is recognised by one
term lookup and not read further. Commits happen at file boundaries every :data:`COMMIT_EVERY_BYTES`, so an
interrupted run keeps what it committed and the next run picks up the rest.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from ..documents import Document, Skipped, SourceFile, find_files, read_file
from .store import IndexStore
from .workers import PARALLEL_MIN_BYTES, default_processes, prepare_all

COMMIT_EVERY_BYTES = 64 * 1024 * 1024


@dataclass
class SyncReport:
    """What one run of :func:`sync` did. ``skipped`` lists every file or record not indexed, with the reason."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    documents: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class Progress:
    """Sent to the progress callback after each file: files done of files found, documents and bytes so far."""

    files_done: int
    files_total: int
    documents: int
    bytes_done: int
    bytes_total: int


ProgressCallback = Callable[[Progress], None]


def source_key(file_id: str, digest: str) -> str:
    return f"{file_id}\x1f{digest}"


def _has_live(searcher: Searcher, fieldname: str, value: str) -> bool:
    return searcher.document_number(**{fieldname: value}) is not None


@dataclass
class _Plan:
    """The files under the roots, split into those to (re)index and those already indexed as they are."""

    sources: list[tuple[SourceFile, int]]
    missing: list[Skipped]

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size in self.sources)


def _plan(paths: Iterable[str | os.PathLike[str]]) -> _Plan:
    sources: list[tuple[SourceFile, int]] = []
    missing: list[Skipped] = []
    for root in paths:
        for found in find_files(Path(root)):
            if isinstance(found, Skipped):
                missing.append(found)
                continue
            try:
                sources.append((found, found.path.stat().st_size))
            except OSError as error:
                missing.append(Skipped(found.id, f"cannot read: {error.strerror or error}"))
    return _Plan(sources, missing)


def _roots(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The id prefixes under which a vanished file means a deleted one."""
    prefixes = []
    for root in paths:
        path = Path(os.path.abspath(root))
        prefixes.append(path.name + ("/" if path.is_dir() else ""))
    return prefixes


def sync(store: IndexStore, paths: Iterable[str | os.PathLike[str]], processes: int | None = None,
         progress: ProgressCallback | None = None) -> SyncReport:
    """Index every supported file under ``paths`` incrementally; see the module docstring."""
    paths = list(paths)
    started = time.perf_counter()
    report = SyncReport()
    plan = _plan(paths)
    report.skipped.extend(plan.missing)
    if processes is None:
        processes = default_processes() if plan.total_bytes >= PARALLEL_MIN_BYTES else 1
    owners: dict[str, str] = {}
    done = 0
    pending = plan.sources
    while pending:
        batch, pending = _take_batch(pending)
        with store.writer() as writer:
            changes = _Changes(writer, store.searcher(), report, owners)
            for fields in prepare_all(changes.documents(batch), store.settings.analyzer, processes):
                writer.add_document(**fields)
            done += len(batch)
            if progress:
                progress(Progress(done, len(plan.sources), report.documents, report.bytes_read,
                                  plan.total_bytes))
    report.removed = _remove_vanished(store, _roots(paths), {source.id for source, _ in plan.sources})
    report.seconds = time.perf_counter() - started
    return report


def _take_batch(pending: list[tuple[SourceFile, int]]) -> tuple[list[tuple[SourceFile, int]],
                                                                 list[tuple[SourceFile, int]]]:
    """Files up to :data:`COMMIT_EVERY_BYTES` (at least one): what goes into one commit."""
    total = 0
    for n, (_, size) in enumerate(pending):
        total += size
        if total >= COMMIT_EVERY_BYTES:
            return pending[:n + 1], pending[n + 1:]
    return pending, []


class _Changes:
    """Decides, file by file, what one commit writes: unchanged files are passed over, the old documents of
    changed files are deleted, and the documents read from new and changed files are yielded."""

    def __init__(self, writer: IndexWriter, searcher: Searcher, report: SyncReport,
                 owners: dict[str, str]) -> None:
        self.writer = writer
        self.searcher = searcher
        self.report = report
        self.owners = owners  # document id -> file id, for every document added in this run

    def documents(self, batch: list[tuple[SourceFile, int]]) -> Iterator[tuple[Document, str]]:
        for source, _ in batch:
            try:
                data = source.path.read_bytes()
            except OSError as error:
                self.report.skipped.append(Skipped(source.id, f"cannot read: {error.strerror or error}"))
                continue
            self.report.bytes_read += len(data)
            key = source_key(source.id, hashlib.sha1(data).hexdigest())
            if _has_live(self.searcher, "source_key", key):
                self.report.unchanged += 1
                continue
            if _has_live(self.searcher, "path", source.id):
                self.writer.delete_by_term("path", source.id)
                self.report.updated += 1
            else:
                self.report.added += 1
            for item in read_file(source, data):
                if isinstance(item, Skipped):
                    self.report.skipped.append(item)
                elif (owner := self._owner(item.id, source.id)) is not None:
                    self.report.skipped.append(Skipped(source.id, f"id {item.id!r} is already used by {owner}"))
                else:
                    self.owners[item.id] = source.id
                    self.report.documents += 1
                    yield item, key

    def _owner(self, doc_id: str, file_id: str) -> str | None:
        """The other file that already holds a document with this id, if any."""
        if doc_id in self.owners:
            return self.owners[doc_id]
        docnum = self.searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        path = self.searcher.stored_fields(docnum).get("path", "")
        return None if path == file_id else (path or "a document added through the library")


def _remove_vanished(store: IndexStore, roots: list[str], present: set[str]) -> int:
    """Delete the documents of files under ``roots`` that are no longer there; returns how many files."""
    searcher = store.searcher()
    vanished = [
        path for path in (term.decode("utf-8") for term in searcher.reader().lexicon("path"))
        if path not in present and any(path == root or path.startswith(root) for root in roots)
        and _has_live(searcher, "path", path)
    ]
    if vanished:
        with store.writer() as writer:
            for path in vanished:
                writer.delete_by_term("path", path)
    return len(vanished)
