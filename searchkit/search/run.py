"""Running a query against one commit: parse, plan, compile, rank, and build hits with snippets.

Every function here takes the commit's :class:`~searchkit.backends.SearchContext`, so one search reads one commit
from start to end, and the index's settings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..analysis import Analyzer, get_analyzer
from ..backends import SearchContext
from ..compiled import TEXT_FIELDS
from ..documents import Document
from ..errors import DocumentNotFoundError, QueryError
from ..settings import Settings
from .compile import Compiled, QueryCompiler
from .corrections import propose
from .homonyms import HOMONYM_SAMPLE, homonyms
from .plan import QueryPlan, Rewrite
from .query import Node, parse, positive_leaves
from .results import Hit, SearchResults
from .snippets import Span, find_matches, make_snippet
from .synonyms import Synonyms


def compile_query(context: SearchContext, settings: Settings, text: str, synonyms: Synonyms | None = None) -> Compiled:
    """Parse and compile ``text`` against this commit; raises :class:`~searchkit.errors.QueryError`."""
    return QueryCompiler(context, settings, synonyms).compile(parse(text), text)


@dataclass
class _Run:
    tree: Node
    compiled: Compiled
    order: str
    hits: list[Hit]
    total: int
    exact: bool
    ranked: tuple[int, ...]  # document numbers of the best HOMONYM_SAMPLE hits, for the readings' shares


def _run(context: SearchContext, settings: Settings, text: str, limit: int, offset: int, snippets: bool,
         synonyms: Synonyms | None) -> _Run:
    tree = parse(text)
    compiled = QueryCompiler(context, settings, synonyms).compile(tree, text)
    # A query of filters and dates alone has no words to rank by: its documents are listed newest first.
    order = "relevance" if positive_leaves(tree) else "newest"
    ranked = context.rank(compiled.query, max(offset + limit, HOMONYM_SAMPLE), order)
    analyzer = get_analyzer(settings.analyzer)
    highlight = highlight_terms(compiled) if snippets else {}
    shown = zip(ranked.docnums[offset:offset + limit].tolist(), ranked.scores[offset:offset + limit].tolist())
    hits = [_hit(analyzer, rank, score, context.stored(docnum), highlight)
            for rank, (docnum, score) in enumerate(shown, start=offset + 1)]
    return _Run(tree, compiled, order, hits, ranked.total, ranked.exact,
                tuple(ranked.docnums[:HOMONYM_SAMPLE].tolist()))


def search(context: SearchContext, settings: Settings, text: str, limit: int = 10, offset: int = 0,
           snippets: bool = True, correct: bool = True, synonyms: Synonyms | None = None) -> SearchResults:
    """The hits ranked ``offset`` to ``offset + limit`` for the query ``text``, and the total number of hits.

    With ``correct`` (the default), a query typed in the wrong keyboard layout, a name in Latin letters, or a
    misspelt word is corrected when that is clearly meant, or the correction is suggested
    (:func:`~searchkit.search.corrections.propose`); ``results.plan`` tells which. ``correct=False`` searches the
    text as typed. With ``synonyms``, the words and phrases of the query that the dictionary has are also
    searched as their synonyms (after any correction), weighted below them.
    """
    started = time.perf_counter()
    try:
        run: _Run | None = _run(context, settings, text, limit, offset, snippets, synonyms)
        error: QueryError | None = None
    except QueryError as problem:
        if not correct:
            raise
        run, error = None, problem
    rewrite = propose(context, settings.analyzer, text) if correct else None
    correction = suggestion = None
    if rewrite is not None:
        try:
            alternative: _Run | None = _run(context, settings, rewrite.query, limit, offset, snippets, synonyms)
        except QueryError:
            alternative = None
        if alternative is not None:
            rewrite = Rewrite(rewrite.original, rewrite.query, rewrite.changes, rewrite.clear, rewrite.confident,
                              alternative.total)
            found_nothing = run is None or run.total == 0
            if rewrite.clear and (found_nothing or alternative.total > 0) or \
                    found_nothing and rewrite.confident and alternative.total > 0:
                run, correction = alternative, rewrite
            elif alternative.total > 0:
                suggestion = rewrite
    if run is None:
        assert error is not None
        raise error
    searched = correction.query if correction else text
    plan = QueryPlan(text, searched, correction, suggestion,
                     homonyms(context, settings.analyzer, run.tree, run.ranked), tuple(run.compiled.expansions),
                     tuple(run.compiled.synonyms))
    return SearchResults(searched, run.hits, run.total, time.perf_counter() - started, offset, run.exact, plan,
                         context.generation, run.order)


def highlight_terms(compiled: Compiled) -> dict[str, set[str]]:
    """Per field, the index terms whose words should be marked: the query's own, its prefixes' expansions and
    its synonyms'."""
    terms: dict[str, set[str]] = {name: set() for name in TEXT_FIELDS}
    for field, term in compiled.terms:
        terms[field].add(term)
    return terms


def document_number(context: SearchContext, doc_id: str) -> int:
    """The number of the live document ``doc_id``; raises :class:`~searchkit.errors.DocumentNotFoundError`."""
    docnum = context.find("id", doc_id)
    if docnum is None:
        raise DocumentNotFoundError(f"no document with id {doc_id!r} in the index")
    return docnum


def marked_document(context: SearchContext, settings: Settings, doc_id: str,
                    text: str | None = None, synonyms: Synonyms | None = None) -> tuple[Document, tuple[Span, ...]]:
    """A document and every word of its body that the query ``text`` matches (none without a query), to show it
    whole."""
    document = context.stored(document_number(context, doc_id))
    if not text:
        return document, ()
    terms = highlight_terms(compile_query(context, settings, text, synonyms))["body"]
    return document, tuple(find_matches(get_analyzer(settings.analyzer), document.body, terms))


def _hit(analyzer: Analyzer, rank: int, score: float, document: Document,
         highlight: dict[str, set[str]]) -> Hit:
    body_matches = find_matches(analyzer, document.body, highlight["body"]) if highlight.get("body") else []
    title_matches = find_matches(analyzer, document.title, highlight["title"]) if highlight.get("title") else []
    return Hit(rank=rank, score=score, id=document.id, title=document.title, date=document.date,
               path=document.path, format=document.format,
               snippet=make_snippet(document.body, body_matches, pages=document.pages),
               title_highlights=tuple(title_matches), author=document.author, modified=document.modified)
