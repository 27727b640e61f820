"""Syntax tree → Whoosh query, each query word passed through the index's own analyzer.

A word becomes the terms at its position (several for a homonym: ``стали`` → ``стать`` OR ``сталь``); a word
that analyses into several positions (a hyphenated compound) or a quoted phrase becomes a chain of span
queries that respects the exact distance between positions, so a stop word dropped from the middle of a phrase
still counts as the one word it was. Plain words search the title and the body, with the ranking boosts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.query.spans import SpanNear, SpanOr
from whoosh.util import make_binary_tree

from ..analysis import fold
from ..errors import QueryError
from ..index.schema import TEXT_FIELDS
from ..settings import RankingSettings
from . import query as ast


@dataclass
class Compiled:
    """The Whoosh query, and what to highlight: the terms and prefixes of the positive (not excluded) parts."""

    query: wq.Query
    terms: set[tuple[str, str]] = field(default_factory=set)
    prefixes: set[tuple[str, str]] = field(default_factory=set)


class QueryCompiler:
    def __init__(self, schema: Schema, ranking: RankingSettings) -> None:
        self.schema = schema
        self.boosts = {"title": ranking.title_boost, "body": ranking.body_boost}

    def compile(self, tree: ast.Node, text: str) -> Compiled:
        """Compile a parsed query; ``text`` is the original query, for error messages."""
        self._text = text
        self._terms: set[tuple[str, str]] = set()
        self._prefixes: set[tuple[str, str]] = set()
        if not _searches_for_something(tree):
            raise QueryError("the query only excludes words: add a word to search for", text)
        compiled = self._node(tree, positive=True)
        if compiled is None:
            raise QueryError("the query has only stop words (such as «и», «в», «что»), which are not indexed: "
                             "add a word that carries meaning", text)
        return Compiled(compiled, self._terms, self._prefixes)

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
        return self._with_exclusions(joiner, node.children, positive)

    def _exclusion(self, node: ast.Not, positive: bool) -> wq.Query | None:
        child = self._node(node.child, not positive)
        return None if child is None else wq.Not(child)

    def _with_exclusions(self, joiner: type[wq.CompoundQuery], children: tuple[ast.Node, ...],
                         positive: bool) -> wq.Query | None:
        """Clauses joined by ``joiner``; those under NOT are subtracted from the rest (AndNot)."""
        included = [self._node(c, positive) for c in children if not isinstance(c, ast.Not)]
        excluded = [self._node(c.child, not positive) for c in children if isinstance(c, ast.Not)]
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
            prefix = fold(node.text)
            if positive:
                self._prefixes.add((fieldname, prefix))
            return wq.Prefix(fieldname, prefix)
        return self._phrase(fieldname, node.text, 0, positive)

    def _phrase(self, fieldname: str, text: str, slop: int, positive: bool) -> wq.Query | None:
        groups = self._positions(fieldname, text)
        if positive:
            self._terms.update((fieldname, term) for _, terms in groups for term in terms)
        if not groups:
            return None
        if len(groups) == 1:
            return _any_term(fieldname, groups[0][1])
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
    return wq.DisjunctionMax([wq.Term(fieldname, term) for term in terms])


class _SizedSpan:
    """Whoosh's span queries cannot estimate their size, which an OR over them asks for; the query they wrap
    (``self.q``, an And or Or of the same terms) can."""

    q: wq.Query

    def estimate_size(self, ixreader) -> int:  # type: ignore[no-untyped-def]
        return self.q.estimate_size(ixreader)

    def estimate_min_size(self, ixreader) -> int:  # type: ignore[no-untyped-def]
        return self.q.estimate_min_size(ixreader)


class _Near(_SizedSpan, SpanNear):
    pass


class _SpanOr(_SizedSpan, SpanOr):
    """Alternatives at one position. Whoosh's SpanOr merges neighbouring spans into one, so «сталь стали»
    would become a single span and fail the distance check of a phrase; this one keeps every position apart."""

    def matcher(self, searcher, context=None):  # type: ignore[no-untyped-def]
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
