"""More lemmas for a word than pymorphy3's normal forms: the word's own dictionary form where the normal form
is another word, spelling variants of a lemma, and the form itself where the dictionary can only guess.

pymorphy3 (OpenCorpora) takes some forms back to a word a reader would not search for: a superlative to its
positive (лучших → хороший), an adjectival participle to its verb (соединенных → соединить), a woman's surname
or patronymic to the man's (Астаховой → астахов), a comparative to its adjective (позже → поздний, чаще →
частый), and it spells some nouns the old way (счастья → счастие). Someone searching «лучший», «соединенный»,
«Астахова», «позже», «часто» or «счастье» expects those words found, so a reading is also indexed under these
lemmas, at the reading's weight. A preposition's longer spelling (во, ко, передо) is a lemma of its own too,
as in Universal Dependencies. A word the dictionary does not know is indexed as itself too, beside pymorphy3's
guess: guessed declensions of names go wrong, and indeclinable names (Сырбу, guessed as сырба) are their own
lemma.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .normalize import fold

#: Adjective endings, replaced by a masculine nominative ending to find a form's own lemma.
_ADJECTIVE_ENDING = re.compile(r"(?:ими|ыми|ого|его|ому|ему|ая|яя|ое|ее|ые|ие|ой|ей|ую|юю|ых|их|ым|им|ом|ем|ый|ий)$")
_MASCULINE_ENDINGS = ("ый", "ий", "ой")
#: Grammemes of participles used as adjectives or nouns (образованный, заключенный).
_ADJECTIVAL = frozenset({"Adjx", "Subx"})
#: A vowel and the reflexive «-ся» that verse writes for «-сь» (волновалася).
_POETIC_REFLEXIVE = re.compile(r"[аеиоуыэюя]ся$")
#: A letter written three or more times running (спасиииибо).
_STRETCHED = re.compile(r"(\w)\1{2,}")
#: Letters a stretched word must keep to be read as the word meant: «шшш» is not «ш» (широта), nor «ввв» «в» (век).
MIN_UNSTRETCHED = 3

if TYPE_CHECKING:  # pymorphy3 is imported with the first analyzer, not with searchkit
    import pymorphy3
    from pymorphy3.analyzer import Parse


def reading_lemmas(form: str, parse: Parse, morph: pymorphy3.MorphAnalyzer, has_adverb: bool) -> list[str]:
    """Lemmas of one reading of the folded ``form`` besides its normal form; ``has_adverb``: some reading of
    the form is an adverb."""
    tag = parse.tag
    pos = tag.POS
    if pos == "PREP" and "Vpre" in tag:  # во, ко, обо, передо: the spelling before some consonant clusters
        return [form]
    if pos == "COMP":  # позже, чаще: the comparative is an adverb of its own; also часто, if the dictionary has it
        adverb = _adverb_of(fold(parse.normal_form), morph)
        return [form, adverb] if adverb else [form]
    if pos == "ADJF" and "Supr" in tag or pos == "PRTF" and _ADJECTIVAL & tag.grammemes:
        own = _own_nominative(form, parse, morph)  # лучших → лучший, соединенных → соединенный
        return [own] if own else []
    if pos == "PRTS" and (full := parse.inflect({"PRTF", "masc", "sing", "nomn"})) is not None \
            and _ADJECTIVAL & full.tag.grammemes:
        return [fold(full.word)]  # распространена → распространенный
    if pos == "ADJS" and "neut" in tag and not has_adverb and form.endswith(("о", "е")):
        return [form]  # безбрежно: an adverb in use that the dictionary lacks
    if pos == "NOUN":
        lemma = fold(parse.normal_form)
        if lemma.endswith("ие") and form.startswith(lemma[:-2] + "ь"):
            return [lemma[:-2] + "ье"]  # счастья, желанье → счастье, желанье
        if "femn" in tag and tag.grammemes & {"Surn", "Patr"} \
                and (nominative := parse.inflect({"femn", "sing", "nomn"})) is not None:
            return [fold(nominative.word)]  # Астаховой → астахова, Алексеевны → алексеевна
    return []


def unknown_word_lemmas(form: str, known_lemmas: Callable[[str], list[str]]) -> list[str]:
    """Lemmas of a folded ``form`` the dictionary does not know, besides pymorphy3's guess: the form itself, and
    the lemmas of the known word it stretches or writes the poetic way. ``known_lemmas(word)``: the normal forms
    of a word the dictionary knows, none otherwise."""
    lemmas = [form]
    if _POETIC_REFLEXIVE.search(form):
        lemmas += known_lemmas(form[:-2] + "сь")  # волновалася → волноваться
    if _STRETCHED.search(form):
        for kept in (r"\1", r"\1\1"):  # спасиииибо → спасибо; ссора written сссора → ссора
            word = _STRETCHED.sub(kept, form)
            if len(word) >= MIN_UNSTRETCHED:
                lemmas += known_lemmas(word)
    return lemmas


def _adverb_of(adjective: str, morph: pymorphy3.MorphAnalyzer) -> str | None:
    """The adverb the dictionary has for an adjective lemma (частый → часто, горячий → горячо)."""
    if not adjective.endswith(_MASCULINE_ENDINGS):
        return None
    for ending in ("о", "е"):
        candidate = adjective[:-2] + ending
        if morph.word_is_known(candidate) and \
                any(p.tag.POS == "ADVB" and fold(p.normal_form) == candidate for p in morph.parse(candidate)):
            return candidate
    return None


def _own_nominative(form: str, parse: Parse, morph: pymorphy3.MorphAnalyzer) -> str | None:
    """The masculine nominative singular of the adjective-like ``form`` in the same lexeme (лучших → лучший):
    pymorphy3's ``inflect`` may pick another form there (наихороший), so the candidates are checked by parsing."""
    ending = _ADJECTIVE_ENDING.search(form)
    if ending is None:
        return None
    for masculine in _MASCULINE_ENDINGS:
        candidate = form[:ending.start()] + masculine
        if any(p.normal_form == parse.normal_form and p.tag.POS == parse.tag.POS
               and {"masc", "sing", "nomn"} <= p.tag.grammemes for p in morph.parse(candidate)):
            return candidate
    return None
