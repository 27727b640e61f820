"""What the e-book formats (EPUB, FB2) share: a book's metadata, its date, and the rule that turns its chapters
into one document, or into one document per chapter when the book is too long to be one useful search hit.

A novel of a few hundred thousand characters is one document: a hit names the book, and its snippet shows where.
An encyclopedia or a collected works of many megabytes would match almost every query as one document, and its
length would weigh its score down; past :data:`SPLIT_CHARS` each chapter is a document of its own (``path#N``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..model import Document, Skipped, SourceFile, find_date, make_document

#: A book with more text than this (in characters) becomes one document per chapter.
SPLIT_CHARS = 1_000_000

_YEAR_RE = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Book:
    """A book's metadata, as its format declares it; empty strings and None where it does not."""

    title: str
    author: str
    date: dt.date | None
    language: str
    format: str
    encoding: str


@dataclass(frozen=True)
class Chapter:
    """One chapter's text and its heading ("" for none)."""

    heading: str
    text: str


def book_date(value: str) -> dt.date | None:
    """A date from a book's metadata: a full date (``2003-05-12``, or a timestamp cut to its date), or a year
    alone (``1869``), taken as 1 January of that year, since books are most often dated by their year and a
    date filter or ordering should still place them. Anything else (``2003-05``, ``весна 1901``) is no date:
    a year is not guessed out of free text."""
    value = value.strip()
    if _YEAR_RE.fullmatch(value):
        return dt.date(int(value), 1, 1) if int(value) else None
    return find_date(value)


def book_documents(source: SourceFile, book: Book, chapters: Iterable[Chapter]) -> Iterator[Document | Skipped]:
    """The book as one document (titled by its title, else by its first line), or, when its text is over
    :data:`SPLIT_CHARS` in more than one chapter, one document per chapter with text, numbered from 1 in reading
    order: ``path#N``, titled «Book title — chapter heading» (the file's name without a book title, «глава N»
    without a heading). A chapter too long to be a document is skipped on its own."""
    kept = [chapter for chapter in chapters if chapter.text.strip()]
    if len(kept) < 2 or sum(len(chapter.text) for chapter in kept) <= SPLIT_CHARS:
        body = "\n\n".join(chapter.text.strip() for chapter in kept)
        yield _document(source.id, book.title or None, body, source, book)
        return
    name = book.title or PurePosixPath(source.id).name
    for number, chapter in enumerate(kept, 1):
        doc_id = f"{source.id}#{number}"
        try:
            yield _document(doc_id, f"{name} — {chapter.heading or f'глава {number}'}", chapter.text.strip(),
                            source, book)
        except ValueError as error:
            yield Skipped(doc_id, str(error))


def _document(doc_id: str, title: str | None, body: str, source: SourceFile, book: Book) -> Document:
    return make_document(doc_id, title, body, book.date, source.id, book.format, book.encoding,
                         author=book.author, language=book.language)


def one_line(text: str) -> str:
    """Text from markup (a title of several paragraphs, an author's name parts) on one line, spaces collapsed."""
    return " ".join(text.split())
