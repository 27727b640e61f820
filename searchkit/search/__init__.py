"""The search stage: the query language, planning (corrections, homonym readings, roots, prefixes), compiling
into :mod:`searchkit.compiled` queries, hits, snippets and explain. Engine-neutral: a backend ranks."""

from .compile import Compiled, QueryCompiler
from .explain import Explanation, WordExplanation, explain
from .plan import QueryPlan
from .query import parse
from .results import Hit, SearchResults
from .run import compile_query, every_hit, marked_document, matching_files, search
from .snippets import Fragment, Snippet, Span

__all__ = ["Compiled", "Explanation", "Fragment", "Hit", "QueryCompiler", "QueryPlan", "SearchResults", "Snippet",
           "Span", "WordExplanation", "compile_query", "every_hit", "explain", "marked_document", "matching_files", "parse",
           "search"]
