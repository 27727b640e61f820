"""JSON (.json): one document, or a list of them, read whole; a large collection belongs in JSON Lines."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Document, Skipped, SourceFile
from ..registry import whole_file_reader
from .records import parse_json, read_record


@whole_file_reader(".json", name="JSON", too_large_hint="JSON Lines, .jsonl, is read a record at a time and may be larger",
                   own_ids=True)
def read_json(text: str, source: SourceFile, encoding: str) -> Iterator[Document | Skipped]:
    """JSON: one object, or a list of objects, each with id/title/date/text."""
    data, error = parse_json(text, multiline=True)
    if error:
        yield Skipped(source.id, error)
        return
    items = data if isinstance(data, list) else [data]
    for n, item in enumerate(items, start=1):
        yield read_record(item, f"item {n}", f"{source.id}#{n}", source.id, "json", encoding)
