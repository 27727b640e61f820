"""Writing: one transaction per commit, its analysis and segment writing spread over worker processes.

Whoosh writes an index as segments listed in a table of contents (TOC); a commit is the atomic replacement of
the TOC. A :class:`Transaction` holds the index's write lock in this process, where it deletes documents; with
several processes, each worker analyses its share of the new documents and writes them into a segment of its
own, and the commit adds those segments to the TOC together with this process's deletions. Lemmatising and
filing postings (most of the cost of indexing) then run on every core, while the commit stays one atomic step:
a crash or Ctrl-C before it leaves the previous TOC, and the next commit deletes the orphaned segment files.

Whoosh 2.7.4 (pinned) has no public API for committing segments written elsewhere; this follows its own
``MpWriter(multisegment=True)``, whose private methods :mod:`.internals` wraps.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.writing import SegmentWriter

from ...compiled import folder_of
from ...documents import Document, FileRead, Skipped, SourceFile, read_into
from ...errors import IndexLockedError
from ..workers import Workers
from .internals import cancel_writer, commit_segments, drop_segment, finish_segment, pool_bytes, remove_unlisted
from .form_lexicon import FormsRecorder
from .term_tables import PostingsRecorder, write_tables

#: Memory (Whoosh's estimate) each worker's postings may take before it finishes its segment and starts another.
WORKER_MEMORY_MB = 128


def prepare(document: Document, source_key: str) -> dict[str, Any]:
    """The keyword arguments of ``writer.add_document`` for one document. A guessed title is stored for display
    but not indexed."""
    fields: dict[str, Any] = {
        "id": document.id,
        "title": "" if document.title_guessed else document.title,
        "_stored_title": document.title,
        "body": document.body,
        "format": document.format,
        "encoding": document.encoding,
    }
    if document.hash:
        fields["hash"] = document.hash
    if document.path:
        fields["path"] = document.path
        if folder := folder_of(document.path):
            fields["folder"] = folder
    if source_key:
        fields["source_key"] = source_key
    if document.date:
        fields["date"] = dt.datetime.combine(document.date, dt.time())
    if document.author:
        fields["author"] = fields["author_name"] = document.author
    if document.language:
        fields["language"] = document.language
    if document.pages:
        fields["pages"] = list(document.pages)
    if document.modified:
        fields["modified"] = document.modified.replace(tzinfo=None)
    return fields


def add_or_skip(writer: SegmentWriter, document: Document, source_key: str) -> Skipped | None:
    """Add one document; if its text cannot be analysed, a :class:`Skipped` naming it, so one bad document never
    costs the rest."""
    try:
        writer.add_document(**prepare(document, source_key))
    except Exception as error:  # analysis of arbitrary text: any failure is this document's alone
        return Skipped(document.path or document.id, f"document {document.id!r} cannot be analysed: {error}")
    return None


class Transaction:
    """Deletions and additions that become visible together at :meth:`commit`, or not at all."""

    def __init__(self, ix: whoosh_index.Index, path: str, processes: int, lock_timeout: float,
                 memory_mb: int, kept_words: frozenset[str] = frozenset()) -> None:
        try:
            self._writer: SegmentWriter = ix.writer(timeout=lock_timeout, limitmb=memory_mb)
        except whoosh_index.LockError:
            raise IndexLockedError(f"index in {path} is being written by another process; "
                                   "try again when it has finished") from None
        self._recorder = PostingsRecorder(self._writer)
        self._forms = FormsRecorder(self._writer, kept_words)
        self._workers = Workers(functools.partial(_SegmentsOf, ix.storage, ix.indexname, kept_words), processes) \
            if processes > 1 else None
        self._folder = path
        self.skipped: list[Skipped] = []
        self.written = 0
        #: What reading each file handed to :meth:`add_file` gave; complete after :meth:`finish_adding`.
        self.files: list[FileRead] = []

    @property
    def schema(self) -> Schema:
        return self._writer.schema

    def delete(self, field: str, value: str) -> int:
        return self._writer.delete_by_term(field, value)

    def add(self, document: Document, source_key: str = "") -> None:
        """Add a document; ``source_key`` ties it to the version of the file it came from."""
        if self._workers is not None:
            self._workers.add(document, source_key)
            return
        skipped = add_or_skip(self._writer, document, source_key)
        if skipped:
            self.skipped.append(skipped)
        else:
            self.written += 1

    def add_file(self, source: SourceFile, source_key: str) -> None:
        """Read a file and add its documents, in a worker process when there are workers, so that extracting
        the text of a PDF or a Word file runs on every core too; what reading it gave is in :attr:`files`."""
        if self._workers is not None:
            self._workers.add_file(source, source_key)
            return
        outcome = read_into(source, lambda document: add_or_skip(self._writer, document, source_key))
        self.files.append(outcome)
        self.written += outcome.documents

    def finish_adding(self) -> None:
        """Wait for the workers' segments; :attr:`skipped`, :attr:`written` and :attr:`files` are final
        afterwards."""
        if self._workers is not None and not self._workers.finished:
            skipped, written, files = self._workers.finish()
            self.skipped.extend(skipped)
            self.written += written
            self.files.extend(files)

    def commit(self) -> None:
        self.finish_adding()
        segments = [segment for made in self._workers.made for segment in made] if self._workers else []
        before = [segment.segment_id() for segment in self._writer.segments]

        def complete(listed: list[Any]) -> None:
            """The tables of the segments listed, and the lexicon of this writer's own segment, which holds
            the documents of the segments Whoosh merged into it (those no longer listed)."""
            write_tables(self._writer.storage, self.schema, listed, [self._recorder])
            kept = {segment.segment_id() for segment in listed}
            if self._forms.segment_id in kept:
                self._forms.write(self._folder, [segment_id for segment_id in before if segment_id not in kept])
            else:
                self._forms.stop()

        commit_segments(self._writer, segments, self._folder, complete)

    def cancel(self) -> None:
        """Stop the workers and drop everything this transaction wrote: its temporary files and the segment
        files no commit lists."""
        if self._workers is not None:
            self._workers.stop()
        self._forms.stop()
        cancel_writer(self._writer)
        remove_unlisted(self._writer)


class _SegmentsOf:
    """A worker's segments: documents go into the current one until its postings reach
    :data:`WORKER_MEMORY_MB`, then into a new one.

    Whoosh's writer would instead spill sorted runs to disk and merge them when the segment is finished, one
    posting at a time in Python, which took away much of what the workers gain (benchmarks/README.md); Lucene
    flushes segments by memory for the same reason."""

    def __init__(self, storage: Any, indexname: str, kept_words: frozenset[str]) -> None:
        self._ix = storage.open_index(indexname)
        self._kept_words = kept_words
        self.written = 0
        self._done: list[Any] = []
        self._start_segment()

    def add(self, document: Document, source_key: str) -> Skipped | None:
        problem = add_or_skip(self._writer, document, source_key)
        if problem is None:
            self.written += 1
            self._in_segment += 1
            if pool_bytes(self._writer) >= WORKER_MEMORY_MB * 2**20:
                self._finish_segment()
                self._start_segment()
        return problem

    def _start_segment(self) -> None:
        self._writer = _segment_writer(self._ix)
        self._recorder = PostingsRecorder(self._writer)
        self._forms = FormsRecorder(self._writer, self._kept_words)
        self._in_segment = 0

    def _finish_segment(self) -> None:
        """Write out the current segment, its table of terms and its lexicon of forms (here, on the worker's
        core, not in the commit)."""
        segment = finish_segment(self._writer)
        write_tables(self._ix.storage, self._ix.schema, [segment], [self._recorder])
        self._forms.write(self._ix.storage.folder)
        self._done.append(segment)

    def finish(self) -> list[Any]:
        """Every segment written, the last one finished. (Not the writer's finishing step: it would delete the
        temporary folder that every writer of the index shares; the transaction's own writer does that once all
        are done.)"""
        if self._in_segment:
            self._finish_segment()
        else:
            self._forms.stop()
            drop_segment(self._writer)
        return self._done


def _segment_writer(ix: whoosh_index.Index) -> SegmentWriter:
    """A writer of one new segment, without the index lock (the transaction holds it). Its pool may grow past
    :data:`WORKER_MEMORY_MB` by one document before the segment is finished; only a single document larger than
    that spills to disk."""
    return SegmentWriter(ix, _lk=False, limitmb=2 * WORKER_MEMORY_MB)
