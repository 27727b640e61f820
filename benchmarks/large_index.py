"""The 63,010-document index that the latency benchmarks share: the 62,770 RusLit paragraphs as distractors plus
the 240 XQuAD-ru paragraphs that the questions are about. Built once, reused by later runs."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from pathlib import Path

from common import read_jsonl, require, shared_dir
from searchkit import Index

DEFAULT_PATH = Path("/tmp/searchkit-63k")


def add_arguments(parser: argparse.ArgumentParser, results_name: str, index: Path = DEFAULT_PATH,
                  runs: int = 5) -> None:
    """The options every latency benchmark takes."""
    from common import RESULTS_DIR

    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--index", type=Path, default=index, help=f"index folder to build or reuse (default: {index})")
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / results_name)


def add_first_pass_arguments(parser: argparse.ArgumentParser, results_name: str, index: Path = DEFAULT_PATH) -> None:
    """The options of a benchmark that runs each query once in fresh processes: those of :func:`add_arguments`,
    how many questions, and the hidden option that makes a process one of those children."""
    add_arguments(parser, results_name, index, runs=3)
    parser.add_argument("--queries", type=int, default=200, help="questions, each searched once per process")
    parser.add_argument("--child", help=argparse.SUPPRESS)


def sources_and_questions(shared: str | None) -> tuple[list[Path], list[dict]]:
    """The corpus files and the XQuAD-ru development questions; exits with "skipped" when they are absent."""
    data = shared_dir(shared) / "data"
    sources = [data / "corpus-large" / "ruslit_paragraphs.jsonl", data / "xquad-ru" / "paragraphs" / "corpus.jsonl"]
    questions = data / "xquad-ru" / "paragraphs" / "queries.jsonl"
    require(*sources, questions)
    return sources, read_jsonl(questions)


def open_large_index(path: Path | str, sources: list[Path]) -> Index:
    """The index at ``path`` (a folder, or a cluster location), built from ``sources`` first if missing."""
    if Index.exists(path):
        return Index.open(path)
    print(f"building the index in {path} …")
    ix = Index.create(path)
    report = ix.index_path(*sources)
    print(f"  {report.documents:,} documents in {report.seconds:.0f} s")
    return ix


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]
