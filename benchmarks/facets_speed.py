"""What facets cost a query, measured as a person meets it: each query once, in a fresh process.

Builds (once; ``--index DIR`` is reused afterwards) an archive of the 63,010 documents of the latency benchmarks
(the RusLit paragraphs and the XQuAD-ru paragraphs) spread over 20 years of dates and 300 folders, each document
given a date and a folder from a hash of its id. Then, in fresh processes taking turns, the first ``--queries``
XQuAD-ru development questions are each searched once (top 10 with snippets), without facets and with every
facet (year, month, folder, format, author); ``--runs`` processes each. Reported: the median over processes of
the per-process p50 and p95 latency, and the ratio of the two.

    python benchmarks/facets_speed.py --runs 5

Figures are printed and written to ``benchmarks/results/facets_speed.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

from common import median, plain_query, read_jsonl, source_fingerprint, write_json
from large_index import add_first_pass_arguments, p95, sources_and_questions
from searchkit import Document, Index

DEFAULT_INDEX = Path("/tmp/searchkit-63k-archive")
FOLDERS = 300
FIRST_DAY = dt.date(2006, 1, 1)
DAYS = 20 * 365


def spread(record_id: str) -> tuple[dt.date, str]:
    """A document's date within the 20 years and its folder, from a hash of its id (stable from run to run)."""
    number = int.from_bytes(hashlib.sha1(record_id.encode("utf-8")).digest()[:8], "big")
    return FIRST_DAY + dt.timedelta(days=number % DAYS), f"раздел-{number // DAYS % FOLDERS:03}"


def build(path: Path, sources: list[Path]) -> None:
    documents = []
    for source in sources:
        for record in read_jsonl(source):
            date, folder = spread(str(record["id"]))
            documents.append(Document(id=str(record["id"]), title=record.get("title", ""), body=record["text"],
                                      date=date, path=f"archive/{folder}/{record['id']}.txt", format="txt"))
    started = time.perf_counter()
    with Index.create(path) as ix:
        ix.add(documents, processes=2)
    print(f"built {len(documents):,} documents in {path} in {time.perf_counter() - started:.0f} s")


def child(index: Path, queries: list[str], facets: bool) -> None:
    """One fresh process: each query once; prints the latencies in ms as JSON."""
    times = []
    with Index.open(index) as ix:
        for query in queries:
            started = time.perf_counter()
            ix.search(query, limit=10, facets=facets)
            times.append((time.perf_counter() - started) * 1000)
    print(json.dumps(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_first_pass_arguments(parser, "facets_speed.json", DEFAULT_INDEX)
    args = parser.parse_args()
    sources, questions = sources_and_questions(args.shared)
    queries = [plain_query(question["text"]) for question in questions[:args.queries]]
    if args.child:
        child(args.index, queries, args.child == "facets")
        return
    if not Index.exists(args.index):
        build(args.index, sources)
    runs: dict[str, list[list[float]]] = {"plain": [], "facets": []}
    for _ in range(args.runs):
        for mode in runs:  # the two take turns, so a drift of the machine's speed touches both alike
            command = [sys.executable, __file__, "--index", str(args.index), "--queries", str(args.queries),
                       "--child", mode] + (["--shared", args.shared] if args.shared else [])
            runs[mode].append(json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout))
    figures: dict[str, object] = {"source": source_fingerprint(), "documents": 63_010, "queries": len(queries),
                                  "runs": args.runs}
    for mode, measured in runs.items():
        figures[mode] = {"p50_ms": round(median([median(times) for times in measured]), 2),
                         "p95_ms": round(median([p95(times) for times in measured]), 2),
                         "first_query_ms": round(median([times[0] for times in measured]), 1)}
    plain, faceted = figures["plain"], figures["facets"]
    figures["p50_ratio"] = round(faceted["p50_ms"] / plain["p50_ms"], 3)  # type: ignore[index]
    print(f"first pass, {len(queries)} queries once each in a fresh process, median of {args.runs} processes:")
    for mode in runs:
        row = figures[mode]
        print(f"  {mode:7} p50 {row['p50_ms']:.2f} ms  p95 {row['p95_ms']:.2f} ms  "  # type: ignore[index]
              f"first query {row['first_query_ms']:.0f} ms")  # type: ignore[index]
    print(f"  facets / plain p50: {figures['p50_ratio']}")
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
