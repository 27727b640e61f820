"""Word form → index terms: pymorphy3 lemmas, with Snowball stems where the dictionary has no answer.

Every distinct normal form among a known word's dictionary parses becomes a term (``стали`` → ``стать``,
``сталь``), so a query in any form meets a document in any form whichever reading was meant, and so do the
further lemmas of :mod:`~searchkit.analysis.variants` (``лучших`` → ``хороший``, ``лучший``). A word the
dictionary does not know gets pymorphy3's best guess at its lemma, the form itself and its Snowball Russian
stem, because guesses about unknown names go wrong more often than stems do. Latin words get the Snowball
English stem and the word itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .normalize import fold, is_latin
from .variants import reading_lemmas, unknown_word_lemmas

if TYPE_CHECKING:  # pymorphy3 is imported when the first analyzer is made, not with searchkit
    import pymorphy3.analyzer

#: Distinct word forms remembered per process. Word frequencies follow Zipf's law, so a few hundred thousand
#: forms cover almost every token of a large corpus; each entry costs a few hundred bytes.
CACHE_SIZE = 1 << 18
#: Paradigms (every form of a lemma) remembered per process.
PARADIGMS = 4096


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a word form, for display: a lemma, its part of speech, and the summed probability of
    pymorphy3's parses that give this lemma and part of speech."""

    lemma: str
    pos: str
    score: float


class Morphology:
    """Lemmatiser for folded word forms (see :func:`~searchkit.analysis.normalize.fold`).

    Loading pymorphy3's dictionaries takes a fraction of a second and tens of megabytes, so one instance
    per process is shared through :func:`get_morphology`.
    """

    def __init__(self, mode: str = "weighted-lemmas", stem_unknown: bool = True) -> None:
        import pymorphy3
        import snowballstemmer

        self._morph = pymorphy3.MorphAnalyzer()
        self._mode = mode
        self._stem_unknown = stem_unknown
        self._ru_stemmer = snowballstemmer.stemmer("russian")
        self._en_stemmer = snowballstemmer.stemmer("english")
        self.weighted_terms = lru_cache(maxsize=CACHE_SIZE)(self._weighted_terms)
        self._paradigms = lru_cache(maxsize=PARADIGMS)(self._paradigm)

    @property
    def uses_c_extension(self) -> bool:
        """True when pymorphy3 reads its dictionaries with the DAWG C extension, not the slow pure-Python reader."""
        import pymorphy3.dawg

        return pymorphy3.dawg.EXTENSION_AVAILABLE

    def is_known(self, form: str) -> bool:
        return self._morph.word_is_known(form)

    def _parse(self, form: str) -> list[pymorphy3.analyzer.Parse]:
        """pymorphy3's parses; none for a word it cannot handle (it looks up Unicode character names, and
        some scripts, such as Tangut, have none)."""
        try:
            return self._morph.parse(form)
        except ValueError:
            return []

    def _known_lemmas(self, word: str) -> list[str]:
        """The folded normal forms of ``word`` if the dictionary knows it, else none."""
        if not self._morph.word_is_known(word):
            return []
        return [fold(parse.normal_form) for parse in self._parse(word)]

    def parses(self, form: str) -> list[pymorphy3.analyzer.Parse]:
        """pymorphy3's parses of a folded form (for inflection and paradigms)."""
        return self._parse(form)

    def paradigm(self, lemma: str) -> frozenset[str]:
        """The folded forms of the words whose normal form is ``lemma`` (every form it inflects into: «дня»,
        «днём» of «день»; «люди» of «человек»), remembered."""
        return self._paradigms(lemma)

    def _paradigm(self, lemma: str) -> frozenset[str]:
        forms: set[str] = set()
        for parse in self._parse(lemma):
            if fold(parse.normal_form) == lemma:
                forms.update(fold(f.word) for f in parse.lexeme)
        return frozenset(forms)

    def readings(self, form: str) -> list[Reading]:
        """The distinct (lemma, part of speech) readings of ``form``, most probable first."""
        scores: dict[tuple[str, str], float] = {}
        for parse in self._parse(form):
            key = (fold(parse.normal_form), str(parse.tag.POS or parse.tag).split(",")[0])
            scores[key] = scores.get(key, 0.0) + parse.score
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        return [Reading(lemma, pos, score) for (lemma, pos), score in ranked]

    def terms(self, form: str) -> tuple[str, ...]:
        """The index terms of one folded word form, most probable first."""
        return tuple(term for term, _ in self.weighted_terms(form))

    def _weighted_terms(self, form: str) -> tuple[tuple[str, float], ...]:
        """The index terms of one folded word form with their weights, most probable first.

        By default (``weighted-lemmas``) a known word's lemmas are weighted by pymorphy3's probability relative
        to the most probable lemma (``стали`` → ``стать`` 1.0, ``сталь`` 0.026), so a rare reading still finds
        the word but counts for little. An unknown word's terms, a Latin word's and a number weigh 1. The other
        modes (see :class:`~searchkit.settings.AnalyzerSettings`) exist to be compared.
        """
        if form.isdigit():
            return ((form, 1.0),)
        if is_latin(form):
            return tuple((term, 1.0) for term in dict.fromkeys((self._en_stemmer.stemWord(form), form)))
        if self._mode == "form":
            return ((form, 1.0),)
        stem = self._ru_stemmer.stemWord(form)
        if self._mode == "stem":
            return ((stem, 1.0),)
        parses = self._parse(form)
        if not (parses and self._morph.word_is_known(form)):
            guess = fold(parses[0].normal_form) if parses else form
            unknown = [guess, *unknown_word_lemmas(form, self._known_lemmas)]
            if self._stem_unknown:
                unknown.append(stem)
            return tuple((term, 1.0) for term in dict.fromkeys(unknown))
        has_adverb = any(parse.tag.POS == "ADVB" for parse in parses)
        scores: dict[str, float] = {}
        for parse in parses:
            lemma = fold(parse.normal_form)
            scores[lemma] = scores.get(lemma, 0.0) + parse.score
            for variant in reading_lemmas(form, parse, self._morph, has_adverb):
                if variant != lemma:
                    scores[variant] = scores.get(variant, 0.0) + parse.score
        top = max(scores.values()) or 1.0
        lemmas = sorted(((lemma, score / top) for lemma, score in scores.items()), key=lambda item: -item[1])
        if self._mode == "top-lemma":
            return tuple(lemmas[:1])
        if self._mode == "all-lemmas":
            return tuple((lemma, 1.0) for lemma, _ in lemmas)
        if self._mode == "lemmas+stem" and stem not in scores:
            lemmas.append((stem, 1.0))
        return tuple(lemmas)


@lru_cache(maxsize=8)
def get_morphology(mode: str = "weighted-lemmas", stem_unknown: bool = True) -> Morphology:
    """The process-wide :class:`Morphology` for these settings."""
    return Morphology(mode=mode, stem_unknown=stem_unknown)
