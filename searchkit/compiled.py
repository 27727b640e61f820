"""Compiled queries: searchkit's own query objects, which the search stage makes and a backend ranks.

The search stage parses a query and plans it (corrections, homonym readings, roots, prefixes) into a tree of
these small immutable objects; a backend translates the tree into its engine's queries or evaluates it itself
(``searchkit.backends``). So neither stage imports the other: both import this module only.

Scoring follows BM25F over the text fields: a :class:`Term` scores as its term in its field, times its boost;
:class:`Or` and :class:`And` add up their matching parts, :class:`DisMax` takes the best one. A :class:`Filter`
only decides which documents may match and adds nothing to a score.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from math import log
from typing import Union

#: The fields searched by plain query words; their query-time boosts come from the ranking settings.
TEXT_FIELDS = ("title", "body")


def bm25_idf(documents: int, frequency: int) -> float:
    """The idf of a term in ``frequency`` of ``documents`` documents, as every backend scores it (Whoosh's
    ``WeightingModel.idf``)."""
    return log(documents / (frequency + 1)) + 1


@dataclass(frozen=True)
class Term:
    """Documents having ``text`` in ``field``."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class DisMax:
    """Documents matching any part; the best-scoring part counts (a homonym's readings, a prefix's terms)."""

    parts: tuple[Query, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """Documents matching any part; the scores of the parts that match add up."""

    parts: tuple[Query, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    """Documents matching every part; their scores add up."""

    parts: tuple[Query, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AndNot:
    """Documents of ``positive`` that ``negative`` does not match, scored by ``positive``."""

    positive: Query
    negative: Query
    boost: float = 1.0


@dataclass(frozen=True)
class AndMaybe:
    """Documents of ``required``, with the score of ``optional`` added where it matches too (roots)."""

    required: Query
    optional: Query
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Terms at positions in order: ``positions`` holds (position, alternative terms) pairs, and each position
    stands exactly its distance after the previous one, plus up to ``slop`` more words."""

    field: str
    positions: tuple[tuple[int, tuple[str, ...]], ...]
    slop: int = 0
    boost: float = 1.0


@dataclass(frozen=True)
class FormInText:
    """``=form`` on an index without exact-form terms: the documents having one of ``terms`` (the form's lemmas)
    where the field's stored text has the word ``form`` itself (folded); scored as those terms."""

    field: str
    form: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class TermNotAmong:
    """``term`` at the positions where none of ``others`` stands (``=сталь``: the term «сталь» where the index's
    exact-form terms of «стали», «сталью» are not)."""

    field: str
    term: str
    others: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class DateRange:
    """Documents dated from ``start`` to ``end`` inclusive (``None``: open), as one alternative of an OR, where it
    scores ``boost`` for each document it matches."""

    start: dt.date | None
    end: dt.date | None
    boost: float = 1.0

    def holds(self, date: dt.date | None) -> bool:
        return date is not None and (self.start is None or self.start <= date) and \
            (self.end is None or date <= self.end)


@dataclass(frozen=True)
class PathPattern:
    """Files under a folder or matching a glob, on the path relative to the folder that was indexed (a file
    ``corpus/news/2025/a.txt`` of the indexed ``corpus`` is ``news/2025/a.txt``), or on the whole path.

    Without a wildcard, whole path components: ``news/2025`` is that folder (or file) and what is under it, not
    ``news/20250``. With one, gitignore's glob syntax: ``*.pdf`` at any depth, ``news/**/итоги*`` from the top."""

    pattern: str

    @property
    def is_glob(self) -> bool:
        return any(mark in self.pattern for mark in "*?[")

    def matches(self, path: str) -> bool:
        candidates = (relative_path(path), path)
        if not self.is_glob:
            folder = self.pattern.strip("/")
            return any(candidate == folder or candidate.startswith(folder + "/") for candidate in candidates)
        return any(_glob(self.pattern).match_file(candidate) for candidate in candidates)


def relative_path(path: str) -> str:
    """A file's path below the folder that was indexed: its id without the folder's name (a file indexed by
    itself has a one-component path, which stays as it is)."""
    return path.split("/", 1)[1] if "/" in path else path


def folder_of(path: str) -> str:
    """The folder one level below the indexed folder that a file is in; "" for a file at its top (or indexed
    by itself)."""
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else ""


@functools.lru_cache(maxsize=256)
def _glob(pattern: str):  # type: ignore[no-untyped-def]
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([pattern])


@dataclass(frozen=True)
class Keyword:
    """Documents whose keyword field (``format``) has this value."""

    value: str


@dataclass(frozen=True)
class Matching:
    """Documents that ``query`` matches (an analysed metadata field such as ``author``), as a filter."""

    query: Query


@dataclass(frozen=True)
class Filter:
    """A restriction on one structured field: a document passes when it passes one of ``alternatives``."""

    field: str
    alternatives: tuple[DateRange | PathPattern | Keyword | Matching, ...]


@dataclass(frozen=True)
class Filtered:
    """The documents of ``query`` (every document, when ``None``) that pass every filter; scores unchanged."""

    query: Query | None
    filters: tuple[Filter, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Nothing:
    """Matches no document (a prefix no term of the index has)."""

    boost: float = 1.0


Query = Union[Term, DisMax, Or, And, AndNot, AndMaybe, Phrase, FormInText, TermNotAmong, DateRange, Filtered, Nothing]

#: How a backend orders the documents a query matches: by score, or by date (ties by score, undated last).
ORDERS = ("relevance", "newest", "oldest")

#: What the documents a query matches can be counted by: the year and the month of their date, the folder one
#: level below the indexed folder (:func:`folder_of`), their format, and their author.
FACETS = ("year", "month", "folder", "format", "author")


def with_boost(query: Query, boost: float) -> Query:
    """``query`` with its boost multiplied by ``boost``."""
    return query if boost == 1.0 else replace(query, boost=query.boost * boost)
