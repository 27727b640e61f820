"""pymorphy3 parsing speed with the DAWG C extension (what searchkit installs, ``pymorphy3[fast]``) against the
pure-Python DAWG reader, on the distinct word forms of the XQuAD-ru paragraphs.

Each reader runs in its own process (the reader is chosen at import time), ``--runs`` times (default 5); the
median seconds and the ratio are printed and written to ``benchmarks/results/morph_speed.json``.

    python benchmarks/morph_speed.py
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

from common import RESULTS_DIR, median, read_jsonl, require, shared_dir, write_json

#: Runs in a child process; with "python" as its argument, the C extension is hidden so pymorphy3 falls back to
#: the pure-Python reader.
CHILD = """
import sys, time
if sys.argv[1] == "python":
    sys.modules["dawg"] = None
import pymorphy3, pymorphy3.dawg
words = sys.stdin.read().split()
morph = pymorphy3.MorphAnalyzer()
started = time.perf_counter()
for word in words:
    morph.parse(word)
print(pymorphy3.dawg.EXTENSION_AVAILABLE, time.perf_counter() - started)
"""


def time_reader(reader: str, words: str) -> tuple[bool, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, reader], input=words, capture_output=True, text=True,
                         check=True).stdout.split()
    return out[0] == "True", float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "morph_speed.json")
    args = parser.parse_args()
    corpus = shared_dir(args.shared) / "data" / "xquad-ru" / "paragraphs" / "corpus.jsonl"
    require(corpus)
    forms = sorted({w.lower() for r in read_jsonl(corpus) for w in re.findall(r"[а-яё]+", r["text"], re.I)})
    words = "\n".join(forms)
    figures: dict[str, object] = {"distinct_forms": len(forms), "runs": args.runs}
    for reader in ("c", "python"):
        timings = [time_reader(reader, words) for _ in range(args.runs)]
        uses_c = {c for c, _ in timings}
        assert uses_c == {reader == "c"}, f"{reader} reader not in use: {uses_c}"
        figures[f"{reader}_seconds"] = round(median([t for _, t in timings]), 3)
    figures["ratio"] = round(figures["python_seconds"] / figures["c_seconds"], 2)  # type: ignore[operator]
    print(json.dumps(figures, indent=2))
    print(f"C extension parses {figures['ratio']}x faster than the pure-Python DAWG reader "
          f"({len(forms):,} distinct forms)")
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
