"""Query latency with and without synonym expansion, on the 63,010-document index of the latency benchmarks.

Each run starts two fresh processes one after the other, one searching with synonyms (the default list) and one
without (``synonyms=False``), alternating which goes first; each runs the 603 XQuAD-ru questions as top-10
queries with snippets, once (the first pass, the headline figure) and then again (warm). Reported: the median over
runs of each pass's median and 95th-percentile latency, and how many questions had synonyms added.

    python benchmarks/synonym_speed.py --index /tmp/searchkit-63k --runs 5

Figures are printed and written to ``benchmarks/results/synonym_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import median, plain_query, write_json
from large_index import add_arguments, open_large_index, p95, sources_and_questions

MODES = ("with synonyms", "without synonyms")


def one_process(index: Path, shared: str | None, synonyms: bool) -> dict[str, Any]:
    """Both passes of the questions in this process: per pass the median and p95 in ms."""
    sources, questions = sources_and_questions(shared)
    queries = [plain_query(question["text"]) for question in questions]
    expanded = 0
    figures: dict[str, Any] = {}
    with open_large_index(index, sources) as ix:
        for name in ("first", "warm"):
            times = []
            for query in queries:
                started = time.perf_counter()
                results = ix.search(query, synonyms=synonyms)
                times.append((time.perf_counter() - started) * 1000)
                expanded += name == "first" and bool(results.plan and results.plan.synonyms)
            figures[name] = {"p50_ms": round(median(times), 2), "p95_ms": round(p95(times), 2)}
    figures["expanded_queries"] = expanded
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, "synonym_speed.json")
    parser.add_argument("--child", choices=["on", "off"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_process(args.index, args.shared, args.child == "on")))
        return

    sources, _ = sources_and_questions(args.shared)
    open_large_index(args.index, sources).close()  # built first, outside the timed processes
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for run in range(args.runs):
        order = ["on", "off"] if run % 2 == 0 else ["off", "on"]
        for flag in order:
            command = [sys.executable, __file__, "--index", str(args.index), "--child", flag]
            if args.shared:
                command += ["--shared", args.shared]
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            runs[MODES[0] if flag == "on" else MODES[1]].append(json.loads(done.stdout.splitlines()[-1]))
    figures: dict[str, Any] = {"runs": args.runs}
    for mode, results in runs.items():
        figures[mode] = {name: {stat: round(median([r[name][stat] for r in results]), 2)
                                for stat in ("p50_ms", "p95_ms")} for name in ("first", "warm")}
        figures[mode]["expanded_queries"] = results[0]["expanded_queries"]
    print(f"603 questions, top 10 with snippets, medians of {args.runs} runs (a fresh process each)")
    for mode in MODES:
        first, warm = figures[mode]["first"], figures[mode]["warm"]
        print(f"  {mode:17} first pass p50 {first['p50_ms']:6.2f} ms  p95 {first['p95_ms']:6.2f} ms   "
              f"warm p50 {warm['p50_ms']:6.2f} ms  p95 {warm['p95_ms']:6.2f} ms")
    print(f"  questions with synonyms added: {figures[MODES[0]]['expanded_queries']}")
    write_json(args.json, figures)
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
