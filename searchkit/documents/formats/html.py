"""HTML (.html, .htm): indexed as the page's main text (an article without its menus, footers and "read also"
blocks, found by trafilatura) or, with ``ReadOptions(html="full")``, as every visible text of the page; the title,
date, author and language come from the markup (Open Graph, JSON-LD, ``<meta>``, ``<title>``, ``<h1>``, ``<time>``).

:func:`page_document` is shared with the saved web pages (:mod:`.mhtml`); :func:`visible_text` is the full text
alone, for formats with HTML inside.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..model import Document, SourceFile, find_date, make_document, split_date_prefix
from ..registry import whole_file_reader

try:  # trafilatura (and lxml under it) finds the main text; without it every page is read whole
    import lxml.html
    import trafilatura
    from trafilatura.metadata import examine_meta, extract_meta_json
except ImportError:  # pragma: no cover - a declared dependency; an install without it still reads HTML
    trafilatura = None

#: How trafilatura is asked for the main text, chosen on Russian news, encyclopedia and recipe pages:
#:
#: - ``favor_recall``: the default (and ``favor_precision`` even more) drops an article's headings, bulleted lists
#:   (the sights of a city, a recipe's ingredients) and the paragraphs after them, which are content that a
#:   search must find; with recall they stay, while the menus, sidebars, footers, share buttons, tags, comments
#:   and "Читайте также" teasers beside the article are still left out;
#: - not ``fast``: trafilatura then compares its extraction with jusText's and readability's and keeps the better,
#:   which is what brings back the headings of a page without <article> markup;
#: - ``include_tables``: a table in an article (a Wikipedia infobox, a price list) is content;
#: - ``include_comments=False``: readers' comments are not the article;
#: - no formatting, links or images: plain text is what is indexed;
#: - ``prune_xpath``: what a browser does not show, and trafilatura would keep (``<noscript>``, ``<template>``), is
#:   dropped, as in full mode.
MAIN_TEXT_OPTIONS: dict[str, Any] = {"output_format": "txt", "favor_recall": True, "fast": False,
                                     "include_comments": False, "include_tables": True, "include_formatting": False,
                                     "include_links": False, "include_images": False, "deduplicate": False,
                                     "prune_xpath": ["//noscript", "//template"]}


class _HTMLText(HTMLParser):
    """Collects an HTML page's visible text, its <title>, first <h1> and a date from <meta> or <time>."""

    SKIP = {"script", "style", "noscript", "template", "head"}
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
             "header", "footer", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "hr"}
    #: Table cells are apart by a space, so that the words of two cells do not run together.
    CELL = {"td", "th"}
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
        elif tag in self.CELL:
            self.parts.append(" ")
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
#: A table's header rule in trafilatura's text: ``|---|---|``.
_TABLE_RULE_RE = re.compile(r"\A\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*\Z")
#: trafilatura's own parser settings, and no limit on the depth of the tree (but libxml2's hard one, 2048).
_DEEP_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                                    remove_pis=True, huge_tree=True) if trafilatura else None
_LANGUAGE_RE = re.compile(r"\A([a-z]{2,3})(?:[-_][a-z0-9]+)*\Z", re.IGNORECASE)


@dataclass(frozen=True)
class _Metadata:
    """What the markup says of a page beyond its text: Open Graph, JSON-LD, ``<meta>``."""

    title: str = ""
    author: str = ""
    date: dt.date | None = None
    language: str = ""


@whole_file_reader(".html", ".htm", name="HTML", library="trafilatura")
def read_html(text: str, source: SourceFile, encoding: str) -> Iterator[Document]:
    """HTML: the main text (or, with ``html="full"``, all visible text: scripts, styles and <head> dropped,
    entities decoded); title from Open Graph or JSON-LD, else <title>, else the first <h1>, else the first line."""
    yield page_document(text, source, encoding, "html")


def page_document(text: str, source: SourceFile, encoding: str, format: str, url: str | None = None) -> Document:
    """One HTML page as a document. In ``main`` mode its body is the main text, or every visible text when
    trafilatura finds none (a short page, a page that is all links), so that no page comes out empty. ``url``
    (a saved page's address) may tell trafilatura the date."""
    parser, visible = _visible(text)
    prefix_date, body = split_date_prefix(visible)
    tree = _tree(text)
    meta = _metadata(tree, url) if tree is not None else _Metadata()
    whole = _whole_tree(tree, text, visible) if tree is not None and source.options.html == "main" else None
    if whole is not None:
        main_date, main = split_date_prefix(_main_text(whole, url))
        if main.strip():
            body, prefix_date = _with_headline(main, " ".join(parser.h1.split())), prefix_date or main_date
    title = meta.title or " ".join(parser.title.split()) or " ".join(parser.h1.split()) or None
    date = meta.date or find_date(parser.date) or prefix_date
    return make_document(source.id, title, body, date, source.id, format, encoding, author=meta.author,
                         language=meta.language)


def visible_text(text: str) -> str:
    """Every visible text of an HTML page or fragment, as full mode indexes it, without the metadata and the
    main-text extraction: for a reader that has HTML inside its own format (an e-book's chapter, a mail's HTML
    part) and wants its text alone, at a fraction of the cost of :func:`read_html`."""
    return _visible(text)[1]


def _visible(text: str) -> tuple[_HTMLText, str]:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    return parser, _tidy("".join(parser.parts))


def _with_headline(main: str, h1: str) -> str:
    """The main text beginning with the page's headline, its first <h1>: trafilatura leaves it out of the text
    of many pages (taking it for the title), yet it is the article's and must be found as it is in full mode."""
    if not h1 or h1 in main[:len(h1) + 200]:
        return main
    return f"{h1}\n{main}"


def _tidy(text: str) -> str:
    """Visible text with runs of spaces made one and blank lines between blocks."""
    text = _SPACES_RE.sub(" ", text)
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


# Whatever goes wrong inside trafilatura or lxml on a strange page (they are not ours to fix), the page is still
# read: as its full visible text, with the metadata of the parser above. So their errors are caught broadly.

def _tree(text: str) -> Any:
    """The page parsed by lxml, as trafilatura parses it; None for what it does not take for a page (a fragment
    such as ``<p>…</p>`` alone, text that is not HTML)."""
    if trafilatura is None:
        return None
    try:
        return trafilatura.load_html(text)
    except Exception:  # noqa: BLE001 - see above
        return None


def _whole_tree(tree: Any, text: str, visible: str) -> Any:
    """``tree`` if it holds the whole page, else the page parsed again without libxml2's depth limit, else None.

    libxml2 stops at a depth of 256 elements and drops the rest of the page, and a page of unclosed ``<dd>``
    paragraphs (as lib.ru writes whole novels) nests one in the next: main text taken from such a tree would be
    the first 253 paragraphs. A tree is taken as whole when it has at least nearly all the words of the visible
    text (it has more: it keeps scripts and styles)."""
    wanted = 0.95 * len(visible.split())
    if len(tree.text_content().split()) >= wanted:
        return tree
    try:
        deep = lxml.html.fromstring(text.encode("utf-8", errors="surrogatepass"), parser=_DEEP_PARSER)
    except Exception:  # noqa: BLE001 - see above
        return None
    return deep if len(deep.text_content().split()) >= wanted else None


def _main_text(tree: Any, url: str | None) -> str:
    """The page's main text as trafilatura finds it, tidied; "" when it finds none."""
    try:
        text = trafilatura.extract(tree, url=url, **MAIN_TEXT_OPTIONS)
    except Exception:  # noqa: BLE001 - see above
        return ""
    if not text:
        return ""
    lines = []
    for line in _SPACES_RE.sub(" ", text).splitlines():
        line = line.strip()
        if _TABLE_RULE_RE.match(line):
            continue
        if line.startswith("|") and line.endswith("|"):  # a table row: its cells without the outer bars
            line = line[1:-1].strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def _metadata(tree: Any, url: str | None) -> _Metadata:
    """The title (Open Graph, JSON-LD ``headline``, ``<meta name=title>``: never the <title> or <h1>, which the
    caller falls back to, with its own rules), the author (the same sources, then a byline in the markup) and the
    date (the same sources and <time>, judged by htmldate, which is not allowed to guess one from the text: an
    encyclopedia's "в 2018 году" is no date of the page)."""
    title = author = ""
    date = None
    try:
        title = extract_meta_json(tree, examine_meta(tree)).title or ""
        found = trafilatura.extract_metadata(tree, default_url=url, extensive=False)
        author = found.author or ""
        date = find_date(found.date or "")
    except Exception:  # noqa: BLE001 - see above
        pass
    return _Metadata(" ".join(title.split()), " ".join(author.split()), date, _language(tree))


def _language(tree: Any) -> str:
    """The language the page declares (``<html lang="ru-RU">`` → ``ru``), "" if none."""
    try:
        declared = tree.getroottree().getroot().get("lang") or ""
        if not declared:
            declared = next((meta.get("content") or "" for meta in tree.iterfind(".//meta[@http-equiv]")
                             if (meta.get("http-equiv") or "").lower() == "content-language"), "")
    except Exception:  # noqa: BLE001 - see above
        return ""
    match = _LANGUAGE_RE.match(declared.split(",")[0].strip())
    return match.group(1).lower() if match else ""
