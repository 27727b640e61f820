"""Compiled queries (:mod:`searchkit.compiled`) → Whoosh queries.

The array ranker (:mod:`.ranking`) evaluates most of a compiled query itself and hands Whoosh only the parts that
need positions (phrases and the ``=form`` operator); the whole translation is Whoosh's own way of matching the
same query, which the tests hold the ranker to.
"""

from __future__ import annotations

import datetime as dt

from whoosh import query as wq

from ... import compiled as cq
from .matchers import AndMaybe, DisjunctionMax, FormInText, Near, SpanOr, Without


def to_whoosh(query: cq.Query) -> wq.Query:
    """The Whoosh query matching and scoring as ``query`` does."""
    translated = _translate(query)
    if query.boost != 1.0:
        translated.boost = query.boost
    return translated


def _translate(query: cq.Query) -> wq.Query:
    if isinstance(query, cq.Term):
        return wq.Term(query.field, query.text)
    if isinstance(query, cq.DisMax):
        return DisjunctionMax([to_whoosh(part) for part in query.parts])
    if isinstance(query, cq.Or):
        return wq.Or([to_whoosh(part) for part in query.parts])
    if isinstance(query, cq.And):
        return wq.And([to_whoosh(part) for part in query.parts])
    if isinstance(query, cq.AndNot):
        return wq.AndNot(to_whoosh(query.positive), to_whoosh(query.negative))
    if isinstance(query, cq.AndMaybe):
        return AndMaybe(to_whoosh(query.required), to_whoosh(query.optional))
    if isinstance(query, cq.Phrase):
        return phrase(query)
    if isinstance(query, cq.FormInText):
        return FormInText(query.field, query.form, _alternatives(query.field, query.terms, DisjunctionMax))
    if isinstance(query, cq.TermNotAmong):
        excluded = _alternatives(query.field, query.others, SpanOr)
        return Without(wq.Term(query.field, query.term), excluded)
    if isinstance(query, cq.DateRange):
        return date_range(query)
    if isinstance(query, cq.Filtered):
        # Without the documents outside the filters, which adds nothing to a score (Whoosh 2.7's Require, meant
        # for this, matches the documents the filter leaves out instead).
        allowed = wq.And([wq.Or([date_range(r) for r in f.alternatives]) for f in query.filters])
        return wq.AndNot(to_whoosh(query.query) if query.query is not None else wq.Every(), wq.Not(allowed))
    if isinstance(query, cq.Nothing):
        return wq.NullQuery
    raise TypeError(f"not a compiled query: {query!r}")


def phrase(query: cq.Phrase) -> wq.Query:
    """Positions in order, each at exactly its distance from the previous one (plus up to ``slop`` more)."""
    field = query.field
    (previous, first), *rest = query.positions
    chain = _alternatives(field, first, SpanOr)
    for position, terms in rest:
        gap = position - previous
        chain = Near(chain, _alternatives(field, terms, SpanOr), slop=gap + query.slop, ordered=True, mindist=gap)
        previous = position
    return chain


def _alternatives(field: str, terms: tuple[str, ...], joiner: type[wq.CompoundQuery]) -> wq.Query:
    queries = [wq.Term(field, term) for term in terms]
    return queries[0] if len(queries) == 1 else joiner(queries)


def date_range(query: cq.DateRange) -> wq.Query:
    start = dt.datetime.combine(query.start, dt.time.min) if query.start else None
    end = dt.datetime.combine(query.end, dt.time.max) if query.end else None
    return wq.DateRange("date", start, end)
