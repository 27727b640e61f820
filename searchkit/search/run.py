"""Running a query against one commit: parse, plan, compile, rank, and build hits with snippets.

Every function here takes the commit's :class:`~searchkit.backends.SearchContext`, so one search reads one commit
from start to end, and the index's settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..analysis import Analyzer, Lexicon, get_analyzer
from ..backends import Ranked, SearchContext
from ..compiled import FACETS, ORDERS, TEXT_FIELDS
from ..documents import Document
from ..errors import DocumentNotFoundError, QueryError, SearchkitError
from ..settings import Settings
from .compile import Compiled, QueryCompiler
from .corrections import propose
from .homonyms import HOMONYM_SAMPLE, homonyms
from .plan import QueryPlan, Rewrite
from .query import Node, parse, positive_leaves
from .results import Hit, SearchResults
from .snippets import Snippet, Span, find_matches, make_snippet
from .synonyms import Synonyms

#: Ranked documents read beyond those shown, so that exact duplicates folded away leave the page full.
DUPLICATES_READ_AHEAD = 10
NO_AUTHORS = ("no document in this index has an author, so author: matches nothing (authors come from the metadata "
              "of Word, OpenDocument, RTF, PDF, EPUB and FB2 files and from e-mail)")


def compile_query(context: SearchContext, settings: Settings, text: str, synonyms: Synonyms | None = None) -> Compiled:
    """Parse and compile ``text`` against this commit; raises :class:`~searchkit.errors.QueryError`."""
    return QueryCompiler(context, settings, synonyms).compile(parse(text), text)


@dataclass
class _Run:
    """A query ranked. Its page (the documents read, exact duplicates folded, snippets made) is built only for
    the run that is shown, as a corrected query is also ranked to weigh it against the typed one."""

    tree: Node
    compiled: Compiled
    order: str
    ranked: Ranked
    notes: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.ranked.total

    @property
    def sample(self) -> tuple[int, ...]:
        """Document numbers of the best HOMONYM_SAMPLE hits, for the readings' shares."""
        return tuple(self.ranked.docnums[:HOMONYM_SAMPLE].tolist())

    def hits(self, context: SearchContext, settings: Settings, limit: int, offset: int, snippets: bool) -> list[Hit]:
        read: dict[int, Document] = {}  # the documents read so far: folding duplicates reads those it shows

        def stored(docnum: int) -> Document:
            document = read.get(docnum)
            if document is None:
                document = read[docnum] = context.stored(docnum)
            return document

        def facts(docnum: int) -> tuple[str, str]:
            document = stored(docnum)
            return document.hash, document.path

        ranked = self.ranked
        page = _collapsed(ranked.docnums.tolist(), ranked.scores.tolist(), offset + limit, facts)
        if len(page) < offset + limit and len(ranked.docnums) < ranked.total:  # many duplicates: read every match
            every = context.rank(self.compiled.query, None, self.order)
            page = _collapsed(every.docnums.tolist(), every.scores.tolist(), offset + limit, facts)
        analyzer = get_analyzer(settings.analyzer)
        highlight = highlight_terms(self.compiled) if snippets else {}
        return [_hit(analyzer, context.lexicon, rank, score, stored(docnum), highlight, also)
                for rank, (docnum, score, also) in enumerate(page[offset:], start=offset + 1)]


def _order(tree: Node, sort: str) -> str:
    """The order asked for; a query of filters and dates alone has no words to rank by, so by relevance it is
    listed newest first."""
    if sort not in ORDERS:
        raise SearchkitError(f"sort={sort!r}: choose one of {', '.join(ORDERS)}")
    return sort if sort != "relevance" or positive_leaves(tree) else "newest"


def _run(context: SearchContext, settings: Settings, text: str, limit: int, offset: int, sort: str,
         facets: tuple[str, ...], synonyms: Synonyms | None) -> _Run:
    """The query ranked, enough of it for the page ``offset`` to ``offset + limit`` with duplicates folded."""
    tree = parse(text)
    compiler = QueryCompiler(context, settings, synonyms)
    compiled = compiler.compile(tree, text)
    order = _order(tree, sort)
    ranked = context.rank(compiled.query, max(2 * (offset + limit) + DUPLICATES_READ_AHEAD, HOMONYM_SAMPLE), order,
                          facets)
    notes = (NO_AUTHORS,) if compiler.authors_asked and next(iter(context.terms("author", "")), None) is None else ()
    return _Run(tree, compiled, order, ranked, notes)


def _collapsed(docnums: list[int], scores: list[float], wanted: int, facts: Callable[[int], tuple[str, str]]
               ) -> list[tuple[int, float, tuple[str, ...]]]:
    """The first ``wanted`` of the ranked documents with exact duplicates folded in: a document of another file
    with the same content (the same hash) as one ranked before it is left out, and its path listed with that
    one. Records and parts of one file are never folded together, nor documents with no file. ``facts``: a
    document's hash and path, asked for in rank order and no further than needed."""
    kept: list[tuple[int, float, list[str]]] = []
    first: dict[str, tuple[str, list[str]]] = {}
    for docnum, score in zip(docnums, scores) if wanted else ():
        digest, path = facts(docnum)
        earlier = first.get(digest) if digest and path else None
        if earlier is not None and earlier[0] != path:
            if path not in earlier[1]:
                earlier[1].append(path)
            continue
        also: list[str] = []
        kept.append((docnum, score, also))
        if digest and path:
            first.setdefault(digest, (path, also))
        if len(kept) == wanted:  # no document past the page is read
            break
    return [(docnum, score, tuple(also)) for docnum, score, also in kept]


def search(context: SearchContext, settings: Settings, text: str, limit: int = 10, offset: int = 0,
           snippets: bool = True, correct: bool = True, sort: str = "relevance",
           facets: tuple[str, ...] = (), synonyms: Synonyms | None = None) -> SearchResults:
    """The hits ranked ``offset`` to ``offset + limit`` for the query ``text`` in the order ``sort``, the total
    number of hits, and their counts by each of ``facets``.

    With ``correct`` (the default), a query typed in the wrong keyboard layout, a name in Latin letters, or a
    misspelt word is corrected when that is clearly meant, or the correction is suggested
    (:func:`~searchkit.search.corrections.propose`); ``results.plan`` tells which. ``correct=False`` searches the
    text as typed. With ``synonyms``, the words and phrases of the query that the dictionary has are also
    searched as their synonyms (after any correction), weighted below them.
    """
    unknown = [name for name in facets if name not in FACETS]
    if unknown:
        raise SearchkitError(f"no facet {unknown[0]!r}: the facets are {', '.join(FACETS)}")
    started = time.perf_counter()
    try:
        run: _Run | None = _run(context, settings, text, limit, offset, sort, facets, synonyms)
        error: QueryError | None = None
    except QueryError as problem:
        if not correct:
            raise
        run, error = None, problem
    rewrite = propose(context, settings.analyzer, text) if correct else None
    correction = suggestion = None
    if rewrite is not None:
        try:
            alternative: _Run | None = _run(context, settings, rewrite.query, limit, offset, sort, facets, synonyms)
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
                     homonyms(context, settings.analyzer, run.tree, run.sample), tuple(run.compiled.expansions),
                     synonyms=tuple(run.compiled.synonyms), notes=run.notes)
    hits = run.hits(context, settings, limit, offset, snippets)
    return SearchResults(searched, hits, run.total, time.perf_counter() - started, offset, run.ranked.exact, plan,
                         context.generation, run.order, run.ranked.facets)


def _every_match(context: SearchContext, settings: Settings, results: SearchResults, synonyms: Synonyms | None
                 ) -> tuple[Compiled, Ranked]:
    """The query of ``results`` (as the search corrected it) compiled again, and all its matches in its order."""
    compiled = compile_query(context, settings, results.query, synonyms)
    return compiled, context.rank(compiled.query, None, results.order)


def every_hit(context: SearchContext, settings: Settings, results: SearchResults, snippets: bool = True,
              synonyms: Synonyms | None = None) -> Iterator[Hit]:
    """Every document the query of ``results`` (a search's, so corrected as it was) matches, as hits in its
    order, built one at a time: the ranking is two arrays, so 60,000 hits take no more memory than ten."""
    compiled, ranked = _every_match(context, settings, results, synonyms)
    analyzer = get_analyzer(settings.analyzer)
    highlight = highlight_terms(compiled) if snippets else {}
    for rank, (docnum, score) in enumerate(zip(ranked.docnums.tolist(), ranked.scores.tolist()), start=1):
        yield _hit(analyzer, context.lexicon, rank, score, context.stored(docnum), highlight, ())


def matching_files(context: SearchContext, settings: Settings, results: SearchResults,
                   synonyms: Synonyms | None = None) -> list[Hit]:
    """The files the query of ``results`` matches, each once, best first (by its best document), with the
    documents of files of exactly the same content folded in (their paths in ``duplicates``). A document added
    through the library, which has no file, stands for itself. Hits carry no snippets."""
    _, ranked = _every_match(context, settings, results, synonyms)
    docnums, scores = ranked.docnums.tolist(), ranked.scores.tolist()
    seen: set[str] = set()
    best: list[int] = []
    path_of: dict[int, str] = {}
    for n, (docnum, path) in enumerate(zip(docnums, context.keywords("path", docnums))):
        if not path or path not in seen:
            seen.add(path)
            best.append(n)
            path_of[docnum] = path
    files_ranked = [docnums[n] for n in best]
    hash_of = dict(zip(files_ranked, context.keywords("hash", files_ranked)))
    files = _collapsed(files_ranked, [scores[n] for n in best], len(best),
                       lambda docnum: (hash_of[docnum], path_of[docnum]))
    return [Hit(rank, score, document.id, document.title, document.date, document.path or document.id,
                document.format, Snippet((), False, False), (), document.author, document.modified, also)
            for rank, (docnum, score, also) in enumerate(files, start=1)
            for document in (context.stored(docnum),)]


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
    return document, tuple(find_matches(get_analyzer(settings.analyzer), document.body, terms, context.lexicon))


def _hit(analyzer: Analyzer, lexicon: Lexicon | None, rank: int, score: float, document: Document,
         highlight: dict[str, set[str]], duplicates: tuple[str, ...]) -> Hit:
    body_matches = find_matches(analyzer, document.body, highlight["body"], lexicon, positions=False) \
        if highlight.get("body") else []
    title_matches = find_matches(analyzer, document.title, highlight["title"], lexicon, positions=False) \
        if highlight.get("title") else []
    return Hit(rank=rank, score=score, id=document.id, title=document.title, date=document.date,
               path=document.path, format=document.format,
               snippet=make_snippet(document.body, body_matches, pages=document.pages),
               title_highlights=tuple(title_matches), author=document.author, modified=document.modified,
               duplicates=duplicates)
