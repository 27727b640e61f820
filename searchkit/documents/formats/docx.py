"""Word (.docx), read with python-docx: paragraphs and tables in the order they stand, then header and footer
text, then footnotes and endnotes; title, author, date and language from the core properties.

python-docx unpacks every part of the package itself, with no limit on what a part unpacks to, so each member is
first read through :class:`~..containers.Archive`, which refuses a zip bomb before python-docx sees the file.
python-docx has no API for footnotes and endnotes: their parts are parsed with
:func:`~..containers.parse_xml`, leaving out the separator notes (``w:type="separator"`` and the like, ids -1
and 0 in Word's files, 0 and 1 in LibreOffice's), which hold no text.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

import docx
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as WordDocument
from docx.opc.exceptions import OpcError
from docx.table import Table
from lxml import etree

from ...errors import DocumentError
from ..containers import Archive, parse_xml
from ..model import Document, Skipped, SourceFile, find_date, make_document
from ..registry import binary_reader

#: The first bytes of an OLE compound file: a legacy .doc, or a .docx encrypted with a password (Word then
#: wraps the zip package, encrypted, in an OLE file as its ``EncryptedPackage`` stream).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

_NOTES = ("word/footnotes.xml", "word/endnotes.xml")
_CORE = "docProps/core.xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
#: What python-docx raises for a package it cannot make sense of.
_DAMAGED = (KeyError, ValueError, OpcError, zipfile.BadZipFile, etree.LxmlError)


@binary_reader(".docx", name="Word", library="python-docx")
def read_docx(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """A Word file as one document; the title is guessed from the text when the properties have none."""
    parts = _checked_package(stream)
    try:
        body = _body(docx.Document(stream), {name: parts[name] for name in _NOTES if name in parts})
    except _DAMAGED as error:
        raise DocumentError(f"damaged Word file: {error}") from None
    if not body:
        yield Skipped(source.id, "no text in the file")
        return
    title, author, date, language = _properties(parts.get(_CORE))
    yield make_document(source.id, title, body, date, source.id, "docx", "", author=author, language=language)


def _checked_package(stream: IO[bytes]) -> dict[str, bytes]:
    """Every member of the package read within the archive limits (so python-docx, reading them again, cannot
    be made to unpack a bomb); returns the parts read here rather than by python-docx: the core properties, the
    footnotes and the endnotes."""
    head = stream.read(len(OLE_MAGIC))
    stream.seek(0)
    if head == OLE_MAGIC:
        raise DocumentError(_ole_problem(stream.read()))
    if not zipfile.is_zipfile(stream):
        raise DocumentError("damaged Word file: not a complete zip package (cut short, or not a .docx file)")
    stream.seek(0)
    kept = {}
    archive = Archive(stream)
    for name in archive.names():
        data = archive.read(name)
        if name in _NOTES or name == _CORE:
            kept[name] = data
    return kept


def _ole_problem(data: bytes) -> str:
    """What an OLE file named .docx is: an encrypted package says so in the name of its one stream."""
    if _ENCRYPTED_STREAM in data:
        return "encrypted or password-protected Word file: save it without a password to index it"
    return "a legacy Word .doc file named .docx: rename it to .doc to index it"


def _body(word: WordDocument, notes_xml: dict[str, bytes]) -> str:
    """The text, then each distinct line of the headers and footers, then the notes; blank lines dropped."""
    margins = dict.fromkeys(_lines(_margins(word)))
    notes = [line for name, data in notes_xml.items() for line in _notes(data, name)]
    return "\n".join([*_lines(_blocks(word)), *margins, *_lines(notes)])


def _lines(texts: Iterable[str]) -> list[str]:
    return [line for line in (" ".join(text.split()) for text in texts) if line]


def _blocks(container: WordDocument | BlockItemContainer) -> Iterator[str]:
    """The paragraphs of a document, cell, header or footer, with the cells of its tables, in order."""
    for item in container.iter_inner_content():
        if isinstance(item, Table):
            yield from _cells(item)
        else:
            yield item.text


def _cells(table: Table) -> Iterator[str]:
    """The text of each cell once: python-docx repeats a merged cell in every row and column it spans."""
    seen = set()
    for row in table.rows:
        for cell in row.cells:
            if cell._tc not in seen:  # the cell's element: the one handle shared by a merged cell's repeats
                seen.add(cell._tc)
                yield from _blocks(cell)


def _margins(word: WordDocument) -> Iterator[str]:
    """The headers and footers each section defines (a section that inherits the previous one's has none)."""
    for section in word.sections:
        for part in (section.header, section.first_page_header, section.even_page_header, section.footer,
                     section.first_page_footer, section.even_page_footer):
            if not part.is_linked_to_previous:
                yield from _blocks(part)


def _notes(data: bytes, name: str) -> Iterator[str]:
    """The paragraphs of the footnotes or endnotes part, separators left out."""
    for note in parse_xml(data, name):
        if note.get(f"{_W}type", "normal") == "normal":
            for paragraph in note.iter(f"{_W}p"):
                yield "".join(text.text or "" for text in paragraph.iter(f"{_W}t"))


def _properties(core_xml: bytes | None) -> tuple[str | None, str, dt.date | None, str]:
    """Title (None for none), author, date created (else last modified) and language from ``docProps/core.xml``.

    Read here rather than through python-docx, which knows the part only by the standard relationship type: for
    a file from LibreOffice, which names it otherwise, and for a file without the part, it makes up defaults (the
    title «Word Document», the date of today)."""
    if core_xml is None:
        return None, "", None, ""
    core = parse_xml(core_xml, _CORE)

    def field(tag: str) -> str:
        return " ".join((core.findtext(tag) or "").split())

    date = find_date(field(f"{_DCTERMS}created")) or find_date(field(f"{_DCTERMS}modified"))
    return field(f"{_DC}title") or None, field(f"{_DC}creator"), date, field(f"{_DC}language")
