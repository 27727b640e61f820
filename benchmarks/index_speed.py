"""Indexing throughput: how fast searchkit indexes a JSON Lines corpus, next to stock Whoosh.

The records ({"id","title","text"} per line; by default the RusLit paragraphs of the shared data folder) are read
into memory first. ``--through`` says which way they are indexed, each time by ``Index.create`` and then, in a
fresh temporary folder, repeated ``--runs`` times (the median is reported):

- ``add``: ``ix.add(records, processes=P)`` (analysis, writing, commit only);
- ``file``: the records written to one JSON Lines file, indexed as ``searchkit index FILE`` does
  (``ix.index_path``: fingerprinting, reading, analysis, writing, commits);
- ``folder``: each record written to a text file of its own (its title on the first line), indexed as
  ``searchkit index FOLDER`` does.

The baseline, timed in the same process unless ``--no-baseline``, is Whoosh 2.7.4's stock
``LanguageAnalyzer("ru")`` schema with the same memory limit, filled by one writer and by ``P`` of Whoosh's own
writer processes (``procs=P, multisegment=True``); the ratio is taken against the faster.

    python benchmarks/index_speed.py --limit 10000 --processes 1
    python benchmarks/index_speed.py --limit 6000 --through file,folder
    python benchmarks/index_speed.py --file other.jsonl --runs 1 --json results/other.json

Peak memory is ``ru_maxrss`` of this process and of its largest finished child (the pool's workers), read after
the searchkit runs and before the baseline. MB are 10^6 bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (MB, RESULTS_DIR, baseline_index, cpu_seconds, folder_bytes, median, peak_rss_mb,
                    read_jsonl, require, shared_dir, source_fingerprint, text_bytes, write_json)


def timed(build: Callable[[Path], None]) -> tuple[float, float, int]:
    """Run ``build(folder)`` on a fresh temporary folder: (wall seconds, CPU seconds incl. workers, index bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="searchkit-speed-"))
    try:
        started, cpu_started = time.perf_counter(), cpu_seconds()
        build(folder / "index")
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        return seconds, cpu, folder_bytes(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


WAYS = ("add", "file", "folder")


def searchkit_build(records: list[dict[str, Any]], processes: int, through: str, inputs: Path
                    ) -> Callable[[Path], None]:
    """How one run indexes ``records`` the way ``through`` says, its files written beforehand into ``inputs``."""
    from searchkit import Index, Settings
    from searchkit.analysis import fold, get_analyzer, get_morphology

    source = write_inputs(records, through, inputs)

    def build(path: Path) -> None:
        # Every run starts cold, like a fresh process: otherwise runs after the first would find their word forms
        # in the lemma cache (with processes > 1 the workers are forked from here and would inherit it too).
        get_morphology().weighted_terms.cache_clear()
        get_analyzer.cache_clear()
        fold.cache_clear()
        with Index.create(path, settings=Settings()) as ix:
            if source is None:
                added = ix.add(records, processes=processes)
            else:
                ix.index_path(source, processes=processes)
                added = ix.doc_count()
        assert added == len(records), f"indexed {added} of {len(records)} documents"
    return build


def write_inputs(records: list[dict[str, Any]], through: str, inputs: Path) -> Path | None:
    """The file or folder that ``searchkit index`` would be given for ``through`` (none for ``add``)."""
    if through == "file":
        inputs.mkdir(parents=True, exist_ok=True)
        path = inputs / "records.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        return path
    if through == "folder":
        folder = inputs / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        for n, record in enumerate(records):
            (folder / f"{n:06d}.txt").write_text(f"{record.get('title') or ''}\n\n{record['text']}", encoding="utf-8")
        return folder
    return None


def baseline_build(records: list[dict[str, Any]], procs: int) -> Callable[[Path], None]:
    from searchkit.backends.whoosh.store import WRITER_MEMORY_MB

    def build(path: Path) -> None:
        baseline_index(path, records, limitmb=WRITER_MEMORY_MB, procs=procs).close()
    return build


def speed(seconds: float, documents: int, size: int) -> dict[str, float]:
    return {"seconds": round(seconds, 2), "docs_per_s": round(documents / seconds, 1),
            "mb_per_s": round(size / MB / seconds, 3)}


def summary(figures: dict[str, Any]) -> str:
    return (f"{figures['seconds']} s ({figures['cpu_seconds']} s CPU), {figures['docs_per_s']:,} docs/s, "
            f"{figures['mb_per_s']} MB/s, index {figures['index_mb']} MB")


def require_c_extension() -> None:
    """Refuse to measure pymorphy3's pure-Python dictionary reader: it is several times slower than DAWG's C
    extension, and figures taken with it say nothing about a normal installation."""
    from searchkit.analysis import get_morphology

    if not get_morphology().uses_c_extension:
        sys.exit("refusing to run: pymorphy3 is reading its dictionaries without the DAWG C extension "
                 "(install searchkit with pymorphy3[fast], i.e. the DAWG2 package)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--file", help="JSON Lines file to index (default: corpus-large/ruslit_paragraphs.jsonl)")
    parser.add_argument("--limit", type=int, metavar="N", help="index only the first N documents")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="analysis processes "
                        "(default: all cores)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median is reported (default 3)")
    parser.add_argument("--through", type=lambda text: text.split(","), default=["add"],
                        help=f"comma-separated ways of indexing, of {', '.join(WAYS)} (default: add)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the stock Whoosh baseline")
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "index_speed.json", help="where to write "
                        "the figures (default: benchmarks/results/index_speed.json)")
    args = parser.parse_args()

    path = Path(args.file) if args.file else (
        shared_dir(args.shared) / "data" / "corpus-large" / "ruslit_paragraphs.jsonl")
    require(path)
    require_c_extension()
    source = source_fingerprint()  # the engine version these figures belong to, taken before the runs
    records = read_jsonl(path, args.limit)
    size = text_bytes(records)
    print(f"{path.name}: {len(records):,} documents, {size / MB:.1f} MB of text; processes={args.processes}, "
          f"runs={args.runs}, {os.cpu_count()} cores")

    unknown = set(args.through) - set(WAYS)
    if unknown:
        sys.exit(f"--through: unknown way {sorted(unknown)[0]!r} (of {', '.join(WAYS)})")
    result: dict[str, Any] = {
        "file": str(path), "documents": len(records), "text_mb": round(size / MB, 2),
        "processes": args.processes, "cpu_count": os.cpu_count(), "python": platform.python_version(),
        "searchkit_source": source, "pymorphy3_c_extension": True, "through": {}}
    with tempfile.TemporaryDirectory(prefix="searchkit-speed-inputs-") as inputs:
        for through in args.through:
            runs, cpu_runs = [], []
            build = searchkit_build(records, args.processes, through, Path(inputs) / through)
            for run in range(1, args.runs + 1):
                seconds, cpu, index_size = timed(build)
                runs.append(seconds)
                cpu_runs.append(cpu)
                print(f"  searchkit ({through}) run {run}: {seconds:.2f} s wall, {cpu:.2f} s CPU")
            figures = result["through"][through] = {
                "runs_seconds": [round(s, 2) for s in runs], **speed(median(runs), len(records), size),
                "cpu_seconds": round(median(cpu_runs), 2), "index_mb": round(index_size / MB, 1)}
            print(f"searchkit ({through}): {summary(figures)}")
    result["peak_rss_mb"] = rss = peak_rss_mb()
    print(f"peak RSS {rss['self']} MB (largest child {rss['children']} MB)")

    if not args.no_baseline:
        baselines = {}
        for procs in sorted({1, args.processes}):
            seconds, cpu, index_size = timed(baseline_build(records, procs))
            baselines[f"procs={procs}"] = baseline = {**speed(seconds, len(records), size),
                                                      "cpu_seconds": round(cpu, 2), "index_mb": round(index_size / MB, 1)}
            print(f"whoosh stock LanguageAnalyzer('ru'), procs={procs}, 1 run: {summary(baseline)}")
        result["whoosh_stock"] = baselines
        fastest = max(baseline["mb_per_s"] for baseline in baselines.values())
        result["speed_ratio"] = {through: round(figures["mb_per_s"] / fastest, 2)
                                 for through, figures in result["through"].items()}
        print(f"searchkit / the faster whoosh stock, MB/s: {result['speed_ratio']}")

    write_json(args.json, result)
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
