"""Root terms: the first letters of a word and of its lemmas, a coarser second analysis beside the lemmas.

Lemmas join the forms of one word, not the words derived from one another: «урбанистический» and
«урбанизированный», «спутник» and «спутница», «переименовали» and «переименование» share no lemma. Russian
derivation mostly changes the end of a word, so their first :data:`ROOT_CHARS` letters agree: truncation, the
crudest stemmer, is also one of the better ones for Russian retrieval. A word is indexed under ``~урбан``
(:data:`ROOT_MARK` and the first letters of its form and of each of its lemmas) at its own position.

Five letters also join words that are not related («правило», «правительство»), so roots never decide whether
a document matches: they only add a share of score to documents the query matches by lemma (see the search
stage's ranking settings). Paired that way, like a stemmed field beside an exact one, they lift nDCG@10 on the
XQuAD-ru questions (benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable

#: Starts every root term, so that roots never meet lemmas, stems or word forms in the index's term list.
ROOT_MARK = "~"

#: Letters kept of a form or lemma. Four join too much, six leave derived words apart (measured on XQuAD-ru).
ROOT_CHARS = 5


def root_terms(form: str, lemmas: Iterable[str]) -> tuple[str, ...]:
    """The root terms of the folded word ``form`` whose index terms are ``lemmas``: none for a number."""
    if form.isdigit():
        return ()
    return tuple(dict.fromkeys(ROOT_MARK + text[:ROOT_CHARS] for text in (form, *lemmas)))
