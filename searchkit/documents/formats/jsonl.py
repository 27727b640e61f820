"""JSON Lines (.jsonl, .ndjson): one document per line, read a line at a time, so a file may be of any size."""

from __future__ import annotations

from collections.abc import Iterator

from ..decoding import Lines
from ..model import Document, Skipped
from ..registry import record_reader
from .records import parse_json, read_record


@record_reader(".jsonl", ".ndjson", name="JSON Lines")
def read_jsonl(lines: Lines) -> Iterator[Document | Skipped]:
    """JSON Lines: one object per line; a malformed line is skipped with its number, the rest are read."""
    for line in lines:
        yield from lines.problems()
        if not line.strip():
            continue
        record, error = parse_json(line, multiline=False)
        if error:
            yield Skipped(lines.file_id, f"line {lines.number}: {error}")
        else:
            yield read_record(record, f"line {lines.number}", f"{lines.file_id}#{lines.number}", lines.file_id,
                              "jsonl", lines.encoding)
