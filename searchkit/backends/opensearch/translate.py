"""Compiled queries (:mod:`searchkit.compiled`) → OpenSearch's query DSL, against the fields of :mod:`.fields`.

A :class:`~searchkit.compiled.Term` scores on its field's weighted companion (frequencies that carry the
readings' probabilities); the parts that need positions (phrases, ``=form`` among a word's readings) match on the
positions field in a ``filter`` and score by their terms on the weighted field, as the embedded index scores them
(a phrase scores as the sum of its terms' scores). ``DisMax`` is ``dis_max``, ``Or`` a ``bool`` of ``should`` (scores add up), ``And`` of ``must``,
``AndNot`` ``must_not``, ``AndMaybe`` ``must`` with ``should``; filters are ``bool`` ``filter`` clauses, which add
nothing to a score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import pathspec

from ... import compiled as cq
from .fields import ALTERNATIVES, FORMS, NO_TERM, WEIGHT_SCALE, WEIGHTED

Dsl = dict[str, Any]

#: The pieces of a gitignore pattern's Python regular expression (``pathspec``) that Lucene's regexp syntax
#: spells otherwise; a pattern with anything else Python-only is matched against the field's values instead.
_DIRECTORY_END = "(?:(?P<ps_d>/)|$)"
_PYTHON_ONLY = re.compile(r"\(\?|\\[dDwWsSbBAZ]|\$|(?<!\[)\^")
#: The queries whose parameters sit under the field's name.
_FIELD_NESTED = ("term", "match_phrase", "span_term", "regexp", "prefix")


def term_boost(k1: float) -> float:
    """What a term's score on a weighted field is multiplied by to score as on its positions field: OpenSearch's
    BM25 multiplies by k1 + 1, and the weighted fields' k1 is ``k1 × WEIGHT_SCALE``."""
    return (k1 + 1) / (k1 * WEIGHT_SCALE + 1)


def lucene_idf(documents: int, frequency: int) -> float:
    """The idf OpenSearch's BM25 gives a term in ``frequency`` of ``documents`` documents having the field."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def terms_of(query: cq.Query) -> Iterator[tuple[str, str]]:
    """(field, term) of every term ``query`` scores by."""
    if isinstance(query, cq.Term):
        yield query.field, query.text
    elif isinstance(query, cq.FormInText):
        yield from ((query.field, term) for term in query.terms)
    elif isinstance(query, cq.TermNotAmong):
        yield query.field, query.term
    elif isinstance(query, (cq.DisMax, cq.Or, cq.And)):
        for part in query.parts:
            yield from terms_of(part)
    elif isinstance(query, cq.AndNot):
        yield from terms_of(query.positive)
    elif isinstance(query, cq.AndMaybe):
        yield from terms_of(query.required)
        yield from terms_of(query.optional)
    elif isinstance(query, cq.Filtered) and query.query is not None:
        yield from terms_of(query.query)


class Translation:
    """Compiled queries into the DSL, for an index whose BM25 has ``k1``. ``idf_ratio(field, term)`` is what a
    term's score is multiplied by so that it weighs with searchkit's idf (:func:`searchkit.compiled.bm25_idf`),
    which the query stage's boosts of roots and corrections are reckoned in, rather than with Lucene's."""

    def __init__(self, k1: float, idf_ratio: Callable[[str, str], float], weighted: bool = True) -> None:
        self._term_boost = term_boost(k1)
        self._idf_ratio = idf_ratio
        #: Where each field's terms score: the weighted companions, or the positions fields where they exist.
        self._scored = WEIGHTED if weighted else {**WEIGHTED, **{field: field for field in FORMS}}

    def dsl(self, query: cq.Query) -> Dsl:
        """The OpenSearch query matching and scoring as ``query`` does in the embedded index, up to Lucene's
        one-byte document lengths (benchmarks/README.md, "The OpenSearch backend")."""
        translated = self._translate(query)
        return translated if query.boost == 1.0 else _boosted(translated, query.boost)

    def _translate(self, query: cq.Query) -> Dsl:
        if isinstance(query, cq.Term):
            scored = self._scored[query.field]
            boost = (self._term_boost if scored in WEIGHTED.values() else 1.0) * self._idf_ratio(query.field, query.text)
            return {"term": {scored: {"value": query.text, "boost": boost}}}
        if isinstance(query, cq.DisMax):
            return {"dis_max": {"queries": [self.dsl(part) for part in query.parts], "tie_breaker": 0.0}}
        if isinstance(query, cq.Or):
            return {"bool": {"should": [self.dsl(part) for part in query.parts], "minimum_should_match": 1}}
        if isinstance(query, cq.And):
            return {"bool": {"must": [self.dsl(part) for part in query.parts]}}
        if isinstance(query, cq.AndNot):
            return {"bool": {"must": [self.dsl(query.positive)], "must_not": [self.dsl(query.negative)]}}
        if isinstance(query, cq.AndMaybe):
            return {"bool": {"must": [self.dsl(query.required)], "should": [self.dsl(query.optional)]}}
        if isinstance(query, cq.Phrase):
            return self.phrase(query)
        if isinstance(query, cq.FormInText):
            lemmas = [self.dsl(cq.Term(query.field, term)) for term in query.terms]
            return {"bool": {"must": [{"dis_max": {"queries": lemmas}}],
                             "filter": [{"term": {FORMS[query.field]: query.form}}]}}
        if isinstance(query, cq.TermNotAmong):
            return {"bool": {"must": [self.dsl(cq.Term(query.field, query.term))], "filter": [{"span_not": {
                "include": _span_term(query.field, query.term),
                "exclude": {"span_or": {"clauses": [_span_term(query.field, other) for other in query.others]}}}}]}}
        if isinstance(query, cq.DateRange):
            return {"constant_score": {"filter": date_range(query)}}
        if isinstance(query, cq.Filtered):
            clauses = [self._filter(condition) for condition in query.filters]
            scored = self.dsl(query.query) if query.query is not None else {"match_all": {"boost": 0.0}}
            return {"bool": {"must": [scored], "filter": clauses}}
        if isinstance(query, cq.Nothing):
            return {"match_none": {}}
        raise TypeError(f"not a compiled query: {query!r}")

    def phrase(self, query: cq.Phrase) -> Dsl:
        """Matched by :func:`phrase_match`, scored as the embedded index scores a phrase (Whoosh's span matchers
        add up their terms' scores): every term of every position, the alternatives the document has, each
        scored as a :class:`~searchkit.compiled.Term`. Lucene's own phrase score would take its idf (not
        searchkit's, which the rest of the query is reckoned in) and the positions field's lengths."""
        terms = [self.dsl(cq.Term(query.field, term)) for _, alternatives in query.positions for term in alternatives]
        return {"bool": {"should": terms, "filter": [phrase_match(query)]}}

    def _filter(self, condition: cq.Filter) -> Dsl:
        return {"bool": {"should": [self._alternative(condition.field, a) for a in condition.alternatives],
                         "minimum_should_match": 1}}

    def _alternative(self, field: str, alternative: cq.DateRange | cq.PathPattern | cq.Keyword | cq.Matching) -> Dsl:
        if isinstance(alternative, cq.DateRange):
            return date_range(alternative)
        if isinstance(alternative, cq.Keyword):
            return {"term": {field: alternative.value}}
        if isinstance(alternative, cq.Matching):
            return {"bool": {"filter": [self.dsl(alternative.query)]}}
        return path_pattern(alternative)


def phrase_match(query: cq.Phrase) -> Dsl:
    """Positions in order, each at exactly its distance from the previous one, plus up to ``slop`` more words.
    Without slop, a ``match_phrase`` of the positions as the index holds them (Lucene's multi-term phrase,
    gaps kept); with it, ``span_near`` in order, whose slop counts the gaps between the positions too."""
    field = query.field
    first = query.positions[0][0]
    if not query.slop:
        at = {position - first: terms for position, terms in query.positions}
        text = " ".join(ALTERNATIVES.join(at[p]) if p in at else NO_TERM for p in range(max(at) + 1))
        return {"match_phrase": {field: {"query": text, "analyzer": "searchkit_positions"}}}
    gaps = sum(b[0] - a[0] - 1 for a, b in zip(query.positions, query.positions[1:]))
    clauses = [{"span_or": {"clauses": [_span_term(field, term) for term in terms]}} for _, terms in query.positions]
    return {"span_near": {"clauses": clauses, "slop": gaps + query.slop, "in_order": True}}


def _boosted(translated: Dsl, boost: float) -> Dsl:
    (kind, body), = translated.items()
    if kind == "match_none":
        return translated
    if kind in _FIELD_NESTED:
        (field, value), = body.items()
        value = value if isinstance(value, dict) else {"value": value}
        return {kind: {field: {**value, "boost": value.get("boost", 1.0) * boost}}}
    return {kind: {**body, "boost": body.get("boost", 1.0) * boost}}


def _span_term(field: str, term: str) -> Dsl:
    return {"span_term": {field: term}}


def date_range(query: cq.DateRange) -> Dsl:
    bounds = {name: value.isoformat() for name, value in (("gte", query.start), ("lte", query.end)) if value}
    return {"range": {"date": bounds}}


def path_pattern(pattern: cq.PathPattern) -> Dsl:
    """A folder: the path below the indexed folder (``relpath``) or the whole path, that folder or under it. A
    glob: gitignore's syntax, as ``pathspec`` reads it, in Lucene's regexp syntax."""
    if not pattern.is_glob:
        folder = pattern.pattern.strip("/")
        either = [clause for name in ("relpath", "path")
                  for clause in ({"term": {name: folder}}, {"prefix": {name: folder + "/"}})]
        return {"bool": {"should": either, "minimum_should_match": 1}}
    expression = lucene_regexp(pattern.pattern)
    return {"bool": {"should": [{"regexp": {name: {"value": expression, "flags": "NONE"}}}
                                for name in ("relpath", "path")], "minimum_should_match": 1}}


def lucene_regexp(glob: str) -> str:
    """A gitignore glob as a Lucene regular expression matching the whole path (a folder matched, what is
    under it too)."""
    regexes = [spec.regex.pattern for spec in pathspec.GitIgnoreSpec.from_lines([glob]).patterns
               if spec.regex is not None]
    if len(regexes) != 1:
        raise ValueError(f"path pattern {glob!r} is not one gitignore pattern")
    expression = regexes[0].removeprefix("^")
    if expression.endswith(_DIRECTORY_END):
        expression = expression[: -len(_DIRECTORY_END)] + "(/.*)?"
    expression = expression.replace("(?:", "(")
    if _PYTHON_ONLY.search(expression):
        raise ValueError(f"path pattern {glob!r} has no Lucene regexp")
    return expression
