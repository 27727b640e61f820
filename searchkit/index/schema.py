"""The index schema: which fields a document has, how each is analysed and what is stored for display."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from ..analysis import build_analyzer
from ..settings import AnalyzerSettings

#: Fields searched by plain query words; their query-time boosts come from the ranking settings.
TEXT_FIELDS = ("title", "body")


def build_schema(settings: AnalyzerSettings) -> Schema:
    """Fields: ``id`` (unique), ``path`` and ``source_key`` (for incremental updates of files), ``title`` and
    ``body`` (lemmatised with positions, stored for snippets), ``date``, ``format``, ``encoding``, ``hash``."""
    analyzer = build_analyzer(settings)
    return Schema(
        id=ID(unique=True, stored=True),
        path=ID(stored=True),
        source_key=ID(),
        title=TEXT(analyzer=analyzer, phrase=True, stored=True),
        body=TEXT(analyzer=analyzer, phrase=True, stored=True),
        date=DATETIME(stored=True),
        format=ID(stored=True),
        encoding=STORED(),
        hash=STORED(),
    )
