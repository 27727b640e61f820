"""Files → documents: one reader per format, all yielding the same :class:`Document` or a :class:`Skipped`.

A reader turns decoded text into documents; this module also finds files in folders, decodes bytes (UTF-8 with
or without BOM, cp1251, koi8-r) and pulls metadata (title, date) out of the text. Nothing here knows about the
index: the indexer decides what to do with what is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

#: Whole-file formats larger than this are not read: one such "document" would not be useful to search and
#: would cost memory out of proportion. Record formats (jsonl, csv) may be larger; each record is limited.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_CHARS = 16 * 1024 * 1024

#: Encodings tried when a file is not valid UTF-8; restricting detection to them keeps short Russian texts
#: from being mistaken for East Asian encodings.
LEGACY_ENCODINGS = ("cp1251", "koi8_r")

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

    @classmethod
    def from_record(cls, record: Mapping[str, Any], *, default_id: str = "", path: str = "", format: str = "",
                    encoding: str = "") -> Document:
        """Build a document from a mapping with ``id``, ``title``, ``date`` (YYYY-MM-DD) and ``text`` (or
        ``body``), the shape of json/jsonl/csv records and of dicts passed to the library.

        Raises ``ValueError`` naming the field that is wrong.
        """
        doc_id = str(record.get("id") or default_id).strip()
        if not doc_id:
            raise ValueError("record has no 'id'")
        text = record.get("text", record.get("body"))
        if not isinstance(text, str):
            raise ValueError(f"record {doc_id!r} has no 'text' string")
        date = parse_date(record.get("date"), doc_id)
        meta_date, text = split_date_prefix(text)
        title = str(record.get("title") or "").strip() or None
        return make_document(doc_id, title, text, date or meta_date, path, format, encoding)


@dataclass(frozen=True)
class Skipped:
    """A file or record that was not indexed, and why, in words a user can act on."""

    path: str
    reason: str


@dataclass(frozen=True)
class SourceFile:
    """A file found under an indexed root: ``id`` is its stable path relative to the root's parent."""

    path: Path
    id: str


def make_document(doc_id: str, title: str | None, body: str, date: dt.date | None, path: str, format: str,
                  encoding: str) -> Document:
    """A document with its content hash, which changes exactly when what is indexed changes. A ``None``
    title is guessed from the body (see :attr:`Document.title_guessed`)."""
    if len(body) > MAX_DOCUMENT_CHARS:
        raise ValueError(f"document {doc_id!r} has {len(body):,} characters, over the limit of "
                         f"{MAX_DOCUMENT_CHARS:,}")
    guessed = title is None
    title = guess_title(body) if title is None else title
    digest = hashlib.sha1(f"{title}\x00{date}\x00{body}".encode("utf-8", "surrogatepass")).hexdigest()
    return Document(doc_id, title, body, date, path, format, encoding, digest, guessed)


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
        raise ValueError(f"{where}: date {value!r} is not YYYY-MM-DD") from None


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


# --- decoding ---------------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes: UTF-8 (BOM or not) when valid, else the best of cp1251/koi8-r by charset-normalizer.
    Windows line ends become ``\n``.

    Raises ``ValueError`` for binary data or text in none of these encodings.
    """
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes)")
    text, encoding = _decode(data)
    return text.replace("\r\n", "\n"), encoding


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None:
        raise ValueError(f"not UTF-8 (invalid byte at offset {utf8_error.start}), nor cp1251 or koi8-r")
    return str(best), best.encoding


# --- readers ----------------------------------------------------------------------------------------------

Reader = Callable[[str, str, str], Iterator[Document | Skipped]]
"""A reader gets (decoded text, file id, encoding) and yields documents or skipped records."""


def read_text(text: str, file_id: str, encoding: str) -> Iterator[Document]:
    date, body = split_date_prefix(text)
    yield make_document(file_id, heading_line(body), body.strip(), date, file_id, "txt", encoding)


_MD_HEADING_RE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MD_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKUP_RE = re.compile(r"^(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+\.\s+)|[*_`~]{1,3}", re.MULTILINE)


def read_markdown(text: str, file_id: str, encoding: str) -> Iterator[Document]:
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
    yield make_document(file_id, title, body, date, file_id, "md", encoding)


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


def read_html(text: str, file_id: str, encoding: str) -> Iterator[Document]:
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
    yield make_document(file_id, title, body, date, file_id, "html", encoding)


def _record(record: Any, where: str, default_id: str, file_id: str, format: str,
            encoding: str) -> Document | Skipped:
    """One record of a json/jsonl/csv file; a bad one is skipped with its place in the file named."""
    try:
        if not isinstance(record, Mapping):
            raise ValueError(f"expected an object with 'text', got {type(record).__name__}")
        return Document.from_record(record, default_id=default_id, path=file_id, format=format,
                                    encoding=encoding)
    except ValueError as error:
        return Skipped(file_id, f"{where}: {error}")


def _loads(text: str, multiline: bool) -> tuple[Any, str | None]:
    """Parse JSON: (value, None), or (None, what is wrong and where)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}" if multiline else f"column {error.colno}"
        return None, f"invalid JSON at {where}: {error.msg}"
    except RecursionError:
        return None, "JSON nested too deeply"


def read_json(text: str, file_id: str, encoding: str) -> Iterator[Document | Skipped]:
    """JSON: one object, or a list of objects, each with id/title/date/text."""
    data, error = _loads(text, multiline=True)
    if error:
        yield Skipped(file_id, error)
        return
    items = data if isinstance(data, list) else [data]
    for n, item in enumerate(items, start=1):
        yield _record(item, f"item {n}", f"{file_id}#{n}", file_id, "json", encoding)


def read_jsonl(text: str, file_id: str, encoding: str) -> Iterator[Document | Skipped]:
    """JSON Lines: one object per line; a malformed line is skipped with its number, the rest are read."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record, error = _loads(line, multiline=False)
        if error:
            yield Skipped(file_id, f"line {lineno}: {error}")
        else:
            yield _record(record, f"line {lineno}", f"{file_id}#{lineno}", file_id, "jsonl", encoding)


def read_csv(text: str, file_id: str, encoding: str) -> Iterator[Document | Skipped]:
    """CSV with a header row naming ``text`` (required) and optionally ``id``, ``title``, ``date``."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = [name.strip().lower() for name in reader.fieldnames or []]
    if "text" not in columns and "body" not in columns:
        yield Skipped(file_id, f"CSV header has no 'text' column (found: {', '.join(columns) or 'nothing'})")
        return
    reader.fieldnames = columns
    for n, row in enumerate(reader, start=1):
        yield _record(row, f"line {reader.line_num}", f"{file_id}#{n}", file_id, "csv", encoding)


READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
}
RECORD_FORMATS = {".jsonl", ".ndjson", ".csv"}


def read_file(source: SourceFile, data: bytes) -> Iterator[Document | Skipped]:
    """Read one file's bytes into documents; any problem becomes a :class:`Skipped` naming the file."""
    reader = READERS.get(source.path.suffix.lower())
    if reader is None:
        yield Skipped(source.id, f"unsupported format {source.path.suffix or '(no extension)'!r}")
        return
    if len(data) > MAX_FILE_BYTES and source.path.suffix.lower() not in RECORD_FORMATS:
        yield Skipped(source.id, f"file is {len(data) / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB "
                                 "limit for one document")
        return
    try:
        text, encoding = decode(data)
        if not text.strip():
            yield Skipped(source.id, "empty file")
            return
        yield from reader(text, source.id, encoding)
    except ValueError as error:
        yield Skipped(source.id, str(error))


# --- finding files ----------------------------------------------------------------------------------------

def find_files(root: Path) -> Iterator[SourceFile | Skipped]:
    """Every supported file at or under ``root`` (hidden files and folders excluded), in a stable order.

    Links to folders are not followed, so link loops cannot trap the walk.
    """
    root = Path(os.path.abspath(root))
    base = root.parent
    if root.is_file():
        yield SourceFile(root, root.name)
        return
    if not root.is_dir():
        yield Skipped(str(root), "no such file or folder")
        return
    for folder, dirs, files in os.walk(root, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            if path.suffix.lower() in READERS:
                yield SourceFile(path, path.relative_to(base).as_posix())


def load(path: str | os.PathLike[str]) -> Iterator[Document | Skipped]:
    """All documents in a file or folder, with a :class:`Skipped` for everything that could not be read."""
    for source in find_files(Path(path)):
        if isinstance(source, Skipped):
            yield source
            continue
        try:
            data = source.path.read_bytes()
        except OSError as error:
            yield Skipped(source.id, f"cannot read: {error.strerror or error}")
            continue
        yield from read_file(source, data)
