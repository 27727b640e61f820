"""Every private Whoosh name the backend relies on, in one place, for the one Whoosh version it was written for.

Whoosh 2.7.4 (pinned) has no public API for three things the backend needs: decoding a posting list block by
block into arrays (its matchers decode one posting at a time in Python), reading a segment's field lengths and
deletions as arrays, and committing segments written by other processes (which its own ``MpWriter`` does with
the private methods used here); and the way it opens the parts of a segment's file is replaced here, as it
copies each into memory. Another Whoosh version may change any of these, so importing this module checks
the version first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from ...errors import SearchkitError

#: The Whoosh version whose internals this module reads.
WHOOSH_VERSION = (2, 7, 4)

if whoosh.__version__ != WHOOSH_VERSION:
    raise SearchkitError(f"searchkit's index needs Whoosh {'.'.join(map(str, WHOOSH_VERSION))}, found "
                         f"{whoosh.versionstring()}: pip install Whoosh=={'.'.join(map(str, WHOOSH_VERSION))}")


class _MappedStream:
    """A stream over a memory-mapped part of a segment's compound file, read where it lies: Whoosh's reader of a
    mapped part copies the whole of it into a ``BytesIO`` when it opens it (each segment's postings, stored
    fields and columns, much of a large index, for every new searcher), though it then reads little of most."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._position = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._position = max(start, end)
        return bytes(self._view[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        start = end = self._position
        limit = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        while end < limit:
            chunk = bytes(self._view[end:min(end + 4096, limit)])
            newline = chunk.find(b"\n")
            end += len(chunk) if newline < 0 else newline + 1
            if newline >= 0:
                break
        self._position = max(start, end)
        return bytes(self._view[start:end])

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET and offset < 0:
            raise ValueError(f"negative seek position {offset}")
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: len(self._view)}[whence]
        self._position = max(0, base + offset)  # as BytesIO has it, from the current place or the end
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._view = memoryview(b"")


class _PartOfCompoundFile(BufferFile):
    """A part of a segment's memory-mapped compound file, as Whoosh opens it for reading, over a
    :class:`_MappedStream` instead of a copy."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Callable[..., None] | None = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _MappedStream(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False


compound.BufferFile = _PartOfCompoundFile  # what CompoundStorage.open_file makes of a mapped part

__all__ = ["W3LeafMatcher", "commit_segments", "deleted_documents", "finish_segment", "drop_segment",
           "cancel_writer", "latest_generation", "length_bytes", "pool_bytes", "posting_blocks", "remove_unlisted",
           "segment_postings", "tap_postings", "tree_matcher"]


# --- reading --------------------------------------------------------------------------------------------------

def posting_blocks(matcher: W3LeafMatcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(document numbers, weights) of each block of a posting list, decoded as whole arrays (the matcher's own
    reading decodes the delta-coded numbers one at a time)."""
    while matcher.is_active():
        matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        ids = np.asarray(raw_ids, dtype=np.int64)
        if not matcher._byteids:
            ids = np.cumsum(ids)
        count = matcher._blocklength
        if raw_weights is None:
            weights = np.ones(count)
        elif isinstance(raw_weights, float):
            weights = np.full(count, raw_weights)
        else:
            weights = np.asarray(raw_weights, dtype=np.float64)
        yield ids, weights
        matcher._next_block()


def segment_postings(reader: SegmentReader, fieldname: str, term: bytes | str) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers in one segment (deleted documents included) and its weight in each, as int64
    and float64 arrays; empty when the segment lacks the term."""
    if (fieldname, term) not in reader:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    # The segment's own matcher, not reader.postings(): that one wraps it in a filter of the deleted documents,
    # which moves it past those at the head of the list (they are masked after scoring instead).
    matcher = reader._terms.matcher(fieldname, reader._text_to_bytes(fieldname, term), reader.schema[fieldname].format)
    if not isinstance(matcher, W3LeafMatcher):
        raise TypeError(f"postings of {fieldname}:{term!r} in an unknown format ({type(matcher).__name__})")
    blocks = list(posting_blocks(matcher))
    if not blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate([ids for ids, _ in blocks]), np.concatenate([weights for _, weights in blocks])


def length_bytes(reader: SegmentReader, fieldname: str) -> np.ndarray:
    """A segment's one-byte field lengths, read as one array."""
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.zeros(0, dtype=np.uint8)
    count = min(column._count, reader.doc_count_all())
    return np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)


def deleted_documents(reader: SegmentReader) -> Iterator[int]:
    """The numbers of a segment's deleted documents."""
    return iter(reader._perdoc.deleted_docs())


def tree_matcher(query: Any, subqueries: list[Any], matcher_class: type, searcher: Any, context: Any,
                 **options: Any) -> Any:
    """A compound query's matchers joined into a balanced tree of ``matcher_class``, as Whoosh's own compound
    queries build theirs."""
    reader = searcher.reader()
    return query._tree_matcher(subqueries, matcher_class, searcher, context, lambda q: q.estimate_size(reader),
                               **options)


# --- writing --------------------------------------------------------------------------------------------------

def finish_segment(writer: SegmentWriter) -> Any:
    """Write out the writer's segment and return it, for a commit to list."""
    return writer._finalize_segment()


def drop_segment(writer: SegmentWriter) -> None:
    """Close a writer's segment that received no documents; nothing of it is listed."""
    writer._close_segment()


def tap_postings(writer: SegmentWriter, tap: Callable[[Iterator[Any]], Iterator[Any]]) -> None:
    """Pass the postings the writer hands to its codec when it finishes its segment (``(field, term bytes,
    document number, weight, value)`` in order of field, term and document) through ``tap``, which yields each
    on."""
    pool = writer.pool
    sorted_postings = pool.iter_postings
    pool.iter_postings = lambda: tap(sorted_postings())


def pool_bytes(writer: SegmentWriter) -> int:
    """Memory (Whoosh's estimate) that the writer's postings take so far."""
    return writer.pool.currentsize


def commit_segments(writer: SegmentWriter, others: list[Any], folder: str,
                    complete: Callable[[list[Any]], None]) -> None:
    """Commit the writer's deletions and documents together with segments written by other processes: the
    existing segments (small ones merged, with the deletions applied), the writer's own, and ``others``, in one
    new table of contents. ``complete`` is given every segment to be listed, to write what the index keeps
    beside a segment before the commit lists it. The writer's lock is released and its temporary files removed.

    Whoosh itself never calls fsync, so a commit it reports done may not survive a power cut. Here the new
    segments' files reach the disk before the table of contents that lists them is written, and the table and
    the folder (which records the new names) after, so that after a crash the folder holds either the previous
    commit or this one, whole."""
    before = {segment.segment_id() for segment in writer.segments}  # the list below may be this very one
    segments = writer._merge_segments(None, None, None)
    if writer._added:
        segments.append(writer._finalize_segment())
    else:
        writer._close_segment()
    listed = segments + others
    complete(listed)
    new = tuple(segment.segment_id() for segment in listed if segment.segment_id() not in before)
    names = os.listdir(folder)
    for name in names:
        if name.startswith(new):
            fsync_path(os.path.join(folder, name))
    writer._commit_toc(listed)
    fsync_path(os.path.join(folder, f"_{writer.indexname}_{writer.generation}.toc"))
    fsync_path(folder)
    writer._finish()


def fsync_path(path: str) -> None:
    """Flush a file's (or a folder's) data to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_unlisted(writer: SegmentWriter) -> None:
    """Delete the files of the index that its latest table of contents does not list (the segments a cancelled
    transaction began), as Whoosh's own commit does after writing a new table; this process holds the lock."""
    from whoosh.index import TOC, clean_files

    storage, name = writer.storage, writer.indexname
    generation = latest_generation(storage, name)
    if generation >= 0:
        clean_files(storage, name, generation, TOC.read(storage, name, generation).segments)


def cancel_writer(writer: SegmentWriter) -> None:
    """Cancel a writer, even one whose disk is full: Whoosh's own ``cancel`` writes out the segment it abandons
    and fails when there is no room for it; then its lock is released and its temporary files removed here."""
    try:
        writer.cancel()
    except OSError:
        writer._tempstorage.destroy()
        if writer.writelock:
            writer.writelock.release()
        writer.is_closed = True


def latest_generation(storage: Any, name: str) -> int:
    """The generation of the latest table of contents in ``storage``; -1 when there is none."""
    from whoosh.index import TOC

    return TOC._latest_generation(storage, name)
