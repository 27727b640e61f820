"""How long ``searchkit index`` takes to end when it is told to: Ctrl-C (SIGINT to its process group, as a terminal
sends it), SIGTERM and SIGKILL, at random moments of a run with two worker processes.

The scenario is the one the fault tests use (``tests/test_interruptions.py``: 600 letters, commits every 256 KB):
for each signal and run, the seconds from the signal until the indexer has exited, until its last worker is gone,
and how many of its processes survived. Medians and maxima are printed and written to ``results/ending.json``.

    python benchmarks/ending.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import RESULTS_DIR, median, source_fingerprint, write_json  # noqa: E402
from searchkit import Index  # noqa: E402
from tests.test_interruptions import alive, make_folder, start_index, wait_for_workers  # noqa: E402

SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}


def end_once(folder: Path, index: Path, signum: int, moment: float) -> dict[str, float]:
    """One run stopped ``moment`` seconds after its workers started: seconds to the parent's exit and to the last
    process gone, and the processes left."""
    Index.create(index).close()
    process = start_index(index, folder)
    workers = wait_for_workers(process)
    time.sleep(moment)
    sent = time.perf_counter()
    os.killpg(process.pid, signum) if signum == signal.SIGINT else process.send_signal(signum)
    process.communicate(timeout=60)
    exited = time.perf_counter() - sent
    while any(alive(pid) for pid in workers) and time.perf_counter() - sent < 60:
        time.sleep(0.005)
    return {"moment": moment, "exit_seconds": exited, "all_gone_seconds": time.perf_counter() - sent,
            "survivors": sum(alive(pid) for pid in workers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="Runs per signal (default 5).")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the random moments.")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "ending.json")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    figures: dict[str, object] = {"source": source_fingerprint(), "runs": args.runs, "seed": args.seed}
    with tempfile.TemporaryDirectory(prefix="searchkit-ending-") as tmp:
        folder = make_folder(Path(tmp))
        for name, signum in SIGNALS.items():
            runs = [end_once(folder, Path(tmp) / f"index-{name}-{n}", signum, rng.uniform(0.2, 2.5))
                    for n in range(args.runs)]
            summary = {"exit_median_s": median([run["exit_seconds"] for run in runs]),
                       "exit_max_s": max(run["exit_seconds"] for run in runs),
                       "all_gone_median_s": median([run["all_gone_seconds"] for run in runs]),
                       "all_gone_max_s": max(run["all_gone_seconds"] for run in runs),
                       "survivors": sum(run["survivors"] for run in runs), "runs": runs}
            figures[name] = summary
            print(f"{name:8} exit p50 {summary['exit_median_s']:.3f} s (max {summary['exit_max_s']:.3f}), "
                  f"all processes gone p50 {summary['all_gone_median_s']:.3f} s "
                  f"(max {summary['all_gone_max_s']:.3f}), survivors {summary['survivors']}")
    write_json(args.output, figures)


if __name__ == "__main__":
    main()
