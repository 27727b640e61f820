"""Word form → index terms: pymorphy3 lemmas, with Snowball stems where the dictionary has no answer.

Every distinct normal form among a known word's dictionary parses becomes a term (``стали`` → ``стать``,
``сталь``), so a query in any form meets a document in any form whichever reading was meant, and so do the
further lemmas of :mod:`~searchkit.analysis.variants` (``лучших`` → ``хороший``, ``лучший``). A word the
dictionary does not know gets pymorphy3's best guess at its lemma, the form itself and its Snowball Russian
stem, because guesses about unknown names go wrong more often than stems do. Latin words get the Snowball
English stem and the word itself.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .lexicon import FormAnalysis, Lexicon, Reading
from .normalize import fold, is_latin
from .variants import reading_lemmas, unknown_word_lemmas

if TYPE_CHECKING:  # pymorphy3 is imported when a word is first analysed, not with searchkit
    import pymorphy3.analyzer

#: Distinct word forms remembered per process. Word frequencies follow Zipf's law, so a few hundred thousand
#: forms cover almost every token of a large corpus; each entry costs a few hundred bytes.
CACHE_SIZE = 1 << 18
#: Paradigms (every form of a lemma) remembered per process.
PARADIGMS = 4096
#: Lexicons of indexes (:meth:`Morphology.remember`) consulted, the most recently remembered first.
LEXICONS = 8
#: The letters pymorphy3's Russian dictionary also reads as another (``pymorphy3.lang.ru.CHAR_SUBSTITUTES``):
#: a word typed with «е» is known when the dictionary has it with «ё».
CHAR_SUBSTITUTES = {"е": "ё"}


class Morphology:
    """Lemmatiser for folded word forms (see :func:`~searchkit.analysis.normalize.fold`).

    Loading pymorphy3's dictionaries takes a fraction of a second and tens of megabytes, so one instance
    per process is shared through :func:`get_morphology`, and they are loaded only when a word is asked about
    that no index's lexicon (:meth:`remember`) has; telling whether the dictionary knows a word needs only its
    list of words, read on its own.
    """

    def __init__(self, mode: str = "weighted-lemmas", stem_unknown: bool = True) -> None:
        self._analyzer: pymorphy3.MorphAnalyzer | None = None
        self._known_words: tuple[Any, Any] | None = None
        self._mode = mode
        self._stem_unknown = stem_unknown
        self._lexicons: tuple[Lexicon, ...] = ()
        self.weighted_terms = lru_cache(maxsize=CACHE_SIZE)(self._weighted_terms)
        self._paradigms = lru_cache(maxsize=PARADIGMS)(self._paradigm)

    @property
    def _morph(self) -> pymorphy3.MorphAnalyzer:
        if self._analyzer is None:
            import pymorphy3

            self._analyzer = pymorphy3.MorphAnalyzer()
        return self._analyzer

    @property
    def loaded(self) -> bool:
        """Whether pymorphy3's analyzer has been loaded by this morphology."""
        return self._analyzer is not None

    @property
    def uses_c_extension(self) -> bool:
        """True when pymorphy3 reads its dictionaries with the DAWG C extension, not the slow pure-Python reader."""
        import pymorphy3.dawg

        return pymorphy3.dawg.EXTENSION_AVAILABLE

    def remember(self, lexicon: Lexicon) -> None:
        """Answer the forms of ``lexicon`` (an index's, written under this morphology's settings) as it says,
        without pymorphy3, before those of the lexicons remembered earlier."""
        if not (self._lexicons and self._lexicons[0] is lexicon):  # one tuple, replaced: threads may be reading it
            self._lexicons = (lexicon, *(known for known in self._lexicons if known is not lexicon))[:LEXICONS]

    def _remembered(self, form: str) -> FormAnalysis | None:
        for lexicon in self._lexicons:
            found = lexicon.analysis(form)
            if found is not None:
                return found
        return None

    def is_known(self, form: str) -> bool:
        """Whether pymorphy3's dictionary has the word (in lower case, «е» also read as «ё»), as
        ``MorphAnalyzer.word_is_known`` tells it."""
        if self._analyzer is not None:
            return self._analyzer.word_is_known(form)
        if self._known_words is None:
            self._known_words = _known_words()
        words, substitutes = self._known_words
        return bool(words.similar_keys(form.lower(), substitutes))

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
        remembered = self._remembered(form)
        if remembered is not None and remembered.readings:
            return list(remembered.readings)
        scores: dict[tuple[str, str], float] = {}
        for parse in self._parse(form):
            key = (fold(parse.normal_form), str(parse.tag.POS or parse.tag).split(",")[0])
            scores[key] = scores.get(key, 0.0) + parse.score
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        return [Reading(lemma, pos, score) for (lemma, pos), score in ranked]

    def analysis(self, form: str) -> FormAnalysis:
        """What a lexicon keeps of the folded ``form``: its weighted terms, and its readings if a search may ask
        for them (a dictionary word with more than one term)."""
        weighted = self.weighted_terms(form)
        homonym = len(weighted) > 1 and self.is_known(form)
        return FormAnalysis(weighted, tuple(self.readings(form)) if homonym else ())

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
        remembered = self._remembered(form)
        if remembered is not None:
            return remembered.weighted
        if form.isdigit():
            return ((form, 1.0),)
        if is_latin(form):
            return tuple((term, 1.0) for term in dict.fromkeys((_stemmer("english").stemWord(form), form)))
        if self._mode == "form":
            return ((form, 1.0),)
        stem = _stemmer("russian").stemWord(form)
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


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(language)


def _known_words() -> tuple[Any, Any]:
    """pymorphy3's Russian list of word forms (``words.dawg``) alone, and the letters it also reads as others:
    enough to tell a known word, without loading the rest of the dictionaries."""
    import os

    import pymorphy3_dicts_ru

    try:
        from dawg import RecordDAWG
    except ImportError:  # pymorphy3 without its C extension
        from dawg_python import RecordDAWG
    words = RecordDAWG(">HH").load(os.path.join(pymorphy3_dicts_ru.get_path(), "words.dawg"))
    return words, words.compile_replaces(CHAR_SUBSTITUTES)
