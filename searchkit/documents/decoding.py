"""Bytes → text: UTF-8 with or without BOM, cp1251 or koi8-r, line by line when a file mixes them.

A whole file is decoded at once (:func:`decode`); a record file (jsonl, csv), which may be much larger than a
whole-file format may be, is read and decoded a line at a time (:class:`Lines`), each line at most
:data:`MAX_RECORD_BYTES`, so that memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from charset_normalizer import from_bytes

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
LEGACY_ENCODINGS = ("cp1251", "koi8_r")

_BOM = b"\xef\xbb\xbf"
_ASCII = bytes(range(128))


def decode(data: bytes) -> tuple[str, str]:
    """Decode a whole file's bytes: UTF-8 (BOM or not) when valid, else line by line (see :class:`_Decoder`).
    Windows line ends become ``\n``. Returns the text and its encoding (``utf-8+cp1251`` for a mixed file).

    Raises ``ValueError`` for binary data or text in none of these encodings.
    """
    _refuse_binary(data)
    decoder = _Decoder(data[:SAMPLE_BYTES])
    try:
        text = "".join(decoder.lines(block) for block in _blocks(data))
    except ValueError:
        raise DocumentError(f"not UTF-8 (invalid byte at offset {_first_invalid_utf8(data)}), nor cp1251 or koi8-r") \
            from None
    return text.replace("\r\n", "\n"), decoder.encoding


def _refuse_binary(beginning: bytes) -> None:
    """Raise ``ValueError`` when a file's ``beginning`` holds a NUL byte: the file is binary."""
    if b"\x00" in beginning[:BINARY_SNIFF_BYTES]:
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
            raise DocumentError("not UTF-8, nor cp1251 or koi8-r")
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


class Lines:
    """The lines of a record file as text, read one at a time so that memory stays bounded however large the
    file. A line over :data:`MAX_RECORD_BYTES` is passed over in chunks, and a line in no known encoding is
    passed over too: each is noted in :meth:`problems` with its number and read as an empty line, so the
    numbers of the lines after it stay right.

    The file's encoding is detected on its first :data:`SAMPLE_BYTES`, read (and the ``stream`` sought back to
    its start) on creation, which raises ``ValueError`` if they show a binary file."""

    def __init__(self, stream: IO[bytes], file_id: str) -> None:
        sample = stream.read(SAMPLE_BYTES)
        _refuse_binary(sample)
        stream.seek(0)
        self.file_id = file_id
        #: The file's first :data:`BINARY_SNIFF_BYTES`, for a reader to look at before the lines (a CSV file's
        #: dialect is guessed from them).
        self.head = sample[:BINARY_SNIFF_BYTES]
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
                self._problem(f"{size_text(size)}, over the {size_text(MAX_RECORD_BYTES)} limit for one record")
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
