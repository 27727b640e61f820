"""Syntax tree → Whoosh query, each query word passed through the index's own analyzer.

A word becomes the terms at its position (several for a homonym: ``стали`` → ``стать`` OR ``сталь``); a quoted
phrase becomes a chain of span queries that respects the exact distance between positions, so a stop word
dropped from the middle of a phrase still counts as the one word it was. A hyphenated word of two words or
more («интернет-магазин») stands for its parts, any of which may match, as if typed apart; quoted, excluded, or
split by other marks («3.14») a word is a phrase. Plain words search the title and the body, with the ranking
boosts.

The roots of the plain words looked for (see :mod:`~searchkit.search.roots`) are scored beside the query:
they add their weighted score to the documents the query matches and never match a document alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.matching import AndMaybeMatcher, DisjunctionMaxMatcher, WrappingMatcher
from whoosh.query.spans import Span, SpanNear, SpanNot, SpanOr, SpanQuery, SpanWrappingMatcher
from whoosh.util import make_binary_tree

from ..analysis import fold, get_morphology
from ..analysis.normalize import may_contain
from ..analysis.analyzer import exact_term, needs_exact_term
from ..analysis.prefixes import unprefixed
from ..analysis.stopwords import RUSSIAN_STOPWORDS
from ..analysis.tokenizer import is_compound, iter_words
from ..errors import QueryError
from ..index.schema import TEXT_FIELDS
from ..settings import AnalyzerSettings, RankingSettings
from . import query as ast
from .plan import PrefixExpansion
from .roots import root_shares

#: A ``prefix*`` matches at most this many index terms and word forms: those in most documents.
MAX_PREFIX_TERMS = 256
#: Index terms (and, separately, word forms) with the prefix looked at, in alphabetical order.
PREFIX_SCAN = 20_000
#: Words in one phrase (or one compound) at most: Whoosh nests a span query per word, and its matchers recurse.
MAX_PHRASE_WORDS = 64
#: Clauses joined by AND at most: Whoosh's intersection of many matchers recurses.
MAX_AND_CLAUSES = 256


@dataclass
class Compiled:
    """The Whoosh query, and what to highlight: the terms and prefixes of the positive (not excluded) parts.

    ``query`` is what is ranked: ``matching``, which decides the hits, with the terms sharing a root with its
    words (``roots``) adding to their scores (Whoosh's AndMaybe); just ``matching`` when there are no roots."""

    matching: wq.Query
    terms: set[tuple[str, str]] = field(default_factory=set)
    prefixes: set[tuple[str, str]] = field(default_factory=set)
    #: How each ``prefix*`` expanded, per field (only when compiled with an index reader).
    expansions: list[PrefixExpansion] = field(default_factory=list)
    roots: wq.Query | None = None

    @property
    def query(self) -> wq.Query:
        return self.matching if self.roots is None else _AndMaybe(self.matching, self.roots)


class QueryCompiler:
    """``reader`` (the index's) lets ``prefix*`` expand over the index's lemmas and word forms with a bound and
    ``=form`` exclude other forms, and brings the roots of the words; ``analyzer`` is the index's analyzer settings
    (exact forms indexed or not); ``doc_frequency(field, term)`` weighs the roots (by default the reader's; the
    searcher passes its ranker's, which remembers them for the commit)."""

    def __init__(self, schema: Schema, ranking: RankingSettings, reader=None,  # type: ignore[no-untyped-def]
                 analyzer: AnalyzerSettings | None = None,
                 doc_frequency: Callable[[str, str], int] | None = None) -> None:
        self.schema = schema
        self.boosts = {"title": ranking.title_boost, "body": ranking.body_boost}
        self.root_weight = ranking.root_weight
        self.reader = reader
        self.doc_frequency = doc_frequency or (reader.doc_frequency if reader is not None else None)
        self.analyzer = analyzer or AnalyzerSettings()
        self.morph = get_morphology(self.analyzer.terms, self.analyzer.stem_unknown)

    def compile(self, tree: ast.Node, text: str) -> Compiled:
        """Compile a parsed query; ``text`` is the original query, for error messages."""
        self._text = text
        self._terms: set[tuple[str, str]] = set()
        self._prefixes: set[tuple[str, str]] = set()
        self._expansions: list[PrefixExpansion] = []
        self._roots: list[wq.Query] = []
        self._under_not = 0
        if not _searches_for_something(tree):
            raise QueryError("the query only excludes words: add a word to search for", text)
        compiled = self._node(tree, positive=True)
        if compiled is None:
            raise QueryError("the query has only stop words (such as «и», «в», «что»), which are not indexed: "
                             "add a word that carries meaning", text)
        return Compiled(compiled, self._terms, self._prefixes, self._expansions, _combine(wq.Or, self._roots))

    def _node(self, node: ast.Node, positive: bool) -> wq.Query | None:
        if isinstance(node, ast.Word):
            return self._fields(node.field, lambda f: self._word(f, node, positive))
        if isinstance(node, ast.Phrase):
            return self._fields(node.field, lambda f: self._phrase(f, node.text, node.slop, positive))
        if isinstance(node, ast.DateRange):
            return _date_range(node)
        if isinstance(node, ast.Not):
            return self._exclusion(node, positive)
        if isinstance(node, ast.Or):
            return _combine(wq.Or, [self._node(child, positive) for child in node.children])
        joiner = wq.And if isinstance(node, ast.And) else wq.Or
        if joiner is wq.And and len(node.children) > MAX_AND_CLAUSES:
            raise QueryError(f"more than {MAX_AND_CLAUSES} clauses joined by AND", self._text)
        return self._with_exclusions(joiner, node.children, positive)

    def _exclusion(self, node: ast.Not, positive: bool) -> wq.Query | None:
        child = self._excluded(node.child, positive)
        return None if child is None else wq.Not(child)

    def _excluded(self, node: ast.Node, positive: bool) -> wq.Query | None:
        """A part under NOT. Its words never add to a hit's score, even under two NOTs, so they bring no roots."""
        self._under_not += 1
        try:
            return self._node(node, not positive)
        finally:
            self._under_not -= 1

    def _with_exclusions(self, joiner: type[wq.CompoundQuery], children: tuple[ast.Node, ...],
                         positive: bool) -> wq.Query | None:
        """Clauses joined by ``joiner``; those under NOT are subtracted from the rest (AndNot)."""
        included = [self._node(c, positive) for c in children if not isinstance(c, ast.Not)]
        excluded = [self._excluded(c.child, positive) for c in children if isinstance(c, ast.Not)]
        base = _combine(joiner, included)
        removed = _combine(wq.Or, excluded)
        if base is None and removed is not None:
            raise QueryError("the query only excludes words once its stop words are left out: add a word to search for",
                             self._text)
        return base if removed is None or base is None else wq.AndNot(base, removed)

    def _fields(self, fieldname: str | None, build) -> wq.Query | None:  # type: ignore[no-untyped-def]
        """``build(field)`` for one field, or for title and body with their boosts."""
        if fieldname is not None:
            return build(fieldname)
        parts = []
        for name in TEXT_FIELDS:
            part = build(name)
            if part is not None:
                part.boost = self.boosts[name]
                parts.append(part)
        return _combine(wq.Or, parts)

    def _positions(self, fieldname: str, text: str) -> list[tuple[int, list[str]]]:
        """The query text analysed: (position, terms at that position), in order."""
        at: dict[int, list[str]] = defaultdict(list)
        for token in self.schema[fieldname].analyzer(text, positions=True, mode="query"):
            if token.text not in at[token.pos]:
                at[token.pos].append(token.text)
        return sorted(at.items())

    def _word(self, fieldname: str, node: ast.Word, positive: bool) -> wq.Query | None:
        if node.prefix:
            return self._prefix(fieldname, node, positive)
        if node.exact:
            return self._exact(fieldname, node, positive)
        if node.pin:
            return self._pinned(fieldname, node, positive)
        scored = positive and not self._under_not  # excluded words only remove documents
        parts = self._compound_parts(node.text) if scored else []
        if parts:
            query = _combine(wq.Or, [self._phrase(fieldname, part, 0, positive) for part in parts])
        else:
            query = self._phrase(fieldname, node.text, 0, positive)
        if scored and query is not None:
            self._add_roots(fieldname, node)
        return query

    def _compound_parts(self, text: str) -> list[str]:
        """The parts a hyphenated word is looked for as, any of which may match: its distinct parts that are
        words of their own (not stop words, not a single letter); [] to look for the word whole.

        A translation or a retelling seldom keeps a compound whole: «интернет-магазин» is «магазин в интернете»
        elsewhere, «рабочих-мигрантов» «мигранты-рабочие». As a chain of its parts the compound would miss them; as its
        parts, each scored as a word of its own, it finds them, and a document with every part ranks above one
        with some (nDCG@10 on XQuAD-ru, see benchmarks/README.md). A number's ending is left out («1990-х» is
        looked for as «1990»). A word with a stop word for a part and one other («что-либо», «по-русски»), words
        split by other marks («15.08.2025», «3.14») and excluded words (under NOT) are looked for whole."""
        words = list(iter_words(text))
        if not words:
            return []
        whole, *rest = words  # a compound comes before its parts
        if not is_compound(whole.surface) or any(is_compound(word.surface) or word.end > whole.end for word in rest):
            return []
        parts: dict[str, str] = {}
        stop_part = False
        for word in rest:
            form = fold(word.surface)
            if self.analyzer.stopwords and form in RUSSIAN_STOPWORDS:
                stop_part = True
            elif len(form) > 1:
                parts.setdefault(form, word.surface)
        return list(parts.values()) if len(parts) > 1 or not stop_part else []

    def _add_roots(self, fieldname: str, node: ast.Word) -> None:
        """The index terms sharing a root with a plain word looked for (with each part of a compound, once for
        a part that repeats; the compound whole brings none, its first part's root is the same), the best one
        counting, weighted by its share (:func:`~searchkit.search.roots.root_shares`), the ranking's root weight
        and the field's boost, to be scored beside the query (needs the index reader)."""
        if not self.root_weight or self.reader is None:
            return
        boost = self.root_weight * (self.boosts[fieldname] if node.field is None else 1.0)
        forms = {fold(word.surface) for word in iter_words(node.text) if not is_compound(word.surface)}
        for form in sorted(forms):
            if not form or (self.analyzer.stopwords and form in RUSSIAN_STOPWORDS):
                continue
            lemmas = self.morph.terms(form)
            bases = [base for lemma in lemmas for base in unprefixed(lemma, self.morph.is_known)]
            shares = root_shares(self.reader, fieldname, lemmas, bases, self.doc_frequency)
            if shares:
                terms = [wq.Term(fieldname, term, boost=share) for term, share in shares]
                part = terms[0] if len(terms) == 1 else _DisjunctionMax(terms)
                part.boost *= boost
                self._roots.append(part)

    def _prefix(self, fieldname: str, node: ast.Word, positive: bool) -> wq.Query:
        """The index terms (lemmas, stems) and exact word forms starting with the prefix, at most
        :data:`MAX_PREFIX_TERMS` of them (those in most documents), each scored like a word, best one counting."""
        prefix = fold(node.text)
        if self.reader is None:
            if positive:
                self._prefixes.add((fieldname, prefix))
            return wq.Prefix(fieldname, prefix)
        scans = [self.reader.iter_prefix(fieldname, prefix)]
        if self.analyzer.exact_forms:
            scans.append(self.reader.iter_prefix(fieldname, exact_term(prefix)))
        found: list[tuple[str, int]] = []
        cut = False
        counts = []
        for scan in scans:
            terms = [(t.decode("utf-8") if isinstance(t, bytes) else t, info.doc_frequency())
                     for t, info in itertools.islice(scan, PREFIX_SCAN + 1)]
            cut = cut or len(terms) > PREFIX_SCAN
            counts.append(len(terms[:PREFIX_SCAN]))
            found.extend(terms[:PREFIX_SCAN])
        found.sort(key=lambda item: (-item[1], item[0]))
        cut = cut or len(found) > MAX_PREFIX_TERMS
        kept = [term for term, _ in found[:MAX_PREFIX_TERMS]]
        if positive:
            self._terms.update((fieldname, term) for term in kept)
            self._expansions.append(PrefixExpansion(node.text, fieldname, counts[0], sum(counts[1:]), cut,
                                                    len(found), len(kept)))
        return _any_term(fieldname, kept) if kept else wq.NullQuery

    def _exact(self, fieldname: str, node: ast.Word, positive: bool) -> wq.Query | None:
        """``=form``: the word form's own term; for a form indexed as itself only (``сталь``), its term at the
        positions where no other form of its paradigm (``стали``, ``сталью``) stands. On an index without
        exact-form terms, the form's index terms at the positions where the stored text has that form."""
        words = list(iter_words(node.text))
        if not words:
            return None
        form = fold(words[0].surface)
        if self.analyzer.stopwords and form in RUSSIAN_STOPWORDS:
            return None
        terms = self.morph.terms(form)
        if not self.analyzer.exact_forms:
            if positive:
                self._terms.add((fieldname, exact_term(form)))
            return _FormInText(fieldname, form, _any_term(fieldname, list(terms)))
        if needs_exact_term(form, terms):
            term = exact_term(form)
            if positive:
                self._terms.add((fieldname, term))
            return wq.Term(fieldname, term)
        if positive:
            self._terms.add((fieldname, exact_term(form)))  # marks «сталь», not «стали»
        others = [exact_term(other) for other in self._paradigm(form) if other != form]
        if self.reader is not None:
            others = [t for t in others if self.reader.doc_frequency(fieldname, t) > 0]
        if not others:
            return wq.Term(fieldname, form)
        excluded = [wq.Term(fieldname, t) for t in others]
        return _Without(wq.Term(fieldname, form), excluded[0] if len(excluded) == 1 else _SpanOr(excluded))

    def _paradigm(self, lemma: str) -> set[str]:
        """The folded forms of the words whose normal form is ``lemma``."""
        forms: set[str] = set()
        for parse in self.morph.parses(lemma):
            if fold(parse.normal_form) == lemma:
                forms.update(fold(f.word) for f in parse.lexeme)
        return forms

    def _pinned(self, fieldname: str, node: ast.Word, positive: bool) -> wq.Query | None:
        """``стали:сталь``: the word's terms narrowed to the lemma named after the colon (in any form)."""
        groups = self._positions(fieldname, node.text)
        if not groups:
            return None
        if len(groups) != 1:
            raise QueryError("only a single word can be pinned to a lemma (word:lemma)", self._text, node.position)
        terms = groups[0][1]
        pin = fold(node.pin or "")
        chosen = [pin] if pin in terms else [t for t in self.morph.terms(pin) if t in terms]
        if not chosen:
            raise QueryError(f"{node.text!r} has no reading {node.pin!r}; its lemmas are {', '.join(terms)}",
                             self._text, node.position)
        if positive:
            self._terms.update((fieldname, term) for term in chosen)
        return _any_term(fieldname, chosen)

    def _phrase(self, fieldname: str, text: str, slop: int, positive: bool) -> wq.Query | None:
        groups = self._positions(fieldname, text)
        if positive:
            self._terms.update((fieldname, term) for _, terms in groups for term in terms)
        if not groups:
            return None
        if len(groups) == 1:
            return _any_term(fieldname, groups[0][1])
        if len(groups) > MAX_PHRASE_WORDS:
            raise QueryError(f"a phrase or compound of more than {MAX_PHRASE_WORDS} words is not searched "
                             f"(this one has {len(groups)})", self._text)
        return _span_chain(fieldname, groups, slop)


def _searches_for_something(node: ast.Node) -> bool:
    """Whether some part of the query is looked for rather than excluded."""
    if isinstance(node, ast.Not):
        return False
    if isinstance(node, (ast.And, ast.Or, ast.Any)):
        return any(_searches_for_something(child) for child in node.children)
    return True


def _any_term(fieldname: str, terms: list[str]) -> wq.Query:
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0])
    return _DisjunctionMax([wq.Term(fieldname, term) for term in terms])


class _DisjunctionMax(wq.DisjunctionMax):
    """The best-scoring of its terms. Whoosh 2.7's matcher for it takes the maximum over every sub-matcher that is
    still active, even one already on a later document, so a document's score depended on its neighbours."""

    def _matcher(self, subs, searcher, context):  # type: ignore[no-untyped-def]
        reader = searcher.reader()
        return self._tree_matcher(subs, _DisjunctionMaxMatcher, searcher, context,
                                  lambda q: q.estimate_size(reader), tiebreak=self.tiebreak)


class _DisjunctionMaxMatcher(DisjunctionMaxMatcher):
    def score(self):  # type: ignore[no-untyped-def]
        current = self.id()
        return max(side.score() for side in (self.a, self.b) if side.is_active() and side.id() == current)


class _AndMaybe(wq.AndMaybe):
    """The documents of ``a``, with the score of ``b`` added where it matches too."""

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        return _AndMaybeMatcher(self.a.matcher(searcher, context), self.b.matcher(searcher, context))


class _AndMaybeMatcher(AndMaybeMatcher):
    """Never skips documents by their best possible score. Whoosh 2.7's union of many terms
    (``ArrayUnionMatcher``) reports the best of its parts' maximum scores, not their sum, and none once it has
    read them all, so a search for the best few turned AndMaybe into an intersection and lost documents."""

    def supports_block_quality(self) -> bool:
        return False

    def replace(self, minquality=0):  # type: ignore[no-untyped-def]
        return super().replace(0)  # only drops exhausted parts


class _SizedSpan:
    """Whoosh's span queries cannot estimate their size, which an OR over them asks for; the query they wrap
    (``self.q``, an And or Or of the same terms) can. Nor do they apply a boost (a field's, set by the
    compiler), which these do."""

    q: wq.Query
    boost = 1.0

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
        matcher = self._unboosted_matcher(searcher, context)
        return matcher if self.boost == 1.0 else WrappingMatcher(matcher, boost=self.boost)

    def _unboosted_matcher(self, searcher, context):  # type: ignore[no-untyped-def]
        return super().matcher(searcher, context)  # type: ignore[misc]

    def estimate_size(self, ixreader) -> int:  # type: ignore[no-untyped-def]
        return self.q.estimate_size(ixreader)

    def estimate_min_size(self, ixreader) -> int:  # type: ignore[no-untyped-def]
        return self.q.estimate_min_size(ixreader)


class _Near(_SizedSpan, SpanNear):
    pass


class _FormInText(_SizedSpan, SpanQuery):
    """The documents of ``q`` (the index terms of ``form``), at the positions where the field's stored text has
    the word ``form`` itself (folded), found by splitting that text again: ``=form`` without exact-form terms in
    the index. A span query, so a phrase can hold it. Each document having one of the form's lemmas is read once
    per query, and a match scores as its lemmas do (with exact-form terms, as the form's own term does)."""

    def __init__(self, fieldname: str, form: str, q: wq.Query) -> None:
        self.fieldname = fieldname
        self.form = form
        self.q = q

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FormInText) and (self.fieldname, self.form) == (other.fieldname, other.form)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, self.form))

    def _unboosted_matcher(self, searcher, context):  # type: ignore[no-untyped-def]
        return _FormInTextMatcher(self.q.matcher(searcher, context), searcher, self.fieldname, self.form)


class _FormInTextMatcher(SpanWrappingMatcher):
    def __init__(self, child, searcher, fieldname: str, form: str) -> None:  # type: ignore[no-untyped-def]
        self._searcher, self._fieldname, self._form = searcher, fieldname, form
        super().__init__(child)

    def copy(self):  # type: ignore[no-untyped-def]
        return _FormInTextMatcher(self.child.copy(), self._searcher, self._fieldname, self._form)

    def _replacement(self, newchild):  # type: ignore[no-untyped-def]
        return _FormInTextMatcher(newchild, self._searcher, self._fieldname, self._form)

    def _get_spans(self):  # type: ignore[no-untyped-def]
        text = self._searcher.stored_fields(self.child.id()).get(self._fieldname) or ""
        if not may_contain(text, self._form):
            return []
        return [Span(word.position) for word in iter_words(text) if fold(word.surface) == self._form]


class _Without(_SizedSpan, SpanNot):
    """A term at the positions where none of the excluded terms stands."""


class _SpanOr(_SizedSpan, SpanOr):
    """Alternatives at one position. Whoosh's SpanOr merges neighbouring spans into one, so «сталь стали»
    would become a single span and fail the distance check of a phrase; this one keeps every position apart."""

    def _unboosted_matcher(self, searcher, context):  # type: ignore[no-untyped-def]
        return make_binary_tree(_UnmergedSpanOrMatcher, [q.matcher(searcher, context) for q in self.subqs])


class _UnmergedSpanOrMatcher(SpanOr.SpanOrMatcher):
    def _get_spans(self):  # type: ignore[no-untyped-def]
        current = self.id()
        spans = set()
        for side in (self.a, self.b):
            if side.is_active() and side.id() == current:
                spans.update(side.spans())
        return sorted(spans)


def _span_chain(fieldname: str, groups: list[tuple[int, list[str]]], slop: int) -> wq.Query:
    """Positions in order, each at exactly its distance from the previous one (plus up to ``slop`` more)."""
    def unit(terms: list[str]) -> wq.Query:
        terms_q = [wq.Term(fieldname, term) for term in terms]
        return terms_q[0] if len(terms_q) == 1 else _SpanOr(terms_q)

    chain = unit(groups[0][1])
    previous = groups[0][0]
    for position, terms in groups[1:]:
        gap = position - previous
        chain = _Near(chain, unit(terms), slop=gap + slop, ordered=True, mindist=gap)
        previous = position
    return chain


def _date_range(node: ast.DateRange) -> wq.Query:
    start = dt.datetime.combine(node.start, dt.time.min) if node.start else None
    end = dt.datetime.combine(node.end, dt.time.max) if node.end else None
    return wq.DateRange("date", start, end)


def _combine(joiner: type[wq.CompoundQuery], parts: list[wq.Query | None]) -> wq.Query | None:
    present = [part for part in parts if part is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else joiner(present)
