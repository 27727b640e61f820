"""Query latency as a person meets it: each query once, in a fresh process (the first pass), and the same queries
again in that process (warm), for searchkit and for stock Whoosh on the same documents.

Each run starts one fresh process per engine (and per ``--source`` tree, to compare two versions of searchkit
side by side: a checkout or a worktree, whose ``searchkit`` package is imported instead of this one); the
processes take turns, so a drift of the machine's speed touches them alike. A process opens the index, runs the
first ``--queries`` XQuAD-ru development questions once each, top 10 with snippets, then once more. Reported:
the medians over runs of each process's p50 and p95, first pass and warm, and the ratios to Whoosh.

The index is the 63,010-document one of the other latency benchmarks (``large_index.py``), Whoosh's beside it;
``--cluster opensearch://HOST:PORT/NAME`` measures searchkit once more with that index on a cluster (built there
from the same documents when missing).

    python benchmarks/first_pass.py --runs 3
    python benchmarks/first_pass.py --source /tmp/before --source . --runs 3
    python benchmarks/first_pass.py --paragraphs 6000 --index /tmp/searchkit-6k --runs 3
    python benchmarks/first_pass.py --source /tmp/before --source . --profile    # a first pass under cProfile

``--paragraphs N`` measures instead on an index of the first N RusLit paragraphs alone (the questions' own
paragraphs left out), written to a JSON Lines file beside the index and indexed from it.
    python benchmarks/first_pass.py --cluster opensearch://127.0.0.1:9200/searchkit-63k --runs 3

tantivy and SQLite FTS5 (``quality.py``'s peers, indexes built beside the index from the same documents) are
measured in the same turns, top 10 without snippets, which they do not make.

Figures are printed and written to ``benchmarks/results/first_pass.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import itertools
import json
import os
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import REPO, median, plain_query, read_jsonl, source_fingerprint, write_json
from large_index import add_first_pass_arguments, open_large_index, p95, sources_and_questions


#: The entries of a profile printed, the most time (with what they call) first.
PROFILE_ENTRIES = 40

#: Engines measured beside searchkit and Whoosh, top 10 without snippets (they have none): the indexes of
#: ``quality.py``'s peers, built from the same documents.
PEERS = ("tantivy", "fts5")


def peer_engine(name: str) -> Any:
    import quality

    return quality.tantivy_engine() if name == "tantivy" else quality.fts5_engine(stemmed=False)


def peer_folder(index: Path, name: str) -> Path:
    return index.with_name(f"{index.name}-{name}")


def build_peers(index: Path, sources: list[Path]) -> list[str]:
    """The peers' indexes beside ``index`` (built from ``sources`` when missing); the names of those installed."""
    import quality

    built = []
    records: list[dict[str, Any]] = []  # read once, for the first peer that needs building
    for name in PEERS:
        try:
            engine = peer_engine(name)
        except quality.Skipped as reason:
            print(f"{name}: skipped ({reason})")
            continue
        folder = peer_folder(index, name)
        if not (folder / "built").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            records = records or [record for path in sources for record in read_jsonl(path)]
            engine.build(records, folder)
            (folder / "built").touch()
        built.append(name)
    return built


def child(engine: str, index: Path | str, queries: list[str], profile: bool = False) -> None:
    """One fresh process: the queries once each, then again; prints both lists of latencies (ms) as JSON. With
    ``profile``, the first pass alone, under cProfile, whose entries it prints instead. ``index``: a folder, or
    a cluster location (searchkit only)."""
    if engine == "whoosh":
        assert isinstance(index, Path)
        from query_speed import whoosh_index, whoosh_searchers

        _, search = whoosh_searchers(whoosh_index(index.with_name(index.name + "-whoosh"), []))
    elif engine in PEERS:
        assert isinstance(index, Path)
        searcher = contextlib.ExitStack()  # open until the process ends
        search = searcher.enter_context(peer_engine(engine).searcher(peer_folder(index, engine), 10))
    else:
        from searchkit import Index

        ix = Index.open(index)
        search = ix.search
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [search(query) for query in queries])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(PROFILE_ENTRIES)
        return
    passes = []
    for _ in range(2):
        times = []
        for query in queries:
            started = time.perf_counter()
            search(query)
            times.append((time.perf_counter() - started) * 1000)
        passes.append(times)
    print(json.dumps(passes))


def run_child(engine: str, source: Path, index: Path | str, count: int, shared: str | None,
              profile: bool = False) -> Any:
    """:func:`child` in a fresh process with the ``searchkit`` package of ``source``: its latencies, or with
    ``profile`` the text of its profile; ``index``: a folder, or a cluster location (a ``str``)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), str(REPO / "benchmarks")])}
    where = ["--cluster", index] if isinstance(index, str) else ["--index", str(index)]
    command = [sys.executable, __file__, "--child", engine, *where, "--queries", str(count)]
    command += ["--shared", shared] if shared else []
    command += ["--profile"] if profile else []
    completed = subprocess.run(command, capture_output=True, text=True, env=env, cwd=source)
    if completed.returncode:
        raise SystemExit(f"{engine} in {source} failed:\n{completed.stderr}")
    return completed.stdout if profile else json.loads(completed.stdout)


def first_lines(source: Path, count: int, path: Path) -> Path:
    """A JSON Lines file at ``path`` of the first ``count`` records of ``source`` (kept for later runs)."""
    if not path.exists():
        with source.open(encoding="utf-8") as records, path.open("w", encoding="utf-8") as out:
            out.writelines(itertools.islice(records, count))
    return path


def summary(passes: list[list[list[float]]]) -> dict[str, float]:
    first = [run[0] for run in passes]
    warm = [run[1] for run in passes]
    return {"first_p50_ms": round(median([median(t) for t in first]), 2),
            "first_p95_ms": round(median([p95(t) for t in first]), 2),
            "warm_p50_ms": round(median([median(t) for t in warm]), 2),
            "warm_p95_ms": round(median([p95(t) for t in warm]), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_first_pass_arguments(parser, "first_pass.json")
    parser.add_argument("--source", type=Path, action="append",
                        help="a searchkit source tree to measure (repeatable; default: this one)")
    parser.add_argument("--paragraphs", type=int, metavar="N",
                        help="index the first N RusLit paragraphs alone instead (give another --index)")
    parser.add_argument("--cluster", metavar="opensearch://HOST:PORT/NAME",
                        help="also this checkout's searchkit with the index on a cluster (built there if missing)")
    parser.add_argument("--profile", action="store_true",
                        help="instead, one first pass of searchkit per --source under cProfile: its entries")
    args = parser.parse_args()
    sources, questions = sources_and_questions(args.shared)
    queries = [plain_query(question["text"]) for question in questions[:args.queries]]
    if args.paragraphs:
        sources = [first_lines(sources[0], args.paragraphs, args.index.with_name(args.index.name + ".jsonl"))]
    if args.child:
        child(args.child, args.cluster or args.index, queries, args.profile)
        return
    open_large_index(args.index, sources).close()
    if args.cluster:
        open_large_index(args.cluster, sources).close()
    from query_speed import whoosh_index

    whoosh_index(args.index.with_name(args.index.name + "-whoosh"), sources)
    peers = build_peers(args.index, sources)
    trees = [path.resolve() for path in args.source or [REPO]]
    if args.profile:
        for tree in trees:
            print(f"{tree}:\n{run_child('searchkit', tree, args.index, len(queries), args.shared, profile=True)}")
        return
    measured: dict[str, list[list[list[float]]]] = {"whoosh": []}
    for _ in range(args.runs):
        measured["whoosh"].append(run_child("whoosh", REPO, args.index, len(queries), args.shared))
        for peer in peers:
            measured.setdefault(f"{peer} (no snippets)", []).append(run_child(peer, REPO, args.index, len(queries),
                                                                              args.shared))
        for tree in trees:
            measured.setdefault(str(tree), []).append(run_child("searchkit", tree, args.index, len(queries),
                                                                 args.shared))
        if args.cluster:
            measured.setdefault(args.cluster, []).append(run_child("searchkit", REPO, args.cluster, len(queries),
                                                                   args.shared))
    whoosh = summary(measured["whoosh"])
    figures: dict[str, object] = {"source": source_fingerprint(), "queries": len(queries), "runs": args.runs,
                                  "paragraphs": args.paragraphs, "whoosh": whoosh}
    print(f"{len(queries)} queries, top 10 with snippets, median of {args.runs} fresh processes each (ms):")
    print(f"  {'':40} first p50   p95    warm p50   p95")
    for name, passes in measured.items():
        row = summary(passes)
        ratios = {key: round(whoosh[key] / row[key], 2) for key in row}
        figures[name] = {**row, "whoosh_over_this": ratios}
        print(f"  {name[-40:]:40} {row['first_p50_ms']:8.1f} {row['first_p95_ms']:6.1f}   {row['warm_p50_ms']:8.1f} "
              f"{row['warm_p95_ms']:6.1f}   (Whoosh / this: {ratios['first_p50_ms']}, {ratios['first_p95_ms']}; "
              f"warm {ratios['warm_p50_ms']}, {ratios['warm_p95_ms']})")
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
