"""HTML (.html, .htm): indexed as the visible text of the page, with its title and date from the markup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from ..model import Document, SourceFile, find_date, make_document, split_date_prefix
from ..registry import whole_file_reader


class _HTMLText(HTMLParser):
    """Collects an HTML page's visible text, its <title>, first <h1> and a date from <meta> or <time>."""

    SKIP = {"script", "style", "noscript", "template", "head"}
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
             "header", "footer", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "hr"}
    DATE_META = {"date", "dc.date", "article:published_time", "pubdate", "publish_date"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.h1 = ""
        self.date = ""
        self._open: list[str] = []
        self._h1_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "meta":
            name = (attributes.get("name") or attributes.get("property") or "").lower()
            if name in self.DATE_META and not self.date:
                self.date = attributes.get("content", "")
            return
        if tag == "time" and not self.date:
            self.date = attributes.get("datetime", "")
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag in self.SKIP or tag in ("title", "h1"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass
        if tag == "h1" and self.h1:
            self._h1_done = True
        if tag in self.BLOCK:
            self.parts.append("\n")

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """``<![keyword[ … ]]>``: Python's parser raises AssertionError for a keyword it does not know; such a
        section is passed over whole instead, like a comment."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find("]]>", i + 3)
            return -1 if end < 0 else end + 3

    def handle_data(self, data: str) -> None:
        if "title" in self._open:
            self.title += data
        elif any(tag in self.SKIP for tag in self._open):
            return
        else:
            if "h1" in self._open and not self._h1_done:
                self.h1 += data
            self.parts.append(data)


_BLANK_LINES_RE = re.compile(r"\n\s*\n\s*")
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0]+")


@whole_file_reader(".html", ".htm", name="HTML")
def read_html(text: str, source: SourceFile, encoding: str) -> Iterator[Document]:
    """HTML: visible text only (scripts, styles and <head> dropped, entities decoded); title from <title>,
    else the first <h1>, else the first line."""
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    body = _SPACES_RE.sub(" ", "".join(parser.parts))
    body = _BLANK_LINES_RE.sub("\n\n", "\n".join(line.strip() for line in body.splitlines())).strip()
    prefix_date, body = split_date_prefix(body)
    title = " ".join(parser.title.split()) or " ".join(parser.h1.split()) or None
    date = find_date(parser.date) or prefix_date
    yield make_document(source.id, title, body, date, source.id, "html", encoding)
