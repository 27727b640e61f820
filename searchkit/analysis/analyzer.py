"""The Russian analyzer: text → tokens, every word through one function, :meth:`Analyzer.word`.

    iter_words → fold → stop word? → lemmas and stems, weighted → the exact-form term ``=form``

Indexing, query compiling, snippets, explain and the corrections all call :meth:`Analyzer.word` (or
:meth:`Analyzer.tokens`, which calls it for each word of a text), so a word is normalised and lemmatised in one
place only. Each token keeps the position and character offsets of the word it came from, so phrases and
highlighting work on lemmas. Nothing here knows about an engine: a backend adapts :meth:`Analyzer.tokens` to
its own analyzer interface.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..settings import AnalyzerSettings
from .lexicon import Reading
from .morphology import Morphology, get_morphology
from .normalize import fold
from .stopwords import RUSSIAN_STOPWORDS
from .tokenizer import iter_words

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


class WordTerms(NamedTuple):
    """What one word is indexed and searched under: its folded form, whether it is a stop word, and the weighted
    lemmas (or stems) the morphology gives the folded form, most probable first. Made once per surface form
    (:meth:`Analyzer.word` remembers them), so everything a caller asks of a word is computed here.

    ``weighted`` and ``lemmas`` are filled for a stop word too (the corrections weigh a word by its lemmas'
    documents whatever it is), while :attr:`terms`, what the index holds, is empty for one."""

    folded: str
    stopword: bool
    weighted: tuple[tuple[str, float], ...]
    #: The morphology's terms of the form, stop word or not.
    lemmas: tuple[str, ...]
    #: The index terms of the word: its lemmas, none for a stop word or a word folded away.
    terms: tuple[str, ...]
    #: The word's exact-form term (``=стали``), whether or not the index has it.
    exact: str

    @classmethod
    def of(cls, folded: str, stopword: bool, weighted: tuple[tuple[str, float], ...]) -> WordTerms:
        lemmas = tuple(term for term, _ in weighted)
        return cls(folded, stopword, weighted, lemmas, () if stopword else lemmas, exact_term(folded))

    @property
    def has_exact_term(self) -> bool:
        """Whether an index with exact forms holds :attr:`exact` for this word (see :func:`needs_exact_term`)."""
        return bool(self.terms) and needs_exact_term(self.folded, self.terms)

    def match(self, wanted: set[str] | frozenset[str]) -> str | None:
        """The first of the word's terms, then its exact-form term, that is in ``wanted``: how a word of stored
        text is marked for a query's terms."""
        for term in self.terms:
            if term in wanted:
                return term
        return self.exact if self.terms and self.exact in wanted else None


class Token(NamedTuple):
    """One word of a text, ``text[start:end] == surface``, with its position (parts of a compound follow it) and
    its analysis. A tuple, since texts are split into millions of them."""

    surface: str
    start: int
    end: int
    position: int
    word: WordTerms


class Analyzer:
    """The analysis of words under one index's :class:`~searchkit.settings.AnalyzerSettings`; get the process's
    shared one with :func:`get_analyzer`. :meth:`word` is memoised per surface form, up to :data:`MEMO_SIZE`
    forms: word frequencies follow Zipf's law, so most words of a text are looked up, not analysed."""

    MEMO_SIZE = 1 << 17

    def __init__(self, settings: AnalyzerSettings) -> None:
        self.settings = settings
        self.morphology: Morphology = get_morphology(settings.terms, settings.stem_unknown)
        self._stopwords = RUSSIAN_STOPWORDS if settings.stopwords else frozenset()
        self._memo: dict[str, WordTerms] = {}

    def is_stopword(self, folded: str) -> bool:
        """Whether the folded word is left out of the index under these settings."""
        return folded in self._stopwords

    def word(self, surface: str) -> WordTerms:
        """The analysis of one word as written."""
        found = self._memo.get(surface)
        if found is None:
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            found = self._memo[surface] = self._analyse(surface)
        return found

    def _analyse(self, surface: str) -> WordTerms:
        folded = fold(surface)
        if not folded:  # a lone stress mark or soft hyphen
            return WordTerms.of(folded, False, ())
        return WordTerms.of(folded, folded in self._stopwords, self.morphology.weighted_terms(folded))

    def tokens(self, text: str) -> Iterator[Token]:
        """Every word of ``text`` (a compound, then its parts) with its analysis; words folded away to nothing
        are left out, their positions kept."""
        memo, word = self._memo, self.word
        for surface, start, end, position in iter_words(text):
            terms = memo.get(surface) or word(surface)
            if terms.folded:
                yield Token(surface, start, end, position, terms)


@lru_cache(maxsize=8)
def get_analyzer(settings: AnalyzerSettings) -> Analyzer:
    """The process-wide :class:`Analyzer` for these settings, shared by the indexes and searches of a process."""
    return Analyzer(settings)


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
    analyzer = get_analyzer(settings or AnalyzerSettings())
    morphology = analyzer.morphology
    return [AnalyzedToken(token.surface, token.start, token.end, token.position, token.word.folded,
                          token.word.stopword, token.word.terms, tuple(morphology.readings(token.word.folded)),
                          morphology.is_known(token.word.folded))
            for token in analyzer.tokens(text)]
