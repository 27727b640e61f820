"""E-mail: a message (.eml) or a mailbox of them (.mbox), each message a document, its attachments of supported
types documents of their own.

A message's text is its text parts, the plain version of each alternative preferred to the HTML one (which is
turned into text by the HTML reader's :func:`~.html.visible_text`); its title is the Subject, its date the Date
and its author the From, as written (display name and address) with RFC 2047 words decoded. Old Russian mail
often declares its charset wrongly (koi8-r for cp1251 text) or not at all, so a charset that is unknown, fails
on the bytes or reads worse than the encoding detected from them gives way to :func:`~..decoding.decode`.
Attachments are read by the reader of their file name's type, with ids ``mail.mbox#12/report.docx``, and belong
to the mail file: re-indexing it replaces them. Attachments of other types are not files of the folder: they
pass silently.

A mailbox, which may be far larger than a whole-file format may be, is read a message at a time, each message
at most :data:`MAX_MESSAGE_BYTES`; a message nested past :data:`MAX_DEPTH` parts deep or with more than
:data:`MAX_ATTACHMENTS` attachments is indexed as far as the limit and reported, and one that cannot be read
at all is reported while the rest of the mailbox is indexed.
"""

from __future__ import annotations

import codecs
import email.errors
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import IO, cast

from ...errors import DocumentError
from ..decoding import BINARY_SNIFF_BYTES, CHUNK_BYTES, decode
from ..model import Document, Skipped, SourceFile, make_document, size_text
from ..registry import MAX_FILE_BYTES, binary_reader, read_stream, reader_for
from .html import visible_text

#: MIME parts nested deeper than this are not read: real mail nests a few levels (a forward of a reply with an
#: attachment); thousands of levels are an attack on the parser.
MAX_DEPTH = 20
#: Attachments of one message that are read; the rest are reported.
MAX_ATTACHMENTS = 100
#: A message of a mailbox larger than this is passed over (and reported) without being held in memory whole.
MAX_MESSAGE_BYTES = MAX_FILE_BYTES

_PARSER = BytesParser(policy=policy.default)
#: The Cyrillic 8-bit charsets (as Python's codecs name them), any of which mail may declare for text in another.
_CYRILLIC = {"cp1251", "koi8-r", "koi8-u", "cp866", "iso8859-5", "mac-cyrillic"}
#: A lower-case Cyrillic letter before an upper-case one: text read in the wrong Cyrillic encoding shows it in
#: almost every word («цСАЕПМЮРНПШ» for «Губернаторы»).
_CASE_INVERSION_RE = re.compile("[а-яё][А-ЯЁ]")
_MBOXRD_FROM_RE = re.compile(rb"^>(>*From )", re.MULTILINE)
#: What the email package raises on malformed mail: besides its own errors, on some headers (an address with a
#: stray ``:``, making it a group) its parser fails with AttributeError, IndexError or TypeError.
_MALFORMED = (ValueError, LookupError, UnicodeError, email.errors.MessageError, RecursionError, AttributeError,
              TypeError)


@binary_reader(".eml", name="e-mail message", library="Python's standard library (email)")
def read_eml(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew since its size was checked
        raise DocumentError(f"file is over the {size_text(MAX_FILE_BYTES)} limit for a .eml file")
    _refuse_text(data)
    yield from _message(source, source.id, data, "eml")


@binary_reader(".mbox", name="mailbox (mbox)", library="Python's standard library (email)", whole_file=False)
def read_mbox(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """Each message, ``path#N`` from 1 in the mailbox's order."""
    _refuse_text(stream.read(BINARY_SNIFF_BYTES))
    stream.seek(0)
    number = 0
    for number, data in enumerate(_mbox_messages(stream), 1):
        message_id = f"{source.id}#{number}"
        if data is None:
            yield Skipped(message_id, f"message over the {size_text(MAX_MESSAGE_BYTES)} limit for one message")
        else:
            yield from _message(source, message_id, _MBOXRD_FROM_RE.sub(rb"\1", data), "mbox")
    if not number:
        raise DocumentError("no messages: an mbox mailbox begins each message with a 'From ' line")


def _refuse_text(beginning: bytes) -> None:
    """Refuse a mail file that is empty (as a mail client leaves a mailbox of an empty folder) or binary: mail is
    text, so a NUL byte near the start means a binary file, whatever its name."""
    if not beginning.strip():
        raise DocumentError("empty file")
    if b"\x00" in beginning[:BINARY_SNIFF_BYTES]:
        raise DocumentError("binary file (contains NUL bytes)")


def _mbox_messages(stream: IO[bytes]) -> Iterator[bytes | None]:
    """The mailbox's messages as bytes, without their ``From`` separator lines; None for one over
    :data:`MAX_MESSAGE_BYTES`, whose lines are dropped as they come. A message begins at a ``From`` line that
    opens the file or follows a blank line, so that an unescaped "From " opening a line of a message does not
    split it; what comes before the first is no message."""
    message: _Collected | None = None
    blank, line_start = True, True
    while piece := stream.readline(CHUNK_BYTES):  # a longer line comes in several pieces
        if line_start and blank and piece.startswith(b"From "):
            if message is not None:
                yield message.data()
            message = _Collected()
        elif message is not None:
            message.add(piece)
        blank = line_start and piece in (b"\n", b"\r\n")
        line_start = piece.endswith(b"\n")
    if message is not None:
        yield message.data()


class _Collected:
    """A message's lines, kept until they pass :data:`MAX_MESSAGE_BYTES`, then only counted."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.size = 0

    def add(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size <= MAX_MESSAGE_BYTES:
            self.pieces.append(piece)

    def data(self) -> bytes | None:
        return b"".join(self.pieces) if self.size <= MAX_MESSAGE_BYTES else None


@dataclass
class _Parts:
    """What a message is made of, gathered in one walk over its MIME tree."""

    #: The text/plain and text/html parts, in reading order.
    texts: list[EmailMessage] = field(default_factory=list)
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    too_deep: bool = False
    attachments_over: int = 0

    def problems(self) -> Iterator[str]:
        if self.too_deep:
            yield f"MIME parts nested over {MAX_DEPTH} deep: the deeper ones are not read"
        if self.attachments_over:
            yield f"{MAX_ATTACHMENTS + self.attachments_over} attachments: those after the first " \
                  f"{MAX_ATTACHMENTS} are not read"


def _message(source: SourceFile, message_id: str, data: bytes, format: str) -> Iterator[Document | Skipped]:
    """One message's document and its attachments' documents; a message that cannot be read is a Skipped."""
    try:
        message = cast(EmailMessage, _PARSER.parsebytes(data))
        parts = _walk(message)
        document = _document(source, message_id, message, parts, format)
    except _MALFORMED as error:
        yield Skipped(message_id, f"cannot read the message: {error or type(error).__name__}")
        return
    yield document
    for problem in parts.problems():
        yield Skipped(message_id, problem)
    for name, payload in parts.attachments:
        yield from _attachment(source, f"{message_id}/{name}", name, payload)


def _walk(message: EmailMessage) -> _Parts:
    """The message's text parts and supported attachments, walked in order without recursion, at most
    :data:`MAX_DEPTH` deep. A forwarded message (``message/rfc822``) is walked as parts of this one; of the
    versions of a ``multipart/alternative``, the plain text is taken when there is one, else the others."""
    parts = _Parts()
    stack: list[tuple[EmailMessage, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if part.is_multipart():
            if depth == MAX_DEPTH:
                parts.too_deep = True
            else:
                stack.extend((child, depth + 1) for child in reversed(_versions(part)))
        elif part.get_filename() or part.get_content_disposition() == "attachment":
            _add_attachment(parts, part)
        elif part.get_content_type() in ("text/plain", "text/html"):
            parts.texts.append(part)
    return parts


def _versions(part: EmailMessage) -> list[EmailMessage]:
    """A multipart's parts; of an alternative's, the plain text ones when it has any."""
    children = cast(list[EmailMessage], part.get_payload())
    if part.get_content_subtype() != "alternative":
        return children
    return [child for child in children if child.get_content_type() == "text/plain"] or children


def _add_attachment(parts: _Parts, part: EmailMessage) -> None:
    """Keep an attachment of a supported type, by its file name (without any folders it names). Record files
    (JSON, CSV) are passed over: their records carry ids of their own, which only a file of the folder may give."""
    name = PurePosixPath((part.get_filename() or "").replace("\\", "/")).name
    reader = reader_for(name) if name else None
    if reader is None or reader.own_ids:
        return
    if len(parts.attachments) == MAX_ATTACHMENTS:
        parts.attachments_over += 1
    else:
        parts.attachments.append((name, part.get_payload(decode=True) or b""))


def _document(source: SourceFile, message_id: str, message: EmailMessage, parts: _Parts, format: str) -> Document:
    texts = [(part.get_content_type(), *_text(part)) for part in parts.texts]
    body = "\n\n".join(visible_text(text) if kind == "text/html" else text for kind, text, _ in texts)
    date = message["Date"].datetime if message["Date"] is not None else None
    return make_document(message_id, _header(message, "Subject") or None, body.strip(),
                         date.date() if date else None, source.id, format,
                         "+".join(dict.fromkeys(encoding for _, _, encoding in texts)),
                         author=_header(message, "From"), language=_header(message, "Content-Language"))


def _text(part: EmailMessage) -> tuple[str, str]:
    """A text part's text and encoding: by its declared charset, unless another reading is surely better."""
    payload = part.get_payload(decode=True) or b""
    try:
        declared = codecs.lookup(part.get_content_charset() or "ascii").name
        text = payload.decode(declared).replace("\r\n", "\n")
    except (LookupError, UnicodeError):  # an unknown charset, or bytes that are not in it
        return decode(payload)
    return _better_reading(payload, text, declared)


def _better_reading(payload: bytes, text: str, declared: str) -> tuple[str, str]:
    """The UTF-8 reading in place of the declared one when the bytes are valid UTF-8 (text in another encoding
    is not, by chance); and when a Cyrillic charset is declared and its reading has case inversions, the
    detected one (:func:`~..decoding.decode`) if it has fewer: the Cyrillic 8-bit encodings decode any bytes, so
    a wrong one fails on none, but reads mixed cases. Detection, the slower part, runs only on that sign."""
    if declared == "utf-8" or payload.isascii():
        return text, declared
    try:
        return payload.decode("utf-8").replace("\r\n", "\n"), "utf-8"
    except UnicodeDecodeError:
        pass
    inversions = _inversions(text)
    if declared not in _CYRILLIC or not inversions:
        return text, declared
    try:
        detected, encoding = decode(payload)
    except ValueError:  # in no encoding that decode() knows: the declared one stands
        return text, declared
    return (detected, encoding) if _inversions(detected) < inversions else (text, declared)


def _inversions(text: str) -> int:
    return len(_CASE_INVERSION_RE.findall(text))


def _header(message: EmailMessage, name: str) -> str:
    """A header's text, RFC 2047 words decoded, on one line. Raw 8-bit bytes (old mail writes its Subject in
    cp1251 or koi8-r unencoded), which the email package can only replace, are decoded like a text file when
    they can be, then parsed as the header (an address loses the quotes its name needs no more)."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), None)
    if raw is None:
        return ""
    try:
        text = " ".join(decode(raw.encode("ascii", "surrogateescape"))[0].split()) if not raw.isascii() else ""
    except ValueError:  # bytes in no known encoding: the email package's reading, with replacements, stands
        text = ""
    try:
        return " ".join(str(policy.default.header_factory(name, text) if text else message[name]).split())
    except _MALFORMED:  # a header its parser fails on is taken as written
        return " ".join((text or raw.encode("ascii", "surrogateescape").decode("utf-8", "replace")).split())


def _attachment(source: SourceFile, attachment_id: str, name: str, payload: bytes) -> Iterator[Document | Skipped]:
    """An attachment's documents, stored as parts of the mail file (their path is its id) so that re-indexing
    or deleting the mail file replaces or deletes them."""
    for item in read_stream(SourceFile(Path(name), attachment_id, source.options), BytesIO(payload)):
        yield replace(item, path=source.id) if isinstance(item, Document) else item
