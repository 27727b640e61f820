"""Requests per second and latency of ``searchkit serve`` for 1, 4 and 16 concurrent clients, idle and while a
folder is being indexed, beside the library's own latency for the same queries.

1. Opens (building once) the 63,010-document index of ``large_index.py`` and copies it, so that the indexing phase
   writes to the copy only; writes the 212 RusDraCor plays (26 MB, not in the index) as text files, ``--copies``
   times under other names, into a folder for the server to sync.
2. The library: each of the XQuAD-ru questions searched once, top 10 with snippets, in a fresh process (the first
   pass), then once more (warm).
3. The server (``searchkit serve --index COPY --root FOLDER``, 4 search threads, on a free loopback port): for 1, 4
   and 16 clients, each sending ``GET /api/search?q=…&limit=10`` in turn over the same questions, ``--requests``
   requests in all (bounded; the clients stop by themselves), ``--runs`` times; reported are the medians over runs
   of requests/s, p50 and p95. Then ``POST /api/index`` syncs the folder and the same load runs while the job
   is running (each level once; the job's state at the end of each level is recorded).

    python benchmarks/server_speed.py --index /tmp/searchkit-63k

Figures are printed and written to ``benchmarks/results/server_speed.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from common import REPO

sys.path.insert(0, str(REPO))  # this checkout's searchkit, and the tests' own way of starting a real server
from common import median, plain_query, read_jsonl, require, shared_dir, write_json  # noqa: E402
from large_index import add_arguments, open_large_index, p95, sources_and_questions  # noqa: E402
from tests.serving import Server  # noqa: E402

TOKEN = "benchmark"
LEVELS = (1, 4, 16)


def library_latency(index: Path, queries: list[str]) -> dict[str, Any]:
    """Each query once in a fresh process (the first pass), then once more (warm): p50 and p95 in ms."""
    code = f"""
import json, sys, time
from searchkit import Index
queries = json.loads(sys.stdin.read())
with Index.open({str(index)!r}) as ix:
    passes = []
    for _ in range(2):
        times = []
        for q in queries:
            started = time.perf_counter(); ix.search(q, limit=10); times.append((time.perf_counter() - started) * 1000)
        passes.append(times)
print(json.dumps(passes))
"""
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(queries), capture_output=True, text=True,
                          check=True, cwd=REPO)
    first, warm = json.loads(done.stdout)
    return {"first_p50_ms": round(median(first), 2), "first_p95_ms": round(p95(first), 2),
            "warm_p50_ms": round(median(warm), 2), "warm_p95_ms": round(p95(warm), 2)}


async def load(url: str, queries: list[str], clients: int, requests: int) -> dict[str, Any]:
    """``clients`` clients sharing ``requests`` searches, each client one request at a time."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(requests))

    async def client(http: httpx.AsyncClient) -> None:
        for n in counter:
            started = time.perf_counter()
            answer = await http.get("/api/search", params={"q": queries[n % len(queries)], "limit": 10})
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        seconds = time.perf_counter() - started
    return {"requests_per_s": round(requests / seconds, 1), "p50_ms": round(median(latencies), 1),
            "p95_ms": round(p95(latencies), 1), "statuses": statuses}


def folder_to_sync(shared: str | None, copies: int, into: Path) -> int:
    """The RusDraCor plays as text files, ``copies`` times; their total size in bytes."""
    plays = shared_dir(shared) / "data" / "corpus-large" / "rusdracor_plays.jsonl"
    require(plays)
    into.mkdir(parents=True, exist_ok=True)
    size = 0
    for copy in range(copies):
        for record in read_jsonl(plays):
            path = into / f"{record['id']}-{copy}.txt"
            path.write_text(f"{record.get('title') or ''}\n{record['text']}\n", encoding="utf-8")
            size += path.stat().st_size
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, "server_speed.json")
    parser.add_argument("--requests", type=int, default=400, help="requests at each level (default 400)")
    parser.add_argument("--copies", type=int, default=2, help="copies of the plays in the folder synced (default 2)")
    args = parser.parse_args()

    sources, questions = sources_and_questions(args.shared)
    queries = [plain_query(q["text"]) for q in questions]
    open_large_index(args.index, sources).close()
    figures: dict[str, Any] = {"queries": len(queries), "requests": args.requests, "runs": args.runs,
                               "library": library_latency(args.index, queries)}
    with tempfile.TemporaryDirectory(prefix="searchkit-serve-") as scratch:
        work = Path(scratch)
        shutil.copytree(args.index, work / "index")
        figures["sync_bytes"] = folder_to_sync(args.shared, args.copies, work / "incoming")
        server = Server(work / "index", "--root", str(work / "incoming"), env={"SEARCHKIT_TOKEN": TOKEN},
                        cwd=REPO)
        try:
            asyncio.run(load(server.url, queries, 4, len(queries)))  # every query once: caches as the library's
            idle: dict[str, Any] = {}
            for clients in LEVELS:
                runs = [asyncio.run(load(server.url, queries, clients, args.requests)) for _ in range(args.runs)]
                idle[str(clients)] = {key: median([run[key] for run in runs])
                                      for key in ("requests_per_s", "p50_ms", "p95_ms")}
                idle[str(clients)]["non_200"] = sum(n for run in runs for s, n in run["statuses"].items() if s != 200)
            figures["idle"] = idle
            job = server.client.post("/api/index", headers={"Authorization": f"Bearer {TOKEN}"}).json()
            indexing: dict[str, Any] = {}
            for clients in LEVELS:
                result = asyncio.run(load(server.url, queries, clients, args.requests))
                state = server.client.get(f"/api/jobs/{job['id']}", headers={"Authorization": f"Bearer {TOKEN}"}).json()
                indexing[str(clients)] = {**{k: result[k] for k in ("requests_per_s", "p50_ms", "p95_ms")},
                                          "non_200": sum(n for s, n in result["statuses"].items() if s != 200),
                                          "job_state_after": state["state"],
                                          "files_done_after": (state["progress"] or {}).get("files_done")}
            figures["indexing"] = indexing
            while state["state"] in ("queued", "running"):
                time.sleep(1)
                state = server.client.get(f"/api/jobs/{job['id']}", headers={"Authorization": f"Bearer {TOKEN}"}).json()
            figures["sync_report"] = {k: state["report"][k] for k in ("added", "documents", "seconds")} \
                if state["report"] else state
        finally:
            server.stop()

    lib = figures["library"]
    print(f"library, top 10 with snippets: first pass p50 {lib['first_p50_ms']} ms, p95 {lib['first_p95_ms']} ms; "
          f"warm p50 {lib['warm_p50_ms']} ms, p95 {lib['warm_p95_ms']} ms")
    for phase in ("idle", "indexing"):
        for clients in LEVELS:
            f = figures[phase][str(clients)]
            print(f"  {phase:8} {clients:2} clients: {f['requests_per_s']:7.1f} req/s   p50 {f['p50_ms']:7.1f} ms   "
                  f"p95 {f['p95_ms']:7.1f} ms" + (f"   job {f['job_state_after']}" if phase == "indexing" else ""))
    print(f"  sync: {figures['sync_report']}")
    write_json(args.json, figures)
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
