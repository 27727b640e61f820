"""The index schema, and the bridge that lets analysis run in worker processes.

Whoosh analyses a field value inside ``writer.add_document``, in the writing process. :class:`AnalyzedText`
also accepts :class:`Postings` computed elsewhere from the same analyzer, so worker processes can do the
expensive part (tokenising and lemmatising) and the writer only files ready terms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from ..analysis import build_analyzer
from ..settings import AnalyzerSettings

#: Fields searched by plain query words; their query-time boosts come from the ranking settings.
TEXT_FIELDS = ("title", "body")


@dataclass(frozen=True)
class Postings:
    """A field value already analysed: Whoosh's (term bytes, frequency, weight, encoded positions) tuples."""

    items: tuple[tuple[bytes, int, float, bytes], ...]


class AnalyzedText(TEXT):
    """A TEXT field that takes either text or :class:`Postings` made by the same analyzer."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, Postings):
            return iter(value.items)
        return super().index(value, **kwargs)


def build_schema(settings: AnalyzerSettings) -> Schema:
    """Fields: ``id`` (unique), ``path`` and ``source_key`` (for incremental updates of files), ``title`` and
    ``body`` (lemmatised with positions, stored for snippets), ``date``, ``format``, ``encoding``, ``hash``."""
    analyzer = build_analyzer(settings)
    return Schema(
        id=ID(unique=True, stored=True),
        path=ID(stored=True),
        source_key=ID(),
        title=AnalyzedText(analyzer=analyzer, phrase=True, stored=True),
        body=AnalyzedText(analyzer=analyzer, phrase=True, stored=True),
        date=DATETIME(stored=True),
        format=ID(stored=True),
        encoding=STORED(),
        hash=STORED(),
    )


def postings(schema: Schema, fieldname: str, text: str) -> Postings:
    """Analyse ``text`` for ``fieldname`` exactly as the writer would."""
    return Postings(tuple(schema[fieldname].index(text)))
