"""Retrieval quality: nDCG@10, MRR@10 and Recall@100 of searchkit's default settings, next to stock Whoosh.

For each evaluation set (by default XQuAD-ru paragraphs and sentences from the shared data folder) the corpus is
indexed into a temporary folder, every question is run as a plain-words query (``limit=100``, no snippets), and
the ranking is scored with ir-measures against the judgements. The baseline is Whoosh 2.7.4 with its stock
``LanguageAnalyzer("ru")`` and default BM25F, the question parsed by Whoosh's ``MultifieldParser`` over title and
body with ``OrGroup`` (any word may match, like searchkit's plain words).

    python benchmarks/quality.py                      # both XQuAD-ru sets
    python benchmarks/quality.py --limit-queries 50   # a quick slice
    python benchmarks/quality.py --corpus C.jsonl --queries Q.jsonl --qrels R.tsv
    python benchmarks/quality.py --json               # figures as JSON on stdout

Results are always written to ``benchmarks/results/quality.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ir_measures
from ir_measures import R, RR, nDCG

from common import (RESULTS_DIR, baseline_index, markdown_table, plain_query, read_jsonl, read_qrels, require,
                    shared_dir, source_fingerprint, write_json)

MEASURES = [nDCG @ 10, RR @ 10, R @ 100]
NAMES = {str(nDCG @ 10): "nDCG@10", str(RR @ 10): "MRR@10", str(R @ 100): "Recall@100"}
DEPTH = 100
#: Put in the run of a question that returned nothing, so it counts as a zero (pytrec_eval skips absent queries).
NO_HIT = "__no_hit__"

Run = dict[str, dict[str, float]]
Searcher = Callable[[str], list[str]]


@dataclass(frozen=True)
class EvalSet:
    name: str
    corpus: Path
    queries: Path
    qrels: Path


def evaluate(search: Searcher, queries: list[dict[str, Any]], qrels: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Run every query through ``search`` (ranked doc ids, best first) and score the run.

    Scores given to ir-measures are derived from the rank, so ties in engine scores keep the engine's order.
    A query that raises counts as returning nothing; the errors are listed in the result, not hidden.
    """
    run: Run = {}
    errors: list[str] = []
    started = time.perf_counter()
    for query in queries:
        text = plain_query(query["text"])
        try:
            ids = search(text)
        except Exception as error:  # an engine bug must not cost the whole benchmark: count it and go on
            errors.append(f"{text!r}: {type(error).__name__}: {error}")
            ids = []
        run[query["id"]] = {doc_id: float(DEPTH - rank) for rank, doc_id in enumerate(ids)} or {NO_HIT: 0.0}
    seconds = time.perf_counter() - started
    figures = ir_measures.calc_aggregate(MEASURES, qrels, run)
    result: dict[str, Any] = {NAMES[str(measure)]: round(value, 4) for measure, value in figures.items()}
    result["queries"] = len(queries)
    result["no_hits"] = sum(NO_HIT in docs for docs in run.values())
    result["ms_per_query"] = round(1000 * seconds / max(len(queries), 1), 2)
    result["errors"] = errors
    return result


def searchkit_figures(corpus: list[dict[str, Any]], queries: list[dict[str, Any]],
                      qrels: dict[str, dict[str, int]], tmp: Path) -> dict[str, Any]:
    from searchkit import Index, QueryError, Settings

    started = time.perf_counter()
    with Index.create(tmp / "searchkit", settings=Settings()) as ix:
        ix.add(corpus, processes=1)
        index_seconds = time.perf_counter() - started

        def search(text: str) -> list[str]:
            try:
                return [hit.id for hit in ix.search(text, limit=DEPTH, snippets=False).hits]
            except QueryError:  # a question made only of stop words: no hits, as a user would see
                return []

        result = evaluate(search, queries, qrels)
    return {**result, "index_seconds": round(index_seconds, 2)}


def baseline_figures(corpus: list[dict[str, Any]], queries: list[dict[str, Any]],
                     qrels: dict[str, dict[str, int]], tmp: Path) -> dict[str, Any]:
    from whoosh.qparser import MultifieldParser, OrGroup
    from whoosh.scoring import BM25F

    started = time.perf_counter()
    ix = baseline_index(tmp / "whoosh", corpus)
    index_seconds = time.perf_counter() - started
    parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
    with ix.searcher(weighting=BM25F()) as searcher:
        def search(text: str) -> list[str]:
            return [hit["id"] for hit in searcher.search(parser.parse(text), limit=DEPTH)]

        result = evaluate(search, queries, qrels)
    ix.close()
    return {**result, "index_seconds": round(index_seconds, 2)}


def run_set(eval_set: EvalSet, limit_queries: int | None, baseline: bool) -> dict[str, Any]:
    corpus = read_jsonl(eval_set.corpus)
    queries = read_jsonl(eval_set.queries, limit_queries)
    all_qrels = read_qrels(eval_set.qrels)
    queries = [query for query in queries if query["id"] in all_qrels]
    qrels = {query["id"]: all_qrels[query["id"]] for query in queries}
    out: dict[str, Any] = {"documents": len(corpus)}
    with tempfile.TemporaryDirectory(prefix="searchkit-quality-") as tmp:
        out["searchkit"] = searchkit_figures(corpus, queries, qrels, Path(tmp))
        if baseline:
            out["whoosh_stock"] = baseline_figures(corpus, queries, qrels, Path(tmp))
    return out


def eval_sets(args: argparse.Namespace) -> list[EvalSet]:
    given = [args.corpus, args.queries, args.qrels]
    if any(given):
        if not all(given):
            sys.exit("--corpus, --queries and --qrels go together")
        sets = [EvalSet(Path(args.corpus).resolve().parent.name, *(Path(p) for p in given))]
    else:
        root = shared_dir(args.shared) / "data" / "xquad-ru"
        sets = [EvalSet(f"xquad-ru/{name}", root / name / "corpus.jsonl", root / name / "queries.jsonl",
                        root / name / "qrels.tsv") for name in ("paragraphs", "sentences")]
    require(*(path for s in sets for path in (s.corpus, s.queries, s.qrels)))
    return sets


def table(results: dict[str, Any]) -> str:
    rows = []
    for name, result in results.items():
        for engine in ("searchkit", "whoosh_stock"):
            if engine in result:
                figures = result[engine]
                rows.append([name, engine, *(f"{figures[m]:.4f}" for m in NAMES.values()), figures["queries"],
                             len(figures["errors"]), figures["ms_per_query"]])
    return markdown_table(["set", "engine", *NAMES.values(), "queries", "errors", "ms/query"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--corpus", help="corpus.jsonl of another set ({id, title, text} per line)")
    parser.add_argument("--queries", help="queries.jsonl of that set ({id, text} per line)")
    parser.add_argument("--qrels", help="qrels.tsv of that set (query_id, doc_id, relevance; header line)")
    parser.add_argument("--limit-queries", type=int, metavar="N", help="evaluate only the first N questions")
    parser.add_argument("--no-baseline", action="store_true", help="skip the stock Whoosh baseline")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args()

    source = source_fingerprint()  # the engine version these figures belong to
    results = {s.name: run_set(s, args.limit_queries, not args.no_baseline) for s in eval_sets(args)}
    data = {"searchkit_source": source, "sets": results}
    write_json(RESULTS_DIR / "quality.json", data)
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else table(results))


if __name__ == "__main__":
    main()
