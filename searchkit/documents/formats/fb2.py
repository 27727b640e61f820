"""FictionBook (.fb2, and .fb2.zip, a zip holding one .fb2): the text of the book's bodies and its metadata.

An FB2 file is one XML document: ``description/title-info`` holds the title, authors, date and language, each
``body`` the text in ``section``s of paragraphs, poems, epigraphs and citations, and ``binary`` the images
(base64), which are passed over. It is parsed with :func:`~..containers.parse_xml` (defusedxml), which refuses
entity declarations, in the encoding its XML declaration states: UTF-8 and windows-1251 are both common.
The notes (``<body name="notes">``) follow the main text; a long book is split by its top-level sections (see
:mod:`.books`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element

from ...errors import DocumentError
from ..containers import Archive, parse_xml
from ..model import Document, Skipped, SourceFile, size_text
from ..registry import MAX_FILE_BYTES, binary_reader
from .books import Book, Chapter, book_date, book_documents, one_line

#: The elements whose text is one line of the book; the containers (section, poem, stanza, epigraph, cite,
#: title) are made of them, and ``image`` and ``binary`` have no text.
_LINES = {"p", "v", "subtitle", "text-author", "td", "th"}

_ENCODING_RE = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")


@binary_reader(".fb2", name="FictionBook (FB2)", library="defusedxml")
def read_fb2(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew since its size was checked
        raise DocumentError(f"file is over the {size_text(MAX_FILE_BYTES)} limit for a .fb2 file")
    yield from _book(source, data, source.path.name)


@binary_reader(".fb2.zip", name="FictionBook (FB2)", library="defusedxml")
def read_fb2_zip(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """The archive's first .fb2 member: such an archive is made to hold one book."""
    archive = Archive(stream)
    name = next((name for name in archive.names() if name.lower().endswith(".fb2")), None)
    if name is None:
        raise DocumentError("the archive holds no .fb2 file")
    yield from _book(source, archive.read(name), name)


def _book(source: SourceFile, data: bytes, what: str) -> Iterator[Document | Skipped]:
    root = parse_xml(data, what)
    if _local(root.tag) != "FictionBook":
        raise DocumentError(f"{what}: not a FictionBook file (its root element is <{_local(root.tag)}>)")
    bodies = [child for child in root if _local(child.tag) == "body"]
    main = [body for body in bodies if not body.get("name")]
    notes = [body for body in bodies if body.get("name")]
    chapters = [chapter for body in main for chapter in _sections(body)]
    chapters += [Chapter(_heading(body) or "примечания", _text(body)) for body in notes]
    yield from book_documents(source, _metadata(root, data), chapters)


def _metadata(root: Element, data: bytes) -> Book:
    info = _child(_child(root, "description"), "title-info")
    date = _child(info, "date")
    authors = (_person(author) for author in _children(info, "author"))
    return Book(title=one_line(_all_text(_child(info, "book-title"))),
                author=", ".join(author for author in authors if author),
                date=book_date(date.get("value") or _all_text(date)) if date is not None else None,
                language=_all_text(_child(info, "lang")).strip(),
                format="fb2", encoding=_declared_encoding(data))


def _person(author: Element) -> str:
    """First, middle and last name, as a reader writes them; the nickname for an author known by no other."""
    names = [_all_text(_child(author, part)).strip() for part in ("first-name", "middle-name", "last-name")]
    return one_line(" ".join(names)) or one_line(_all_text(_child(author, "nickname")))


def _sections(body: Element) -> Iterator[Chapter]:
    """A body's top-level sections, each a chapter; what stands before them (the body's own title and
    epigraph) opens the first, and text outside any section (which some files have) is a chapter of its own."""
    opening: list[str] = []
    for child in body:
        if _local(child.tag) == "section":
            yield Chapter(_heading(child), "\n".join([*opening, _text(child)]))
            opening = []
        else:
            opening.append(_text(child))
    if any(opening):
        yield Chapter(_heading(body), "\n".join(opening))


def _heading(element: Element) -> str:
    return one_line(" ".join(_lines(_child(element, "title"))))


def _text(element: Element) -> str:
    return "\n".join(_lines(element))


def _lines(element: Element | None) -> Iterator[str]:
    """Each paragraph, verse line, subtitle and cell under ``element``, in reading order."""
    if element is None:
        return
    for part in element.iter():
        if _local(part.tag) in _LINES:
            line = one_line(_all_text(part))
            if line:
                yield line


def _local(tag: object) -> str:
    """An element's name without its namespace: FB2 files are read whether they declare theirs or not."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(parent: Element | None, name: str) -> list[Element]:
    return [child for child in parent if _local(child.tag) == name] if parent is not None else []


def _child(parent: Element | None, name: str) -> Element | None:
    return next(iter(_children(parent, name)), None)


def _all_text(element: Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _declared_encoding(data: bytes) -> str:
    """The encoding the XML declaration names (the one it was parsed in, so a known one), by its codec's name
    (``windows-1251`` → ``cp1251``, as the other readers name it), else XML's default, UTF-8."""
    match = _ENCODING_RE.match(data[:200])
    return codecs.lookup(match.group(1).decode("ascii")).name if match else "utf-8"
