"""PDF (.pdf), read with pypdfium2 (Google's PDFium, the engine of Chrome's PDF viewer): one document whose body is
its pages' text, joined with :func:`~..model.join_pages` so that a hit can say on which page each fragment stands;
title, author, creation date and language from the document's metadata.

Why PDFium: on Russian PDFs made by fpdf2 and by LibreOffice, pypdf and pdfminer.six recover the same words as
PDFium once a line-end hyphen is dealt with (no mojibake, ligatures decoded, no words glued across lines), but
PDFium is an order of magnitude faster than pypdf and more than that faster than pdfminer.six, and it is written
to survive hostile files (Chrome opens whatever the web serves); it was already a dependency.

What PDFium gives, and what is done to it:

- line ends are ``\\r\\n``; a hyphen that ends a line is a marker (U+FFFE) with the line break taken out, so a
  word hyphenated across lines (``пере-`` / ``говоры``) comes as ``пере\\ufffeговоры``. The marker is dropped,
  rejoining the word, unless the two halves are a compound broken at its own hyphen: the second half begins
  with a capital (Санкт-Петербург), the halves are of two scripts (IT-отдел), Russian spelling wants the hyphen
  (что-то, кое-где, по-русски), or the document writes the pair with a hyphen elsewhere, in any form
  (северо-западный);
- a word hyphenated across a page break is moved whole onto the page where it begins;
- only the metadata dictionary is read (``/Title``, ``/Author``, ``/CreationDate``, else ``/ModDate``) and the
  catalog's ``/Lang``: PDFium has no API for the XMP stream, and parsing it again with another library is not
  worth a second PDF parser. A title that is a file name (``Microsoft Word - отчёт.docx``) is no title.

PDFium is not thread-safe, even across documents: every call is made under one lock, so threads that read PDFs
take turns (processes do not need to), and a fork waits until no thread is in PDFium.

The budget per file — :data:`MAX_PAGES` pages, :data:`MAX_SECONDS` of extraction and a document's
:data:`~..model.MAX_DOCUMENT_CHARS` of text — is checked at each page: a file over it is cut at a page boundary,
and the pages read are indexed with a note, as are the pages PDFium cannot load. One page, once
begun, cannot be interrupted from Python: a damaged file fails fast, but a crafted page of a couple of kilobytes
(form objects nested five deep, each drawing the next ten times) keeps PDFium busy for the better part of a
minute, and one nested a level deeper for far longer. So the whole reading runs in a forked child
(:mod:`~..isolation`), killed :data:`KILL_AFTER_SECONDS` after the budget, and the file is then reported.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ...errors import DocumentError
from ..model import MAX_DOCUMENT_CHARS, Document, Skipped, SourceFile, find_date, join_pages, make_document
from ..isolation import in_child
from ..registry import binary_reader

#: Pages read from one file at most: past a few thousand pages a PDF is a scanned archive or a dump of records,
#: and reading on would hold the indexer on one file; its first pages still make it findable.
MAX_PAGES = 2_000
#: Seconds of extraction for one file, checked before each page: a file whose pages are slow to parse (dense
#: drawings, crafted content) is cut there, so one file cannot stall a run.
MAX_SECONDS = 60.0

#: Seconds past :data:`MAX_SECONDS` after which the process reading a file is killed: the budget is checked
#: between pages, and one crafted page can keep PDFium busy inside a single call for as long as it likes.
KILL_AFTER_SECONDS = 30.0

#: PDFium keeps global state with no locking of its own: two threads in it at once crash the process.
_PDFIUM = threading.Lock()
# A process forked (as the indexing workers are) while another thread is in PDFium would inherit the lock held for
# ever and PDFium's state half changed: a fork waits until PDFium is free.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_PDFIUM.acquire, after_in_parent=_PDFIUM.release, after_in_child=_PDFIUM.release)

#: PDFium's marker of a hyphen that ended a line (it takes the line break out), and U+0002, which some of its
#: versions write for it.
_LINE_HYPHENS = "\ufffe\x02"
#: A whole run of letters: the look-behind keeps a failed match from being tried again inside the same word.
_LETTERS = r"(?<![^\W\d_])[^\W\d_]+"
#: A word broken at a line end: by PDFium's marker, or by a hyphen (or a soft one) and a line break left in.
_BROKEN_RE = re.compile(rf"({_LETTERS})(?:[{_LINE_HYPHENS}]|[-\u2010\u00ad]\n)([^\W\d_]+)")
_HYPHENATED_RE = re.compile(rf"({_LETTERS})-([^\W\d_]+)")
#: Hyphens that Russian spelling requires: -то, -либо, -нибудь after a pronoun or an adverb (что-то, где-либо),
#: -таки (все-таки), кое-/кой- (кое-где), по- adverbs (по-русски, по-моему).
_SPELLED_HYPHEN_RE = re.compile(r"(?i)(?:[кч]\w*|где|откуда|почему|зачем|отчего|сколько)-(?:то|либо|нибудь)"
                                r"|\w+-таки|ко[ей]-\w+|по-\w+(?:ски|цки|ому|ему|ьи)")
_PAGE_END_HYPHENS = f"-\u2010\u00ad{_LINE_HYPHENS}"
#: The rest of a word hyphenated at the end of the page before.
_PAGE_START_WORD_RE = re.compile(r"\A\s*([^\W\d_]\S*)\s*")
#: C0 controls but tab, line feed and PDFium's U+0002.
_CONTROLS_RE = re.compile("[\x00\x01\x03-\x08\x0b-\x1f]")
_TRAILING_SPACE_RE = re.compile(r"[ \t]+\n")
#: A "title" that is the name of the file the PDF was made from (Word writes ``Microsoft Word - name.docx``).
_FILE_NAME_RE = re.compile(r"(?i)\.(?:docx?|odt|rtf|txt|pdf|pptx?|xlsx?|html?|tex|indd|pub)\s*\Z")
_PDF_DATE_RE = re.compile(r"\A\s*(?:D:)?(\d{4})(\d{2})(\d{2})")
_LANGUAGE_RE = re.compile(r"\A([A-Za-z]{2,3})(?:[-_]|\Z)")


@binary_reader(".pdf", name="PDF", library="pypdfium2", whole_file=False)
def read_pdf(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """A PDF as one paged document, and a :class:`Skipped` note for each part of it that was not read.

    PDFium reads the stream as it needs, never the whole file into memory, so a PDF of any size is read, up to
    the budget (a textbook's images can make hundreds of megabytes around a text of a few)."""
    info, reading = in_child(_read, stream, seconds=MAX_SECONDS + KILL_AFTER_SECONDS, what="PDF")
    if not any(reading.texts):
        raise DocumentError("no text layer: a scanned PDF needs OCR" if len(reading.broken) < len(reading.texts)
                            else f"damaged PDF: none of its {reading.total:,} pages can be read")
    body, pages = join_pages(_rejoined(reading.texts))
    yield make_document(source.id, info.title, body, info.date, source.id, "pdf", "", author=info.author,
                        language=info.language, pages=pages)
    yield from (Skipped(source.id, note) for note in reading.notes())


def _read(stream: IO[bytes]) -> tuple[_Info, _Reading]:
    """The metadata and the pages' text, in the child process that :func:`read_pdf` runs it in."""
    with _PDFIUM:
        pdf = _open(stream)
        try:
            return _metadata(pdf), _read_pages(pdf)
        finally:
            pdf.close()


def _open(stream: IO[bytes]) -> pdfium.PdfDocument:
    """The document, or why it cannot be opened, in the user's words."""
    try:
        return pdfium.PdfDocument(stream)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentError("encrypted PDF: it needs a password") from None
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise DocumentError("encrypted PDF: its security handler is not supported") from None
        if error.err_code in (pdfium_c.FPDF_ERR_SUCCESS, None):
            raise DocumentError("damaged PDF: it has no pages") from None
        raise DocumentError("damaged PDF: its structure cannot be parsed (cut short, or not a PDF)") from None


# --- pages ------------------------------------------------------------------------------------------------

@dataclass
class _Reading:
    """The text of each page read (``""`` for a page that could not be read), and why reading stopped early."""

    total: int
    texts: list[str] = field(default_factory=list)
    #: The numbers (from 1) of the pages PDFium could not load.
    broken: list[int] = field(default_factory=list)
    stopped: str = ""

    def notes(self) -> Iterator[str]:
        """What the user should know about the pages that are not in the document."""
        if self.stopped:
            yield f"only the first {len(self.texts):,} of {self.total:,} pages were read: {self.stopped}"
        if self.broken:
            yield (f"damaged PDF: {len(self.broken):,} of {self.total:,} pages could not be read (the first, page "
                   f"{self.broken[0]:,}); the other pages were indexed")
        empty = sum(not text for text in self.texts) - len(self.broken)
        if empty * 2 > len(self.texts):
            yield (f"{empty:,} of {len(self.texts):,} pages have no text layer (scanned pages need OCR); the text "
                   "of the others was indexed")


def _read_pages(pdf: pdfium.PdfDocument) -> _Reading:
    """Each page's text, up to the page, time and character budgets; always the first page."""
    reading = _Reading(len(pdf))
    deadline = time.monotonic() + MAX_SECONDS
    chars = 0
    for index in range(reading.total):
        reading.stopped = _budget_spent(index, deadline)
        if reading.stopped:
            break
        text = _page_text(pdf, index)
        if text is None:
            reading.broken.append(index + 1)
            text = ""
        chars += len(text) + 2
        if chars > MAX_DOCUMENT_CHARS and index:
            reading.stopped = f"the text reached the limit of {MAX_DOCUMENT_CHARS:,} characters a document"
            break
        reading.texts.append(text)
    return reading


def _budget_spent(index: int, deadline: float) -> str:
    """Why no page after the first ``index`` is to be read, or ``""`` to read on."""
    if index >= MAX_PAGES:
        return f"the limit is {MAX_PAGES:,} pages a file"
    if index and time.monotonic() > deadline:
        return f"the limit is {MAX_SECONDS:g} seconds of reading a file"
    return ""


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str | None:
    """The text of one page with plain line ends and nothing invisible; None if PDFium cannot load the page."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        return None
    try:
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
    except pdfium.PdfiumError:
        return None
    finally:
        page.close()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _TRAILING_SPACE_RE.sub("\n", _CONTROLS_RE.sub("", text)).strip()


# --- hyphens ----------------------------------------------------------------------------------------------

def _rejoined(texts: list[str]) -> list[str]:
    """The pages with each word broken at a line or page end made whole again, or kept as the compound it is."""
    texts = _words_across_pages(texts)
    compounds = {_compound_key(*pair) for text in texts for pair in _HYPHENATED_RE.findall(text)}

    def whole(match: re.Match[str]) -> str:
        first, second = match.groups()
        return f"{first}-{second}" if _is_compound(first, second, compounds) else first + second

    return [_left_over(_BROKEN_RE.sub(whole, text)) for text in texts]


def _left_over(text: str) -> str:
    """A line-end marker not between two letters (``1990-`` / ``2000``) stands for the hyphen it was; a soft
    hyphen that does not end a line is invisible."""
    for marker in _LINE_HYPHENS:
        text = text.replace(marker, "-")
    return text.replace("\u00ad", "")


def _compound_key(first: str, second: str) -> tuple[str, str]:
    """A compound written with a hyphen, in any of its forms: северо-западный and северо-западных are one."""
    return first.lower(), second[:4].lower()


def _is_compound(first: str, second: str, compounds: set[tuple[str, str]]) -> bool:
    """Whether a hyphen at a line end is the word's own: hyphenation never breaks a word before a capital (but
    in a word in capitals) nor between two scripts, and leaves alone what spelling or the document itself
    writes with a hyphen."""
    return ((second[0].isupper() and not first.isupper()) or _is_cyrillic(first[-1]) != _is_cyrillic(second[0])
            or _compound_key(first, second) in compounds
            or _SPELLED_HYPHEN_RE.fullmatch(f"{first}-{second}") is not None)


def _is_cyrillic(letter: str) -> bool:
    return "\u0400" <= letter <= "\u04ff"


def _words_across_pages(texts: list[str]) -> list[str]:
    """The rest of a word hyphenated at the end of a page moved onto that page, behind a line-end marker."""
    texts = list(texts)
    for number in range(len(texts) - 1):
        text = texts[number]
        hyphenated = text[-1:] in _PAGE_END_HYPHENS and text[-2:-1].isalpha()
        rest = _PAGE_START_WORD_RE.match(texts[number + 1]) if hyphenated else None
        if rest:
            texts[number] = f"{text[:-1]}{_LINE_HYPHENS[0]}{rest.group(1)}"
            texts[number + 1] = texts[number + 1][rest.end():]
    return texts


# --- metadata ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Info:
    title: str | None
    author: str
    date: dt.date | None
    language: str


def _metadata(pdf: pdfium.PdfDocument) -> _Info:
    """Title (None for none, or for a file name), author, date and language from the metadata dictionary and
    the catalog."""
    def value(key: str) -> str:
        return " ".join(pdf.get_metadata_value(key).split())

    title = value("Title")
    date = pdf_date(value("CreationDate")) or pdf_date(value("ModDate"))
    return _Info(title if title and not _FILE_NAME_RE.search(title) else None, value("Author"), date,
                 _language(pdf))


def pdf_date(value: str) -> dt.date | None:
    """The date of a PDF date string (``D:20241220103000+03'00'``); None for none or for a malformed one."""
    match = _PDF_DATE_RE.match(value)
    return find_date("-".join(match.groups())) if match else None


def _language(pdf: pdfium.PdfDocument) -> str:
    """The primary subtag of the catalog's ``/Lang`` (``ru-RU`` → ``ru``), "" if none."""
    size = pdfium_c.FPDFCatalog_GetLanguage(pdf, None, 0)
    if size <= 2:
        return ""
    buffer = (ctypes.c_ushort * (size // 2))()
    pdfium_c.FPDFCatalog_GetLanguage(pdf, buffer, size)
    declared = bytes(buffer).decode("utf-16-le", "replace").rstrip("\x00").strip()
    match = _LANGUAGE_RE.match(declared)
    return match.group(1).lower() if match else ""
