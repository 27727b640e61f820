"""Running a query against an index: parse, compile, rank with BM25F, and build hits with snippets."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from functools import lru_cache
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Results, Searcher

from ..analysis import WordTerms
from ..errors import QueryError
from ..index import IndexStore
from ..settings import AnalyzerSettings
from .compile import Compiled, QueryCompiler
from .plan import HOMONYM_SAMPLE, QueryPlan, Rewrite, homonyms, propose
from .query import Node, parse
from .ranking import Ranked, ranker_for
from .snippets import Snippet, Span, find_matches, make_snippet

#: Up to this many estimated hits, the total is counted exactly; above, it is Whoosh's estimate.
EXACT_COUNT_LIMIT = 5000
#: How many index terms one ``prefix*`` may mark in snippets.
MAX_PREFIX_TERMS = 1000


@dataclass(frozen=True)
class Hit:
    """One ranked document. Highlights are character offsets into ``title`` and the stored body."""

    rank: int
    score: float
    id: str
    title: str
    date: dt.date | None
    path: str
    format: str
    snippet: Snippet
    title_highlights: tuple[Span, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "path": self.path,
            "format": self.format,
            "title_highlights": [[s.start, s.end] for s in self.title_highlights],
            "snippet": {
                "text": self.snippet.marked(lambda word: word),
                "fragments": [
                    {"start": f.start, "end": f.end, "text": f.text,
                     "highlights": [{"start": s.start, "end": s.end, "form": f.text[s.start - f.start:s.end - f.start],
                                     "term": s.term} for s in f.highlights]}
                    for f in self.snippet.fragments
                ],
            },
        }


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    seconds: float
    offset: int = 0
    #: False when ``total`` is an upper estimate (see :data:`EXACT_COUNT_LIMIT`).
    total_exact: bool = True
    #: What was done to the query: ``query`` above is ``plan.query``, what was searched; ``plan.original`` is
    #: what was typed.
    plan: QueryPlan | None = None

    def to_json(self) -> dict[str, Any]:
        plan = self.plan or QueryPlan(self.query, self.query)
        return {"query": self.query, "total": self.total, "total_exact": self.total_exact, "offset": self.offset,
                "seconds": round(self.seconds, 4), "plan": plan.to_json(),
                "hits": [hit.to_json() for hit in self.hits]}


def compiler(store: IndexStore) -> QueryCompiler:
    """The query compiler for this index: its schema, ranking, reader and analyzer settings, and the document
    frequencies the ranker remembers."""
    searcher = store.searcher()
    return QueryCompiler(store.schema, store.settings.ranking, searcher.reader(), store.settings.analyzer,
                         ranker_for(searcher).doc_frequency)


def compile_query(store: IndexStore, text: str) -> Compiled:
    """Parse and compile ``text`` for this index; raises :class:`~searchkit.errors.QueryError`."""
    return compiler(store).compile(parse(text), text)


@dataclass
class _Run:
    tree: Node
    compiled: Compiled
    hits: list[Hit]
    total: int
    exact: bool
    ranked: tuple[int, ...]  # document numbers of the best HOMONYM_SAMPLE hits, for the readings' shares


def _run(store: IndexStore, text: str, limit: int, offset: int, snippets: bool) -> _Run:
    tree = parse(text)
    compiled = compiler(store).compile(tree, text)
    searcher = store.searcher()
    wanted = max(offset + limit, HOMONYM_SAMPLE)
    ranked = ranker_for(searcher).rank(compiled.query, wanted)
    if ranked is None:
        ranked = _whoosh_rank(searcher, compiled.query, wanted)
    highlight = highlight_terms(store, compiled) if snippets else {}
    hits = []
    shown = zip(ranked.docnums[offset:offset + limit].tolist(), ranked.scores[offset:offset + limit].tolist())
    for rank, (docnum, score) in enumerate(shown, start=offset + 1):
        hits.append(_hit(store, rank, score, searcher.stored_fields(docnum), highlight))
    return _Run(tree, compiled, hits, ranked.total, ranked.exact, tuple(ranked.docnums[:HOMONYM_SAMPLE].tolist()))


def _whoosh_rank(searcher: Searcher, query: wq.Query, limit: int) -> Ranked:
    """Whoosh's own matching, for the queries the array ranker leaves to it (phrases, date ranges and such)."""
    results = searcher.search(query, limit=limit)
    total, exact = _count(results, searcher.doc_count())
    return Ranked(np.array([hit.docnum for hit in results], dtype=np.int64),
                  np.array([hit.score for hit in results], dtype=np.float64), total, exact)


def search(store: IndexStore, text: str, limit: int = 10, offset: int = 0, snippets: bool = True,
           correct: bool = True) -> SearchResults:
    """The hits ranked ``offset`` to ``offset + limit`` for the query ``text``, and the total number of hits.

    With ``correct`` (the default), a query typed in the wrong keyboard layout, a name in Latin letters, or a
    misspelt word is corrected when that is clearly meant, or the correction is suggested
    (:func:`~searchkit.search.plan.propose`); ``results.plan`` tells which. ``correct=False`` searches the text
    as typed.
    """
    started = time.perf_counter()
    try:
        run: _Run | None = _run(store, text, limit, offset, snippets)
        error: QueryError | None = None
    except QueryError as problem:
        if not correct:
            raise
        run, error = None, problem
    rewrite = propose(store, text) if correct else None
    correction = suggestion = None
    if rewrite is not None:
        try:
            alternative: _Run | None = _run(store, rewrite.query, limit, offset, snippets)
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
    plan = QueryPlan(text, searched, correction, suggestion, homonyms(store, run.tree, run.ranked),
                     tuple(run.compiled.expansions))
    return SearchResults(searched, run.hits, run.total, time.perf_counter() - started, offset, run.exact, plan)


def _count(results: Results, documents: int) -> tuple[int, bool]:
    """The number of hits: exact when Whoosh's estimate says there are few, else the estimate (capped at the
    number of documents), since counting every match of a common word costs more than ranking the top ones."""
    estimate = results.estimated_length()
    if results.has_exact_length() or estimate <= EXACT_COUNT_LIMIT:
        return len(results), True
    return min(estimate, documents), False


def marked_document(store: IndexStore, text: str, doc_id: str) -> tuple[dict[str, Any], tuple[Span, ...]]:
    """A document's stored fields and every word of its body that the query ``text`` matches, to show it whole."""
    fields = store.searcher().document(id=doc_id) or {}
    body = fields.get("body", "")
    terms = highlight_terms(store, compile_query(store, text))["body"]
    return fields, tuple(find_matches(word_terms(store.settings.analyzer), body, terms))


@lru_cache(maxsize=8)
def word_terms(settings: AnalyzerSettings) -> WordTerms:
    """The analysis of single words under the index's analyzer settings, shared by the searches of a process."""
    return WordTerms(settings)


def highlight_terms(store: IndexStore, compiled: Compiled) -> dict[str, set[str]]:
    """Per field, the index terms whose words should be marked: the query's own and its prefixes' expansions."""
    reader = store.searcher().reader()
    terms: dict[str, set[str]] = {"title": set(), "body": set()}
    for field, term in compiled.terms:
        terms[field].add(term)
    for field, prefix in compiled.prefixes:
        expanded = itertools.islice(reader.expand_prefix(field, prefix), MAX_PREFIX_TERMS)
        terms[field].update(term.decode("utf-8") if isinstance(term, bytes) else term for term in expanded)
    return terms


def _hit(store: IndexStore, rank: int, score: float, fields: dict[str, Any],
         highlight: dict[str, set[str]]) -> Hit:
    body = fields.get("body", "")
    title = fields.get("title", "")
    terms_of = word_terms(store.settings.analyzer)
    body_matches = find_matches(terms_of, body, highlight["body"]) if highlight.get("body") else []
    title_matches = find_matches(terms_of, title, highlight["title"]) if highlight.get("title") else []
    date = fields.get("date")
    return Hit(
        rank=rank,
        score=score,
        id=fields["id"],
        title=title,
        date=date.date() if date else None,
        path=fields.get("path", ""),
        format=fields.get("format", ""),
        snippet=make_snippet(body, body_matches),
        title_highlights=tuple(title_matches),
    )
