"""Completion latency of the interactive prompt on a large index.

Builds (or reuses, with ``--index DIR``) an index of the 62,770 RusLit paragraphs plus the 240 XQuAD-ru
paragraphs, 63,010 documents, then types the words of XQuAD-ru questions letter by letter into the prompt's
completer, as a person would, and times each keystroke's completions: the median and the 95th percentile of
``--keystrokes`` keystrokes (default 200) in each of ``--runs`` passes (default 5), reported as the medians
over the passes.

    python benchmarks/completion.py --index /tmp/searchkit-63k     # build once, reuse afterwards

Figures are printed and written to ``benchmarks/results/completion.json``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document as PromptDocument

from common import RESULTS_DIR, median, read_jsonl, require, shared_dir, write_json
from searchkit import Index
from searchkit.repl import MIN_COMPLETION_CHARS, QueryCompleter


def open_index(path: Path, sources: list[Path]) -> Index:
    if Index.exists(path):
        return Index.open(path)
    print(f"building the index in {path} from {', '.join(str(s) for s in sources)} …")
    ix = Index.create(path)
    report = ix.index_path(*sources)
    print(f"  {report.documents:,} documents in {report.seconds:.0f} s")
    return ix


def keystrokes(questions: list[str], count: int) -> list[str]:
    """Lines as they stand after each keystroke that completion would answer (a word of 2+ letters so far)."""
    lines: list[str] = []
    for question in questions:
        typed = ""
        for word in question.split():
            word = "".join(ch for ch in word if ch.isalpha())
            for end in range(MIN_COMPLETION_CHARS, len(word) + 1):
                lines.append(typed + word[:end])
                if len(lines) == count:
                    return lines
            typed += word + " "
    return lines


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--index", type=Path, default=Path("/tmp/searchkit-63k"),
                        help="index folder to build or reuse (default: /tmp/searchkit-63k)")
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "completion.json")
    args = parser.parse_args()

    data = shared_dir(args.shared) / "data"
    sources = [data / "corpus-large" / "ruslit_paragraphs.jsonl", data / "xquad-ru" / "paragraphs" / "corpus.jsonl"]
    queries = data / "xquad-ru" / "paragraphs" / "queries.jsonl"
    require(*sources, queries)
    lines = keystrokes([q["text"] for q in read_jsonl(queries)], args.keystrokes)

    with open_index(args.index, sources) as ix:
        completer = QueryCompleter(lambda: ix)
        event = CompleteEvent(completion_requested=False)
        list(completer.get_completions(PromptDocument(lines[0]), event))  # open the reader once
        passes = []
        for _ in range(args.runs):
            times = []
            for line in lines:
                started = time.perf_counter()
                list(completer.get_completions(PromptDocument(line), event))
                times.append((time.perf_counter() - started) * 1000)
            passes.append(times)
        documents = ix.doc_count()

    medians = [median(times) for times in passes]
    p95s = [p95(times) for times in passes]
    figures = {"documents": documents, "keystrokes": len(lines), "runs": args.runs,
               "median_ms": round(median(medians), 2), "p95_ms": round(median(p95s), 2),
               "max_ms": round(max(max(times) for times in passes), 2),
               "median_ms_per_run": [round(m, 2) for m in medians], "p95_ms_per_run": [round(p, 2) for p in p95s]}
    print(f"completion on {documents:,} documents, {len(lines)} keystrokes × {args.runs} runs: "
          f"median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, max {figures['max_ms']} ms")
    write_json(args.json, figures)
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
