"""Files → documents: one reader per format, all yielding the same :class:`Document` or a :class:`Skipped`.

A reader turns decoded text into documents; this module also finds files in folders, decodes bytes (UTF-8 with
or without BOM, cp1251, koi8-r, line by line when a file mixes them) and pulls metadata (title, date) out of the
text. Nothing here knows about the index: the indexer decides what to do with what is read.

Memory stays bounded whatever the files hold: a whole-file format (txt, md, html, json) over
:data:`MAX_FILE_BYTES` is refused from its size on disk without being read, and a record format (jsonl, csv),
which may be much larger, is read a line at a time, each line at most :data:`MAX_RECORD_BYTES`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes

#: Whole-file formats larger than this are not read: one such "document" would not be useful to search and
#: would cost memory out of proportion. Record formats (jsonl, csv) may be larger; each record is limited.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_CHARS = 16 * 1024 * 1024
#: A line of a record file longer than this is passed over, in chunks, without ever being held in memory whole:
#: room for a record of :data:`MAX_DOCUMENT_CHARS` Cyrillic characters in UTF-8.
MAX_RECORD_BYTES = 2 * MAX_DOCUMENT_CHARS
#: Files are hashed, and overlong lines passed over, in pieces of this size.
CHUNK_BYTES = 1024 * 1024
#: A record file's encoding is detected on this much of its beginning.
SAMPLE_BYTES = 1024 * 1024
#: A NUL byte this close to the start of a file marks it as binary.
BINARY_SNIFF_BYTES = 8192

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
        doc_id = str(_scalar(record, "id") or default_id).strip()
        if not doc_id:
            raise ValueError("record has no 'id'")
        text = record.get("text", record.get("body"))
        if not isinstance(text, str):
            raise ValueError(f"record {_shown(doc_id)} has no 'text' string")
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
        raise ValueError(f"record field {key!r} is {'an object' if isinstance(value, Mapping) else 'a list'}, "
                         "not a string or a number")
    return value


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
        raise ValueError(f"document {_shown(doc_id)} has {len(body):,} characters, over the limit of "
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

_BOM = b"\xef\xbb\xbf"
_ASCII = bytes(range(128))


def decode(data: bytes) -> tuple[str, str]:
    """Decode a whole file's bytes: UTF-8 (BOM or not) when valid, else line by line (see :class:`_Decoder`).
    Windows line ends become ``\n``. Returns the text and its encoding (``utf-8+cp1251`` for a mixed file).

    Raises ``ValueError`` for binary data or text in none of these encodings.
    """
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise ValueError("binary file (contains NUL bytes)")
    decoder = _Decoder(data[:SAMPLE_BYTES])
    try:
        text = "".join(decoder.lines(block) for block in _blocks(data))
    except ValueError:
        raise ValueError(f"not UTF-8 (invalid byte at offset {_first_invalid_utf8(data)}), nor cp1251 or koi8-r") \
            from None
    return text.replace("\r\n", "\n"), decoder.encoding


def _blocks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """``data`` in pieces of whole lines, each about ``size`` bytes."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + size)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def _first_invalid_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return 0


def _utf8(data: bytes) -> tuple[str | None, int]:
    """``data`` decoded as UTF-8, with U+FFFD for broken characters, and how many good non-ASCII characters it
    has. The text is None unless the good ones outnumber the broken: else it is in another encoding."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    good = len(text) - (len(data) - len(data.translate(None, _ASCII))) - broken
    return (text if good > broken or not broken else None), good


class _Decoder:
    """Decodes one file line by line: a line in UTF-8 as UTF-8 (with a few broken characters among more good
    ones, as when a file is cut in the middle of one, as U+FFFD), any other line in the legacy encoding (cp1251
    or koi8-r) that charset-normalizer finds in the non-UTF-8 lines of ``sample``, the file's beginning. A file
    that mixes encodings (records gathered from several sources) comes out right line by line."""

    def __init__(self, sample: bytes) -> None:
        self._sample = sample
        self._legacy: str | None = None
        self._first = True
        self._bom = False
        self._used: dict[str, None] = {}

    def line(self, data: bytes) -> str:
        """One line as text; raises ``ValueError`` if it is not UTF-8 and the file's legacy encoding is unknown."""
        data = self._start(data)
        text, good = _utf8(data)
        if text is None:
            return self._decode_legacy(data)
        if good:
            self._used.setdefault("utf-8")
        return text

    def lines(self, data: bytes) -> str:
        """Whole lines as text, each as :meth:`line` decodes it; faster when all or none of them are UTF-8."""
        data = self._start(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if _utf8(data)[1] == 0:  # not one UTF-8 character: every line is in the legacy encoding
                return self._decode_legacy(data)
            return "".join(map(self.line, data.splitlines(keepends=True)))
        if not data.isascii():
            self._used.setdefault("utf-8")
        return text

    def _start(self, data: bytes) -> bytes:
        """The file's first bytes without their UTF-8 byte order mark."""
        if self._first:
            self._first = False
            if data.startswith(_BOM):
                data, self._bom = data[len(_BOM):], True
        return data

    def _decode_legacy(self, data: bytes) -> str:
        if self._legacy is None:
            foreign = b"\n".join(line for line in self._sample.split(b"\n") if _utf8(line)[0] is None)
            self._legacy = _legacy_encoding((foreign or data)[:SAMPLE_BYTES])
        if not self._legacy:
            raise ValueError("not UTF-8, nor cp1251 or koi8-r")
        self._used.setdefault(self._legacy)
        return data.decode(self._legacy, errors="replace")

    @property
    def encoding(self) -> str:
        """The encodings of the lines decoded so far, as ``utf-8``, ``cp1251`` or ``utf-8+cp1251``."""
        names = list(self._used) or ["utf-8"]
        return "+".join("utf-8-sig" if self._bom and name == "utf-8" else name for name in names)


def _letters(case: str) -> str:
    """The letters of that case ("lower" or "upper") in the upper halves of the legacy encodings, escaped."""
    chars = {ch for encoding in LEGACY_ENCODINGS for ch in bytes(range(128, 256)).decode(encoding, errors="ignore")}
    return re.escape("".join(sorted(ch for ch in chars if getattr(ch, f"is{case}")())))


#: A lower-case letter followed by an upper-case one: cp1251 text read as koi8-r (or the reverse) shows it in
#: almost every word, since the two encodings swap the cases: «цСАЕПМЮРНПШ» for «Губернаторы».
_CASE_INVERSION_RE = re.compile(f"[{_letters('lower')}][{_letters('upper')}]")


def _legacy_encoding(sample: bytes) -> str:
    """cp1251 or koi8-r for text that is not UTF-8, "" for neither. charset-normalizer decides whether it is
    text at all, but on a line or two it often mistakes one encoding for the other; the one whose reading has
    fewer case inversions is taken, and charset-normalizer's choice on a tie (all capitals, say)."""
    best = from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None:
        return ""
    return min(LEGACY_ENCODINGS, key=lambda encoding: (
        len(_CASE_INVERSION_RE.findall(sample.decode(encoding, errors="replace"))), encoding != best.encoding))


def _size(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:,.0f} MB"
    return f"{n / 2**10:,.0f} KB" if n >= 2**10 else f"{n} bytes"


class _Lines:
    """The lines of a record file as text, read one at a time so that memory stays bounded however large the
    file. A line over :data:`MAX_RECORD_BYTES` is passed over in chunks, and a line in no known encoding is
    passed over too: each is noted in :meth:`problems` with its number and read as an empty line, so the
    numbers of the lines after it stay right."""

    def __init__(self, stream: IO[bytes], file_id: str, sample: bytes) -> None:
        self.file_id = file_id
        self.number = 0
        self.content = False  # some line held more than white space
        self._stream = stream
        self._decoder = _Decoder(sample)
        self._problems: list[Skipped] = []

    @property
    def encoding(self) -> str:
        return self._decoder.encoding

    def __iter__(self) -> Iterator[str]:
        while True:
            raw, size = self._read_line()
            if not size:
                return
            self.number += 1
            if raw is None:
                self._problem(f"{_size(size)}, over the {_size(MAX_RECORD_BYTES)} limit for one record")
                yield "\n"
                continue
            try:
                text = self._decoder.line(raw)
            except ValueError as error:
                self._problem(str(error))
                yield "\n"
                continue
            self.content = self.content or bool(text.strip())
            yield text[:-2] + "\n" if text.endswith("\r\n") else text

    def _read_line(self) -> tuple[bytes | None, int]:
        """The next line and its length in bytes, read in chunks: (None, length) for a line over the limit,
        whose chunks are dropped as they come; (b"", 0) at the end of the file."""
        pieces: list[bytes] | None = []
        size = 0
        while piece := self._stream.readline(CHUNK_BYTES):
            size += len(piece)
            ended = piece.endswith(b"\n")
            if pieces is not None:
                pieces.append(piece)
                if size - ended > MAX_RECORD_BYTES:
                    pieces = None
            if ended:
                break
        return (None if pieces is None else b"".join(pieces)), size

    def _problem(self, reason: str) -> None:
        self.content = True
        self._problems.append(Skipped(self.file_id, f"line {self.number}: {reason}"))

    def problems(self) -> list[Skipped]:
        """The lines passed over since the last call, as :class:`Skipped` naming each."""
        found, self._problems = self._problems, []
        return found


# --- readers ----------------------------------------------------------------------------------------------
# A whole-file reader gets (decoded text, file id, encoding); a record reader gets the file's lines
# (:class:`_Lines`). Both yield documents, and a Skipped for each record they cannot use.


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
    except ValueError as error:  # a number too long to convert: the rest of the message is advice for programmers
        return None, f"invalid JSON: {str(error).split(':')[0]}"


def read_json(text: str, file_id: str, encoding: str) -> Iterator[Document | Skipped]:
    """JSON: one object, or a list of objects, each with id/title/date/text."""
    data, error = _loads(text, multiline=True)
    if error:
        yield Skipped(file_id, error)
        return
    items = data if isinstance(data, list) else [data]
    for n, item in enumerate(items, start=1):
        yield _record(item, f"item {n}", f"{file_id}#{n}", file_id, "json", encoding)


def read_jsonl(lines: _Lines) -> Iterator[Document | Skipped]:
    """JSON Lines: one object per line; a malformed line is skipped with its number, the rest are read."""
    for line in lines:
        yield from lines.problems()
        if not line.strip():
            continue
        record, error = _loads(line, multiline=False)
        if error:
            yield Skipped(lines.file_id, f"line {lines.number}: {error}")
        else:
            yield _record(record, f"line {lines.number}", f"{lines.file_id}#{lines.number}", lines.file_id,
                          "jsonl", lines.encoding)


#: A field may be as long as a line may be; Python's csv module refuses fields over 128 KB unless told.
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))


def read_csv(lines: _Lines, head: str) -> Iterator[Document | Skipped]:
    """CSV with a header row naming ``text`` (required) and optionally ``id``, ``title``, ``date``; the
    dialect (``,``, ``;`` or tab) is guessed from ``head``, the file's beginning. Blank rows are passed over."""
    try:
        dialect: Any = csv.Sniffer().sniff(head, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(lines, dialect=dialect)
    columns: list[str] | None = None
    n = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield from lines.problems()
            yield Skipped(lines.file_id, f"line {reader.line_num}: {error}")
            continue
        yield from lines.problems()
        if not any(cell.strip() for cell in row):
            continue
        if columns is None:
            columns = [name.strip().lower() for name in row]
            if "text" not in columns and "body" not in columns:
                yield Skipped(lines.file_id, f"CSV header has no 'text' column (found: {', '.join(columns)})")
                return
            continue
        n += 1
        yield _record(dict(zip(columns, row)), f"line {reader.line_num}", f"{lines.file_id}#{n}", lines.file_id,
                      "csv", lines.encoding)
    yield from lines.problems()


WHOLE_FILE_READERS: dict[str, Callable[[str, str, str], Iterator[Document | Skipped]]] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
}
RECORD_FORMATS = {".jsonl", ".ndjson", ".csv"}
#: Every supported file name extension.
READERS = {*WHOLE_FILE_READERS, *RECORD_FORMATS}


def check_stat(source: SourceFile, info: os.stat_result) -> Skipped | None:
    """Why a file is not to be read at all, judged from its ``stat`` alone: it is not a regular file (a pipe or
    a device could block or never end), or it is a whole-file format over :data:`MAX_FILE_BYTES`."""
    if not stat.S_ISREG(info.st_mode):
        return Skipped(source.id, "not a regular file")
    suffix = source.path.suffix.lower()
    if suffix not in RECORD_FORMATS and info.st_size > MAX_FILE_BYTES:
        hint = " (JSON Lines, .jsonl, is read a record at a time and may be larger)" if suffix == ".json" else ""
        return Skipped(source.id, f"file is {_size(info.st_size)}, over the {_size(MAX_FILE_BYTES)} limit for "
                                  f"a {suffix} file{hint}")
    return None


class Unreadable(Skipped):
    """A file whose reading failed; documents read from it before the failure are not the whole file."""


def cannot_read(file_id: str, error: OSError) -> Unreadable:
    return Unreadable(file_id, f"cannot read: {error.strerror or error}")


def fingerprint(path: Path) -> tuple[str, int]:
    """The SHA-1 of a file's bytes and their number, read in chunks. Raises ``OSError``."""
    digest = hashlib.sha1()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_source(source: SourceFile) -> Iterator[Document | Skipped]:
    """Read one file from disk into documents; any problem becomes a :class:`Skipped` naming the file (and the
    line, for a record)."""
    try:
        info = source.path.stat()
        refused = check_stat(source, info)
        if refused:
            yield refused
            return
        with open(source.path, "rb") as stream:
            yield from read_stream(source, stream)
    except OSError as error:
        yield cannot_read(source.id, error)


def read_file(source: SourceFile, data: bytes) -> Iterator[Document | Skipped]:
    """:func:`read_stream` over bytes already in memory."""
    return read_stream(source, io.BytesIO(data))


def read_stream(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """Read one file, open as a binary ``stream``, into documents: a whole-file format up to its size limit
    only, a record format a line at a time. Any problem with the content becomes a :class:`Skipped`; an
    ``OSError`` from the stream is raised."""
    suffix = source.path.suffix.lower()
    if suffix not in READERS:
        yield Skipped(source.id, f"unsupported format {source.path.suffix or '(no extension)'!r}")
        return
    found = False
    try:
        if suffix in RECORD_FORMATS:
            items = _read_records(source, stream)
        else:
            items = _read_whole_file(source, stream)
        for item in items:
            found = True
            yield item
    except ValueError as error:
        found = True
        yield Skipped(source.id, str(error))
    if not found:
        yield Skipped(source.id, "no records in the file")


def _read_whole_file(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew since its size was checked
        raise ValueError(f"file is over the {_size(MAX_FILE_BYTES)} limit for a {source.path.suffix} file")
    text, encoding = decode(data)
    if not text.strip():
        yield Skipped(source.id, "empty file")
        return
    yield from WHOLE_FILE_READERS[source.path.suffix.lower()](text, source.id, encoding)


def _read_records(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    sample = stream.read(SAMPLE_BYTES)
    if b"\x00" in sample[:BINARY_SNIFF_BYTES]:
        raise ValueError("binary file (contains NUL bytes)")
    stream.seek(0)
    lines = _Lines(stream, source.id, sample)
    if source.path.suffix.lower() == ".csv":  # the delimiters are ASCII: latin-1 shows them, whatever the encoding
        yield from read_csv(lines, sample[:BINARY_SNIFF_BYTES].decode("latin-1"))
    else:
        yield from read_jsonl(lines)
    if not lines.content:
        yield Skipped(source.id, "empty file")


# --- finding files ----------------------------------------------------------------------------------------

def find_files(root: Path) -> Iterator[SourceFile | Skipped]:
    """Every supported file at or under ``root`` (hidden files and folders excluded), in a stable order, and a
    :class:`Skipped` for each folder that cannot be listed.

    Links to folders are not followed, so link loops cannot trap the walk.
    """
    root = Path(os.path.abspath(root))
    base = root.parent
    if root.is_file():
        yield SourceFile(root, _file_id(root.name))
        return
    if not root.is_dir():
        yield Skipped(_file_id(str(root)), "no such file or folder")
        return
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        yield from _folder_errors(errors, base)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            if path.suffix.lower() in READERS:
                yield SourceFile(path, _file_id(path.relative_to(base).as_posix()))
    yield from _folder_errors(errors, base)


def _folder_errors(errors: list[OSError], base: Path) -> Iterator[Skipped]:
    for error in errors:
        where = Path(error.filename) if error.filename else base
        folder = where.relative_to(base).as_posix() if where.is_relative_to(base) else str(where)
        yield Skipped(_file_id(folder), f"cannot read folder: {error.strerror or error}")
    errors.clear()


def _file_id(path: str) -> str:
    """A path as an id: a file name that is not valid UTF-8 (an old archive's cp1251 name, say) has its
    undecodable bytes written as ``\\xNN``, since the index and the terminal take only valid Unicode."""
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file system name gives: written out as well
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def load(path: str | os.PathLike[str]) -> Iterator[Document | Skipped]:
    """All documents in a file or folder, with a :class:`Skipped` for everything that could not be read."""
    for source in find_files(Path(path)):
        if isinstance(source, Skipped):
            yield source
        else:
            yield from read_source(source)
