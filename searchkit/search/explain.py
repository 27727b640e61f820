"""Why a document matched: for each query word, its normal forms, the document's words that matched them,
their positions, and the word's share of the BM25F score.

Each word's share is the score of that word's own query on the document, plus that of its root terms when
the whole query matches the document (roots add to a hit's score, they never make one); the hit's score is the
sum of these shares for queries that combine words with OR and AND (Whoosh adds the scores of matching
sub-queries). A word or run of words with synonyms is one entry, its share that of the best of them, and it
names each synonym the document has, with the forms that matched it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis import get_analyzer
from ..backends import SearchContext
from ..compiled import TEXT_FIELDS
from ..errors import QueryError
from ..settings import Settings
from .compile import QueryCompiler
from . import query as ast
from .query import parse, positive_leaves
from .run import document_number, highlight_terms
from .snippets import Span, find_matches
from .synonyms import Expanded, Synonyms


def _matches_json(matches: dict[str, tuple[Span, ...]], texts: dict[str, str]) -> dict[str, Any]:
    return {name: [{"form": texts.get(name, "")[s.start:s.end], "start": s.start, "end": s.end,
                    "position": s.position, "term": s.term} for s in spans]
            for name, spans in matches.items()}


@dataclass(frozen=True)
class SynonymMatch:
    """A synonym of a query word that the document has, and its words there that matched it."""

    text: str
    matches: dict[str, tuple[Span, ...]]

    def to_json(self, texts: dict[str, str]) -> dict[str, Any]:
        return {"synonym": self.text, "matches": _matches_json(self.matches, texts)}


@dataclass(frozen=True)
class WordExplanation:
    """One query word or phrase: what it was analysed into and what it found in the document."""

    text: str
    field: str | None
    terms: tuple[str, ...]
    matches: dict[str, tuple[Span, ...]]  # field name -> matched words in that field's text
    score: float
    #: The word's synonyms that the document has (their forms are among ``matches`` too).
    synonyms: tuple[SynonymMatch, ...] = ()

    def to_json(self, texts: dict[str, str]) -> dict[str, Any]:
        """``texts``: the document's stored fields, to show each matched form as written."""
        return {"word": self.text, "field": self.field, "terms": list(self.terms), "score": round(self.score, 6),
                "matches": _matches_json(self.matches, texts),
                "synonyms": [synonym.to_json(texts) for synonym in self.synonyms]}


@dataclass(frozen=True)
class Explanation:
    doc_id: str
    title: str
    score: float
    words: tuple[WordExplanation, ...]
    #: The document's stored text fields, which the matches' offsets point into.
    texts: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.doc_id, "title": self.title, "score": round(self.score, 6),
                "words_total": round(sum(w.score for w in self.words), 6),
                "words": [w.to_json(self.texts) for w in self.words]}


def explain(context: SearchContext, settings: Settings, text: str, doc_id: str,
            synonyms: Synonyms | None = None) -> Explanation:
    """Explain the score of document ``doc_id`` for the query ``text`` (searched with ``synonyms``)."""
    docnum = document_number(context, doc_id)
    document = context.stored(docnum)
    fields = {"title": document.title, "body": document.body}
    compiler = QueryCompiler(context, settings, synonyms)
    tree = compiler.expand(parse(text))
    total = context.score(compiler.compile(tree, text).query, docnum)
    analyzer = get_analyzer(settings.analyzer)
    # A title made up from the first sentence is stored for display but not indexed: nothing in it can match.
    indexed = {name for name in TEXT_FIELDS if context.field_length(docnum, name)}
    words = []
    for leaf in positive_leaves(tree, (ast.Word, ast.Phrase, Expanded)):
        try:
            compiled = compiler.compile(leaf, text)
        except QueryError:
            continue  # a stop word: nothing indexed, nothing scored
        terms_by_field = highlight_terms(compiled)
        matches = {name: tuple(find_matches(analyzer, fields[name], terms, context.lexicon)) if name in indexed else ()
                   for name, terms in terms_by_field.items() if terms}
        terms = tuple(sorted({term for field_terms in terms_by_field.values() for term in field_terms}))
        score = context.score(compiled.matching, docnum)
        if compiled.roots is not None and total > 0:
            score += context.score(compiled.roots, docnum)
        found = _synonyms_found(context, settings, leaf, docnum, fields, indexed) if isinstance(leaf, Expanded) else ()
        words.append(WordExplanation(leaf.text, leaf.field, terms, matches, score, found))
    return Explanation(doc_id, document.title, total, tuple(words), fields)


def _synonyms_found(context: SearchContext, settings: Settings, leaf: Expanded, docnum: int,
                    fields: dict[str, str], indexed: set[str]) -> tuple[SynonymMatch, ...]:
    """The synonyms of ``leaf`` (each phrase searched beside it) that the document has, with their words."""
    compiler = QueryCompiler(context, settings)  # no dictionary: a synonym is searched as itself
    found = []
    for variant in leaf.variants:
        try:
            compiled = compiler.compile(ast.Phrase(variant, leaf.field, leaf.position, leaf.slop), variant)
        except QueryError:
            continue  # stop words only
        if context.score(compiled.matching, docnum) > 0:
            spans = {name: tuple(find_matches(get_analyzer(settings.analyzer), fields[name], terms, context.lexicon))
                     for name, terms in highlight_terms(compiled).items() if terms and name in indexed}
            found.append(SynonymMatch(variant, {name: s for name, s in spans.items() if s}))
    return tuple(found)
