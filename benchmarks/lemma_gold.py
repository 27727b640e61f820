"""Analyzer accuracy against hand-checked lemmas: Universal Dependencies dev treebanks (CoNLL-U).

For every word token (punctuation and tokens without a Cyrillic or Latin letter left out; multiword-token lines
``1-2`` and empty nodes ``1.1`` skipped) the form is split into words and folded as the indexer does it
(``iter_words``, then ``fold``: ``т.`` → ``т``, ``#сочи`` → ``сочи``, ``из-за`` → ``из-за``, ``из``, ``за``),
and each word goes to searchkit's morphology:

- top-1: the most probable term of the (first) word, ``get_morphology().terms(word)[0]``, equals the gold lemma;
- indexed: the gold lemma is among all the terms indexed for the token's words (default ``weighted-lemmas``);
- indexed, all-lemmas: the same with ``terms="all-lemmas"``.

The gold lemma is split and folded the same way (its first word: the index holds no ``.`` or ``#``), so lemmas
are compared after :func:`searchkit.analysis.fold` (case, ``ё``→``е``, stress marks). Stop words are
measured like any word, although the index leaves them out. Top-1 misses are grouped by UPOS (with
``VerbForm=Part``/``Conv`` and ``Variant=Short`` noted, since UD and pymorphy3 lemmatise participles, gerunds and
short adjectives differently) into "ranked lower" (gold lemma indexed, not first) and "not indexed", with the
number of forms pymorphy3's dictionary does not know (their terms are a guessed lemma and a Snowball stem).

    python benchmarks/lemma_gold.py                      # the three treebanks in the shared data folder
    python benchmarks/lemma_gold.py --files a.conllu     # any CoNLL-U files
    python benchmarks/lemma_gold.py --json               # figures as JSON on stdout

Results are written to ``benchmarks/results/lemma_gold.json`` (``--output``).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import RESULTS_DIR, markdown_table, require, shared_dir, source_fingerprint, write_json

_LETTER_RE = re.compile("[A-Za-zА-Яа-яЁё]")
#: Features that name a lemmatisation convention worth telling apart in the miss breakdown.
_NOTED_FEATURES = ("VerbForm=Part", "VerbForm=Conv", "Variant=Short")


@dataclass(frozen=True)
class GoldToken:
    form: str
    lemma: str
    upos: str
    feats: str


def read_conllu(path: Path) -> Iterator[GoldToken]:
    """The word tokens of a CoNLL-U file: no comments, multiword-token ranges, empty nodes, punctuation,
    tokens without a Cyrillic or Latin letter, or tokens without a gold lemma (``_``)."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 6 or not fields[0].isdigit():  # comments, blank lines, "1-2" and "1.1"
                continue
            token = GoldToken(form=fields[1], lemma=fields[2], upos=fields[3], feats=fields[5])
            if token.upos != "PUNCT" and token.lemma != "_" and _LETTER_RE.search(token.form):
                yield token


def category(token: GoldToken) -> str:
    """UPOS, with a participle, gerund or short-form feature appended (``VERB VerbForm=Part``)."""
    noted = [feature for feature in _NOTED_FEATURES if feature in token.feats.split("|")]
    return " ".join([token.upos, *noted])


def as_indexed(text: str) -> list[str]:
    """The folded words the indexer makes of ``text`` (a compound first, then its parts), or ``text`` folded
    when it has no word."""
    from searchkit.analysis import fold, iter_words

    return [folded for word in iter_words(text) if (folded := fold(word.surface))] or [fold(text)]


def score_tokens(tokens: list[GoldToken], examples: int = 3, top: int = 8) -> dict[str, Any]:
    """Top-1 and indexed accuracy of ``tokens``, and the ``top`` largest miss categories with their most
    frequent ``examples`` (``form → top term (gold lemma)``)."""
    from searchkit.analysis import get_morphology

    default, all_lemmas = get_morphology(), get_morphology("all-lemmas")
    top1 = indexed = indexed_all = 0
    misses: Counter[str] = Counter()
    ranked_lower: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    samples: dict[str, Counter[str]] = {}
    for token in tokens:
        words, gold = as_indexed(token.form), as_indexed(token.lemma)[0]
        form = words[0]
        terms = default.terms(form)
        first = terms[0] if terms else ""
        top1 += first == gold
        indexed += any(gold in default.terms(word) for word in words)
        indexed_all += any(gold in all_lemmas.terms(word) for word in words)
        if first != gold:
            kind = category(token)
            misses[kind] += 1
            ranked_lower[kind] += gold in terms
            unknown[kind] += not default.is_known(form)
            samples.setdefault(kind, Counter())[f"{form} → {first} ({gold})"] += 1
    count = max(len(tokens), 1)
    total_misses = max(sum(misses.values()), 1)
    return {
        "tokens": len(tokens),
        "top1": round(top1 / count, 4),
        "indexed": round(indexed / count, 4),
        "indexed_all_lemmas": round(indexed_all / count, 4),
        "misses": [{"category": kind, "count": n, "share_of_misses": round(n / total_misses, 3),
                    "ranked_lower": ranked_lower[kind], "not_indexed": n - ranked_lower[kind],
                    "unknown_words": unknown[kind],
                    "examples": [sample for sample, _ in samples[kind].most_common(examples)]}
                   for kind, n in misses.most_common(top)],
    }


def tables(results: dict[str, dict[str, Any]]) -> str:
    """The accuracy table, then each treebank's largest miss categories."""
    parts = [markdown_table(
        ["treebank", "tokens", "top-1", "indexed", "indexed (all-lemmas)"],
        [[name, r["tokens"], f"{r['top1']:.4f}", f"{r['indexed']:.4f}", f"{r['indexed_all_lemmas']:.4f}"]
         for name, r in results.items()])]
    for name, result in results.items():
        parts.append(f"Top-1 misses, {name}:\n\n" + markdown_table(
            ["category", "misses", "share", "ranked lower", "not indexed", "unknown words",
             "examples: form → top term (gold)"],
            [[m["category"], m["count"], f"{m['share_of_misses']:.0%}", m["ranked_lower"], m["not_indexed"],
              m["unknown_words"], "; ".join(m["examples"])] for m in result["misses"]]))
    return "\n\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--files", nargs="+", type=Path, help="CoNLL-U files (default: the shared lemma-gold/)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "lemma_gold.json", help="results file")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of the tables")
    args = parser.parse_args()

    files = args.files or sorted((shared_dir(args.shared) / "data" / "lemma-gold").glob("*.conllu"))
    if not files:
        require(shared_dir(args.shared) / "data" / "lemma-gold" / "ru_gsd-ud-dev.conllu")  # prints "skipped"
    require(*files)
    results = {path.name.removesuffix(".conllu"): score_tokens(list(read_conllu(path))) for path in files}
    data = {"searchkit_source": source_fingerprint(), "treebanks": results}
    write_json(args.output, data)
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else tables(results))


if __name__ == "__main__":
    main()
