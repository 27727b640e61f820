"""Helpers shared by the benchmark scripts: where the evaluation data lives, reading it, turning questions into
safe queries, the stock-Whoosh baseline, memory and size measurements, and writing results.

Nothing here is part of the ``searchkit`` package; the scripts import it as a sibling module.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import statistics
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "benchmarks" / "results"
ENV_SHARED = "SEARCHKIT_SHARED"
#: Decimal megabytes throughout (the data README calls the 74,584,812-byte corpus "75 MB").
MB = 1_000_000

# Whoosh 2.7.4 predates Python 3.8+ and warns on import and use; the warnings say nothing about the results.
warnings.filterwarnings("ignore", category=SyntaxWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)


# --- data ---------------------------------------------------------------------------------------------------

def shared_dir(option: str | None) -> Path:
    """``--shared DIR``, else ``$SEARCHKIT_SHARED``, else ``shared/`` next to the repository."""
    return Path(option or os.environ.get(ENV_SHARED) or REPO.parent / "shared")


def require(*paths: Path) -> None:
    """Exit 0 with a "skipped" message when any evaluation file is missing, so CI without the data passes."""
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        print(f"skipped: evaluation data not found ({', '.join(missing)}); "
              f"pass --shared DIR or set {ENV_SHARED}")
        sys.exit(0)


def read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The first ``limit`` (default all) records of a JSON Lines file."""
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if limit is not None and len(records) >= limit:
                break
            if line.strip():
                records.append(json.loads(line))
    return records


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """``query_id<TAB>doc_id<TAB>relevance`` with a header line → {query: {doc: relevance}}."""
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            if line.strip():
                query_id, doc_id, relevance = line.rstrip("\n").split("\t")
                qrels.setdefault(query_id, {})[doc_id] = int(relevance)
    return qrels


# --- queries ------------------------------------------------------------------------------------------------

_NOT_WORD_RE = re.compile(r"[^\w\s-]")
_STRAY_HYPHEN_RE = re.compile(r"(?<!\w)-+|-+(?!\w)")
_OPERATOR_RE = re.compile(r"\b(AND|OR|NOT)\b")


def plain_query(question: str) -> str:
    """A natural-language question as a query of plain words: punctuation, quotes, brackets, ``field:`` colons
    and ``*`` become spaces, hyphens survive only inside words, and AND/OR/NOT are lower-cased into words."""
    text = _NOT_WORD_RE.sub(" ", question).replace("_", " ")
    text = _STRAY_HYPHEN_RE.sub(" ", text)
    text = _OPERATOR_RE.sub(lambda match: match.group().lower(), text)
    return " ".join(text.split())


# --- the stock Whoosh baseline --------------------------------------------------------------------------------

def baseline_schema() -> Any:
    """Whoosh 2.7.4 out of the box for Russian: ``LanguageAnalyzer("ru")`` (regex tokens, lower case, Snowball
    stop words and stemmer) on stored ``title`` and ``body``, and a unique stored ``id``."""
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    analyzer = LanguageAnalyzer("ru")
    return Schema(id=ID(unique=True, stored=True), title=TEXT(analyzer=analyzer, stored=True),
                  body=TEXT(analyzer=analyzer, stored=True))


def baseline_index(path: Path, records: Sequence[dict[str, Any]], limitmb: int = 256, procs: int = 1) -> Any:
    """Index ``records`` ({"id","title","text"}) with the stock schema and one writer, or ``procs`` of Whoosh's
    own writer processes each writing a segment (``multisegment=True``); returns the Whoosh index."""
    from whoosh import index

    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), baseline_schema())
    writer = ix.writer(limitmb=limitmb, **({"procs": procs, "multisegment": True} if procs > 1 else {}))
    for record in records:
        writer.add_document(id=str(record["id"]), title=record.get("title") or "", body=record["text"])
    writer.commit()
    return ix


# --- measurements and output ----------------------------------------------------------------------------------

def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory so far: this process, and the largest of its finished child processes (Linux
    reports ``ru_maxrss`` in KiB). Pool workers count once they have been joined."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / MB
    return {"self": round(own, 1), "children": round(children, 1)}


def cpu_seconds() -> float:
    """User + system CPU time so far of this process and its finished children: unlike wall time, it barely
    moves when other work shares the machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def source_fingerprint() -> str:
    """A short hash of searchkit's source files, to tell which version of the engine a figure belongs to."""
    import searchkit

    digest = hashlib.sha1()
    for path in sorted(Path(searchkit.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def folder_bytes(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def text_bytes(records: Sequence[dict[str, Any]]) -> int:
    """UTF-8 size of the titles and texts of ``records``."""
    return sum(len((record.get("title") or "").encode("utf-8")) + len(record["text"].encode("utf-8"))
               for record in records)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)

