"""Bytes → text: UTF-8 with or without BOM, UTF-16 with a BOM, cp1251, koi8-r or cp866 (DOS), line by line
when a file mixes UTF-8 and a legacy encoding.

A whole file is decoded at once (:func:`decode`); a record file (jsonl, csv), which may be much larger than a
whole-file format may be, is read and decoded a line at a time (:class:`Lines`), each line at most
:data:`MAX_RECORD_BYTES`, so that memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import codecs
import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import IO


from ..errors import DocumentError
from .model import MAX_DOCUMENT_CHARS, Skipped, size_text

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
LEGACY_ENCODINGS = ("cp1251", "koi8_r", "cp866")
#: Named in the refusal of a file in none of the encodings.
_KNOWN = "cp1251 or koi8-r or cp866"

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ASCII = bytes(range(128))


def decode(data: bytes) -> tuple[str, str]:
    """Decode a whole file's bytes: UTF-8 (BOM or not) when valid, else line by line (see :class:`_Decoder`).
    Windows line ends become ``\n``. Returns the text and its encoding (``utf-8+cp1251`` for a mixed file).

    A file beginning with a UTF-16 byte order mark (little- or big-endian) is UTF-16, reported as ``utf-16``.

    Raises ``ValueError`` for binary data or text in none of these encodings.
    """
    if is_utf16(data):
        text = data.decode("utf-16", errors="replace")
        _refuse_binary_text(text)
        return text.replace("\r\n", "\n"), "utf-16"
    _refuse_binary(data)
    decoder = _Decoder(data[:SAMPLE_BYTES])
    try:
        text = "".join(decoder.lines(block) for block in _blocks(data))
    except ValueError:
        raise DocumentError(f"not UTF-8 (invalid byte at offset {_first_invalid_utf8(data)}), nor {_KNOWN}") \
            from None
    return text.replace("\r\n", "\n"), decoder.encoding


def is_utf16(beginning: bytes) -> bool:
    """The file begins with a UTF-16 byte order mark (and not with UTF-32's little-endian one, which starts with
    the same two bytes)."""
    return beginning.startswith(_UTF16_BOMS) and not beginning.startswith(codecs.BOM_UTF32_LE)


def _refuse_binary(beginning: bytes) -> None:
    """Raise ``ValueError`` when a file's ``beginning`` holds a NUL byte: the file is binary."""
    if b"\x00" in beginning[:BINARY_SNIFF_BYTES]:
        raise DocumentError("binary file (contains NUL bytes)")


def _refuse_binary_text(beginning: str) -> None:
    """The same for a decoded UTF-16 beginning: a NUL character there, as in binary data that happens to start
    with the bytes of a byte order mark, marks a binary file."""
    if "\x00" in beginning[:BINARY_SNIFF_BYTES // 2]:
        raise DocumentError("binary file (contains NUL bytes)")


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
    ones, as when a file is cut in the middle of one, as U+FFFD), any other line in the legacy encoding (cp1251,
    koi8-r or cp866) found in the non-UTF-8 lines of ``sample``, the file's beginning (:func:`_legacy_encoding`).
    A file that mixes encodings (records gathered from several sources) comes out right line by line."""

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
            raise DocumentError(f"not UTF-8, nor {_KNOWN}")
        self._used.setdefault(self._legacy)
        return data.decode(self._legacy, errors="replace")

    @property
    def encoding(self) -> str:
        """The encodings of the lines decoded so far, as ``utf-8``, ``cp1251``, ``cp866`` or ``utf-8+cp1251``."""
        names = list(self._used) or ["utf-8"]
        return "+".join("utf-8-sig" if self._bom and name == "utf-8" else name for name in names)


def _letters(case: str) -> str:
    """The letters of that case ("lower" or "upper") in the upper halves of the legacy encodings, escaped."""
    chars = {ch for encoding in LEGACY_ENCODINGS for ch in bytes(range(128, 256)).decode(encoding, errors="ignore")}
    return re.escape("".join(sorted(ch for ch in chars if getattr(ch, f"is{case}")())))


#: A lower-case letter followed by an upper-case one: cp1251 text read as koi8-r (or the reverse) shows it in
#: almost every word, since the two encodings swap the cases: «цСАЕПМЮРНПШ» for «Губернаторы».
_CASE_INVERSION_RE = re.compile(f"[{_letters('lower')}][{_letters('upper')}]")
#: How often each letter comes in Russian text, in percent (case folded; ё beside е, as it is mostly written).
_LETTER_PERCENT = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73, "в": 4.54, "л": 4.40,
    "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65,
    "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48, "щ": 0.36, "э": 0.32,
    "ф": 0.26, "ъ": 0.04, "ё": 0.04}
#: Signs that Russian text in any of the legacy encodings may well hold.
_TYPOGRAPHY = frozenset("«»—–…№„“”‘’•·°\u00a0")
#: What one character costs a reading (see :func:`_misreading`), in the units of a letter's -ln(frequency):
#: a sign costs as much as a rare letter, a character Russian text hardly has (a Serbian letter, a box-drawing
#: character) more than the rarest, and so does a case inversion.
_SIGN_COST = 4.0
_FOREIGN_COST = 12.0
_INVERSION_COST = 8.0
_CHAR_COSTS: dict[str, float] = {}


def _legacy_encoding(sample: bytes) -> str:
    """cp1251, koi8-r or cp866 for text that is not UTF-8, "" for none. charset-normalizer decides whether it
    is text at all, but on a line or two it often mistakes one encoding for another; the one whose reading looks
    least like a misreading (:func:`_misreading`) is taken, and charset-normalizer's choice on a tie."""
    from charset_normalizer import from_bytes  # only for text that is not UTF-8

    best = from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None:
        return ""
    return min(LEGACY_ENCODINGS, key=lambda encoding: (
        round(_misreading(sample.decode(encoding, errors="replace")), 3), encoding != best.encoding))


def _misreading(text: str) -> float:
    """How unlike Russian ``text`` is, as read in some encoding: the sum, over its characters that are not
    ASCII, of each one's cost, -ln of its letter's frequency (so that the permuted letters of koi8-r read as
    cp1251, or the reverse, cost more than the right ones: «ТБД» for «рад»), more for a sign and much more for a
    character that Russian text hardly has (cp866 read as cp1251 shows Serbian letters, «ЏаЁўҐв» for «Привет»;
    cp1251 or koi8-r read as cp866 box-drawing characters in place of half the letters), plus the cost of each
    case inversion (cp1251 and koi8-r swap the cases)."""
    cost = sum(count * _char_cost(char) for char, count in Counter(text).items() if char >= "\x80")
    return cost + _INVERSION_COST * len(_CASE_INVERSION_RE.findall(text))


def _char_cost(char: str) -> float:
    cost = _CHAR_COSTS.get(char)
    if cost is None:
        percent = _LETTER_PERCENT.get(char.lower())
        cost = -math.log(percent / 100) if percent else _SIGN_COST if char in _TYPOGRAPHY else _FOREIGN_COST
        _CHAR_COSTS[char] = cost
    return cost


class Lines:
    """The lines of a record file as text, read one at a time so that memory stays bounded however large the
    file. A line over :data:`MAX_RECORD_BYTES` is passed over in chunks, and a line in no known encoding is
    passed over too: each is noted in :meth:`problems` with its number and read as an empty line, so the
    numbers of the lines after it stay right.

    The file's encoding is detected on its first :data:`SAMPLE_BYTES`, read (and the ``stream`` sought back to
    its start) on creation, which raises ``ValueError`` if they show a binary file. A file that begins with a
    UTF-16 byte order mark is decoded as UTF-16 a chunk at a time (:class:`_UTF16Lines`), its lines split on the
    decoded text, since its line ends are two bytes of which a byte-wise split would cut one."""

    def __init__(self, stream: IO[bytes], file_id: str) -> None:
        sample = stream.read(SAMPLE_BYTES)
        utf16 = is_utf16(sample)
        head = sample[:BINARY_SNIFF_BYTES]
        if utf16:
            decoded = head.decode("utf-16", errors="replace")
            _refuse_binary_text(decoded)
            head = decoded.encode("utf-8")
        else:
            _refuse_binary(sample)
        stream.seek(0)
        self.file_id = file_id
        #: The file's first :data:`BINARY_SNIFF_BYTES`, for a reader to look at before the lines (a CSV file's
        #: dialect is guessed from them), in an encoding in which ASCII is ASCII: a UTF-16 file's as UTF-8.
        self.head = head
        self.number = 0
        self.content = False  # some line held more than white space
        self._stream = stream
        self._decoder = _Decoder(sample)
        self._utf16 = _UTF16Lines(stream) if utf16 else None
        self._problems: list[Skipped] = []

    @property
    def encoding(self) -> str:
        return "utf-16" if self._utf16 else self._decoder.encoding

    def __iter__(self) -> Iterator[str]:
        while True:
            raw, size = self._read_line()
            if not size:
                return
            self.number += 1
            if raw is None:
                self._problem(f"{size_text(size)}, over the {size_text(MAX_RECORD_BYTES)} limit for one record")
                yield "\n"
                continue
            try:
                text = raw if isinstance(raw, str) else self._decoder.line(raw)
            except ValueError as error:
                self._problem(str(error))
                yield "\n"
                continue
            self.content = self.content or bool(text.strip())
            yield text[:-2] + "\n" if text.endswith("\r\n") else text

    def _read_line(self) -> tuple[bytes | str | None, int]:
        """The next line and its length in bytes, read in chunks: (None, length) for a line over the limit,
        whose chunks are dropped as they come; (b"", 0) at the end of the file. A UTF-16 file's lines come
        decoded."""
        if self._utf16:
            return self._utf16.read_line()
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


class _UTF16Lines:
    """The lines of a UTF-16 file (with its byte order mark), decoded :data:`CHUNK_BYTES` at a time and split at
    ``\n``, each returned with its line end as :meth:`Lines._read_line` returns a line's bytes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        self._text = ""
        self._at = 0
        self._end = False

    def read_line(self) -> tuple[str | None, int]:
        """The next line and about its size in bytes (two a character): (None, size) for a line over
        :data:`MAX_RECORD_BYTES`, whose pieces are dropped as they come; ("", 0) at the end of the file."""
        pieces: list[str] | None = []
        size = 0
        while True:
            end = self._text.find("\n", self._at)
            ended = end >= 0 or self._end
            cut = end + 1 if end >= 0 else len(self._text)
            piece, self._at = self._text[self._at:cut], cut
            if piece:
                size += 2 * len(piece)
                if pieces is not None:
                    pieces.append(piece)
                    if size - 2 * piece.endswith("\n") > MAX_RECORD_BYTES:
                        pieces = None
            if ended:
                return (None if pieces is None else "".join(pieces)), size
            chunk = self._stream.read(CHUNK_BYTES)
            self._text, self._at, self._end = self._decoder.decode(chunk, final=not chunk), 0, not chunk
