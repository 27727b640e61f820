"""The Russian analyzer: one Whoosh pipeline used for documents and queries alike, and a readable
token-by-token account of what it does (``searchkit analyze``).

    RussianTokenizer | FoldFilter | StopFilter | LemmaFilter

Each filter does one thing; every token keeps the position and character offsets of the word it came from,
so phrases and highlighting work on lemmas. The pipeline objects hold only settings: Whoosh pickles them into
the index schema, and the heavy pymorphy3 analyzer is looked up per process instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from whoosh.analysis import Analyzer, Filter, StopFilter, Token

from ..settings import AnalyzerSettings
from .morphology import Reading, get_morphology
from .normalize import fold
from .stopwords import RUSSIAN_STOPWORDS
from .tokenizer import RussianTokenizer, iter_words


class FoldFilter(Filter):
    """Replaces each token's text with its folded form (case, ``ё``, stress marks, look-alike letters), and
    drops a token left empty (a stray stress mark or soft hyphen)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = fold(token.text)
            if token.text:
                yield token


#: Marks the exact-form term of a word (``=стали``), indexed at the word's position next to its lemmas.
EXACT_MARK = "="


def exact_term(form: str) -> str:
    """The index term of the folded word form ``form`` itself, as the ``=form`` query operator looks it up."""
    return EXACT_MARK + form


def needs_exact_term(form: str, terms: tuple[str, ...]) -> bool:
    """Whether a word form gets its own exact-form term: when its index terms are anything but the form alone
    (``стали`` → стать, сталь; ``людей`` → человек). A word indexed as itself only (``сталь``, ``2024``) is found
    exactly through that term, so the index grows only by the forms that differ."""
    return not (len(terms) == 1 and terms[0] == form)


class LemmaFilter(Filter):
    """Replaces each token with one token per index term of its word, all at the same position, each boosted
    by the term's weight (which Whoosh adds up into the term's frequency in the document). With
    ``exact_forms``, a word whose terms are not just its folded form also gets the term ``=form`` at the same
    position when a document is indexed (not when a query is analysed), for the exact-form operator."""

    def __init__(self, mode: str = "weighted-lemmas", stem_unknown: bool = True, exact_forms: bool = False) -> None:
        self.mode = mode
        self.stem_unknown = stem_unknown
        self.exact_forms = exact_forms

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        terms_of = get_morphology(self.mode, self.stem_unknown).weighted_terms
        exact = getattr(self, "exact_forms", False)  # an analyzer unpickled from an older index lacks it
        for token in tokens:
            if token.stopped:
                yield token
                continue
            form = token.text
            weighted = terms_of(form)
            for term, weight in weighted:
                token.text = term
                token.boost = weight
                yield token
            if exact and token.mode == "index" and needs_exact_term(form, tuple(t for t, _ in weighted)):
                token.text = exact_term(form)
                token.boost = 1.0
                yield token


class WordTerms:
    """The terms one word is indexed under, as the pipeline makes them (its lemmas or stems, most probable
    first; none for a stop word), then its exact-form term ``=form`` (whether or not the index has it), for code
    that looks at many words of stored text, such as highlighting: calling the Whoosh pipeline costs several
    times more per word. Memoised per surface form, up to :data:`MEMO_SIZE` forms."""

    MEMO_SIZE = 1 << 17

    def __init__(self, settings: AnalyzerSettings) -> None:
        self._morphology = get_morphology(settings.terms, settings.stem_unknown)
        self._stopwords = RUSSIAN_STOPWORDS if settings.stopwords else frozenset()
        self._memo: dict[str, tuple[str, ...]] = {}

    def __call__(self, surface: str) -> tuple[str, ...]:
        terms = self._memo.get(surface)
        if terms is None:
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            terms = self._memo[surface] = self._terms(surface)
        return terms

    def _terms(self, surface: str) -> tuple[str, ...]:
        folded = fold(surface)
        if not folded or folded in self._stopwords:
            return ()
        # The exact-form term comes last, indexed or not: ``=form`` queries mark the words by it.
        return self._morphology.terms(folded) + (exact_term(folded),)


def build_analyzer(settings: AnalyzerSettings) -> Analyzer:
    """The Whoosh analyzer for the body and title fields under ``settings``."""
    chain = RussianTokenizer() | FoldFilter()
    if settings.stopwords:
        chain = chain | StopFilter(stoplist=RUSSIAN_STOPWORDS, minsize=1, renumber=False)
    return chain | LemmaFilter(mode=settings.terms, stem_unknown=settings.stem_unknown,
                               exact_forms=settings.exact_forms)


@dataclass(frozen=True)
class AnalyzedToken:
    """What the analyzer made of one word: the original form and where it stands, its folded form, and the
    terms it is indexed under (none for a stop word), with pymorphy3's readings behind them."""

    surface: str
    start: int
    end: int
    position: int
    folded: str
    stopword: bool
    terms: tuple[str, ...]
    readings: tuple[Reading, ...]
    known: bool


def analyze(text: str, settings: AnalyzerSettings | None = None) -> list[AnalyzedToken]:
    """Explain the analysis of ``text`` token by token, like Elasticsearch's ``_analyze``."""
    settings = settings or AnalyzerSettings()
    morphology = get_morphology(settings.terms, settings.stem_unknown)
    tokens = []
    for word in iter_words(text):
        folded = fold(word.surface)
        if not folded:
            continue  # a lone stress mark or soft hyphen: FoldFilter drops it from the index too
        stopword = settings.stopwords and folded in RUSSIAN_STOPWORDS
        tokens.append(AnalyzedToken(
            surface=word.surface,
            start=word.start,
            end=word.end,
            position=word.position,
            folded=folded,
            stopword=stopword,
            terms=() if stopword else morphology.terms(folded),
            readings=tuple(morphology.readings(folded)),
            known=morphology.is_known(folded),
        ))
    return tokens
