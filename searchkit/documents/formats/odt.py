"""OpenDocument text (.odt): paragraphs, headings, lists and tables in the order they stand, then the footnotes
and endnotes; title, author, date and language from ``meta.xml``. The author is ``meta:initial-creator``, who
made the file, before ``dc:creator``, which in OpenDocument names whoever saved it last; the date is likewise
the creation date before ``dc:date``, the last save.

Read from ``content.xml`` and ``meta.xml`` with :class:`~..containers.Archive` and
:func:`~..containers.parse_xml` rather than with odfpy: odfpy parses every part of the package (styles and
settings too) with an XML parser that expands entities, while only these two parts hold what is indexed, and
these two are read within the zip-bomb limits and refused when they declare entities. The tree is walked with
a stack, not recursion, so nesting thousands deep cannot exhaust Python's stack.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element

from ...errors import DocumentError
from ..containers import Archive, parse_xml
from ..model import Document, Skipped, SourceFile, find_date, make_document
from ..registry import binary_reader

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"

_PARAGRAPHS = {f"{_TEXT}p", f"{_TEXT}h"}
#: Inside ``office:text`` but not text a reader sees: deleted text kept for change tracking, comments,
#: declarations, and the templates from which a table of contents is generated.
_HIDDEN = {f"{_TEXT}tracked-changes", f"{_OFFICE}annotation", f"{_TEXT}sequence-decls", f"{_TEXT}variable-decls",
           f"{_TEXT}user-field-decls", f"{_TEXT}table-of-content-source", f"{_TEXT}note-citation"}
_CHARACTERS = {f"{_TEXT}tab": "\t", f"{_TEXT}line-break": "\n"}

#: An item of the walk: an element with the list its text goes to and whether it is inside a paragraph (text
#: outside paragraphs is only the XML's indentation), or a string to add to a list.
_Item = tuple[Element | str, list[str], bool]


@binary_reader(".odt", name="OpenDocument text", library="defusedxml")
def read_odt(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """An OpenDocument text as one document; the title is guessed from the text when ``meta.xml`` has none."""
    text, meta = _parts(stream)
    body, notes = _walk(text)
    lines = [line for line in (" ".join(line.split()) for line in (body + "\n" + notes).splitlines()) if line]
    if not lines:
        yield Skipped(source.id, "no text in the file")
        return
    yield make_document(source.id, meta.get("title") or None, "\n".join(lines),
                        find_date(meta.get("creation-date") or meta.get("date", "")), source.id, "odt", "",
                        author=meta.get("initial-creator") or meta.get("creator", ""),
                        language=meta.get("language", ""))


def _parts(stream: IO[bytes]) -> tuple[Element, dict[str, str]]:
    """The ``office:text`` element of ``content.xml`` and the fields of ``meta.xml``."""
    if not zipfile.is_zipfile(stream):
        raise DocumentError("damaged OpenDocument file: not a complete zip package (cut short, or not an .odt)")
    stream.seek(0)
    archive = Archive(stream)
    if _encrypted(archive):
        raise DocumentError("encrypted or password-protected OpenDocument file: save it without a password to "
                            "index it")
    if not archive.has("content.xml"):
        raise DocumentError("damaged OpenDocument file: it has no content.xml")
    text = parse_xml(archive.read("content.xml"), "content.xml").find(f"{_OFFICE}body/{_OFFICE}text")
    if text is None:
        raise DocumentError("not an OpenDocument text: content.xml has no office:text (a spreadsheet or a "
                            "presentation named .odt?)")
    return text, _meta(archive)


def _encrypted(archive: Archive) -> bool:
    """Whether the manifest says its parts are encrypted (then content.xml is not XML at all). Its bytes are
    searched for the element's name rather than parsed, so that a damaged manifest, which nothing else needs,
    does not cost the file."""
    return archive.has("META-INF/manifest.xml") and b"encryption-data" in archive.read("META-INF/manifest.xml")


def _walk(root: Element) -> tuple[str, str]:
    """The text of ``office:text`` and of its notes, each paragraph on a line: a note's body goes to the notes,
    so that it does not break the sentence it is anchored in."""
    body: list[str] = []
    notes: list[str] = []
    stack: list[_Item] = [(root, body, False)]
    while stack:
        node, out, inline = stack.pop()
        if isinstance(node, str):
            out.append(node)
            continue
        if node.tail and inline:
            stack.append((node.tail, out, inline))
        if node.tag in _HIDDEN:
            continue
        if node.tag == f"{_TEXT}note":
            stack.extend((child, notes, False) for child in reversed(node))
            continue
        stack.extend(_children(node, out, inline or node.tag in _PARAGRAPHS))
        if inline or node.tag in _PARAGRAPHS:
            out.append(_character(node) + (node.text or ""))
    return "".join(body), "".join(notes)


def _children(node: Element, out: list[str], inline: bool) -> list[_Item]:
    """What to walk after ``node``'s own text, last first: its children, then a paragraph's line end."""
    after: list[_Item] = [("\n", out, False)] if node.tag in _PARAGRAPHS else []
    return after + [(child, out, inline) for child in reversed(node)]


def _character(node: Element) -> str:
    """What an empty element stands for: ``text:s`` for ``text:c`` spaces, a tab, a line break."""
    if node.tag == f"{_TEXT}s":
        count = node.get(f"{_TEXT}c", "1")
        return " " * min(int(count), 100) if count.isdecimal() else " "
    return _CHARACTERS.get(node.tag, "")


def _meta(archive: Archive) -> dict[str, str]:
    """The fields of ``meta.xml`` by local name (``title``, ``initial-creator``, ``creation-date``, …)."""
    if not archive.has("meta.xml"):
        return {}
    meta = parse_xml(archive.read("meta.xml"), "meta.xml").find(f"{_OFFICE}meta")
    fields: dict[str, str] = {}
    for element in meta if meta is not None else ():
        if element.tag.startswith((_DC, _META)) and element.text and element.text.strip():
            fields.setdefault(element.tag.rpartition("}")[2], " ".join(element.text.split()))
    return fields
