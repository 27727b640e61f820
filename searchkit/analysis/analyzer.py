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


class LemmaFilter(Filter):
    """Replaces each token with one token per index term of its word, all at the same position, each boosted
    by the term's weight (which Whoosh adds up into the term's frequency in the document)."""

    def __init__(self, mode: str = "weighted-lemmas", stem_unknown: bool = True) -> None:
        self.mode = mode
        self.stem_unknown = stem_unknown

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        terms_of = get_morphology(self.mode, self.stem_unknown).weighted_terms
        for token in tokens:
            if token.stopped:
                yield token
                continue
            for term, weight in terms_of(token.text):
                token.text = term
                token.boost = weight
                yield token


def build_analyzer(settings: AnalyzerSettings) -> Analyzer:
    """The Whoosh analyzer for the body and title fields under ``settings``."""
    chain = RussianTokenizer() | FoldFilter()
    if settings.stopwords:
        chain = chain | StopFilter(stoplist=RUSSIAN_STOPWORDS, minsize=1, renumber=False)
    return chain | LemmaFilter(mode=settings.terms, stem_unknown=settings.stem_unknown)


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
