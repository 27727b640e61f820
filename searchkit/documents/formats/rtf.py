"""RTF (.rtf): the text a word processor shows, with the title, author and creation date of its ``\\info`` group.

striprtf decodes Cyrillic correctly (``\\ansicpg1251`` with ``\\'xx``, and ``\\uN`` with ``\\ucN``), but it is not
used: before tokenizing, it runs a hyperlink regular expression over the whole text whose time grows with the
square of a line's length (a 336 KB line of ``{\\field{\\*\\fldinst{`` takes 30 s, a 64 MB one would never end),
and it drops header, footer and footnote text. The small tokenizer here reads each token once, so its time is
linear in the file's size, and it reads ``\\info`` in the same pass, taking the Unicode form of a field where
there are two (``{\\upr{\\title ???}{\\*\\ud{\\title \\u1057?…}}}``, as LibreOffice writes them).

What it reads, after the RTF specification: ``\\'xx`` bytes in the code page the file (``\\ansicpgN``) or the
current font (``\\fcharsetN`` in the font table) declares; ``\\uN`` characters, skipping the ``\\ucN`` fallback
characters after each; ``\\par``, ``\\line`` and table rows as new lines; groups the reader does not show (font,
colour and style tables, pictures, field instructions, ``\\*`` destinations it does not know) left out; ``\\binN``
data passed over unread. Header and footer text, then footnotes, follow the body, so that a running header never
becomes the guessed title.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterator
from typing import IO

from ...errors import DocumentError
from ..model import Document, Skipped, SourceFile, make_document
from ..registry import binary_reader

#: Groups nested deeper than this are refused: each open group keeps a state, and real files nest a few dozen.
MAX_DEPTH = 1_000

#: A token: a run of ``\uN`` characters each with a one-character fallback (how Word and LibreOffice write
#: Cyrillic outside the file's code page), a run of ``\'xx`` bytes, a control word, a control symbol, a brace,
#: a run of text. The runs make one token of a word rather than one or two a letter.
_TOKEN_RE = re.compile(rb"(?P<unicode>(?:\\u-?\d{1,10} ?(?:\\'[0-9a-fA-F]{2}|\?))+)|(?P<hex>(?:\\'[0-9a-fA-F]{2})+)"
                       rb"|\\(?P<word>[a-zA-Z]{1,32})(?P<argument>-?\d{1,10})? ?|\\(?P<symbol>.)|(?P<brace>[{}])"
                       rb"|(?P<text>[^\\{}\r\n]+)", re.DOTALL)
_UNICODE_PIECE_RE = re.compile(rb"\\u(-?\d{1,10}) ?|\\'([0-9a-fA-F]{2})|\?")
_UNICODE_NUMBER_RE = re.compile(rb"\\u(-?\d{1,10})")

#: ``\fcharsetN`` → the code page of the font's text; 0 (ANSI) and 1 (default) mean the document's own, 255
#: (OEM) is taken for a Russian system's, cp866.
_CHARSETS = {77: "mac_roman", 128: "cp932", 129: "cp949", 134: "gbk", 136: "big5", 161: "cp1253", 162: "cp1254",
             163: "cp1258", 177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250",
             255: "cp866"}
_CHARACTER_SETS = {b"ansi": "cp1252", b"mac": "mac_roman", b"pc": "cp437", b"pca": "cp850"}

#: Destinations whose text is not what a reader sees.
_HIDDEN = frozenset(
    b"fonttbl colortbl stylesheet pict fldinst xe tc txe rxe listtable listoverridetable revtbl rsidtbl generator "
    b"themedata colorschememapping latentstyles datastore xmlnstbl nonshppict sp template docvar pn pntext pntxta "
    b"pntxtb listtext objdata objclass objname filetbl annotation atnid atnauthor bkmkstart bkmkend".split())
_MARGINS = frozenset(b"header headerl headerr headerf footer footerl footerr footerf".split())
#: Destinations kept though written after ``\*`` (LibreOffice writes ``{\*\footnote …}``); any other one after
#: ``\*`` is left out, as the specification says of a destination a reader does not know.
_STARRED_KEPT = _MARGINS | {b"footnote", b"ud"}
_INFO_FIELDS = {b"title": "title", b"author": "author", b"creatim": "created", b"revtim": "revised"}
_BREAKS = {b"par": "\n", b"line": "\n", b"sect": "\n", b"page": "\n", b"row": "\n", b"cell": "\t",
           b"nestcell": "\t", b"tab": "\t", b"emdash": "\u2014", b"endash": "\u2013", b"bullet": "\u2022",
           b"lquote": "\u2018", b"rquote": "\u2019", b"ldblquote": "\u201c", b"rdblquote": "\u201d",
           b"emspace": " ", b"enspace": " ", b"qmspace": " "}
_SYMBOLS = {b"~": "\xa0", b"_": "-", b"\n": "\n", b"\r": "\n"}
#: Where text goes: the body, header and footer text, footnotes, and the ``\info`` fields kept.
_SINKS = ("body", "margins", "notes", "title", "author")


class _Group:
    """What applies inside one ``{…}`` group: where its text goes (a sink, ``info``, ``fonts``, a date field, or
    None to drop it), how many fallback characters follow a ``\\uN``, the code page of ``\\'xx`` bytes, and
    where a ``\\*\\ud`` group (the Unicode twin of a ``\\upr`` group) sends its text."""

    __slots__ = ("dest", "uc", "encoding", "unicode_dest")

    def __init__(self, dest: str | None, uc: int, encoding: str, unicode_dest: str | None) -> None:
        self.dest, self.uc, self.encoding, self.unicode_dest = dest, uc, encoding, unicode_dest

    def copy(self) -> _Group:
        return _Group(self.dest, self.uc, self.encoding, self.unicode_dest)


class _RtfText:
    """The text of an RTF file, token by token, into its sinks."""

    def __init__(self) -> None:
        self.group = _Group("body", 1, "cp1252", None)
        self.stack: list[_Group] = []
        self.sinks: dict[str, list[str]] = {name: [] for name in _SINKS}
        self.dates: dict[str, dict[bytes, int]] = {"created": {}, "revised": {}}
        self.codepage = "cp1252"
        self.fonts: dict[bytes, str] = {}
        self.font = b""
        self.skip = 0  # fallback characters still to drop after a \uN
        self.starred = False  # the group began with \*: dropped unless its destination is known
        self.pending = bytearray()  # bytes of one sink in one code page, decoded together (multibyte pages)
        self.pending_at: tuple[str, str] = ("body", "cp1252")

    def feed(self, data: bytes) -> None:
        for match in _tokens(data):
            kind = match.lastgroup
            if kind == "text":
                self.raw(match["text"])
            elif kind == "unicode":
                self.unicode(match["unicode"])
            elif kind == "hex":
                self.raw(bytes.fromhex(match["hex"].replace(b"\\'", b"").decode()))
            elif kind == "brace":
                if not self.brace(match["brace"]):
                    break
            elif kind == "symbol":
                self.symbol(match["symbol"])
            else:
                self.control(match["word"], int(match["argument"]) if match["argument"] else None)
        self.flush()

    def unicode(self, run: bytes) -> None:
        """A run of ``\\uN`` each followed by one fallback character: the characters at once when a ``\\uN`` has
        one fallback character (``\\uc1``, the default), else each piece on its own."""
        if self.group.uc == 1 and not self.starred:
            self.emit("".join(chr(int(number) % 0x10000) for number in _UNICODE_NUMBER_RE.findall(run)))
            self.skip = 0
            return
        for piece in _UNICODE_PIECE_RE.finditer(run):
            number, hex_byte = piece.groups()
            if number is not None:
                self.control(b"u", int(number))
            else:
                self.raw(bytes.fromhex(hex_byte.decode()) if hex_byte else b"?")

    def raw(self, data: bytes) -> None:
        """Text bytes (a run of text or of ``\\'xx``), after dropping what is left of a ``\\uN`` fallback."""
        if self.skip:
            cut = min(self.skip, len(data))
            data, self.skip = data[cut:], self.skip - cut
        dest = self.group.dest
        if not data or dest not in self.sinks:
            return
        if (dest, self.group.encoding) != self.pending_at:
            self.flush()
            self.pending_at = (dest, self.group.encoding)
        self.pending += data

    def emit(self, text: str) -> None:
        if self.group.dest in self.sinks:
            self.flush()
            self.sinks[self.group.dest].append(text)

    def flush(self) -> None:
        if self.pending:
            dest, encoding = self.pending_at
            self.sinks[dest].append(self.pending.decode(encoding, "replace"))
            self.pending.clear()

    def brace(self, brace: bytes) -> bool:
        """Open or close a group; False when the outermost group closes, since nothing after it is content."""
        self.skip, self.starred = 0, False
        if brace == b"{":
            if len(self.stack) >= MAX_DEPTH:
                raise DocumentError(f"RTF groups nested over {MAX_DEPTH:,} deep")
            self.stack.append(self.group.copy())
            return True
        if not self.stack:
            return True
        self.group = self.stack.pop()
        return bool(self.stack)

    def symbol(self, symbol: bytes) -> None:
        self.skip = 0
        if symbol == b"*":
            self.starred = True
        elif symbol in b"\\{}":
            self.raw(symbol)
        elif symbol in _SYMBOLS:
            self.emit(_SYMBOLS[symbol])

    def control(self, word: bytes, argument: int | None) -> None:
        """One control word: a destination, a character, or a setting of the code page, font or fallback."""
        self.skip = 0
        group = self.group
        if self.starred:
            self.starred = False
            if word not in _STARRED_KEPT:
                group.dest = None
                return
        if word == b"u" and argument is not None:
            self.emit(chr(argument % 0x10000))
            self.skip = group.uc
        elif word in _BREAKS:
            self.emit(_BREAKS[word])
        elif word == b"uc" and argument is not None:
            group.uc = max(argument, 0)
        elif word == b"f" and group.dest == "fonts":
            self.font = str(argument).encode()
        elif word == b"f":
            group.encoding = self.fonts.get(str(argument).encode(), self.codepage)
        else:
            self.destination(word, argument)

    def destination(self, word: bytes, argument: int | None) -> None:
        group = self.group
        if word in _HIDDEN:
            group.dest = "fonts" if word == b"fonttbl" else None
        elif word in _MARGINS or word == b"footnote":
            group.dest = "margins" if word in _MARGINS else "notes"
        elif word == b"info":
            group.dest = "info"
        elif word in _INFO_FIELDS and group.dest == "info":
            group.dest = _INFO_FIELDS[word]
        elif word == b"upr":
            group.unicode_dest, group.dest = group.dest, None
        elif word == b"ud":
            group.dest = group.unicode_dest
        elif word in (b"yr", b"mo", b"dy") and group.dest in self.dates and argument is not None:
            self.dates[group.dest][word] = argument
        else:
            self.setting(word, argument)

    def setting(self, word: bytes, argument: int | None) -> None:
        """The document's code page (``\\ansicpgN``, ``\\mac``, …) and the fonts' (in the font table)."""
        if word == b"ansicpg" and argument is not None:
            self.codepage = _codec(f"cp{argument}") or self.codepage
            self.group.encoding = self.codepage
        elif word in _CHARACTER_SETS:
            self.codepage = self.group.encoding = _CHARACTER_SETS[word]
        elif self.group.dest == "fonts" and word == b"fcharset" and argument is not None:
            charset = _CHARSETS.get(argument)
            if charset:
                self.fonts[self.font] = charset
        elif self.group.dest == "fonts" and word == b"cpg" and argument is not None:
            self.fonts[self.font] = _codec(f"cp{argument}") or self.codepage

    def text(self, sink: str) -> str:
        return _surrogates_joined("".join(self.sinks[sink]))

    def date(self) -> dt.date | None:
        """The creation date, else the last revision's."""
        for fields in self.dates.values():
            try:
                return dt.date(fields[b"yr"], fields[b"mo"], fields[b"dy"])
            except (KeyError, ValueError):
                continue
        return None


def _tokens(data: bytes) -> Iterator[re.Match[bytes]]:
    """The tokens of ``data``; the bytes after ``\\binN`` are passed over, since they are binary, not RTF."""
    at = 0
    while True:
        for match in _TOKEN_RE.finditer(data, at):
            if match["word"] == b"bin" and match["argument"] and int(match["argument"]) > 0:
                at = match.end() + int(match["argument"])
                break
            yield match
        else:
            return


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _surrogates_joined(text: str) -> str:
    """Characters outside the BMP come as two ``\\uN`` halves (a surrogate pair): join them into one."""
    if not re.search("[\ud800-\udfff]", text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _lines(text: str, once: bool = False) -> list[str]:
    """Each line's spaces collapsed, blank lines dropped; with ``once``, a line only the first time (a header
    repeated for each section or page style)."""
    lines = filter(None, (" ".join(line.split()) for line in text.splitlines()))
    return list(dict.fromkeys(lines) if once else lines)


@binary_reader(".rtf", name="RTF", library="searchkit's own RTF reader")
def read_rtf(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """An RTF file as one document: its text, then header and footer text, then footnotes; title and author
    from ``\\info`` (the title guessed from the text if it has none), the date it was created."""
    data = stream.read()
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise DocumentError("not an RTF file: it does not begin with {\\rtf")
    parsed = _RtfText()
    parsed.feed(data)
    body = "\n".join(_lines(parsed.text("body")) + _lines(parsed.text("margins"), once=True)
                     + _lines(parsed.text("notes")))
    if not body:
        yield Skipped(source.id, "no text in the file")
        return
    title = " ".join(parsed.text("title").split()) or None
    yield make_document(source.id, title, body, parsed.date(), source.id, "rtf", "",
                        author=" ".join(parsed.text("author").split()))
