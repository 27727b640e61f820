"""searchkit: full-text search for Russian text.

Russian words are lemmatised with pymorphy3, so any form of a word finds every other form; hits are ranked with
BM25F and come with snippets that mark the original word forms that matched.
"""

from .documents import Document, Skipped
from .engine import Index
from .errors import IncompatibleIndexError, IndexLockedError, IndexNotFoundError, QueryError, SearchkitError
from .search import Hit, SearchResults, Snippet
from .settings import AnalyzerSettings, RankingSettings, Settings

__version__ = "0.1.0"

__all__ = ["AnalyzerSettings", "Document", "Hit", "IncompatibleIndexError", "Index", "IndexLockedError",
           "IndexNotFoundError", "QueryError", "RankingSettings", "SearchResults", "SearchkitError", "Settings",
           "Skipped", "Snippet", "__version__"]
