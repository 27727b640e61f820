"""Homonyms of a query: its words with several lemmas, and how the query's best hits divide among them.

«стали» is both *стать* and *сталь*; the plan says which reading the hits are about, so a user can pin one
(``стали:сталь``).
"""

from __future__ import annotations

from ..analysis import get_analyzer
from ..analysis.normalize import is_cyrillic
from ..backends import SearchContext
from ..compiled import TEXT_FIELDS
from ..settings import AnalyzerSettings
from . import query as ast
from .plan import Homonym, LemmaShare


#: How many of the best hits the shares of a homonym's readings are counted over.
HOMONYM_SAMPLE = 100


def homonyms(context: SearchContext, settings: AnalyzerSettings, tree: ast.Node,
             ranked: tuple[int, ...]) -> tuple[Homonym, ...]:
    """The query's words with several lemmas, each lemma with the number and share of the best-ranked hits
    (``ranked``, up to :data:`HOMONYM_SAMPLE`) in which it weighs most (in the word's field, or title and body).
    Only those hits are looked at: counting over every match of a common word would cost much of the query's
    time."""
    import numpy as np  # with the index's backend, not with searchkit

    analyzer = get_analyzer(settings)
    morph = analyzer.morphology
    found: list[Homonym] = []
    hits: np.ndarray | None = None
    for leaf in ast.positive_leaves(tree):
        if not isinstance(leaf, ast.Word) or leaf.prefix or leaf.exact:
            continue
        word = analyzer.word(leaf.text)
        folded = word.folded
        if not is_cyrillic(folded) or not morph.is_known(folded):
            continue
        lemmas = word.lemmas
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
        weights = np.array([sum(context.term_weights(name, lemma, hits) for name in fields) for lemma in lemmas])
        present = weights.max(axis=0) > 0
        best = weights.argmax(axis=0)[present]  # the first of equally weighing readings
        counts = {lemma: int(np.count_nonzero(best == i)) for i, lemma in enumerate(lemmas)}
        total = int(np.count_nonzero(present))
        shares = tuple(LemmaShare(lemma, readings.get(lemma, ("", 0.0))[0], readings.get(lemma, ("", 0.0))[1],
                                  counts[lemma], counts[lemma] / total if total else 0.0) for lemma in lemmas)
        # A reading no hit goes to (the female surname «Путина» for «Путина») is not worth a choice.
        if leaf.pin or sum(1 for share in shares if share.hits) >= 2:
            found.append(Homonym(leaf.text, shares, analyzer.word(leaf.pin).folded if leaf.pin else None))
    return tuple(found)
