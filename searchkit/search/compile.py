"""Syntax tree → compiled query (:mod:`searchkit.compiled`), each query word passed through the index's analysis.

A word becomes the terms at its position (several for a homonym: ``стали`` → ``стать`` OR ``сталь``); a quoted
phrase becomes a :class:`~searchkit.compiled.Phrase` that respects the exact distance between positions, so a
stop word dropped from the middle of a phrase still counts as the one word it was. A hyphenated word of two
words or more («интернет-магазин») stands for its parts, any of which may match, as if typed apart; quoted,
excluded, or split by other marks («3.14») a word is a phrase. Plain words search the title and the body, with
the ranking boosts.

A restriction on a structured field (``date:``, ``path:``, ``format:``, ``author:``) beside words or joined to
them by AND is a filter: it decides which documents may match and adds nothing to the score. Two restrictions on
one field are alternatives, on different fields both must hold; an explicit OR keeps a restriction one more
alternative.

The roots of the plain words looked for (see :mod:`~searchkit.search.roots`) are scored beside the query:
they add their weighted score to the documents the query matches and never match a document alone.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from .. import compiled as cq
from ..analysis import Analyzer, exact_term, fold, get_analyzer, is_compound, iter_words
from ..analysis.prefixes import unprefixed
from ..backends import SearchContext
from ..compiled import TEXT_FIELDS, bm25_idf, with_boost
from ..errors import QueryError
from ..settings import RankingSettings, Settings
from . import query as ast
from .plan import PrefixExpansion
from .roots import root_shares
from .synonyms import Expanded, Expander, Expansion, Synonyms

#: A ``prefix*`` matches at most this many index terms and word forms: those in most documents.
MAX_PREFIX_TERMS = 256
#: Index terms (and, separately, word forms) with the prefix looked at, in alphabetical order.
PREFIX_SCAN = 20_000
#: Words in one phrase (or one compound) at most: a backend's span matching nests a query per word.
MAX_PHRASE_WORDS = 64
#: Clauses joined by AND at most.
MAX_AND_CLAUSES = 256
#: The syntax tree's restrictions on structured fields: filters beside words.
RESTRICTIONS = (ast.DateRange, ast.Restriction)


@dataclass
class Compiled:
    """The compiled query, and what to highlight: the terms of the positive (not excluded) parts.

    ``query`` is what is ranked: ``matching``, which decides the hits, with the terms sharing a root with its
    words (``roots``) adding to their scores; just ``matching`` when there are no roots."""

    matching: cq.Query
    terms: set[tuple[str, str]] = field(default_factory=set)
    #: How each ``prefix*`` expanded, per field.
    expansions: list[PrefixExpansion] = field(default_factory=list)
    roots: cq.Query | None = None
    #: The synonyms added to the query (:mod:`~searchkit.search.synonyms`).
    synonyms: list[Expansion] = field(default_factory=list)

    @property
    def query(self) -> cq.Query:
        return self.matching if self.roots is None else cq.AndMaybe(self.matching, self.roots)


class QueryCompiler:
    """Compiles queries against one commit (``context``): ``prefix*`` expands over its terms with a bound,
    ``=form`` excludes other forms, and words bring their roots, weighed by its document frequencies; with
    ``synonyms``, words and phrases of the dictionary are also searched as their synonyms."""

    def __init__(self, context: SearchContext, settings: Settings, synonyms: Synonyms | None = None) -> None:
        self.context = context
        self.expander = Expander(synonyms) if synonyms is not None else None
        self.synonym_weight = settings.synonyms.weight
        ranking: RankingSettings = settings.ranking
        self.boosts = {"title": ranking.title_boost, "body": ranking.body_boost}
        self.root_weight = ranking.root_weight
        self.settings = settings.analyzer
        self.analyzer: Analyzer = get_analyzer(settings.analyzer)
        self.morph = self.analyzer.morphology

    def compile(self, tree: ast.Node, text: str) -> Compiled:
        """Compile a parsed query; ``text`` is the original query, for error messages."""
        self._text = text
        self._terms: set[tuple[str, str]] = set()
        self._expansions: list[PrefixExpansion] = []
        self._roots: list[cq.Query] = []
        self._under_not = 0
        #: Whether the query filters by author (the plan says so when no document has one).
        self.authors_asked = False
        self._synonyms: list[Expansion] = []
        if not _searches_for_something(tree):
            raise QueryError("the query only excludes words: add a word to search for", text)
        tree = self.expand(tree)
        self.context.doc_frequencies(self._lemmas(tree))  # read together what compiling asks for word by word
        compiled = self._node(tree, positive=True, top=True)
        if compiled is None:
            raise QueryError("the query has only stop words (such as «и», «в», «что»), which are not indexed: "
                             "add a word that carries meaning", text)
        return Compiled(compiled, self._terms, self._expansions, _combine(cq.Or, self._roots), self._synonyms)

    def _lemmas(self, node: ast.Node | Expanded) -> set[tuple[str, str]]:
        """(field, term) of the terms of every word and phrase of the query and of their synonyms, in the text
        fields they are looked for in, and their bases without a prefix (for roots)."""
        if isinstance(node, Expanded):
            return self._lemmas(node.original) | {key for variant in node.variants
                                                  for key in self._text_lemmas(variant, node.field)}
        if isinstance(node, (ast.Word, ast.Phrase)):
            return set() if isinstance(node, ast.Word) and node.prefix else self._text_lemmas(node.text, node.field)
        if isinstance(node, ast.Not):
            return self._lemmas(node.child)
        return {key for child in getattr(node, "children", ()) for key in self._lemmas(child)}

    def _text_lemmas(self, text: str, fieldname: str | None) -> set[tuple[str, str]]:
        terms = {term for token in self.analyzer.tokens(text) for term in token.word.terms}
        terms |= {base for term in terms for base in unprefixed(term, self.morph.is_known)}
        fields = TEXT_FIELDS if fieldname is None else (fieldname,)
        return {(name, term) for name in fields for term in terms}

    def expand(self, tree: ast.Node) -> ast.Node:
        """The query with its words and phrases that have synonyms marked as :class:`Expanded` (unchanged
        without a dictionary, or when already expanded)."""
        return self.expander.expand(tree) if self.expander is not None else tree  # type: ignore[return-value]

    def _node(self, node: ast.Node, positive: bool, top: bool = False) -> cq.Query | None:
        if isinstance(node, Expanded):
            return self._expanded(node, positive)
        if isinstance(node, ast.Word):
            return self._fields(node.field, lambda f: self._word(f, node, positive))
        if isinstance(node, ast.Phrase):
            return self._fields(node.field, lambda f: self._phrase(f, node.text, node.slop, positive))
        if isinstance(node, ast.DateRange) and not top:
            return _date_range(node)
        if isinstance(node, RESTRICTIONS):
            return cq.Filtered(None, self._filters([node]))
        if isinstance(node, ast.Not):
            return self._exclusion(node, positive)
        if isinstance(node, ast.Or):
            return _combine(cq.Or, [self._node(child, positive) for child in node.children])
        joiner = cq.And if isinstance(node, ast.And) else cq.Or
        if joiner is cq.And and len(node.children) > MAX_AND_CLAUSES:
            raise QueryError(f"more than {MAX_AND_CLAUSES} clauses joined by AND", self._text)
        return self._with_exclusions(joiner, node.children, positive, top)

    def _exclusion(self, node: ast.Not, positive: bool) -> cq.Query | None:
        child = self._excluded(node.child, positive)
        return None if child is None else cq.AndNot(cq.Filtered(None, ()), child)

    def _excluded(self, node: ast.Node, positive: bool) -> cq.Query | None:
        """A part under NOT. Its words never add to a hit's score, even under two NOTs, so they bring no roots."""
        self._under_not += 1
        try:
            return self._node(node, not positive)
        finally:
            self._under_not -= 1

    def _with_exclusions(self, joiner: type[cq.Or] | type[cq.And], children: tuple[ast.Node, ...],
                         positive: bool, top: bool) -> cq.Query | None:
        """Clauses joined by ``joiner``; those under NOT are subtracted from the rest, and restrictions on
        structured fields filter them (:func:`_filters`)."""
        restrictions = [c for c in children if isinstance(c, RESTRICTIONS)]
        included = [self._node(c, positive) for c in children if not isinstance(c, (ast.Not, *RESTRICTIONS))]
        excluded = [self._excluded(c.child, positive) for c in children if isinstance(c, ast.Not)]
        base = _combine(joiner, included)
        if restrictions:
            if base is None and not top and not excluded:
                # Restrictions alone inside a larger query: alternatives that match, as they always did.
                base = _combine(cq.Or, [self._node(r, positive) for r in restrictions])
            else:
                base = cq.Filtered(base, self._filters(restrictions))
        removed = _combine(cq.Or, excluded)
        if base is None and removed is not None:
            raise QueryError("the query only excludes words once its stop words are left out: add a word to search for",
                             self._text)
        return base if removed is None or base is None else cq.AndNot(base, removed)

    def _filters(self, restrictions: list[ast.DateRange | ast.Restriction]) -> tuple[cq.Filter, ...]:
        """Restrictions as filters: those on one field are alternatives, a filter per field."""
        by_field: dict[str, list[cq.DateRange | cq.PathPattern | cq.Keyword | cq.Matching]] = {}
        for restriction in restrictions:
            fieldname = "date" if isinstance(restriction, ast.DateRange) else restriction.field
            by_field.setdefault(fieldname, []).append(self._alternative(restriction))
        return tuple(cq.Filter(fieldname, tuple(alternatives)) for fieldname, alternatives in by_field.items())

    def _alternative(self, restriction: ast.DateRange | ast.Restriction
                     ) -> cq.DateRange | cq.PathPattern | cq.Keyword | cq.Matching:
        if isinstance(restriction, ast.DateRange):
            return _date_range(restriction)
        if restriction.field == "path":
            return cq.PathPattern(restriction.value)
        if restriction.field == "format":
            return cq.Keyword(restriction.value.lower().lstrip("."))
        # author: analysed like words, each of them in any form (the field keeps no positions for phrases)
        words = [self._phrase("author", word.surface, 0, positive=False) for word in iter_words(restriction.value)
                 if not is_compound(word.surface)]
        present = [word for word in words if word is not None]
        if not present:
            raise QueryError("author: needs a name to look for", self._text, restriction.position)
        self.authors_asked = True
        return cq.Matching(present[0] if len(present) == 1 else cq.And(tuple(present)))

    def _fields(self, fieldname: str | None, build) -> cq.Query | None:  # type: ignore[no-untyped-def]
        """``build(field)`` for one field, or for title and body with their boosts."""
        if fieldname is not None:
            return build(fieldname)
        parts = []
        for name in TEXT_FIELDS:
            part = build(name)
            if part is not None:
                parts.append(with_boost(part, self.boosts[name]))
        return _combine(cq.Or, parts)

    def _positions(self, text: str, likeliest: bool = False) -> list[tuple[int, list[str]]]:
        """The query text analysed: (position, terms at that position), in order; with ``likeliest``, each
        word's likeliest term only."""
        at: dict[int, list[str]] = defaultdict(list)
        for token in self.analyzer.tokens(text):
            for term in token.word.terms[:1] if likeliest else token.word.terms:
                if term not in at[token.position]:
                    at[token.position].append(term)
        return sorted(at.items())

    def _word(self, fieldname: str, node: ast.Word, positive: bool) -> cq.Query | None:
        if node.prefix:
            return self._prefix(fieldname, node, positive)
        if node.exact:
            return self._exact(fieldname, node, positive)
        if node.pin:
            return self._pinned(fieldname, node, positive)
        scored = positive and not self._under_not  # excluded words only remove documents
        parts = self._compound_parts(node.text) if scored else []
        if parts:
            query = _combine(cq.Or, [self._phrase(fieldname, part, 0, positive) for part in parts])
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
        with some (benchmarks/README.md). A number's ending is left out («1990-х» is looked for as «1990»). A
        word with a stop word for a part and one other («что-либо», «по-русски»), words split by other marks
        («15.08.2025», «3.14») and excluded words (under NOT) are looked for whole."""
        words = list(iter_words(text))
        if not words:
            return []
        whole, *rest = words  # a compound comes before its parts
        if not is_compound(whole.surface) or any(is_compound(word.surface) or word.end > whole.end for word in rest):
            return []
        parts: dict[str, str] = {}
        stop_part = False
        for word in rest:
            analysed = self.analyzer.word(word.surface)
            if analysed.stopword:
                stop_part = True
            elif len(analysed.folded) > 1:
                parts.setdefault(analysed.folded, word.surface)
        return list(parts.values()) if len(parts) > 1 or not stop_part else []

    def _add_roots(self, fieldname: str, node: ast.Word) -> None:
        """The index terms sharing a root with a plain word looked for (with each part of a compound, once for
        a part that repeats; the compound whole brings none, its first part's root is the same), the best one
        counting, weighted by its share (:func:`~searchkit.search.roots.root_shares`), the ranking's root weight
        and the field's boost, to be scored beside the query."""
        if not self.root_weight:
            return
        boost = self.root_weight * (self.boosts[fieldname] if node.field is None else 1.0)
        words = {word.folded: word for word in (self.analyzer.word(found.surface) for found in iter_words(node.text)
                                                if not is_compound(found.surface))}
        for _, word in sorted(words.items()):
            if not word.terms:
                continue
            lemmas = word.terms
            bases = [base for lemma in lemmas for base in unprefixed(lemma, self.morph.is_known)]
            shares = root_shares(self.context, fieldname, lemmas, bases)
            if shares:
                terms = [cq.Term(fieldname, term, boost=share) for term, share in shares]
                self._roots.append(with_boost(terms[0] if len(terms) == 1 else cq.DisMax(tuple(terms)), boost))

    def _prefix(self, fieldname: str, node: ast.Word, positive: bool) -> cq.Query:
        """The index terms (lemmas, stems) and exact word forms starting with the prefix, at most
        :data:`MAX_PREFIX_TERMS` of them (those in most documents), each scored like a word, best one counting."""
        prefix = fold(node.text)
        scans = [self.context.terms_with_frequencies(fieldname, prefix)]
        if self.settings.exact_forms:
            scans.append(self.context.terms_with_frequencies(fieldname, exact_term(prefix)))
        found: list[tuple[str, int]] = []
        cut = False
        counts = []
        for scan in scans:
            terms = list(itertools.islice(scan, PREFIX_SCAN + 1))
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
        return _any_term(fieldname, kept) if kept else cq.Nothing()

    def _exact(self, fieldname: str, node: ast.Word, positive: bool) -> cq.Query | None:
        """``=form``: the word form's own term; for a form indexed as itself only (``сталь``), its term at the
        positions where no other form of its paradigm (``стали``, ``сталью``) stands. On an index without
        exact-form terms, the form's index terms at the positions where the stored text has that form."""
        words = list(iter_words(node.text))
        if not words:
            return None
        word = self.analyzer.word(words[0].surface)
        if not word.terms:
            return None
        form, terms = word.folded, word.terms
        if positive:
            self._terms.add((fieldname, word.exact))  # marks «сталь», not «стали», on any index
        if not self.settings.exact_forms:
            return cq.FormInText(fieldname, form, terms)
        if word.has_exact_term:
            return cq.Term(fieldname, word.exact)
        others = [exact_term(other) for other in self.morph.paradigm(form) if other != form]
        others = [t for t in others if self.context.doc_frequency(fieldname, t) > 0]
        if not others:
            return cq.Term(fieldname, form)
        return cq.TermNotAmong(fieldname, form, tuple(others))

    def _pinned(self, fieldname: str, node: ast.Word, positive: bool) -> cq.Query | None:
        """``стали:сталь``: the word's terms narrowed to the lemma named after the colon (in any form)."""
        groups = self._positions(node.text)
        if not groups:
            return None
        if len(groups) != 1:
            raise QueryError("only a single word can be pinned to a lemma (word:lemma)", self._text, node.position)
        terms = groups[0][1]
        pin = self.analyzer.word(node.pin or "")
        chosen = [pin.folded] if pin.folded in terms else [t for t in pin.lemmas if t in terms]
        if not chosen:
            field = f" (if a field was meant: fields are {', '.join(ast.FIELDS)})" if node.text.isascii() else ""
            raise QueryError(f"{node.text!r} has no reading {node.pin!r}; its lemmas are {', '.join(terms)}{field}",
                             self._text, node.position)
        if positive:
            self._terms.update((fieldname, term) for term in chosen)
        return _any_term(fieldname, chosen)

    def _phrase(self, fieldname: str, text: str, slop: int, positive: bool,
                likeliest: bool = False) -> cq.Query | None:
        groups = self._positions(text, likeliest)
        if positive:
            self._terms.update((fieldname, term) for _, terms in groups for term in terms)
        if not groups:
            return None
        if len(groups) == 1:
            return _any_term(fieldname, groups[0][1])
        if len(groups) > MAX_PHRASE_WORDS:
            raise QueryError(f"a phrase or compound of more than {MAX_PHRASE_WORDS} words is not searched "
                             f"(this one has {len(groups)})", self._text)
        return cq.Phrase(fieldname, tuple((position, tuple(terms)) for position, terms in groups), slop)


    def _expanded(self, node: Expanded, positive: bool) -> cq.Query | None:
        """The original part or any of its synonyms, the best one counting: each synonym a phrase of its words'
        likeliest lemmas (no roots, no compound parts: «ВОВ» is not looked for as *Вова* too), weighted by the
        synonym weight and, when it is rarer in the index than the words typed, brought down to their rarity, so
        that a document with only a synonym ranks below one with the words."""
        original = self._node(node.original, positive)
        if original is None:
            return None
        self._synonyms.extend(node.expansions)
        ceiling = self._ceiling(original)
        variants = []
        for variant in node.variants:
            query = self._fields(node.field, lambda f: self._phrase(f, variant, node.slop, positive, likeliest=True))
            if query is not None:
                cap = min(1.0, ceiling / max(self._ceiling(query), 1e-9))
                variants.append(with_boost(query, self.synonym_weight * cap))
        return cq.DisMax((original, *variants)) if variants else original

    def _ceiling(self, query: cq.Query) -> float:
        """About the most ``query`` scores in a document, in idfs: a term its idf, the best part of a DisMax,
        the parts of an Or, an And or a phrase added up (a phrase scores as its terms do). A term's weight in a
        document multiplies each alike, so two ceilings compare what the two queries can score."""
        if isinstance(query, cq.Term):
            return query.boost * bm25_idf(self.context.size, self.context.doc_frequency(query.field, query.text))
        if isinstance(query, cq.Phrase):
            return query.boost * sum(self._ceiling(cq.Term(query.field, term))
                                     for _, terms in query.positions for term in terms)
        if isinstance(query, cq.DisMax):
            return query.boost * max(self._ceiling(part) for part in query.parts)
        if isinstance(query, (cq.Or, cq.And)):
            return query.boost * sum(self._ceiling(part) for part in query.parts)
        if isinstance(query, cq.AndNot):
            return query.boost * self._ceiling(query.positive)
        if isinstance(query, (cq.FormInText, cq.TermNotAmong)):
            terms = query.terms if isinstance(query, cq.FormInText) else (query.term,)
            return query.boost * max(self._ceiling(cq.Term(query.field, term)) for term in terms)
        return query.boost


def _searches_for_something(node: ast.Node) -> bool:
    """Whether some part of the query is looked for rather than excluded."""
    if isinstance(node, ast.Not):
        return False
    if isinstance(node, (ast.And, ast.Or, ast.Any)):
        return any(_searches_for_something(child) for child in node.children)
    return True


def _any_term(fieldname: str, terms: list[str]) -> cq.Query:
    if len(terms) == 1:
        return cq.Term(fieldname, terms[0])
    return cq.DisMax(tuple(cq.Term(fieldname, term) for term in terms))


def _date_range(node: ast.DateRange) -> cq.DateRange:
    return cq.DateRange(node.start, node.end)




def _combine(joiner: type[cq.Or] | type[cq.And], parts: list[cq.Query | None]) -> cq.Query | None:
    present = [part for part in parts if part is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else joiner(tuple(present))
