"""Query latency on a large index, and the start-up time of a one-shot CLI search.

1. Indexes (once; ``--index DIR`` is reused afterwards) the 62,770 RusLit paragraphs plus the 240 XQuAD-ru
   paragraphs, 63,010 documents, with searchkit and with stock Whoosh (``LanguageAnalyzer("ru")``), then runs the
   603 XQuAD-ru development questions as top-10 queries, without and with snippets, and without snippets nor
   roots (``root_weight=0``: what looking roots up costs), ``--runs`` times (default 5). Reported: the median over
   runs of each run's median and 95th-percentile latency, and the ratio to Whoosh.
2. Times ``searchkit search "встреча президентов"`` on the bundled corpus as a whole process (cold: the first
   run after the index is built; warm: the median of ``--runs`` more), and ``python -c "import searchkit"``.

    python benchmarks/query_speed.py --index /tmp/searchkit-63k

Figures are printed and written to ``benchmarks/results/query_speed.json``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import REPO, baseline_index, median, plain_query, read_jsonl, write_json
from large_index import add_arguments, open_large_index, p95, sources_and_questions
from searchkit import Index

Search = Callable[[str], object]


def latencies(search: Search, queries: list[str], runs: int) -> dict[str, float]:
    """Median over runs of the per-run median and 95th percentile, in milliseconds."""
    medians, p95s = [], []
    for _ in range(runs):
        times = []
        for query in queries:
            started = time.perf_counter()
            search(query)
            times.append((time.perf_counter() - started) * 1000)
        medians.append(median(times))
        p95s.append(p95(times))
    return {"p50_ms": round(median(medians), 2), "p95_ms": round(median(p95s), 2)}


def whoosh_index(path: Path, sources: list[Path]) -> Any:
    from whoosh import index

    if index.exists_in(str(path)):
        return index.open_dir(str(path))
    started = time.perf_counter()
    ix = baseline_index(path, [record for source in sources for record in read_jsonl(source)])
    print(f"whoosh index: {ix.doc_count():,} documents in {time.perf_counter() - started:.0f} s")
    return ix


def whoosh_searchers(ix: Any) -> tuple[Search, Search]:
    """Stock Whoosh: title and body, any word may match, BM25F; snippets from its own highlighter."""
    from whoosh.qparser import MultifieldParser, OrGroup

    searcher = ix.searcher()
    parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)

    def plain(query: str) -> object:
        return [hit["id"] for hit in searcher.search(parser.parse(query), limit=10)]

    def with_snippets(query: str) -> object:
        return [hit.highlights("body") for hit in searcher.search(parser.parse(query), limit=10)]

    return plain, with_snippets


def searchkit_and_whoosh(index: Path, sources: list[Path], queries: list[str], runs: int) -> dict[str, Any]:
    """Latencies of searchkit and of stock Whoosh, each without and with snippets, and of searchkit ranking by
    lemmas alone, on the large index at ``index`` (and Whoosh's beside it, ``…-whoosh``), both built first if
    missing."""
    figures: dict[str, Any] = {}
    with open_large_index(index, sources) as ix:
        figures["documents"] = ix.doc_count()
        figures["searchkit"] = latencies(lambda q: ix.search(q, snippets=False), queries, runs)
        figures["searchkit_snippets"] = latencies(lambda q: ix.search(q), queries, runs)
        lemmas_only = ix.settings.with_ranking(root_weight=0)
    with Index.open(index, settings=lemmas_only) as ix:
        figures["searchkit_without_roots"] = latencies(lambda q: ix.search(q, snippets=False), queries, runs)
    plain, with_snippets = whoosh_searchers(whoosh_index(index.with_name(index.name + "-whoosh"), sources))
    figures["whoosh"] = latencies(plain, queries, runs)
    figures["whoosh_snippets"] = latencies(with_snippets, queries, runs)
    return figures


def process_seconds(args: list[str], cwd: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=dict(os.environ, NO_COLOR="1"))
        times.append(time.perf_counter() - started)
    return times


def cli_figures(runs: int) -> dict[str, float]:
    """The one-shot CLI on a copy of the bundled corpus: cold (builds the index first) and warm."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copytree(REPO / "corpus", work / "corpus")
        command = [sys.executable, "-m", "searchkit", "search", "встреча президентов"]
        cold = process_seconds(command, work, 1)[0]
        warm = process_seconds(command, work, runs)
        imports = process_seconds([sys.executable, "-c", "import searchkit"], work, runs)
    return {"cli_cold_s": round(cold, 3), "cli_warm_s": round(median(warm), 3),
            "import_s": round(median(imports), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, "query_speed.json")  # Whoosh's index goes beside searchkit's, named '…-whoosh'
    args = parser.parse_args()

    sources, questions = sources_and_questions(args.shared)
    queries = [plain_query(q["text"]) for q in questions]

    figures: dict[str, Any] = {"queries": len(queries), "runs": args.runs,
                               **searchkit_and_whoosh(args.index, sources, queries, args.runs)}
    for kind in ("", "_snippets"):
        for stat in ("p50_ms", "p95_ms"):
            figures[f"speedup{kind}_{stat[:3]}"] = round(figures[f"whoosh{kind}"][stat]
                                                         / figures[f"searchkit{kind}"][stat], 2)
    figures.update(cli_figures(args.runs))

    print(f"{figures['documents']:,} documents, {len(queries)} queries × {args.runs} runs, top 10")
    for name in ("searchkit", "searchkit_snippets", "searchkit_without_roots", "whoosh", "whoosh_snippets"):
        print(f"  {name:20} p50 {figures[name]['p50_ms']:8.2f} ms   p95 {figures[name]['p95_ms']:8.2f} ms")
    print(f"  Whoosh / searchkit with snippets: p50 {figures['speedup_snippets_p50']}×, "
          f"p95 {figures['speedup_snippets_p95']}×")
    print(f"  CLI search on the bundled corpus: cold {figures['cli_cold_s']} s, warm {figures['cli_warm_s']} s; "
          f"import searchkit {figures['import_s']} s")
    write_json(args.json, figures)
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
