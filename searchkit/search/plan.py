"""What was done to a query before it was searched, in one place: the correction applied (keyboard layout,
transliteration, spelling) or only suggested, the readings of its homonyms with their share of the hits, and
how its prefixes expanded. :class:`QueryPlan` travels on :class:`~searchkit.search.searcher.SearchResults`,
serialised in its ``to_json()``, so the CLI, the REPL and scripts read the same facts.

When a query is corrected (:func:`propose`, applied by the searcher):

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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from ..analysis import fold, get_morphology
from ..analysis.stopwords import RUSSIAN_STOPWORDS
from ..analysis.tokenizer import MAX_WORD_CHARS
from ..errors import QueryError
from ..index.schema import TEXT_FIELDS
from . import layout, spelling, translit
from .ranking import Unsupported, ranker_for
from . import query as ast

LAYOUT, TRANSLITERATION, SPELLING = "layout", "transliteration", "spelling"

_CYRILLIC_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*", re.IGNORECASE)
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CHUNK = re.compile(r"[^\s()\"]+")


@dataclass(frozen=True)
class WordChange:
    """One word of the query replaced: ``original`` at character ``start`` became ``replacement``."""

    original: str
    replacement: str
    kind: str
    start: int

    def to_json(self) -> dict[str, Any]:
        return {"original": self.original, "replacement": self.replacement, "kind": self.kind, "start": self.start}


@dataclass(frozen=True)
class Rewrite:
    """The query with some words corrected. ``clear``: every changed word was not a word at all (no dictionary
    word, nothing in the index), so the rewrite is applied even when the original finds something."""

    original: str
    query: str
    changes: tuple[WordChange, ...]
    clear: bool = False
    #: Every spelling change was of a word the dictionary does not know either.
    confident: bool = True
    #: Hits the rewritten query finds.
    total: int = 0

    @property
    def kind(self) -> str:
        """``layout``, ``transliteration``, ``spelling``, or several joined by ``+``."""
        return "+".join(dict.fromkeys(change.kind for change in self.changes))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "original": self.original, "query": self.query, "total": self.total,
                "changes": [change.to_json() for change in self.changes]}


@dataclass(frozen=True)
class LemmaShare:
    """One reading of a homonym: its lemma, part of speech, pymorphy3's probability, and the hits it matches."""

    lemma: str
    pos: str
    probability: float
    hits: int
    share: float

    def to_json(self) -> dict[str, Any]:
        return {"lemma": self.lemma, "pos": self.pos, "probability": round(self.probability, 4),
                "hits": self.hits, "share": round(self.share, 4)}


@dataclass(frozen=True)
class Homonym:
    """A query word with several lemmas, and how the query's hits divide among them. ``pinned``: the lemma
    chosen with ``word:lemma``, the only one searched."""

    word: str
    readings: tuple[LemmaShare, ...]
    pinned: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"word": self.word, "pinned": self.pinned, "readings": [r.to_json() for r in self.readings]}


@dataclass(frozen=True)
class PrefixExpansion:
    """``prefix*`` in one field: how many index terms (lemmas and stems) and exact word forms it matched, and
    whether the expansion was cut at the bound (keeping the terms in most documents)."""

    prefix: str
    field: str
    lemmas: int
    forms: int
    cut: bool
    found: int
    #: Terms searched: the ``found`` ones, or the most frequent :data:`~searchkit.search.compile.MAX_PREFIX_TERMS`.
    kept: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "field": self.field, "lemmas": self.lemmas, "forms": self.forms,
                "found": self.found, "kept": self.kept, "cut": self.cut}


@dataclass(frozen=True)
class QueryPlan:
    """What happened to the query ``original``: ``query`` is what was searched (the correction's, if applied)."""

    original: str
    query: str
    correction: Rewrite | None = None
    suggestion: Rewrite | None = None
    homonyms: tuple[Homonym, ...] = ()
    prefixes: tuple[PrefixExpansion, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {"original": self.original, "query": self.query,
                "correction": self.correction.to_json() if self.correction else None,
                "suggestion": self.suggestion.to_json() if self.suggestion else None,
                "homonyms": [h.to_json() for h in self.homonyms],
                "prefixes": [p.to_json() for p in self.prefixes]}


# --- proposing a correction -------------------------------------------------------------------------------------


class Vocabulary:
    """The index's words as the corrections see them: a word's document frequency (through its index terms)
    and whether the dictionary knows it."""

    def __init__(self, store) -> None:  # type: ignore[no-untyped-def]
        searcher = store.searcher()
        self.reader = searcher.reader()
        self.doc_frequency = ranker_for(searcher).doc_frequency
        settings = store.settings.analyzer
        self.morph = get_morphology(settings.terms, settings.stem_unknown)
        self.frequency = lru_cache(maxsize=4096)(self._frequency)
        self.stopwords = RUSSIAN_STOPWORDS if settings.stopwords else frozenset()

    def _frequency(self, word: str) -> int:
        """Documents having one of ``word``'s terms (the most of any term, over title and body)."""
        folded = fold(word)
        if not folded:
            return 0
        terms = self.morph.terms(folded)
        return max((self.doc_frequency(name, term) for name in TEXT_FIELDS for term in terms), default=0)

    def known(self, word: str) -> bool:
        """A Cyrillic word pymorphy3's dictionary knows."""
        folded = fold(word)
        return bool(_CYRILLIC_WORD.fullmatch(folded)) and self.morph.is_known(folded)

    def is_word(self, word: str) -> bool:
        return self.known(word) or self.frequency(word) > 0

    def lexicon(self, letter: str):  # type: ignore[no-untyped-def]
        return spelling.lexicon_by_first_letter(self.reader, "body", letter)


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


def fix_word(vocabulary: Vocabulary, word: str) -> tuple[str, str, bool] | None:
    """(replacement, kind, clear) for one query word, or None. ``clear``: the typed word is no word at all."""
    if not any(ch.isalpha() for ch in word) or len(word) > MAX_WORD_CHARS or fold(word) in vocabulary.stopwords:
        return None
    frequency = vocabulary.frequency(word)
    typed_latin = all(ch in layout.LATIN_KEYS or ch.isdigit() or ch == "-" for ch in word) and \
        _LATIN_LETTER.search(word) is not None
    typed_cyrillic = bool(_CYRILLIC_WORD.fullmatch(word))
    if typed_latin:
        # The other layout's word in the index, else a Cyrillic spelling in the index, else the other layout's
        # dictionary word («In» is «Ын» of a Korean name in the index before it is «Шт», a dictionary word).
        variants = _layout_variants(word)
        for variant in variants:
            found = vocabulary.frequency(variant)
            if found > 0 and found >= TRANSLITERATION_GAIN * frequency or \
                    fold(variant) in vocabulary.stopwords and len(word) <= 3:
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
    """The index word closest to ``word``, re-inflected like it; None if none is within reach."""
    folded = fold(word)
    targets = [folded, *vocabulary.morph.terms(folded)]
    ranked = spelling.closest_terms(vocabulary.lexicon(folded[:1]), targets,
                                    lambda term: vocabulary.doc_frequency("body", term))
    if not ranked:
        return None
    # Among the closest, a dictionary lemma beats a stem of an unknown word; then more documents.
    top = ranked[0][1]
    closest = [r for r in ranked if r[1] == top]
    term = min(closest, key=lambda r: (not vocabulary.morph.is_known(r[0]), -r[2], r[0]))[0]
    return spelling.reinflect(word, term)


def propose(store, text: str) -> Rewrite | None:  # type: ignore[no-untyped-def]
    """The query with its misspelt, mistransliterated or wrong-layout words replaced; None when none is."""
    vocabulary = Vocabulary(store)
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


# --- homonyms ---------------------------------------------------------------------------------------------------

#: How many of the best hits the shares of a homonym's readings are counted over.
HOMONYM_SAMPLE = 100


def homonyms(store, tree: ast.Node, ranked: tuple[int, ...]) -> tuple[Homonym, ...]:  # type: ignore[no-untyped-def]
    """The query's words with several lemmas, each lemma with the number and share of the best-ranked hits
    (``ranked``, up to :data:`HOMONYM_SAMPLE`) in which it weighs most (in the word's field, or title and body).
    Only those hits are looked at: counting over every match of a common word cost a third of the query time."""
    settings = store.settings.analyzer
    morph = get_morphology(settings.terms, settings.stem_unknown)
    found: list[Homonym] = []
    hits: np.ndarray | None = None
    ranker = ranker_for(store.searcher())
    for leaf in ast.positive_leaves(tree):
        if not isinstance(leaf, ast.Word) or leaf.prefix or leaf.exact:
            continue
        folded = fold(leaf.text)
        if not _CYRILLIC_WORD.fullmatch(folded) or not morph.is_known(folded):
            continue
        lemmas = morph.terms(folded)
        if len(lemmas) < 2:
            continue
        if hits is None:
            hits = np.array(sorted(ranked), dtype=np.int64)
        readings: dict[str, tuple[str, float]] = {}
        for reading in morph.readings(folded):
            pos, probability = readings.get(reading.lemma, (reading.pos, 0.0))
            readings[reading.lemma] = (pos, probability + reading.score)
        fields = (leaf.field,) if leaf.field else TEXT_FIELDS
        # Each hit goes to the reading that weighs most in it: a lemma's weight in a document adds up the
        # probability of that reading over the words it came from («сталь» 1 each, «стали» 0.026 each).
        try:
            weights = np.array([sum(ranker.weights(name, lemma, hits) for name in fields) for lemma in lemmas])
        except Unsupported:  # a field the ranker does not read
            continue
        present = weights.max(axis=0) > 0
        best = weights.argmax(axis=0)[present]  # the first of equally weighing readings
        counts = {lemma: int(np.count_nonzero(best == i)) for i, lemma in enumerate(lemmas)}
        total = int(np.count_nonzero(present))
        shares = tuple(LemmaShare(lemma, readings.get(lemma, ("", 0.0))[0], readings.get(lemma, ("", 0.0))[1],
                                  counts[lemma], counts[lemma] / total if total else 0.0) for lemma in lemmas)
        # A reading no hit goes to (the female surname «Путина» for «Путина») is not worth a choice.
        if leaf.pin or sum(1 for share in shares if share.hits) >= 2:
            found.append(Homonym(leaf.text, shares, fold(leaf.pin) if leaf.pin else None))
    return tuple(found)
