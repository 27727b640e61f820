"""The OpenSearch backend's speed beside the embedded index's, in one run: indexing through the user's path and
query latency with snippets, on real clusters of 1 and 2 nodes that the run starts and stops.

For each cluster size of ``--nodes`` (default ``1,2``) a cluster is started with ``scripts/opensearch-cluster``
in a state folder of this run's own (``--state``, default a fresh temporary folder; ``--port`` for node 1's HTTP
port, default one the kernel picks), its indexes made with ``?replicas=0`` on 1 node and ``?replicas=1`` on more,
and stopped at the end, whatever happens. With it running, the embedded index and the cluster index take turns:

1. Indexing: the first ``--limit`` (default 6,000) RusLit paragraphs, written to a JSON Lines file, through
   ``Index.create(location)`` + ``ix.index_path(file, processes=P)`` in a fresh process each time (cold lemma
   caches), ``--runs`` times each (median reported); then once each the 63,010 documents of the latency
   benchmarks (``large_index.py``: the RusLit paragraphs and the XQuAD-ru paragraphs), which the latency runs
   search (``--small``: none, the latency runs search the indexes of the timed runs). MB are 10^6 bytes of UTF-8 title and text. CPU seconds are the indexing processes' (with their
   workers) and the cluster's JVM's (all its nodes).
2. Latency: ``first_pass.py``'s fresh processes, the first ``--queries`` XQuAD-ru questions once each (first
   pass), then again (warm), top 10 with snippets; ``--runs`` processes each, taking turns; the medians of each
   process's p50 and p95. The cluster has just indexed, so its caches are not cold for a first pass.

The machine's other work moves every figure; the ratios, measured in the same session, move less.

    python benchmarks/opensearch_speed.py --runs 3
    python benchmarks/opensearch_speed.py --nodes 1 --limit 2000 --runs 1 --queries 50 --port 9610

Figures are printed and written to ``benchmarks/results/opensearch_speed.json`` (``--json FILE``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import (MB, REPO, RESULTS_DIR, cpu_seconds, markdown_table, median, read_jsonl, require, shared_dir,
                    source_fingerprint, text_bytes, write_json)
from first_pass import run_child, summary
from large_index import sources_and_questions

CLUSTER_SCRIPT = REPO / "scripts" / "opensearch-cluster"
EMBEDDED = "embedded"


# --- clusters ---------------------------------------------------------------------------------------------------

@contextmanager
def running_cluster(nodes: int, port: int, state: Path) -> Iterator[tuple[str, int]]:
    """A cluster of ``nodes`` started in ``state``; yields its ``opensearch://HOST:PORT`` and the JVM's pid, and
    stops it (removing its data) however the block ends."""
    env = {**os.environ, "SEARCHKIT_OPENSEARCH_STATE": str(state)}
    command = [sys.executable, str(CLUSTER_SCRIPT), "start", "--nodes", str(nodes)]
    started = subprocess.run(command + (["--port", str(port)] if port else []), env=env, capture_output=True,
                             text=True)
    try:
        if started.returncode:
            raise SystemExit(f"the cluster of {nodes} node(s) did not start:\n{started.stderr[-3000:]}")
        url = started.stdout.strip().splitlines()[-1]
        yield url.replace("http://", "opensearch://"), int((state / "pid").read_text())
    finally:
        subprocess.run([sys.executable, str(CLUSTER_SCRIPT), "stop"], env=env, capture_output=True, check=False)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- indexing ---------------------------------------------------------------------------------------------------

def child_index(location: str, files: list[str], processes: int) -> None:
    """The child process of one timed build: a new index at ``location``, ``files`` indexed through
    ``index_path``; prints its figures as JSON."""
    from searchkit import Index
    from searchkit.index import index_location

    started, cpu_started = time.perf_counter(), cpu_seconds()
    with Index.create(index_location(location)) as ix:
        report = ix.index_path(*files, processes=processes)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        size = ix.stats().size_bytes
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "documents": report.documents, "index_bytes": size}))


def timed_index(location: str, files: list[Path], processes: int, jvm: int | None) -> dict[str, Any]:
    """One build of :func:`child_index` in a fresh process, with the cluster JVM's CPU seconds meanwhile."""
    jvm_started = process_cpu_seconds(jvm) if jvm else 0.0
    done = subprocess.run([sys.executable, __file__, "--child-index", location, *map(str, files),
                           "--processes", str(processes)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "benchmarks")])})
    if done.returncode:
        raise SystemExit(f"indexing into {location} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if jvm:
        figures["cluster_cpu_seconds"] = process_cpu_seconds(jvm) - jvm_started
    return figures


def indexing_summary(builds: list[dict[str, Any]], size: int) -> dict[str, Any]:
    seconds = median([build["seconds"] for build in builds])
    figures = {"runs_seconds": [round(build["seconds"], 2) for build in builds], "seconds": round(seconds, 2),
               "mb_per_s": round(size / MB / seconds, 3), "docs_per_s": round(builds[0]["documents"] / seconds, 1),
               "cpu_seconds": round(median([build["cpu_seconds"] for build in builds]), 2),
               "index_mb": round(median([build["index_bytes"] for build in builds]) / MB, 1)}
    if "cluster_cpu_seconds" in builds[0]:
        figures["cluster_cpu_seconds"] = round(median([build["cluster_cpu_seconds"] for build in builds]), 2)
    return figures


# --- one session: a cluster and the embedded index, taking turns --------------------------------------------------

def session(cluster: str, jvm: int, replicas: int, work: Path, small: Path, large: list[Path],
            queries: int, args: argparse.Namespace) -> dict[str, Any]:
    """Indexing and latency on ``cluster`` and on the embedded index, in turns; figures of both and the ratios.
    ``large``: the files of the indexes the latency runs search (none: those of the indexing runs)."""
    where = {EMBEDDED: str(work / "embedded"), "cluster": f"{cluster}/searchkit-bench?replicas={replicas}"}
    jvms = {EMBEDDED: None, "cluster": jvm}
    small_size = text_bytes(read_jsonl(small))
    builds: dict[str, list[dict[str, Any]]] = {EMBEDDED: [], "cluster": []}
    for run in range(args.runs):
        for engine in builds:
            builds[engine].append(timed_index(where[engine], [small], args.processes, jvms[engine]))
            print(f"  {engine} indexing run {run + 1}: {builds[engine][-1]['seconds']:.1f} s", file=sys.stderr)
    searched: dict[str, Path | str] = {EMBEDDED: Path(where[EMBEDDED]), "cluster": where["cluster"]}
    large_builds = {}
    if large:
        large_size = sum(text_bytes(read_jsonl(path)) for path in large)
        searched = {EMBEDDED: work / "embedded-63k", "cluster": f"{cluster}/searchkit-bench-63k?replicas={replicas}"}
        for engine, location in searched.items():
            large_builds[engine] = indexing_summary([timed_index(str(location), large, args.processes, jvms[engine])],
                                                    large_size)
            print(f"  {engine}: {len(large)} files in {large_builds[engine]['seconds']:.0f} s", file=sys.stderr)
    searched["cluster"] = str(searched["cluster"]).split("?")[0]  # the replicas were for creating it
    latencies: dict[str, list[list[list[float]]]] = {EMBEDDED: [], "cluster": []}
    for run in range(args.runs):
        for engine in latencies:
            latencies[engine].append(run_child("searchkit", REPO, searched[engine], queries, args.shared))
            print(f"  {engine} latency run {run + 1} done", file=sys.stderr)
    figures: dict[str, Any] = {"replicas": replicas, "engines": {}}
    for engine in builds:
        figures["engines"][engine] = {"indexing": indexing_summary(builds[engine], small_size),
                                      "latency": summary(latencies[engine])}
        if large_builds:
            figures["engines"][engine]["indexing_63k"] = large_builds[engine]
    embedded, on_cluster = figures["engines"][EMBEDDED], figures["engines"]["cluster"]
    figures["cluster_over_embedded"] = {
        f"{part}_mb_per_s": round(on_cluster[part]["mb_per_s"] / embedded[part]["mb_per_s"], 2)
        for part in ("indexing", "indexing_63k") if part in embedded}
    figures["cluster_over_embedded"].update(
        {key: round(on_cluster["latency"][key] / embedded["latency"][key], 2) for key in embedded["latency"]})
    return figures


def tables(sessions: dict[str, Any], documents: int, small_mb: float) -> str:
    rows, latency_rows = [], []
    for name, figures in sessions.items():
        for engine, label in ((EMBEDDED, f"embedded (beside {name})"), ("cluster", f"OpenSearch, {name}")):
            of = figures["engines"][engine]
            small, large = of["indexing"], of.get("indexing_63k")
            cluster_cpu = small.get("cluster_cpu_seconds")
            rows.append([label, f"{small['seconds']:.1f}", f"{small['mb_per_s']:.3f}", f"{small['cpu_seconds']:.1f}",
                         "–" if cluster_cpu is None else f"{cluster_cpu:.1f}",
                         *([f"{large['seconds']:.0f}", f"{large['mb_per_s']:.3f}", f"{large['index_mb']:.0f}"]
                           if large else ["–"] * 3)])
            latency = of["latency"]
            latency_rows.append([label] + [f"{latency[key]:.1f}" for key in
                                           ("first_p50_ms", "first_p95_ms", "warm_p50_ms", "warm_p95_ms")])
        ratios = figures["cluster_over_embedded"]
        large_ratio = ratios.get("indexing_63k_mb_per_s")
        rows.append([f"OpenSearch / embedded, {name}", "", f"{ratios['indexing_mb_per_s']:.2f}×", "", "", "",
                     "–" if large_ratio is None else f"{large_ratio:.2f}×", ""])
        latency_rows.append([f"OpenSearch / embedded, {name}"] + [f"{ratios[key]:.2f}×" for key in
                                                                  ("first_p50_ms", "first_p95_ms", "warm_p50_ms",
                                                                   "warm_p95_ms")])
    indexing = markdown_table([f"index_path ({documents:,} docs, {small_mb:.1f} MB)", "s", "MB/s", "CPU s",
                               "cluster CPU s", "63,010 docs s", "MB/s", "index MB"], rows)
    latency = markdown_table(["top 10 with snippets, ms", "first pass p50", "p95", "warm p50", "p95"], latency_rows)
    return f"{indexing}\n\n{latency}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--nodes", default="1,2", help="cluster sizes, one session each (default 1,2)")
    parser.add_argument("--port", type=int, default=0, help="node 1's HTTP port (default: one the kernel picks)")
    parser.add_argument("--state", type=Path, help="the clusters' state folder (default: a fresh temporary one)")
    parser.add_argument("--limit", type=int, default=6000, help="RusLit paragraphs of the timed indexing runs")
    parser.add_argument("--runs", type=int, default=3, help="runs of each indexing and latency measure")
    parser.add_argument("--queries", type=int, default=200, help="questions, each searched once per process")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="indexing worker processes")
    parser.add_argument("--small", action="store_true", help="no 63,010-document indexes: the latency runs search "
                        "the indexes of the indexing runs (quicker, for a look or a test)")
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "opensearch_speed.json")
    parser.add_argument("--child-index", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_index:
        location, *files = args.child_index
        child_index(location, files, args.processes)
        return

    large, _ = sources_and_questions(args.shared)
    ruslit = shared_dir(args.shared) / "data" / "corpus-large" / "ruslit_paragraphs.jsonl"
    require(ruslit, CLUSTER_SCRIPT)
    records = read_jsonl(ruslit, args.limit)
    with tempfile.TemporaryDirectory(prefix="searchkit-os-speed-") as tmp:
        work = Path(tmp)
        small = work / "paragraphs.jsonl"
        small.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records),
                         encoding="utf-8")
        result: dict[str, Any] = {"searchkit_source": source_fingerprint(), "documents": len(records),
                                  "text_mb": round(text_bytes(records) / MB, 2), "runs": args.runs,
                                  "queries": args.queries, "processes": args.processes, "cpu_count": os.cpu_count(),
                                  "sessions": {}}
        for nodes in (int(n) for n in args.nodes.split(",")):
            replicas = min(1, nodes - 1)
            name = f"{nodes} node{'s' if nodes > 1 else ''}, replicas {replicas}"
            print(f"{name}: starting the cluster …", file=sys.stderr)
            state = args.state or work / f"cluster-{nodes}"
            with running_cluster(nodes, args.port, state) as (cluster, jvm):
                result["sessions"][name] = session(cluster, jvm, replicas, work / f"session-{nodes}", small,
                                                   [] if args.small else large, args.queries, args)
            write_json(args.json, result)
    print(tables(result["sessions"], result["documents"], result["text_mb"]))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
