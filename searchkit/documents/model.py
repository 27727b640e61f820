"""What reading a file yields: a :class:`Document`, or a :class:`Skipped` saying why not, and the metadata
(title, date) pulled out of a text.

Every reader, whatever its format, builds its documents with :func:`make_document` (or
:meth:`Document.from_record`), so that limits, guessed titles and content hashes are the same for all. Nothing
here knows about the index: the indexer decides what to do with what is read.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import DocumentError

MAX_DOCUMENT_CHARS = 16 * 1024 * 1024

TITLE_MAX_CHARS = 120


@dataclass(frozen=True)
class Document:
    """One searchable unit: a whole file, or one record of a json/jsonl/csv file."""

    id: str
    title: str
    body: str
    date: dt.date | None = None
    path: str = ""
    format: str = ""
    encoding: str = ""
    hash: str = ""
    #: The title was made from the first sentence because the document has none of its own: it is shown,
    #: but not indexed as a title, since boosting a copy of the body's first words would skew ranking.
    title_guessed: bool = False
    #: Who wrote it, from the format's metadata (a Word file's core properties, a book's author, a mail's From).
    author: str = ""
    #: The language its metadata declares (``ru``), if any.
    language: str = ""
    #: Where each page after the first begins in ``body`` (character offsets), for a paged format (PDF).
    pages: tuple[int, ...] = ()
    #: The file's modification time: shown, never taken for the document's date (a copy or a checkout changes it).
    modified: dt.datetime | None = None

    def page_at(self, offset: int) -> int | None:
        """The page (from 1) that the character at ``offset`` of the body is on; None for an unpaged document."""
        return page_at(self.pages, offset)

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, default_id: str = "", path: str = "", format: str = "",
                    encoding: str = "") -> Document:
        """Build a document from a mapping with ``id``, ``title``, ``date`` (YYYY-MM-DD) and ``text`` (or
        ``body``), the shape of json/jsonl/csv records and of dicts passed to the library.

        Raises ``ValueError`` naming the field that is wrong.
        """
        doc_id = str(_scalar(record, "id") or default_id).strip()
        if not doc_id:
            raise DocumentError("record has no 'id'")
        text = record.get("text", record.get("body"))
        if not isinstance(text, str):
            raise DocumentError(f"record {_shown(doc_id)} has no 'text' string")
        date = parse_date(_scalar(record, "date"), doc_id)
        meta_date, text = split_date_prefix(text)
        title = str(_scalar(record, "title") or "").strip() or None
        return make_document(doc_id, title, text, date or meta_date, path, format, encoding)


def _shown(doc_id: str, limit: int = 60) -> str:
    """An id quoted for a message, cut if long (a CSV row whose one cell is taken for its id, say)."""
    return repr(doc_id if len(doc_id) <= limit else doc_id[:limit] + "…")


def _scalar(record: Mapping[str, Any], key: str) -> str | int | float | None:
    """A field that must be one value: a list or an object there (perhaps nested a thousand deep) is an error,
    never turned into text."""
    value = record.get(key)
    if value is not None and not isinstance(value, (str, int, float)):
        raise DocumentError(f"record field {key!r} is {'an object' if isinstance(value, Mapping) else 'a list'}, "
                         "not a string or a number")
    return value


@dataclass(frozen=True)
class Skipped:
    """A file or record that was not indexed, and why, in words a user can act on."""

    path: str
    reason: str


class Unreadable(Skipped):
    """A file whose reading failed; documents read from it before the failure are not the whole file."""


class Unsupported(Skipped):
    """A file of a type no reader takes, counted by its extension."""

    @property
    def extension(self) -> str:
        return Path(self.path).suffix.lower() or "(no extension)"


class Excluded(Skipped):
    """A file or folder left out on purpose: hidden, or matched by an exclusion pattern; counted, not listed."""


@dataclass(frozen=True)
class ReadOptions:
    """How files are read, chosen per run: ``html`` is ``main`` (an article's main text, without menus, footers
    and "read also" blocks) or ``full`` (every visible text of the page)."""

    html: str = "main"

    def __post_init__(self) -> None:
        if self.html not in HTML_MODES:
            raise DocumentError(f"html={self.html!r}: choose one of {', '.join(HTML_MODES)}")


HTML_MODES = ("main", "full")


@dataclass(frozen=True)
class SourceFile:
    """A file found under an indexed root: ``id`` is its stable path relative to the root's parent."""

    path: Path
    id: str
    options: ReadOptions = ReadOptions()


def make_document(doc_id: str, title: str | None, body: str, date: dt.date | None, path: str, format: str,
                  encoding: str, *, author: str = "", language: str = "", pages: tuple[int, ...] = ()) -> Document:
    """A document with its content hash, which changes exactly when what is indexed changes. A ``None``
    title is guessed from the body (see :attr:`Document.title_guessed`)."""
    if len(body) > MAX_DOCUMENT_CHARS:
        raise DocumentError(f"document {_shown(doc_id)} has {len(body):,} characters, over the limit of "
                         f"{MAX_DOCUMENT_CHARS:,}")
    guessed = title is None
    title = guess_title(body) if title is None else title
    return Document(doc_id, title, body, date, path, format, encoding, content_hash(title, date, body, author),
                    guessed, author, language, pages)


def content_hash(title: str, date: dt.date | None, body: str, author: str = "") -> str:
    """The SHA-1 of what is indexed of a document."""
    return hashlib.sha1(f"{title}\x00{date}\x00{body}\x00{author}".encode("utf-8", "surrogatepass")).hexdigest()


def with_file_facts(document: Document, name: str, modified: dt.datetime | None) -> Document:
    """A document read from a file, with the file's modification time, and the date its name holds
    (``2025-08-12-putin-kim.txt``) when the document has none of its own."""
    date = document.date or date_in_name(name)
    if date == document.date and modified == document.modified:
        return document
    return replace(document, date=date, modified=modified,
                   hash=content_hash(document.title, date, document.body, document.author))


def page_at(pages: tuple[int, ...], offset: int) -> int | None:
    """The page (from 1) of the character at ``offset``, where ``pages`` are the offsets at which pages 2, 3, …
    begin; None when there are no pages."""
    return bisect.bisect_right(pages, offset) + 1 if pages else None


#: What stands between two pages in a paged document's body: a blank line.
PAGE_BREAK = "\n\n"


def join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """Page texts as one body, pages apart by :data:`PAGE_BREAK`, and the offsets where pages 2, 3, … begin."""
    body, starts, at = [], [], 0
    for number, text in enumerate(pages):
        if number:
            body.append(PAGE_BREAK)
            at += len(PAGE_BREAK)
            starts.append(at)
        body.append(text)
        at += len(text)
    return "".join(body), tuple(starts)


def size_text(n: int) -> str:
    """A number of bytes for a message: ``512 bytes``, ``12 KB``, ``64 MB``."""
    if n >= 2**20:
        return f"{n / 2**20:,.0f} MB"
    return f"{n / 2**10:,.0f} KB" if n >= 2**10 else f"{n} bytes"


# --- metadata ---------------------------------------------------------------------------------------------

_DATE_PREFIX_RE = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\s+")
_SENTENCE_END_RE = re.compile(r"[.!?…](?=\s|$)")


def parse_date(value: Any, where: str) -> dt.date | None:
    """``YYYY-MM-DD`` (a longer ISO timestamp is cut to its date) → date; empty → None."""
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise DocumentError(f"{where}: date {value!r} is not YYYY-MM-DD") from None


_NAME_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


def date_in_name(name: str) -> dt.date | None:
    """A date written in a file name: ``2025-08-12-putin-kim.txt``, ``отчёт_2024.12.20.docx``, ``20250812.pdf``."""
    match = _NAME_DATE_RE.search(Path(name).name)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def find_date(value: str) -> dt.date | None:
    """A date from page metadata, where anything that is not a date (``<time datetime="19:30">``) is no date."""
    try:
        return parse_date(value, "")
    except ValueError:
        return None


def split_date_prefix(text: str) -> tuple[dt.date | None, str]:
    """Take a leading ``date YYYY-MM-DD`` marker off the text, as news exports write it."""
    match = _DATE_PREFIX_RE.match(text)
    if not match:
        return None, text
    try:
        return dt.date.fromisoformat(match.group(1)), text[match.end():]
    except ValueError:
        return None, text


def heading_line(text: str) -> str | None:
    """The first line, when it is short and more text follows it: a plain-text file's title by convention."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) > 1 and len(lines[0]) <= TITLE_MAX_CHARS:
        return lines[0]
    return None


def guess_title(text: str) -> str:
    """A title for a text without one: the first line if it is short, else the first sentence, cut at a word
    boundary."""
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) <= TITLE_MAX_CHARS:
        return first_line
    match = _SENTENCE_END_RE.search(first_line)
    sentence = first_line[:match.end()] if match else first_line
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence
    return sentence[:TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
