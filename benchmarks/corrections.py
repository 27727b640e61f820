"""Query corrections on XQuAD-ru: how many wrong-layout and transliterated questions searchkit corrects, and how
much of the original questions' nDCG@10 the corrected searches recover.

The first ``--queries`` (default 200) questions of XQuAD-ru ``paragraphs`` (240 documents), each as plain words
(``common.plain_query``), are searched three ways on one searchkit index of the paragraphs:

- ``original``: as written;
- ``layout``: every Cyrillic letter replaced by the key it sits on in the Latin layout («ghbdtn» for «привет»);
- ``translit``: transliterated Cyrillic → Latin with a standard scheme (``--scheme``, an ``iuliia`` name; default
  ``icao_doc_9303``, the scheme of Russian passports; ``wikipedia`` and ``gost_779`` are other choices).

The damaged queries are searched with correction on (the default) and off. "Corrected" counts the questions whose
search applied a correction (``results.plan.correction``); "exact" those whose corrected query equals the
original once folded (case, ё); "terms recovered" is the share of the original's index terms the searched query
has, averaged over questions. nDCG@10 is computed with ir-measures like ``quality.py``.

    python benchmarks/corrections.py
    python benchmarks/corrections.py --queries 50 --scheme wikipedia --json

Results are written to ``benchmarks/results/corrections.json`` (``--output``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import ir_measures
from ir_measures import nDCG

from common import RESULTS_DIR, markdown_table, plain_query, read_jsonl, read_qrels, require, shared_dir, write_json

DEPTH = 100
NO_HIT = "__no_hit__"


def index_terms(ix: Any, text: str) -> set[str]:
    return {term for token in ix.analyze(text) for term in token.terms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--queries", type=int, default=200, help="questions to use (default 200)")
    parser.add_argument("--scheme", default="icao_doc_9303", help="iuliia transliteration scheme")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "corrections.json")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    args = parser.parse_args()

    folder = shared_dir(args.shared) / "data" / "xquad-ru" / "paragraphs"
    require(folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels.tsv")
    import iuliia

    from searchkit import Index
    from searchkit.search.layout import to_latin

    scheme = iuliia.schemas.get(args.scheme)
    if scheme is None:
        sys.exit(f"unknown iuliia scheme {args.scheme!r}")
    corpus = read_jsonl(folder / "corpus.jsonl")
    queries = read_jsonl(folder / "queries.jsonl", limit=args.queries)
    qrels = read_qrels(folder / "qrels.tsv")
    qrels = {q["id"]: qrels[q["id"]] for q in queries if q["id"] in qrels}

    with tempfile.TemporaryDirectory(prefix="searchkit-corrections-") as tmp, Index.create(Path(tmp) / "ix") as ix:
        ix.add([{"id": r["id"], "title": r.get("title", ""), "text": r["text"]} for r in corpus])
        variants = {
            "original": {q["id"]: plain_query(q["text"]) for q in queries},
            "layout": {q["id"]: to_latin(plain_query(q["text"])) for q in queries},
            "translit": {q["id"]: iuliia.translate(plain_query(q["text"]), scheme) for q in queries},
        }
        rows: dict[str, Any] = {}
        for name, texts in variants.items():
            for correct in ((True,) if name == "original" else (True, False)):
                run: dict[str, dict[str, float]] = {}
                corrected = exact = 0
                recovered: list[float] = []
                errors: list[str] = []
                started = time.perf_counter()
                for query_id, text in texts.items():
                    original = variants["original"][query_id]
                    try:
                        results = ix.search(text, limit=DEPTH, snippets=False, correct=correct)
                    except Exception as error:  # a query the engine refuses counts as finding nothing
                        errors.append(f"{text!r}: {type(error).__name__}: {error}")
                        run[query_id] = {NO_HIT: 0.0}
                        continue
                    run[query_id] = {h.id: float(DEPTH - i) for i, h in enumerate(results.hits)} or {NO_HIT: 0.0}
                    if results.plan and results.plan.correction:
                        corrected += 1
                    fold = lambda s: " ".join(s.lower().replace("ё", "е").split())  # noqa: E731
                    exact += fold(results.query) == fold(original)
                    wanted = index_terms(ix, original)
                    if wanted:
                        recovered.append(len(wanted & index_terms(ix, results.query)) / len(wanted))
                seconds = time.perf_counter() - started
                figures = ir_measures.calc_aggregate([nDCG @ 10], qrels, run)
                rows[f"{name}{'' if correct else ' (no correction)'}"] = {
                    "queries": len(texts), "nDCG@10": round(figures[nDCG @ 10], 4),
                    "corrected": round(corrected / len(texts), 4), "exact": round(exact / len(texts), 4),
                    "terms_recovered": round(sum(recovered) / max(len(recovered), 1), 4),
                    "ms_per_query": round(1000 * seconds / len(texts), 1), "errors": errors[:5],
                    "example": next(iter(texts.values())),
                }
        base = rows["original"]["nDCG@10"] or 1.0
        for row in rows.values():
            row["nDCG_recovered"] = round(row["nDCG@10"] / base, 4)

    result = {"set": "xquad-ru paragraphs", "documents": len(corpus), "queries": len(queries),
              "scheme": args.scheme, "rows": rows}
    write_json(args.output, result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    header = ["queries as", "nDCG@10", "of original", "corrected", "exact", "terms recovered", "ms/query"]
    print(markdown_table(header, [[name, r["nDCG@10"], f"{r['nDCG_recovered']:.0%}", f"{r['corrected']:.0%}",
                                   f"{r['exact']:.0%}", f"{r['terms_recovered']:.0%}", r["ms_per_query"]]
                                  for name, r in rows.items()]))
    print(f"\nwritten: {args.output}")


if __name__ == "__main__":
    main()
