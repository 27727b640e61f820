"""Each segment's table of terms: every term of its analysed fields with the documents that have it and its
weight in each, in a file beside the segment (``MAIN_<segment id>.terms``), written once, with the segment.

Whoosh finds a term by looking it up in the hash file of every segment, in Python, and decodes its postings a
block at a time from pickled, compressed arrays; a search asks for many terms (each word's readings, stems and
roots, in two fields) and for every term beginning as a root or a mistyped word does, which a new process pays
for on every first query. A table answers the same questions in compiled code: a term's document frequency and
the terms beginning with a prefix from a marisa-trie, its document numbers and weights as slices of two arrays
of the memory-mapped file.

The postings are taken as the segment's writer hands them to Whoosh (:class:`PostingsRecorder`), so writing a
table costs a pass over arrays already sorted; a segment written without one (by an earlier version) gets its
table from its own postings at the next commit. A table is named like its segment's files, so Whoosh deletes
it with them when a merge or a rebuild drops the segment; a segment whose table is missing or cannot be read
is answered by Whoosh itself, so a table only ever makes answers faster, never different.

A table's file: a header (:data:`MAGIC`, the trie's length in bytes, the number of postings), the trie (each
key ``field`` + :data:`SEPARATOR` + term, with the term's first posting and its count), then every posting's
document number (int32) and weight (float32, as Whoosh stores weights), term after term.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import struct
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import marisa_trie
import numpy as np
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from ...analysis import EXACT_MARK
from ...compiled import TEXT_FIELDS
from .internals import segment_postings, tap_postings

#: The analysed fields, whose terms searches look up.
FIELDS = (*TEXT_FIELDS, "author")
#: Between a field's name and a term in a table's keys; neither ever holds it.
SEPARATOR = "\x1f"
SUFFIX = ".terms"
#: Added to a table's name while it is written: named like the segment's files, so that Whoosh removes one a crash
#: left once its segment is gone.
PARTIAL = "_partial"
MAGIC = b"SKTERMS2"
_HEADER = struct.Struct("<8sQQ")
#: A key's value: the term's first posting in the arrays and how many it has (its document frequency).
_VALUE_FORMAT = "<II"
#: A control character: no analysed term or form has one, and marisa would take one for a separator (or a NUL
#: for a key's end).
CONTROL_RE = re.compile("[\x00-\x1f]")
#: Terms whose entries in the segments' tables a commit remembers.
REMEMBERED_ENTRIES = 1 << 16


def table_path(folder: str, segment_id: str) -> str:
    return os.path.join(folder, segment_id + SUFFIX)


class _Postings:
    """A segment's postings of the analysed fields, term after term: the keys, where each begins, and the
    document numbers and weights."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.starts: list[int] = []
        self.documents = array("i")
        self.weights = array("f")

    def entries(self) -> Iterator[tuple[str, tuple[int, int]]]:
        """Each term's key with where its postings begin and how many it has."""
        ends = self.starts[1:] + [len(self.documents)]
        return ((key, (start, end - start)) for key, start, end in zip(self.keys, self.starts, ends))

    def write(self, path: str) -> None:
        """The table file at ``path``, replaced whole (a crash leaves it whole or absent, never half written)."""
        count = len(self.documents)
        data = marisa_trie.RecordTrie(_VALUE_FORMAT, self.entries()).tobytes()
        partial = path + PARTIAL
        with open(partial, "wb") as out:
            out.write(_HEADER.pack(MAGIC, len(data), count))
            out.write(data)
            out.write(b"\0" * _padding(len(data)))
            out.write(np.asarray(self.documents, dtype="<i4").tobytes())
            out.write(np.asarray(self.weights, dtype="<f4").tobytes())
            out.flush()
            os.fsync(out.fileno())  # on the disk before its name is (the commit syncs the folder)
        os.replace(partial, path)


def _padding(trie_bytes: int) -> int:
    """Zero bytes after the trie, so that the arrays begin on a multiple of four."""
    return -(_HEADER.size + trie_bytes) % 4


class PostingsRecorder:
    """Keeps the postings of the analysed fields that a segment writer hands to Whoosh when it finishes its
    segment, to write the segment's table from them (:meth:`write`)."""

    def __init__(self, writer: SegmentWriter) -> None:
        self.segment_id: str = writer.newsegment.segment_id()
        self._postings: _Postings | None = None
        tap_postings(writer, self._record)

    def _record(self, items: Iterator[tuple[str, bytes, int, float, Any]]) -> Iterator[tuple[Any, ...]]:
        postings = self._postings = _Postings()
        keys, starts, documents, weights = postings.keys, postings.starts, postings.documents, postings.weights
        last_field, last_text = None, None
        for item in items:
            field, text, docnum, weight, _ = item
            if field in FIELDS:
                if text != last_text or field != last_field:
                    keys.append(f"{field}{SEPARATOR}{text.decode('utf-8')}")
                    starts.append(len(documents))
                    last_field, last_text = field, text
                documents.append(docnum)
                weights.append(weight)
            yield item

    def write(self, folder: str) -> bool:
        """Write the segment's table; False when the writer finished no segment, so there is nothing to write."""
        if self._postings is None:
            return False
        self._postings.write(table_path(folder, self.segment_id))
        return True


def write_tables(storage: FileStorage, schema: Schema, segments: Iterable[Any],
                 recorders: Iterable[PostingsRecorder] = ()) -> None:
    """Write the table of each of ``segments`` (Whoosh segments of the index in ``storage``) that has none that
    can be read (none yet, one of an earlier format, a damaged one): from what a recorder kept of it, else read
    back from the segment."""
    recorded = {recorder.segment_id: recorder for recorder in recorders}
    for segment in segments:
        segment_id = segment.segment_id()
        if read_table(storage.folder, segment_id) is None:
            try:
                _write_table(storage, schema, segment, recorded.get(segment_id))
            except Exception:  # a table only makes answers faster: without it, Whoosh answers for the segment
                with contextlib.suppress(OSError):
                    os.remove(table_path(storage.folder, segment_id) + PARTIAL)


def _write_table(storage: FileStorage, schema: Schema, segment: Any, recorder: PostingsRecorder | None) -> None:
    if recorder is not None and recorder.write(storage.folder):
        return
    reader = SegmentReader(storage, schema, segment)
    try:
        read_postings(reader).write(table_path(storage.folder, segment.segment_id()))
    finally:
        reader.close()


def read_postings(reader: SegmentReader) -> _Postings:
    """A segment's postings of the analysed fields, every one read from the segment itself, in the order of its
    terms (deleted documents' too): what its table holds."""
    postings = _Postings()
    for field in FIELDS:
        if field not in reader.schema:
            continue
        for term in reader.lexicon(field):
            postings.keys.append(f"{field}{SEPARATOR}{term.decode('utf-8')}")
            postings.starts.append(len(postings.documents))
            documents, weights = segment_postings(reader, field, term)
            postings.documents.extend(documents.astype(np.int32))
            postings.weights.extend(weights.astype(np.float32))
    return postings


class TermTable:
    """One segment's table, its arrays memory-mapped. Raises :class:`ValueError` for a file that is not a whole
    table."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as table:
            magic, trie_bytes, count = _HEADER.unpack(table.read(_HEADER.size))
            start = _HEADER.size + trie_bytes + _padding(trie_bytes)
            if magic != MAGIC or os.fstat(table.fileno()).st_size != start + 8 * count:
                raise ValueError(f"{path} is not a whole table of terms")
            self._trie = marisa_trie.RecordTrie(_VALUE_FORMAT).frombytes(table.read(trie_bytes))
            # A plain array over the mapped file: slicing numpy's memmap subclass costs more than the slice.
            mapped = np.frombuffer(mmap.mmap(table.fileno(), 0, access=mmap.ACCESS_READ), dtype=np.uint8) \
                if count else np.zeros(0, dtype=np.uint8)
        self._documents = mapped[start:start + 4 * count].view("<i4")
        self._weights = mapped[start + 4 * count:].view("<f4")

    def entry(self, key: str) -> tuple[int, int] | None:
        """Where the postings of the term with this key (:func:`_key`) begin and how many it has; None when the
        segment lacks it."""
        found = self._trie.get(key) if key else None
        return found[0] if found else None

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The term's document numbers in the segment (ascending) and its weight in each; None without it."""
        entry = self.entry(_key(field, term))
        return None if entry is None else self.postings_at(entry)

    def postings_at(self, entry: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        start, count = entry
        return self._documents[start:start + count], self._weights[start:start + count]

    def terms(self, field: str, prefix: str) -> list[str]:
        """The field's terms beginning with ``prefix``, in no particular order."""
        key = _key(field, prefix)
        return [found[len(field) + 1:] for found in self._trie.keys(key)] if key else []

    def entries(self, field: str, prefix: str) -> list[tuple[str, tuple[int, int]]]:
        """The field's terms beginning with ``prefix``, in no particular order, each with its :meth:`entry`."""
        key = _key(field, prefix)
        return [(found[len(field) + 1:], value) for found, value in self._trie.items(key)] if key else []

    def agrees_with(self, expected: _Postings) -> bool:
        """Whether the table holds exactly the terms of ``expected`` (a segment's :func:`read_postings`), each
        with its documents and weights."""
        if len(self._trie) != len(expected.keys):
            return False
        for key, (start, count) in expected.entries():
            found = self.postings(*key.split(SEPARATOR, 1))
            if found is None or found[0].tolist() != expected.documents[start:start + count].tolist() or \
                    found[1].tolist() != expected.weights[start:start + count].tolist():
                return False
        return True


def exact_forms(keys: Iterable[str]) -> set[str]:
    """The forms of the exact-form terms (``=form``) among a table's ``keys``."""
    marker = SEPARATOR + EXACT_MARK
    return {key.split(marker, 1)[1] for key in keys if marker in key}


def _key(field: str, term: str) -> str:
    """The table's key of a term; empty for a text with a control character, which no analysed term has and
    which would be taken for the table's own separators."""
    return "" if CONTROL_RE.search(term) else f"{field}{SEPARATOR}{term}"


def read_table(folder: str, segment_id: str) -> TermTable | None:
    """The segment's table; None when it has none or it cannot be read (Whoosh's lookups answer instead)."""
    try:
        return TermTable(table_path(folder, segment_id))
    except (OSError, ValueError, RuntimeError, struct.error):  # missing, cut short, or not a table
        return None


class CommitTerms:
    """The terms of one commit's segments (``leaves``: each segment's reader and the number of its first
    document), answered by each segment's table, and by Whoosh's lookups for a segment without one (all of them
    when ``folder`` is None) and for the fields the tables do not hold."""

    def __init__(self, leaves: list[tuple[SegmentReader, int]], folder: str | None) -> None:
        self._leaves = leaves
        self._tables = [read_table(folder, reader.segment().segment_id()) if folder and reader.segment() else None
                        for reader, _ in leaves]  # an empty commit's one reader has no segment
        self._none: list[TermTable | None] = [None] * len(leaves)
        self._entries: dict[str, list[tuple[int, int] | None]] = {}

    def _tables_of(self, field: str) -> list[TermTable | None]:
        return self._tables if field in FIELDS else self._none

    def _entries_of(self, field: str, term: str) -> list[tuple[int, int] | None]:
        """The term's entry in each segment's table (None where the segment lacks the term or has no table, and
        everywhere for a field the tables do not hold), remembered: a search asks for a term's document
        frequency, then for its postings."""
        if field not in FIELDS:
            return self._none
        key = _key(field, term)
        found = self._entries.get(key)
        if found is None:
            if len(self._entries) >= REMEMBERED_ENTRIES:
                self._entries.clear()
            found = self._entries[key] = [table.entry(key) if table else None for table in self._tables]
        return found

    def doc_frequency(self, field: str, term: str) -> int:
        """Documents of the commit with the term, deleted ones included (as in Whoosh's idf)."""
        total = 0
        for (reader, _), table, entry in zip(self._leaves, self._tables_of(field), self._entries_of(field, term)):
            if table is None:
                total += reader.doc_frequency(field, term)
            elif entry:
                total += entry[1]
        return total

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's document numbers in the commit (ascending, deleted documents included) and its weight in
        each, as int64 and float64 arrays."""
        ids, weights, _ = self.postings_of(field, [term])
        return ids, weights

    def postings_of(self, field: str, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """:meth:`postings` of each of ``terms``, one after the other in two arrays, and how many each has: a
        root stands for a hundred terms, which are read in a few NumPy calls, not a few for each term in each
        segment."""
        documents: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        offsets: list[int] = []
        counts: list[int] = []
        tables = self._tables_of(field)
        for term in terms:
            before = len(documents)
            for (reader, offset), table, entry in zip(self._leaves, tables, self._entries_of(field, term)):
                if table is None:
                    found: tuple[np.ndarray, np.ndarray] | None = segment_postings(reader, field, term)
                else:
                    found = table.postings_at(entry) if entry else None
                if found is not None and len(found[0]):
                    documents.append(found[0])
                    weights.append(found[1])
                    offsets.append(offset)
            counts.append(sum(len(part) for part in documents[before:]))
        if not documents:
            return np.zeros(0, dtype=np.int64), np.zeros(0), counts
        ids = np.concatenate(documents, dtype=np.int64)
        if any(offsets):
            ids += np.repeat(offsets, [len(part) for part in documents])
        return ids, np.concatenate(weights, dtype=np.float64), counts

    def terms(self, field: str, prefix: str) -> list[str]:
        """The field's terms beginning with ``prefix``, in order."""
        found: set[str] = set()
        for (reader, _), table in zip(self._leaves, self._tables_of(field)):
            found.update(table.terms(field, prefix) if table else map(term_text, reader.expand_prefix(field, prefix)))
        return sorted(found)

    def terms_with_frequencies(self, field: str, prefix: str) -> list[tuple[str, int]]:
        """(term, document frequency) of the field's terms beginning with ``prefix``, in order of the terms.
        Where every segment has a table, each term's entries in them are remembered on the way: a root's terms
        are scanned so, and their postings asked for next."""
        found: dict[str, int] = {}
        tables = self._tables_of(field)
        located: dict[str, list[tuple[int, int] | None]] | None = {} if all(tables) else None
        for n, ((reader, _), table) in enumerate(zip(self._leaves, tables)):
            if table is None:
                for term, info in reader.iter_prefix(field, prefix):
                    text = term_text(term)
                    found[text] = found.get(text, 0) + info.doc_frequency()
                continue
            for text, entry in table.entries(field, prefix):
                found[text] = found.get(text, 0) + entry[1]
                if located is not None:
                    located.setdefault(text, [None] * len(tables))[n] = entry
        if located is not None and len(self._entries) + len(located) <= REMEMBERED_ENTRIES:
            self._entries.update((_key(field, text), entries) for text, entries in located.items())
        return sorted(found.items())


def term_text(term: bytes | str) -> str:
    """A term as Whoosh's lexicons give it (UTF-8 bytes), as text."""
    return term.decode("utf-8") if isinstance(term, bytes) else term
