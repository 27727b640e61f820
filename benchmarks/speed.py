"""Speed beside the peers, in one run on one machine: indexing, query latency, and a one-shot CLI search.

1. Indexing (``--files``; default the shared ``corpus-large/ruslit_paragraphs.jsonl`` and ``rusdracor_plays.jsonl``):
   every engine indexes the whole file, read into memory first, into a fresh temporary folder, ``--index-runs``
   times (default 5), each build in a child process of its own so that its peak RSS is its own (the larger of the
   child and its biggest worker). Engines: searchkit with 1 process and with every core (``Index.add``, default
   settings), stock Whoosh 2.7.4 (``LanguageAnalyzer("ru")``, one writer: the baseline of the ratios), tantivy and
   SQLite FTS5 as ``quality.py`` builds them. Reported: median wall seconds, MB/s (MB = 10^6 bytes of UTF-8 title
   and text), docs/s, CPU seconds, peak RSS, index size on disk.
2. Query latency on the 63,010-document set (RusLit paragraphs + the 240 XQuAD-ru paragraphs; searchkit's and
   Whoosh's indexes are built once into ``--index`` and beside it, the peers' into ``quality.py``'s cache): the
   603 development questions as top-10 queries, ``--query-runs`` passes (default 5); the median over passes of
   each pass's median and 95th percentile. searchkit and Whoosh without and with snippets (Whoosh's own
   highlighter), tantivy and SQLite FTS5 without.
3. ``searchkit search "встреча президентов"`` on a copy of the bundled corpus as a whole process, cold (it builds
   the index) and warm, and ``python -c "import searchkit"``.
4. ``--profile``: cProfile of searchkit indexing the first 5,000 RusLit paragraphs in one process and of the 603
   questions with snippets, the 40 costliest functions of each written to ``results/speed_profile_*.txt``.

    python benchmarks/speed.py                                   # everything (about an hour on two cores)
    python benchmarks/speed.py --sections queries,cli --query-runs 3
    python benchmarks/speed.py --sections index --files ../shared/data/corpus-large/rusdracor_plays.jsonl
    python benchmarks/speed.py --sections profile

Figures are printed and written to ``benchmarks/results/speed.json`` (``--json FILE``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import (MB, RESULTS_DIR, cpu_seconds, folder_bytes, median, peak_rss_mb, plain_query,
                    read_jsonl, require, shared_dir, source_fingerprint, text_bytes, write_json)
from large_index import DEFAULT_PATH, open_large_index, sources_and_questions
from index_speed import baseline_build, searchkit_build
from query_speed import cli_figures, latencies, searchkit_and_whoosh

SECTIONS = ("index", "queries", "cli", "profile")
INDEX_ENGINES = ("searchkit-1", "searchkit-all", "whoosh", "tantivy", "fts5")


# --- 1. indexing ------------------------------------------------------------------------------------------------

def build(engine: str, records: list[dict[str, Any]], folder: Path) -> None:
    """Index ``records`` into the empty ``folder`` with one of :data:`INDEX_ENGINES`."""
    if engine.startswith("searchkit"):
        searchkit_build(records, 1 if engine == "searchkit-1" else os.cpu_count() or 1)(folder)
    elif engine == "whoosh":
        baseline_build(records)(folder)
    else:
        import quality

        peer = quality.tantivy_engine() if engine == "tantivy" else quality.fts5_engine(stemmed=False)
        folder.mkdir(parents=True, exist_ok=True)
        peer.build(records, folder)


def child_build(engine: str, path: Path, folder: Path) -> None:
    """The child process of one timed build: prints its figures as JSON."""
    records = read_jsonl(path)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    build(engine, records, folder)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    rss = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": max(rss["self"], rss["children"]),
                      "index_bytes": folder_bytes(folder)}))


def timed_build(engine: str, path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="searchkit-speed-") as folder:
        done = subprocess.run([sys.executable, __file__, "--child-build", engine, str(path), str(Path(folder) / "ix")],
                              capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} failed on {path.name}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def indexing(paths: list[Path], engines: list[str], runs: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for path in paths:
        records = read_jsonl(path)
        size, documents = text_bytes(records), len(records)
        del records
        per_engine: dict[str, Any] = {}
        print(f"{path.name}: {documents:,} documents, {size / MB:.1f} MB", file=sys.stderr)
        for engine in engines:
            try:
                builds = [timed_build(engine, path) for _ in range(runs)]
            except (RuntimeError, ImportError) as error:
                per_engine[engine] = {"failed": str(error)}
                print(f"  {engine}: failed: {error}", file=sys.stderr)
                continue
            seconds = median([b["seconds"] for b in builds])
            per_engine[engine] = {
                "runs_seconds": [round(b["seconds"], 2) for b in builds], "seconds": round(seconds, 2),
                "mb_per_s": round(size / MB / seconds, 3), "docs_per_s": round(documents / seconds, 1),
                "cpu_seconds": round(median([b["cpu_seconds"] for b in builds]), 2),
                "peak_rss_mb": round(max(b["peak_rss_mb"] for b in builds), 1),
                "index_mb": round(median([b["index_bytes"] for b in builds]) / MB, 1)}
            print(f"  {engine}: {per_engine[engine]}", file=sys.stderr)
        baseline = per_engine.get("whoosh", {}).get("mb_per_s")
        for figures_of in per_engine.values():
            if baseline and "mb_per_s" in figures_of:
                figures_of["ratio_to_whoosh"] = round(figures_of["mb_per_s"] / baseline, 2)
        figures[path.name] = {"documents": documents, "text_mb": round(size / MB, 1), "runs": runs,
                              "engines": per_engine}
    return figures


# --- 2. query latency -------------------------------------------------------------------------------------------

def query_latency(index: Path, shared: str | None, runs: int) -> dict[str, Any]:
    import quality

    sources, questions = sources_and_questions(shared)
    queries = [plain_query(q["text"]) for q in questions]
    figures: dict[str, Any] = {"queries": len(queries), "runs": runs,
                               **searchkit_and_whoosh(index, sources, queries, runs)}
    distractors = quality.EvalSet("xquad-ru/paragraphs+distractors", tuple(reversed(sources)), Path(), Path())
    corpus = [record for path in distractors.corpus for record in read_jsonl(path)]
    for name, peer in (("tantivy", quality.tantivy_engine), ("fts5", lambda: quality.fts5_engine(stemmed=False))):
        try:
            engine = peer()
        except quality.Skipped as reason:
            figures[name] = {"skipped": str(reason)}
            continue
        folder, _, _ = quality.prepare(engine, distractors, corpus, quality.CACHE_DIR)
        with engine.searcher(folder, 10) as search:
            figures[name] = latencies(search, queries, runs)
    for name in ("whoosh", "tantivy", "fts5"):
        for kind in ("", "_snippets"):
            peer_figures, ours = figures.get(name + kind, {}), figures["searchkit" + kind]
            if "p50_ms" in peer_figures:
                figures[f"ratio_{name}{kind}"] = {stat: round(peer_figures[stat] / ours[stat], 2)
                                                  for stat in ("p50_ms", "p95_ms")}
    return figures


# --- 4. profiles ------------------------------------------------------------------------------------------------

def profiles(index: Path, shared: str | None) -> dict[str, str]:
    written = {}
    sources, questions = sources_and_questions(shared)
    records = read_jsonl(sources[0], 5000)
    queries = [plain_query(q["text"]) for q in questions]
    with tempfile.TemporaryDirectory() as folder:
        written["index"] = profile(lambda: build("searchkit-1", records, Path(folder) / "ix"), "index")
    with open_large_index(index, sources) as ix:
        for query in queries:  # warm: the profile shows the steady state, not the first reads
            ix.search(query)
        written["queries"] = profile(lambda: [ix.search(query) for query in queries], "queries")
    return written


def profile(work: Any, name: str) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    path = RESULTS_DIR / f"speed_profile_{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


# --- output -----------------------------------------------------------------------------------------------------

def report(figures: dict[str, Any]) -> None:
    for name, file_figures in figures.get("index", {}).items():
        print(f"\nindexing {name} ({file_figures['documents']:,} docs, {file_figures['text_mb']} MB, "
              f"median of {file_figures['runs']})")
        print("| engine | wall s | MB/s | docs/s | CPU s | peak RSS MB | index MB | × Whoosh MB/s |\n|---|---|---|---|---|---|---|---|")
        for engine, f in file_figures["engines"].items():
            if "failed" in f:
                print(f"| {engine} | failed | | | | | | |")
                continue
            print(f"| {engine} | {f['seconds']} | {f['mb_per_s']} | {f['docs_per_s']:,} | {f['cpu_seconds']} | "
                  f"{f['peak_rss_mb']} | {f['index_mb']} | {f.get('ratio_to_whoosh', '')} |")
    queries = figures.get("queries")
    if queries:
        print(f"\nquery latency, {queries['documents']:,} documents, {queries['queries']} questions, top 10, "
              f"median of {queries['runs']} passes")
        print("| engine | p50 ms | p95 ms |\n|---|---|---|")
        for name in ("searchkit", "searchkit_snippets", "searchkit_without_roots", "whoosh", "whoosh_snippets",
                     "tantivy", "fts5"):
            f = queries.get(name, {})
            if "p50_ms" in f:
                print(f"| {name} | {f['p50_ms']} | {f['p95_ms']} |")
    if "cli" in figures:
        cli = figures["cli"]
        print(f"\nCLI search on the bundled corpus: cold {cli['cli_cold_s']} s, warm {cli['cli_warm_s']} s; "
              f"import searchkit {cli['import_s']} s")


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child-build":
        child_build(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--sections", default=",".join(SECTIONS[:3]),
                        help=f"comma-separated, of {', '.join(SECTIONS)} (default: all but profile)")
    parser.add_argument("--files", nargs="*", type=Path, help="JSON Lines files to index (default: RusLit "
                        "paragraphs and RusDraCor plays)")
    parser.add_argument("--engines", default=",".join(INDEX_ENGINES), help="indexing engines (default: all)")
    parser.add_argument("--index-runs", type=int, default=5)
    parser.add_argument("--query-runs", type=int, default=5)
    parser.add_argument("--index", type=Path, default=DEFAULT_PATH, help="the 63,010-document searchkit index "
                        f"to build or reuse (default: {DEFAULT_PATH}; Whoosh's goes beside it)")
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "speed.json")
    args = parser.parse_args()
    sections = args.sections.split(",")

    figures: dict[str, Any] = {"searchkit_source": source_fingerprint(), "cpu_count": os.cpu_count()}
    if "index" in sections:
        large = shared_dir(args.shared) / "data" / "corpus-large"
        paths = args.files or [large / "ruslit_paragraphs.jsonl", large / "rusdracor_plays.jsonl"]
        require(*paths)
        figures["index"] = indexing(paths, args.engines.split(","), args.index_runs)
    if "queries" in sections:
        figures["queries"] = query_latency(args.index, args.shared, args.query_runs)
    if "cli" in sections:
        figures["cli"] = cli_figures(args.query_runs)
    if "profile" in sections:
        figures["profiles"] = profiles(args.index, args.shared)
    report(figures)
    write_json(args.json, figures)
    print(f"\nwritten: {args.json}")


if __name__ == "__main__":
    main()
