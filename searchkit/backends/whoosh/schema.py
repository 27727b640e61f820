"""The Whoosh schema: which fields a document has, how each is analysed and what is stored for display.

Whoosh pickles the schema, analyzer included, into the index. :class:`WhooshAnalyzer` holds only the analyzer
settings and calls searchkit's own analysis (:meth:`searchkit.analysis.Analyzer.tokens`), so the pickle stays
small and stable; its import path is part of the index format (``SCHEMA_VERSION``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from ...analysis import get_analyzer
from ...settings import AnalyzerSettings
from .form_lexicon import recording


class WhooshAnalyzer(Analyzer):
    """searchkit's analysis as a Whoosh analyzer: one Whoosh token per index term of each word that is not a
    stop word, at the word's position and offsets, boosted by the term's weight (which Whoosh adds up into the
    term's frequency in the document). With ``exact_forms``, a word whose terms are not just its folded form also
    gets its exact-form term ``=form`` when a document is indexed. Each indexed word's folded form goes to the
    segment's lexicon (:func:`~searchkit.backends.whoosh.form_lexicon.recording`)."""

    def __init__(self, settings: AnalyzerSettings) -> None:
        self.settings = settings

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.settings == self.settings  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self.settings)

    def __call__(self, value: str, positions: bool = False, chars: bool = False, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, mode=mode, **kwargs)
        exact = self.settings.exact_forms and mode == "index"
        forms = recording() if mode == "index" else None
        for found in get_analyzer(self.settings).tokens(value):
            word = found.word
            if forms is not None:
                forms.add(word.folded)
            if positions:
                token.pos = found.position
            if chars:
                token.startchar, token.endchar = found.start, found.end
            for term, weight in () if word.stopword else word.weighted:
                token.text, token.boost = term, weight
                yield token
            if exact and word.has_exact_term:
                token.text, token.boost = word.exact, 1.0
                yield token


def build_schema(settings: AnalyzerSettings) -> Schema:
    """Fields: ``id`` (unique), ``path`` and ``source_key`` (for incremental updates of files), ``title`` and
    ``body`` (analysed with positions, stored for snippets), ``date``, ``format``, ``encoding``, ``hash``, and the
    metadata of the richer formats: ``author`` (analysed, for filtering by it, and as written in ``author_name``,
    for counting by it), ``language``, ``pages`` (where each page begins in the body) and the file's ``modified``
    time. ``path``, ``folder`` (the one below the indexed folder, for counting by it), ``format``, ``hash`` and
    ``author_name`` are keywords: filters, facets and duplicates read them."""
    analyzer = WhooshAnalyzer(settings)
    return Schema(
        id=ID(unique=True, stored=True),
        path=ID(stored=True),
        folder=ID(),
        source_key=ID(),
        title=TEXT(analyzer=analyzer, phrase=True, stored=True),
        body=TEXT(analyzer=analyzer, phrase=True, stored=True),
        date=DATETIME(stored=True),
        format=ID(stored=True),
        encoding=STORED(),
        hash=ID(stored=True),
        author=TEXT(analyzer=analyzer, phrase=False, stored=True),
        author_name=ID(),
        language=ID(stored=True),
        pages=STORED(),
        modified=DATETIME(stored=True),
    )
