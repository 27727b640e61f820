"""Corrections of a query: keyboard layout, transliteration and spelling, proposed from the index's words.

A query is corrected (:func:`propose`, applied by the searcher) for

- keyboard layout: a word typed with the wrong layout on («ghbdtn», «Genby», «шзрщту») becomes the word of the
  other layout when that one is a dictionary word or in the index and the typed one is neither;
- transliteration: a Latin word the index lacks («Putin», «Ankoridzh», «Kim Chen In») becomes the first Cyrillic
  spelling of it (:mod:`~searchkit.search.translit`) that the index has;
- spelling: a Cyrillic word the index lacks becomes the closest, more frequent index word, re-inflected
  (:mod:`~searchkit.search.spelling`).

A layout or transliteration fix of words that are not words is applied at once; a spelling fix is applied when the
query as typed finds nothing; otherwise the fix is only suggested. The original can always be searched as typed
(``correct=False``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..analysis import Analyzer, get_analyzer
from ..analysis.normalize import is_cyrillic
from ..analysis.tokenizer import MAX_WORD_CHARS
from ..backends import SearchContext
from ..compiled import TEXT_FIELDS
from ..errors import QueryError
from ..settings import AnalyzerSettings
from . import layout, spelling, translit
from . import query as ast
from .plan import Rewrite, WordChange
from .remembered import remembered

LAYOUT, TRANSLITERATION, SPELLING = "layout", "transliteration", "spelling"

_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CHUNK = re.compile(r"[^\s()\"]+")

class Vocabulary:
    """The index's words as the corrections see them: a word's document frequency (through its index terms)
    and whether the dictionary knows it."""

    def __init__(self, context: SearchContext, settings: AnalyzerSettings) -> None:
        self.context = context
        self.analyzer: Analyzer = get_analyzer(settings)
        self.morph = self.analyzer.morphology
        self.frequency = lru_cache(maxsize=4096)(self._frequency)

    def _frequency(self, word: str) -> int:
        """Documents having one of ``word``'s lemmas (the most of any, over title and body)."""
        lemmas = self.analyzer.word(word).lemmas
        return max((self.context.doc_frequency(name, term) for name in TEXT_FIELDS for term in lemmas), default=0)

    def doc_frequency(self, term: str) -> int:
        return self.context.doc_frequency("body", term)

    def is_stopword(self, word: str) -> bool:
        return self.analyzer.word(word).stopword

    def known(self, word: str) -> bool:
        """A Cyrillic word pymorphy3's dictionary knows."""
        folded = self.analyzer.word(word).folded
        return is_cyrillic(folded) and self.morph.is_known(folded)

    def is_word(self, word: str) -> bool:
        return self.known(word) or self.frequency(word) > 0

    def lexicon(self, letter: str) -> dict[int, list[str]]:
        return spelling.lexicon_by_first_letter(self.context, "body", letter)


def _words(text: str) -> list[tuple[int, str]]:
    """(offset, word) of the query's plain words and the words inside its phrases, operators, fields, prefixes,
    exact forms and pinned words left alone. A query that does not even tokenise (``[jhjij`` is «хорошо»
    typed on the Latin layout) is split at spaces."""
    try:
        tokens = ast.tokenize(text)
        ast.parse(text)
    except QueryError:
        return [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    words = []
    for token in tokens:
        if token.kind == "WORD":
            word = token.text
            if word.endswith("*") or word.startswith(ast.EXACT_MARK) or ast.PIN_RE.fullmatch(word):
                continue
            words.append((token.position, word))
        elif token.kind == "PHRASE":
            words.extend((token.position + 1 + m.start(), m.group()) for m in _CHUNK.finditer(token.text))
    return words


def _layout_variants(word: str) -> list[str]:
    """``word`` in the other layout; for a word ending in «,» or «.» (keys of «б», «ю»), also with that
    character kept as punctuation."""
    variants = [layout.flip(word)]
    if len(word) > 1 and word[-1] in ",.":
        variants.append(layout.flip(word[:-1]) + word[-1])
    return variants


#: A Latin word the index has is still offered in Cyrillic when the Cyrillic spelling is in this many times as
#: many documents («Putin» in one English note, «Путин» in the news).
TRANSLITERATION_GAIN = 2
#: Shorter words are not spelling-corrected: too many words are one letter away.
MIN_SPELLING_CHARS = 4
#: Words whose spelling suggestion a commit remembers.
CACHED_SPELLINGS = 4096


def fix_word(vocabulary: Vocabulary, word: str) -> tuple[str, str, bool] | None:
    """(replacement, kind, clear) for one query word, or None. ``clear``: the typed word is no word at all."""
    if not any(ch.isalpha() for ch in word) or len(word) > MAX_WORD_CHARS or vocabulary.is_stopword(word):
        return None
    frequency = vocabulary.frequency(word)
    typed_latin = all(ch in layout.LATIN_KEYS or ch.isdigit() or ch == "-" for ch in word) and \
        _LATIN_LETTER.search(word) is not None
    typed_cyrillic = bool(is_cyrillic(word))
    if typed_latin:
        # The other layout's word in the index, else a Cyrillic spelling in the index, else the other layout's
        # dictionary word («In» is «Ын» of a Korean name in the index before it is «Шт», a dictionary word).
        variants = _layout_variants(word)
        for variant in variants:
            found = vocabulary.frequency(variant)
            if found > 0 and found >= TRANSLITERATION_GAIN * frequency or \
                    vocabulary.is_stopword(variant) and len(word) <= 3:
                return variant, LAYOUT, frequency == 0
        variants = variants if frequency == 0 else []
        if translit.is_transliterable(word):
            for spelled in translit.candidates(word):
                found = vocabulary.frequency(spelled)
                if found > 0 and found >= TRANSLITERATION_GAIN * frequency:
                    return spelling.match_case(word, spelled), TRANSLITERATION, frequency == 0
        for variant in variants:
            if vocabulary.known(variant):
                return variant, LAYOUT, True
        return None
    if typed_cyrillic and frequency == 0:
        flipped = layout.to_latin(word)
        if _LATIN_LETTER.search(flipped) and not vocabulary.known(word) and vocabulary.frequency(flipped) > 0:
            return flipped, LAYOUT, True
        suggestion = suggest_spelling(vocabulary, word) if len(word) >= MIN_SPELLING_CHARS else None
        if suggestion:
            return suggestion, SPELLING, False
    return None


def suggest_spelling(vocabulary: Vocabulary, word: str) -> str | None:
    """The index word closest to ``word``, re-inflected like it; None if none is within reach. Remembered for
    the commit: a name the index lacks comes back in query after query."""
    return remembered(vocabulary.context, "spelling", (vocabulary.analyzer.settings, word),
                      lambda: _closest_word(vocabulary, word), CACHED_SPELLINGS)


def _closest_word(vocabulary: Vocabulary, word: str) -> str | None:
    analysed = vocabulary.analyzer.word(word)
    folded = analysed.folded
    targets = [folded, *analysed.lemmas]
    ranked = spelling.closest_terms(vocabulary.lexicon(folded[:1]), targets, vocabulary.doc_frequency)
    if not ranked:
        return None
    # Among the closest, a dictionary lemma beats a stem of an unknown word; then more documents.
    top = ranked[0][1]
    closest = [r for r in ranked if r[1] == top]
    term = min(closest, key=lambda r: (not vocabulary.morph.is_known(r[0]), -r[2], r[0]))[0]
    return spelling.reinflect(vocabulary.morph, word, term)


def propose(context: SearchContext, settings: AnalyzerSettings, text: str) -> Rewrite | None:
    """The query with its misspelt, mistransliterated or wrong-layout words replaced; None when none is."""
    vocabulary = Vocabulary(context, settings)
    changes = []
    clears = []
    for start, word in _words(text):
        fixed = fix_word(vocabulary, word)
        if fixed:
            changes.append(WordChange(word, fixed[0], fixed[1], start))
            clears.append(fixed[2])
    if not changes:
        return None
    out, cursor = [], 0
    for change in changes:
        out.append(text[cursor:change.start] + change.replacement)
        cursor = change.start + len(change.original)
    out.append(text[cursor:])
    # Layout and transliteration fixes go together: one word that was no word at all vouches for the others
    # («d» is in the index as a Latin letter, but «Cegthre,rt d» is «Суперкубке в»).
    clear = any(fix_clear for fix_clear in clears) and all(c.kind != SPELLING for c in changes)
    confident = all(c.kind != SPELLING or not vocabulary.known(c.original) for c in changes)
    return Rewrite(text, "".join(out), tuple(changes), clear=clear, confident=confident)
