"""EPUB (.epub): the chapters' text in reading (spine) order, with the title, authors, date and language of the
package's Dublin Core metadata.

The book is read directly, not through EbookLib: the container names the package document (OPF), whose
manifest and spine list the chapters, and only those members are read, each through
:class:`~..containers.Archive`, which refuses a member or a book that unpacks past its limits (a zip bomb), and
the XML through :func:`~..containers.parse_xml`, which refuses entity expansion. EbookLib reads every member of
the archive into memory whole, without such limits, and parses with lxml, resolving entities; it also builds
objects for the images and styles that searching never needs, so reading directly is both safer and faster.

Each chapter, XHTML, is turned into text by the HTML reader's :func:`~.html.visible_text` (all its visible
text: a chapter has no menus or footers for a main-text extraction to drop, and its metadata is the book's).
A long book is split by chapter (see :mod:`.books`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import IO
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from ...errors import DocumentError
from ..containers import Archive, parse_xml
from ..decoding import decode
from ..model import Document, Skipped, SourceFile
from ..registry import binary_reader
from .books import Book, Chapter, book_date, book_documents, one_line
from .html import visible_text

_CONTAINER = "META-INF/container.xml"
_CONTAINER_NS = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF_NS = "{http://www.idpf.org/2007/opf}"
_DC_NS = "{http://purl.org/dc/elements/1.1/}"
_CHAPTER_TYPES = {"application/xhtml+xml", "text/html"}

_HEADING_START_RE = re.compile(r"<h[1-6][\s>/]", re.IGNORECASE)
_HEADING_END_RE = re.compile(r"</h[1-6]\s*>", re.IGNORECASE)


@binary_reader(".epub", name="EPUB", library="defusedxml")
def read_epub(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    archive = Archive(stream)
    package = _package_path(archive)
    opf = parse_xml(archive.read(package), package)
    chapters: list[Chapter] = []
    encodings: dict[str, None] = {}  # in the order first met
    for member in _spine(opf, package):
        if archive.has(member):  # a chapter the book lists but lacks has no text to index
            chapter, encoding = _chapter(archive.read(member))
            chapters.append(chapter)
            encodings.setdefault(encoding)
    yield from book_documents(source, _metadata(opf, "+".join(encodings) or "utf-8"), chapters)


def _package_path(archive: Archive) -> str:
    """The package document the container names, else the archive's first .opf (a book without a container
    is damaged, but its package still says everything)."""
    if archive.has(_CONTAINER):
        rootfile = parse_xml(archive.read(_CONTAINER), _CONTAINER).find(f".//{_CONTAINER_NS}rootfile")
        if rootfile is not None and archive.has(rootfile.get("full-path", "")):
            return rootfile.get("full-path", "")
    found = next((name for name in archive.names() if name.lower().endswith(".opf")), None)
    if found is None:
        raise DocumentError("not an EPUB book: it has no package document (.opf)")
    return found


def _spine(opf: Element, package: str) -> Iterator[str]:
    """The archive members of the chapters, in reading order; the table of contents (an EPUB 3 ``nav``, which
    many books list in their spine) is not a chapter, only its headings again."""
    manifest = {item.get("id"): item for item in opf.iter(f"{_OPF_NS}item")}
    folder = posixpath.dirname(package)
    for itemref in opf.iter(f"{_OPF_NS}itemref"):
        item = manifest.get(itemref.get("idref"))
        if item is not None and item.get("media-type") in _CHAPTER_TYPES and item.get("href") \
                and "nav" not in item.get("properties", "").split():
            href = unquote(item.get("href", "").partition("#")[0])
            yield posixpath.normpath(posixpath.join(folder, href))


def _chapter(data: bytes) -> tuple[Chapter, str]:
    """A chapter's heading, text and encoding."""
    text, encoding = decode(data)
    return Chapter(_heading(text), visible_text(text)), encoding


def _heading(text: str) -> str:
    """The text of the chapter's first heading (``h1`` to ``h6``), found by a search that reads the chapter at
    most once, however its markup is broken."""
    start = _HEADING_START_RE.search(text)
    end = _HEADING_END_RE.search(text, start.end()) if start else None
    return one_line(visible_text(text[start.start():end.end()])) if start and end else ""


def _metadata(opf: Element, encoding: str) -> Book:
    """Title, authors (creators without a role, or with the role of author: not editors or illustrators), date
    and language from the package's Dublin Core."""
    authors = [one_line("".join(creator.itertext())) for creator in opf.iter(f"{_DC_NS}creator")
               if creator.get(f"{_OPF_NS}role", "aut") == "aut"]
    return Book(title=_first(opf, "title"), author=", ".join(author for author in authors if author),
                date=book_date(_first(opf, "date")), language=_first(opf, "language"), format="epub",
                encoding=encoding)


def _first(opf: Element, name: str) -> str:
    element = opf.find(f".//{_DC_NS}{name}")
    return one_line("".join(element.itertext())) if element is not None else ""
