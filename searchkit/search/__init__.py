"""The search stage: query language, compilation to Whoosh queries, ranking, hits and snippets."""

from .explain import Explanation, WordExplanation, explain
from .query import parse
from .searcher import Hit, SearchResults, compile_query, search
from .snippets import Fragment, Snippet, Span

__all__ = ["Explanation", "Fragment", "Hit", "SearchResults", "Snippet", "Span", "compile_query", "explain", "parse", "search", "WordExplanation"]
