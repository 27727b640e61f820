"""Bringing an index in line with folders on disk: add new files, re-index changed ones, remove deleted ones.

A file is identified by its path relative to the indexed folder's parent, and its version by the SHA-1 of its
bytes. Each indexed document carries ``source_key`` = path + hash, so an unchanged file is recognised by one
term lookup and not read further. Commits happen at file boundaries every :data:`COMMIT_EVERY_BYTES`, so an
interrupted run keeps what it committed and the next run picks up the rest.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..backends import Backend, SearchContext, Transaction
from ..settings import Source
from . import COMMIT_EVERY_BYTES
from ..documents import (Document, Excluded, FileRead, ReadOptions, Skipped, SourceFile, Unsupported, cannot_read,
                         check_stat, find_files, fingerprint, has_own_ids, read_into)

#: Below this many bytes of input in all, worker processes cost more than they save.
PARALLEL_MIN_BYTES = 2_000_000



@dataclass
class SyncReport:
    """What one run of :func:`sync` did, accounting for every file it saw: ``skipped`` lists every file or record
    that could not be read, with the reason; ``unsupported`` the files of types no reader takes; ``excluded`` the
    files and folders left out (hidden, or matched by an exclusion), with which."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    documents: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    skipped: list[Skipped] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    #: After a rebuild: the documents added through the library that were read back from the old index, and a
    #: line for each part of it that could not be read (the documents added through the library there are lost).
    kept: int = 0
    lost: list[str] = field(default_factory=list)

    def unsupported_by_extension(self) -> dict[str, int]:
        """How many unsupported files there were of each extension, the most common first."""
        counts: dict[str, int] = {}
        for item in self.unsupported:
            counts[item.extension] = counts.get(item.extension, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True)
class Progress:
    """Sent to the progress callback after each file: files done of files found, documents written and bytes so
    far."""

    files_done: int
    files_total: int
    documents: int
    bytes_done: int
    bytes_total: int


ProgressCallback = Callable[[Progress], None]


def source_key(file_id: str, digest: str) -> str:
    return f"{file_id}\x1f{digest}"


def default_processes() -> int:
    return os.cpu_count() or 1


def _has_live(context: SearchContext, field: str, value: str) -> bool:
    return context.find(field, value) is not None


@dataclass
class _Plan:
    """The supported files found under the roots with their sizes; the roots that could not be walked and the
    files refused from their stat alone, as skipped; the files of other types; and what was left out."""

    sources: list[tuple[SourceFile, int]]
    missing: list[Skipped]
    unsupported: list[Unsupported]
    excluded: list[Excluded]

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size in self.sources)

    def batches(self, commit_bytes: int) -> list[list[SourceFile]]:
        """Files in groups of up to ``commit_bytes`` (at least one file each): one commit each."""
        batches: list[list[SourceFile]] = []
        batch: list[SourceFile] = []
        size_so_far = 0
        for source, size in self.sources:
            batch.append(source)
            size_so_far += size
            if size_so_far >= commit_bytes:
                batches.append(batch)
                batch, size_so_far = [], 0
        if batch:
            batches.append(batch)
        return batches


def _plan(sources: Sequence[Source], changed: Changed | None = None) -> _Plan:
    """Find the files under each source, read with its options, and their sizes (only those at or under a
    ``changed`` path, when given); those refused from their stat alone (not a regular file, a whole-file format
    over its size limit) are listed with the roots that could not be walked, unread."""
    plan = _Plan([], [], [], [])
    for source in sources:
        for found in find_files(Path(source.path), source.exclude, source.hidden, ReadOptions(html=source.html)):
            if changed is not None and not changed.covers(found.id if isinstance(found, SourceFile) else found.path):
                continue
            if isinstance(found, Unsupported):
                plan.unsupported.append(found)
                continue
            if isinstance(found, Excluded):
                plan.excluded.append(found)
                continue
            if isinstance(found, Skipped):
                plan.missing.append(found)
                continue
            try:
                info = found.path.stat()
            except OSError as error:
                plan.missing.append(cannot_read(found.id, error))
                continue
            refused = check_stat(found, info)
            if refused:
                plan.missing.append(refused)
            else:
                plan.sources.append((found, info.st_size))
    return plan


def _vanished(context: SearchContext, paths: Iterable[str | os.PathLike[str]], present: set[str],
              changed: Changed | None = None) -> list[str]:
    """Indexed files under the roots (and under a ``changed`` path, when given) that are no longer there. A root
    ``news`` covers the file ``news`` and everything under ``news/``, not ``news2/``."""
    roots = [Path(os.path.abspath(root)).name for root in paths]
    return [
        path for path in context.values("path")
        if path not in present and any(_under(path, root) for root in roots)
        and (changed is None or changed.covers(path)) and _has_live(context, "path", path)
    ]


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


@dataclass(frozen=True)
class Changed:
    """The files and folders known to have changed since the last sync (added, modified, removed or renamed),
    as file ids (paths from the indexed folder's parent): a sync given them looks at nothing else."""

    ids: frozenset[str]

    @classmethod
    def of(cls, sources: Sequence[Source], paths: Iterable[str | os.PathLike[str]]) -> Changed:
        """The changed absolute ``paths`` that are in one of ``sources``, as file ids."""
        ids = set()
        for path in paths:
            absolute = os.path.abspath(path)
            for source in sources:
                if _under(absolute, source.path):
                    ids.add(os.path.relpath(absolute, os.path.dirname(source.path)).replace(os.sep, "/"))
        return cls(frozenset(ids))

    def covers(self, file_id: str) -> bool:
        return any(_under(file_id, changed) for changed in self.ids)


def sources_of(paths: Iterable[str | os.PathLike[str]], exclude: Sequence[str] = (), hidden: bool = False,
               html: str = "main") -> tuple[Source, ...]:
    """Files and folders as they are recorded with the index: absolute paths, each with the reading options.
    ``exclude`` (gitignore patterns), ``hidden`` and ``html``: see :func:`~searchkit.documents.find_files` and
    :class:`~searchkit.documents.ReadOptions`."""
    return tuple(Source(os.path.abspath(path), tuple(exclude), hidden, html) for path in paths)


def sync(backend: Backend, sources: Sequence[Source], processes: int | None = None,
         progress: ProgressCallback | None = None, commit_bytes: int = COMMIT_EVERY_BYTES,
         changed: Changed | None = None) -> SyncReport:
    """Index every supported file under ``sources`` incrementally, committing after every ``commit_bytes`` of
    files; see the module docstring. An excluded file that was indexed before is removed, like a vanished one.
    The sources that exist are recorded with the index before the first commit, so that a run stopped half-way is
    completed by ``searchkit index`` with no path. With ``changed``, only the files at or under those paths are
    looked at (what a watcher saw change), the rest are taken to be as indexed."""
    started = time.perf_counter()
    report = SyncReport()
    plan = _plan(sources, changed)
    report.skipped.extend(plan.missing)
    report.unsupported.extend(plan.unsupported)
    report.excluded.extend(plan.excluded)
    backend.record_sources(tuple(source for source in sources if os.path.exists(source.path)))
    if processes is None:
        processes = default_processes() if plan.total_bytes >= PARALLEL_MIN_BYTES else 1
    paths = [source.path for source in sources]
    vanished = set(_vanished(backend.context(), paths, {source.id for source, _ in plan.sources}, changed))
    owners: dict[str, str] = {}
    counted = _Counted(len(plan.sources), plan.total_bytes, report, progress)
    batches = plan.batches(commit_bytes) or ([[]] if vanished else [])
    try:
        _commit_batches(backend, batches, processes, vanished, report, owners, counted)
    except KeyboardInterrupt as stop:
        raise Interrupted(counted.committed, len(plan.sources)) from stop
    report.seconds = time.perf_counter() - started
    return report


class Interrupted(KeyboardInterrupt):
    """Indexing stopped by Ctrl-C or SIGTERM: ``committed`` files of ``total`` are in the index, whose last commit
    is intact; the rest follow on the next run."""

    def __init__(self, committed: int, total: int) -> None:
        super().__init__(committed, total)
        self.committed, self.total = committed, total


def _commit_batches(backend: Backend, batches: list[list[SourceFile]], processes: int, vanished: set[str],
                    report: SyncReport, owners: dict[str, str], counted: _Counted) -> None:
    """One transaction per batch of files, each committed before the next begins."""
    for number, batch in enumerate(batches):
        with backend.transaction(processes) as transaction:
            if number == 0:
                # Gone files go first, so a renamed file's records do not clash with their old selves.
                for path in vanished:
                    transaction.delete("path", path)
                report.removed += len(vanished)
            changes = _Changes(transaction, backend.context(), report, owners, vanished, counted)
            changes.write(batch)
        changes.count_files_read(transaction.files)
        report.documents += transaction.written
        report.skipped.extend(transaction.skipped)
        if changes.incomplete:
            # Their documents went into the commit with the file's key; without them, the next run reads the
            # files again instead of taking them for unchanged.
            with backend.transaction() as cleanup:
                for path in changes.incomplete:
                    cleanup.delete("path", path)
        counted.committed += len(batch)


class _Counted:
    """Files done and documents written so far, told to the progress callback after each file. Documents that
    worker processes read and write are counted when they report back, at their commit."""

    def __init__(self, files: int, total_bytes: int, report: SyncReport, progress: ProgressCallback | None) -> None:
        self.files, self.total_bytes, self.report, self.progress = files, total_bytes, report, progress
        self.done = self.committed = 0

    def file_done(self, writer: Transaction) -> None:
        self.done += 1
        if self.progress:
            self.progress(Progress(self.done, self.files, self.report.documents + writer.written,
                                   self.report.bytes_read, self.total_bytes))


class _Changes:
    """Decides, file by file, what one commit writes: unchanged files are passed over, the old documents of
    changed files are deleted, and new and changed files are read into the writer."""

    def __init__(self, writer: Transaction, context: SearchContext, report: SyncReport, owners: dict[str, str],
                 vanished: set[str], counted: _Counted) -> None:
        self.writer = writer
        self.context = context
        self.counted = counted
        self.report = report
        self.owners = owners  # document id -> file id, for every document added in this run
        self.vanished = vanished  # files whose documents this run deletes
        self.incomplete: set[str] = set()  # files whose reading failed after some of their documents
        self.handed: dict[str, bool] = {}  # files the writer reads itself -> whether they were indexed before

    def write(self, batch: list[SourceFile]) -> None:
        """Each file is hashed in chunks, and read (a record format a line at a time) only if it changed, so
        memory stays bounded however large the file."""
        for source in batch:
            self._file(source)
            self.counted.file_done(self.writer)

    def _file(self, source: SourceFile) -> None:
        try:
            digest, size = fingerprint(source.path)
        except OSError as error:
            self.report.skipped.append(cannot_read(source.id, error))
            return
        self.report.bytes_read += size
        key = source_key(source.id, digest)
        if _has_live(self.context, "source_key", key):
            self.report.unchanged += 1
            return
        existed = _has_live(self.context, "path", source.id)
        if existed:
            self.writer.delete("path", source.id)
        if not has_own_ids(source):  # ids made from its path cannot clash with another file's
            self.handed[source.id] = existed
            self.writer.add_file(source, key)
            return
        self._count(read_into(source, lambda document: self._take(document, source.id, key)), existed)

    def _take(self, document: Document, file_id: str, key: str) -> Skipped | None:
        """Hand a record file's document to the writer, unless another file holds its id."""
        owner = self._owner(document.id, file_id)
        if owner is not None:
            return Skipped(file_id, f"id {document.id!r} is already used by {owner}")
        self.owners[document.id] = file_id
        self.writer.add(document, key)
        return None

    def count_files_read(self, files: list[FileRead]) -> None:
        """Count the files the writer read itself (:meth:`Transaction.add_file`), once its reading is done."""
        for outcome in files:
            self._count(outcome, self.handed.pop(outcome.file_id))

    def _count(self, outcome: FileRead, existed: bool) -> None:
        self.report.skipped.extend(outcome.skipped)
        if outcome.incomplete:
            self.incomplete.add(outcome.file_id)
        if outcome.documents:
            self.report.updated += existed
            self.report.added += not existed
        elif existed:
            self.report.removed += 1

    def _owner(self, doc_id: str, file_id: str) -> str | None:
        """The other file that holds a document with this id after this run, if any."""
        if doc_id in self.owners:
            return self.owners[doc_id]
        docnum = self.context.find("id", doc_id)
        if docnum is None:
            return None
        path = self.context.stored(docnum).path
        if path == file_id or path in self.vanished:
            return None
        return path or "a document added through the library"
