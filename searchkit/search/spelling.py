"""Did-you-mean: a close, much more frequent word of the index for a word the index lacks, put back into the
grammatical form the user typed.

Candidates are index terms (lemmas, and stems of unknown words) within Damerau–Levenshtein distance 2 of the
typed word's own terms (its folded form and the lemma pymorphy3 guesses for it), sharing the first letter; the
closest wins, then the one in most documents. The winner, a lemma, is re-inflected by pymorphy3 into the form of
its paradigm closest to what was typed: «встечей» → *встреча* → «встречей», «Пхенян» → «Пхеньян».
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from ..analysis import fold, get_morphology

MAX_DISTANCE = 2
#: Index terms with the same first letter examined per word at most, so a large index answers quickly.
SCAN = 200_000


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Damerau–Levenshtein distance (optimal string alignment) of ``a`` and ``b``; ``limit + 1`` when it exceeds
    ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def max_distance(word: str) -> int:
    """Short words allow one edit, longer ones two."""
    return 1 if len(word) <= 4 else MAX_DISTANCE


def closest_terms(lexicon: Iterable[str], targets: Iterable[str],
                  frequency: Callable[[str], int]) -> list[tuple[str, int, int]]:
    """(term, distance, doc frequency) of the ``lexicon`` terms close to any of ``targets``, best first. Only the
    close ones are looked up for their frequency, and a term whose length alone puts it out of reach is not
    compared at all: a first letter's share of a large index holds tens of thousands of terms."""
    targets = [t for t in dict.fromkeys(targets) if t]
    reach = max(max_distance(t) for t in targets)
    lengths = range(min(map(len, targets)) - reach, max(map(len, targets)) + reach + 1)
    found: dict[str, int] = {}
    for term in lexicon:
        if len(term) not in lengths or term in targets or term.startswith("="):
            continue
        best = min(distance(term, target, max_distance(target)) for target in targets)
        if best <= reach:
            found[term] = best
    return sorted(((term, d, frequency(term)) for term, d in found.items()),
                  key=lambda item: (item[1], -item[2], item[0]))


def reinflect(typed: str, lemma: str) -> str:
    """``lemma`` in the form of its paradigm closest to the ``typed`` word (its case and number, as written),
    with the typed word's capitalisation; the lemma itself when pymorphy3 has no paradigm for it."""
    morph = get_morphology()
    folded = fold(typed)
    typed_tags = [parse.tag for parse in morph.parses(folded)]
    best, best_key = lemma, (distance(folded, lemma, 99), 1)
    for parse in morph.parses(lemma):
        if fold(parse.normal_form) != lemma:
            continue
        for form in parse.lexeme:
            word = fold(form.word)
            # Same case and number as some reading of the typed word breaks ties between equally close forms.
            grammar = any(form.tag.case == tag.case and form.tag.number == tag.number for tag in typed_tags)
            key = (distance(folded, word, 99), 0 if grammar else 1)
            if key < best_key:
                best, best_key = word, key
    return match_case(typed, best)


def match_case(model: str, word: str) -> str:
    """``word`` in the capitalisation of ``model``: ``ПХЕНЯН`` → upper, ``Пхенян`` → title, else lower."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def lexicon_by_first_letter(reader, fieldname: str, letter: str) -> Iterable[str]:  # type: ignore[no-untyped-def]
    """The field's terms starting with ``letter`` (their texts only: reading each term's statistics would cost
    more than comparing it)."""
    for term in itertools.islice(reader.expand_prefix(fieldname, letter), SCAN):
        yield term.decode("utf-8") if isinstance(term, bytes) else term
