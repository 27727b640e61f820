"""Whoosh queries and matchers that mend or extend Whoosh 2.7's own, for the queries searchkit compiles.

- :class:`DisjunctionMax`: Whoosh's matcher took the maximum over sub-matchers already on another document.
- :class:`AndMaybe`: Whoosh's skipped documents by a wrong bound on their best possible score.
- Span queries that can estimate their size and apply a boost (:class:`Near`, :class:`Without`,
  :class:`SpanOr`, which also keeps alternatives at one position apart), and :class:`FormInText`, the ``=form``
  operator on an index without exact-form terms.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.matching import AndMaybeMatcher, DisjunctionMaxMatcher, WrappingMatcher
from whoosh.query.spans import Span, SpanNear, SpanNot, SpanOr as WhooshSpanOr, SpanQuery, SpanWrappingMatcher
from whoosh.util import make_binary_tree

from ...analysis import fold, iter_words
from ...analysis.normalize import may_contain
from .internals import tree_matcher


class DisjunctionMax(wq.DisjunctionMax):
    """The best-scoring of its terms. Whoosh 2.7's matcher for it takes the maximum over every sub-matcher that is
    still active, even one already on a later document, so a document's score depended on its neighbours."""

    def _matcher(self, subs, searcher, context):  # type: ignore[no-untyped-def]
        return tree_matcher(self, subs, _DisjunctionMaxMatcher, searcher, context, tiebreak=self.tiebreak)


class _DisjunctionMaxMatcher(DisjunctionMaxMatcher):
    def score(self):  # type: ignore[no-untyped-def]
        current = self.id()
        return max(side.score() for side in (self.a, self.b) if side.is_active() and side.id() == current)


class AndMaybe(wq.AndMaybe):
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
    (``self.q``, an And or Or of the same terms) can. Nor do they apply a boost, which these do."""

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


class Near(_SizedSpan, SpanNear):
    pass


class Without(_SizedSpan, SpanNot):
    """A term at the positions where none of the excluded terms stands."""


class SpanOr(_SizedSpan, WhooshSpanOr):
    """Alternatives at one position. Whoosh's SpanOr merges neighbouring spans into one, so «сталь стали»
    would become a single span and fail the distance check of a phrase; this one keeps every position apart."""

    def _unboosted_matcher(self, searcher, context):  # type: ignore[no-untyped-def]
        return make_binary_tree(_UnmergedSpanOrMatcher, [q.matcher(searcher, context) for q in self.subqs])


class _UnmergedSpanOrMatcher(WhooshSpanOr.SpanOrMatcher):
    def _get_spans(self):  # type: ignore[no-untyped-def]
        current = self.id()
        spans = set()
        for side in (self.a, self.b):
            if side.is_active() and side.id() == current:
                spans.update(side.spans())
        return sorted(spans)


class FormInText(_SizedSpan, SpanQuery):
    """The documents of ``q`` (the index terms of ``form``), at the positions where the field's stored text has
    the word ``form`` itself (folded), found by splitting that text again: ``=form`` without exact-form terms in
    the index. A span query, so a phrase can hold it. Each document having one of the form's lemmas is read once
    per query, and a match scores as its lemmas do."""

    def __init__(self, fieldname: str, form: str, q: wq.Query) -> None:
        self.fieldname = fieldname
        self.form = form
        self.q = q

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormInText) and (self.fieldname, self.form) == (other.fieldname, other.form)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, self.form))

    def _unboosted_matcher(self, searcher, context):  # type: ignore[no-untyped-def]
        return _FormInTextMatcher(self.q.matcher(searcher, context), searcher, self.fieldname, self.form)


class _FormInTextMatcher(SpanWrappingMatcher):
    def __init__(self, child: Any, searcher: Any, fieldname: str, form: str) -> None:
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
