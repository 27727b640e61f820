"""Each segment's table of terms: every term of its analysed fields with the number of documents that have it,
in a file beside the segment (``MAIN_<segment id>.terms``), written once, when the segment is written.

Whoosh finds a term by looking it up in the hash file of every segment, in Python; a search asks for many
terms (each word's readings, stems and roots, in two fields) and for every term beginning as a root or a
mistyped word does, which a new process pays for on every first query. A table answers the same questions in
marisa-trie's compiled code: a term's document frequency, whether a segment has it at all (so its postings are
not looked for where they are not), and the terms beginning with a prefix.

A table is named like its segment's files, so Whoosh deletes it with them when a merge or a rebuild drops the
segment. A segment without one (written before tables were, or whose table cannot be read) is answered by
Whoosh's own lookups, so a table only ever makes answers faster, never different.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

import marisa_trie
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from ...compiled import TEXT_FIELDS

#: The analysed fields, whose terms searches look up.
FIELDS = (*TEXT_FIELDS, "author")
#: Between a field's name and a term in a table's keys; neither ever holds it.
SEPARATOR = "\x1f"
#: How a table's values are stored: the term's document frequency in the segment.
_VALUE_FORMAT = "<I"
SUFFIX = ".terms"
_CONTROL_RE = re.compile("[\x00-\x1f]")


def table_path(folder: str, segment_id: str) -> str:
    return os.path.join(folder, segment_id + SUFFIX)


def write_tables(storage: FileStorage, schema: Schema, segments: Iterable[Any]) -> None:
    """Write the table of each of ``segments`` (Whoosh segments of the index in ``storage``) that has none yet,
    each file replaced whole (a crash leaves it whole or absent, never half written)."""
    for segment in segments:
        path = table_path(storage.folder, segment.segment_id())
        if os.path.exists(path):
            continue
        reader = SegmentReader(storage, schema, segment)
        try:
            entries = _entries(reader)
        finally:
            reader.close()
        partial = path + "_partial"  # named like the segment's files, so Whoosh removes one left by a crash
        marisa_trie.RecordTrie(_VALUE_FORMAT, entries).save(partial)
        os.replace(partial, path)


def _entries(reader: SegmentReader) -> list[tuple[str, tuple[int]]]:
    """The key and value of each term of the segment in its table, in order of the keys."""
    return sorted((f"{field}{SEPARATOR}{term.decode('utf-8')}", (info.doc_frequency(),))
                  for field in FIELDS if field in reader.schema for term, info in reader.iter_field(field))


class TermTable:
    """One segment's table, read from its memory-mapped file."""

    def __init__(self, path: str) -> None:
        self._trie = marisa_trie.RecordTrie(_VALUE_FORMAT)
        self._trie.mmap(path)

    def doc_frequency(self, field: str, term: str) -> int:
        key = _key(field, term)
        found = self._trie.get(key) if key else None
        return found[0][0] if found else 0

    def __contains__(self, key: tuple[str, str]) -> bool:
        found = _key(*key)
        return bool(found) and found in self._trie

    def terms(self, field: str, prefix: str) -> list[str]:
        """The field's terms beginning with ``prefix``, in no particular order."""
        key = _key(field, prefix)
        return [found[len(field) + 1:] for found in self._trie.keys(key)] if key else []

    def terms_with_frequencies(self, field: str, prefix: str) -> list[tuple[str, int]]:
        key = _key(field, prefix)
        return [(found[len(field) + 1:], value[0]) for found, value in self._trie.items(key)] if key else []


    def agrees_with(self, reader: SegmentReader) -> bool:
        """Whether the table holds exactly the terms of the segment ``reader`` reads, each with its document
        frequency."""
        return _entries(reader) == sorted(self._trie.items())


def _key(field: str, term: str) -> str:
    """The table's key of a term; empty for a text with a control character, which no analysed term has and
    which would be taken for the table's own separators."""
    return "" if _CONTROL_RE.search(term) else f"{field}{SEPARATOR}{term}"


def read_table(folder: str, segment_id: str) -> TermTable | None:
    """The segment's table; None when it has none or it cannot be read (Whoosh's lookups answer instead)."""
    try:
        return TermTable(table_path(folder, segment_id))
    except RuntimeError:  # marisa-trie's error for a file missing or not a table
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

    def _tables_of(self, field: str) -> list[TermTable | None]:
        return self._tables if field in FIELDS else self._none

    def doc_frequency(self, field: str, term: str) -> int:
        """Documents of the commit with the term, deleted ones included (as in Whoosh's idf)."""
        return sum((table or reader).doc_frequency(field, term)
                   for (reader, _), table in zip(self._leaves, self._tables_of(field)))

    def segments_with(self, field: str, term: str) -> list[tuple[SegmentReader, int]]:
        """The leaves whose segment has the term."""
        return [leaf for leaf, table in zip(self._leaves, self._tables_of(field))
                if (field, term) in (table or leaf[0])]

    def terms(self, field: str, prefix: str) -> list[str]:
        """The field's terms beginning with ``prefix``, in order."""
        found: set[str] = set()
        for (reader, _), table in zip(self._leaves, self._tables_of(field)):
            found.update(table.terms(field, prefix) if table else map(term_text, reader.expand_prefix(field, prefix)))
        return sorted(found)

    def terms_with_frequencies(self, field: str, prefix: str) -> list[tuple[str, int]]:
        """(term, document frequency) of the field's terms beginning with ``prefix``, in order of the terms."""
        found: dict[str, int] = {}
        for (reader, _), table in zip(self._leaves, self._tables_of(field)):
            pairs = table.terms_with_frequencies(field, prefix) if table else \
                ((term_text(term), info.doc_frequency()) for term, info in reader.iter_prefix(field, prefix))
            for term, frequency in pairs:
                found[term] = found.get(term, 0) + frequency
        return sorted(found.items())


def term_text(term: bytes | str) -> str:
    """A term as Whoosh's lexicons give it (UTF-8 bytes), as text."""
    return term.decode("utf-8") if isinstance(term, bytes) else term
