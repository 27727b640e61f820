"""CSV (.csv): one document per row under a header row, read a line at a time, so a file may be of any size."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from ..decoding import MAX_RECORD_BYTES, Lines
from ..model import Document, Skipped
from ..registry import record_reader
from .records import read_record

#: A field may be as long as a line may be; Python's csv module refuses fields over 128 KB unless told.
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))


@record_reader(".csv", name="CSV")
def read_csv(lines: Lines) -> Iterator[Document | Skipped]:
    """CSV with a header row naming ``text`` (required) and optionally ``id``, ``title``, ``date``; the
    dialect (``,``, ``;`` or tab) is guessed from the file's beginning. Blank rows are passed over."""
    # The delimiters are ASCII: latin-1 shows them, whatever the encoding.
    head = lines.head.decode("latin-1")
    try:
        dialect: Any = csv.Sniffer().sniff(head, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(lines, dialect=dialect)
    columns: list[str] | None = None
    n = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield from lines.problems()
            yield Skipped(lines.file_id, f"line {reader.line_num}: {error}")
            continue
        yield from lines.problems()
        if not any(cell.strip() for cell in row):
            continue
        if columns is None:
            columns = [name.strip().lower() for name in row]
            if "text" not in columns and "body" not in columns:
                yield Skipped(lines.file_id, f"CSV header has no 'text' column (found: {', '.join(columns)})")
                return
            continue
        n += 1
        yield read_record(dict(zip(columns, row)), f"line {reader.line_num}", f"{lines.file_id}#{n}",
                          lines.file_id, "csv", lines.encoding)
    yield from lines.problems()
