"""Plain text (.txt, .text): the first line is the title when it is short and more text follows it."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Document, SourceFile, heading_line, make_document, split_date_prefix
from ..registry import whole_file_reader


@whole_file_reader(".txt", ".text", name="plain text")
def read_text(text: str, source: SourceFile, encoding: str) -> Iterator[Document]:
    date, body = split_date_prefix(text)
    yield make_document(source.id, heading_line(body), body.strip(), date, source.id, "txt", encoding)
