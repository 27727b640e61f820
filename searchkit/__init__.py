"""searchkit: full-text search for Russian text.

Russian words are lemmatised with pymorphy3, so any form of a word finds every other form; hits are ranked with
BM25F and come with snippets that mark the original word forms that matched. Everything a caller needs is named
here; ARCHITECTURE.md at the repository's root maps the package.

Each name is imported from its module when it is first used (PEP 562), so ``import searchkit`` costs next to
nothing and a command loads only what it needs: a search never loads the document readers, ``--help`` not even
the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Each public name: the module it comes from, and its name there when that differs.
_PUBLIC: dict[str, tuple[str, str]] = {
    **{name: ("analysis", name) for name in ("AnalyzedToken", "analyze")},
    "FACETS": ("compiled", "FACETS"), "SORTS": ("compiled", "ORDERS"),
    **{name: ("backends", name) for name in ("CheckReport", "IndexStats")},
    **{name: ("documents", name) for name in ("HTML_MODES", "Document", "Skipped")},
    "formats": ("documents.registry", "formats"),  # ``documents.formats`` is the package of the readers
    "Index": ("engine", "Index"),
    **{name: ("errors", name) for name in (
        "DocumentError", "DocumentNotFoundError", "IncompatibleIndexError", "IndexDamagedError", "IndexLockedError",
        "IndexNotFoundError", "NotFoundError", "QueryError", "SearchkitError", "SettingsError")},
    **{name: ("index", name) for name in (
        "Batch", "Interrupted", "Progress", "RebuildInterrupted", "SyncReport", "default_index_dir",
        "index_location")},
    **{name: ("search", name) for name in ("Explanation", "Hit", "QueryPlan", "SearchResults", "Snippet", "Span")},
    "ROW_FIELDS": ("search.results", "ROW_FIELDS"),
    "QUERY_FIELDS": ("search.query", "FIELDS"), "QUERY_OPERATORS": ("search.query", "OPERATORS"),
    "QUERY_SYNTAX": ("search.query", "SYNTAX"), "lex_query": ("search.query", "lex"),
    "SynonymExpansion": ("search.synonyms", "Expansion"), "SynonymRule": ("search.synonyms", "Rule"),
    **{name: ("settings", name) for name in (
        "AnalyzerSettings", "RankingSettings", "Settings", "Source", "SynonymSettings")},
}

__all__ = sorted([*_PUBLIC, "__version__"])


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'searchkit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value  # the next use is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


if TYPE_CHECKING:  # the same names, for type checkers and editors
    from .analysis import AnalyzedToken, analyze
    from .backends import CheckReport, IndexStats
    from .compiled import FACETS, ORDERS as SORTS
    from .documents import HTML_MODES, Document, Skipped, formats
    from .engine import Index
    from .errors import (DocumentError, DocumentNotFoundError, IncompatibleIndexError, IndexDamagedError,
                         IndexLockedError, IndexNotFoundError, NotFoundError, QueryError, SearchkitError, SettingsError)
    from .index import Batch, Interrupted, Progress, RebuildInterrupted, SyncReport, default_index_dir, index_location
    from .search import Explanation, Hit, QueryPlan, SearchResults, Snippet, Span
    from .search.query import FIELDS as QUERY_FIELDS, OPERATORS as QUERY_OPERATORS, SYNTAX as QUERY_SYNTAX
    from .search.query import lex as lex_query
    from .search.results import ROW_FIELDS
    from .search.synonyms import Expansion as SynonymExpansion, Rule as SynonymRule
    from .settings import AnalyzerSettings, RankingSettings, Settings, Source, SynonymSettings
