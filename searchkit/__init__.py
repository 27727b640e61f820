"""searchkit: full-text search for Russian text.

Russian words are lemmatised with pymorphy3, so any form of a word finds every other form; hits are ranked with
BM25F and come with snippets that mark the original word forms that matched. Everything a caller needs is named
here; ARCHITECTURE.md at the repository's root maps the package.
"""

from .analysis import AnalyzedToken, analyze
from .compiled import FACETS, ORDERS as SORTS
from .backends import CheckReport, IndexStats
from .documents import HTML_MODES, Document, Skipped, formats
from .engine import Index
from .errors import (DocumentError, DocumentNotFoundError, IncompatibleIndexError, IndexDamagedError, IndexLockedError,
                     IndexNotFoundError, NotFoundError, QueryError, SearchkitError, SettingsError)
from .index import Batch, Interrupted, Progress, RebuildInterrupted, SyncReport, default_index_dir
from .search import Explanation, Hit, QueryPlan, SearchResults, Snippet, Span
from .search.results import ROW_FIELDS
from .search.query import FIELDS as QUERY_FIELDS, OPERATORS as QUERY_OPERATORS, SYNTAX as QUERY_SYNTAX
from .search.query import lex as lex_query
from .search.synonyms import Expansion as SynonymExpansion, Rule as SynonymRule
from .settings import AnalyzerSettings, RankingSettings, Settings, Source, SynonymSettings

__version__ = "0.1.0"

__all__ = ["Batch", "FACETS", "ROW_FIELDS", "SORTS", "HTML_MODES", "AnalyzedToken", "CheckReport", "AnalyzerSettings", "Document", "DocumentError", "DocumentNotFoundError", "Explanation",
           "Hit", "IncompatibleIndexError", "Index", "IndexDamagedError", "IndexLockedError", "IndexNotFoundError", "IndexStats", "Interrupted",
           "NotFoundError", "Progress", "QUERY_FIELDS", "QUERY_OPERATORS", "QUERY_SYNTAX", "QueryError", "QueryPlan",
           "RankingSettings", "RebuildInterrupted", "SearchResults", "SearchkitError", "Settings", "SettingsError",
           "Skipped", "Snippet", "Source", "Span", "SynonymExpansion", "SynonymRule", "SynonymSettings", "SyncReport",
           "__version__", "analyze", "default_index_dir", "formats", "lex_query"]
