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
import time

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document as PromptDocument

from common import median, write_json
from large_index import add_arguments, open_large_index, p95, sources_and_questions
from searchkit.repl import MIN_COMPLETION_CHARS, QueryCompleter


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, "completion.json")
    parser.add_argument("--keystrokes", type=int, default=200)
    args = parser.parse_args()

    sources, questions = sources_and_questions(args.shared)
    lines = keystrokes([q["text"] for q in questions], args.keystrokes)

    with open_large_index(args.index, sources) as ix:
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
