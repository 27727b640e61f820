"""Markdown (.md, .markdown): indexed as the text a reader sees, without its markup."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Document, SourceFile, find_date, make_document, split_date_prefix
from ..registry import whole_file_reader

_MD_HEADING_RE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MD_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP_RE = re.compile(r"^(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)|[*_`~]{1,3}", re.MULTILINE)


@whole_file_reader(".md", ".markdown", name="Markdown")
def read_markdown(text: str, source: SourceFile, encoding: str) -> Iterator[Document]:
    """Markdown: title from front matter or the first heading; markup dropped, link texts kept."""
    meta: dict[str, str] = {}
    front = _MD_FRONT_MATTER_RE.match(text)
    if front:
        for line in front.group(1).splitlines():
            key, _, value = line.partition(":")
            meta[key.strip().lower()] = value.strip().strip("'\"")
        text = text[front.end():]
    prefix_date, text = split_date_prefix(text)
    heading = _MD_HEADING_RE.search(text)
    body = _MD_MARKUP_RE.sub("", _MD_LINK_RE.sub(r"\1", text)).strip()
    title = meta.get("title") or (heading.group(1) if heading else None)
    date = find_date(meta.get("date", "")) or prefix_date
    yield make_document(source.id, title, body, date, source.id, "md", encoding)
