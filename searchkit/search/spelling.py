"""Did-you-mean: a close, much more frequent word of the index for a word the index lacks, put back into the
grammatical form the user typed.

Candidates are index terms (lemmas, and stems of unknown words) within Damerau–Levenshtein distance 2 of the
typed word's own terms (its folded form and the lemma pymorphy3 guesses for it), sharing the first letter; the
closest wins, then the one in most documents. The winner, a lemma, is re-inflected by pymorphy3 into the form of
its paradigm closest to what was typed: «встечей» → *встреча* → «встречей», «Пхенян» → «Пхеньян».
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..analysis import Morphology, fold
from ..backends import SearchContext
from .remembered import remembered

MAX_DISTANCE = 2
#: Index terms with the same first letter examined per word at most, so a large index answers quickly.
SCAN = 200_000


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Damerau–Levenshtein distance (optimal string alignment) of ``a`` and ``b``; ``limit + 1`` when it exceeds
    ``limit``."""
    from rapidfuzz.distance import OSA  # loaded with the first correction, not with searchkit

    return OSA.distance(a, b, score_cutoff=limit)


def max_distance(word: str) -> int:
    """Short words allow one edit, longer ones two."""
    return 1 if len(word) <= 4 else MAX_DISTANCE


def closest_terms(lexicon: Mapping[int, Sequence[str]], targets: Iterable[str],
                  frequency: Callable[[str], int]) -> list[tuple[str, int, int]]:
    """(term, distance, doc frequency) of the ``lexicon`` terms (by length) close to any of ``targets``, best
    first. Only terms of a length within reach are compared (a distance is at least the difference of the
    lengths), all targets against them at once in rapidfuzz's compiled code, which gives up on a pair as soon
    as it is out of reach; only the close terms are looked up for their frequency: a first letter's share of a
    large index holds tens of thousands of terms."""
    import numpy as np
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    targets = [t for t in dict.fromkeys(targets) if t]
    if not targets:
        return []
    reach = [max_distance(target) for target in targets]
    shortest = min(len(t) - d for t, d in zip(targets, reach))
    longest = max(len(t) + d for t, d in zip(targets, reach))
    candidates = list(itertools.chain.from_iterable(lexicon.get(length, ()) for length in range(shortest, longest + 1)))
    if not candidates:
        return []
    distances = process.cdist(targets, candidates, scorer=OSA.distance, score_cutoff=max(reach), dtype=np.int8)
    found: dict[str, int] = {}
    for row, limit in zip(distances, reach):
        for at in np.flatnonzero(row <= limit).tolist():
            term, edits = candidates[at], int(row[at])
            if term not in targets and not term.startswith("="):
                found[term] = min(edits, found.get(term, edits))
    return sorted(((term, d, frequency(term)) for term, d in found.items()),
                  key=lambda item: (item[1], -item[2], item[0]))


def reinflect(morph: Morphology, typed: str, lemma: str) -> str:
    """``lemma`` in the form of its paradigm closest to the ``typed`` word (its case and number, as written),
    with the typed word's capitalisation; the lemma itself when the morphology has no paradigm for it."""
    folded = fold(typed)
    typed_grammar = {(parse.tag.case, parse.tag.number) for parse in morph.parses(folded)}
    best, best_key = lemma, (distance(folded, lemma, 99), 1)
    for parse in morph.parses(lemma):
        if fold(parse.normal_form) != lemma:
            continue
        for form in parse.lexeme:
            word = fold(form.word)
            edits = distance(folded, word, 99)
            if edits > best_key[0]:  # farther than the best so far, whatever its grammar
                continue
            # Same case and number as some reading of the typed word breaks ties between equally close forms.
            key = (edits, 0 if (form.tag.case, form.tag.number) in typed_grammar else 1)
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


#: Lexicons of the most recently used first letters kept per commit (by its search context): every letter of the
#: Russian and Latin alphabets fits.
CACHED_LETTERS = 64


def lexicon_by_first_letter(context: SearchContext, fieldname: str, letter: str) -> dict[int, list[str]]:
    """The field's terms starting with ``letter`` (their texts only: reading each term's statistics would cost
    more than comparing it), at most :data:`SCAN`, by their length; kept for the commit's later queries."""
    def by_length() -> dict[int, list[str]]:
        terms: dict[int, list[str]] = {}
        for term in itertools.islice(context.terms(fieldname, letter), SCAN):
            terms.setdefault(len(term), []).append(term)
        return terms

    return remembered(context, "lexicons", (fieldname, letter), by_length, CACHED_LETTERS)
