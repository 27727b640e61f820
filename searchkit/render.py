"""Showing results to a person: shared by the command line and the interactive prompt.

Matched words are coloured when the console has colour, and marked ``[like this]`` when it has none
(piped output, ``NO_COLOR``), so the marks survive copying into a plain-text file.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .analysis import AnalyzedToken
from .index import IndexStats, SyncReport
from .search import Explanation, SearchResults, Snippet
from .search.snippets import Span

_OPEN, _CLOSE = "\x00", "\x01"


def mark(console: Console, word: str) -> str:
    """Rich markup for one matched word."""
    if console.is_terminal and not console.no_color:
        return f"[bold yellow]{escape(word)}[/]"
    return escape(f"[{word}]")


def _markup(console: Console, text: str) -> str:
    """Escape text holding \\x00word\\x01 placeholders for rich, and turn the placeholders into marks."""
    parts = []
    for chunk in text.split(_OPEN):
        word, sep, rest = chunk.partition(_CLOSE)
        parts.append(mark(console, word) + escape(rest) if sep else escape(chunk))
    return "".join(parts)


def snippet_markup(console: Console, snippet: Snippet) -> str:
    return _markup(console, snippet.marked(lambda word: _OPEN + word + _CLOSE))


def text_markup(console: Console, text: str, spans: tuple[Span, ...] | list[Span]) -> str:
    """A whole text with the given spans marked."""
    out, cursor = [], 0
    for span in spans:
        out.append(text[cursor:span.start] + _OPEN + text[span.start:span.end] + _CLOSE)
        cursor = span.end
    out.append(text[cursor:])
    return _markup(console, "".join(out))


def print_results(console: Console, results: SearchResults) -> None:
    """A numbered list: title, date and score, the id, the snippet; then the count and the time taken."""
    if not results.hits:
        console.print(f"No documents match {escape(results.query)}.", soft_wrap=True)
        return
    for hit in results.hits:
        date = f"  {hit.date.isoformat()}" if hit.date else ""
        title = text_markup(console, hit.title, hit.title_highlights)
        console.print(f"[bold]{hit.rank}.[/] [bold]{title}[/]{date}  [dim]score {hit.score:.2f}[/]")
        console.print(f"   [dim]{escape(hit.id)}[/]")
        console.print("   " + snippet_markup(console, hit.snippet))
        console.print()
    last = results.offset + len(results.hits)
    about = "" if results.total_exact else "about "
    console.print(f"{about}{results.total:,} hits, showing {results.offset + 1}–{last}, in "
                  f"{results.seconds * 1000:.0f} ms")


def print_json(console: Console, data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False))


def print_report(console: Console, index_name: str, report: SyncReport) -> None:
    rate = report.bytes_read / 2**20 / report.seconds if report.seconds else 0.0
    console.print(f"Indexed into {escape(index_name)}: {report.added} added, {report.updated} updated, "
                  f"{report.removed} removed, {report.unchanged} unchanged, {len(report.skipped)} skipped; "
                  f"{report.documents} documents in {report.seconds:.1f} s ({rate:.2f} MB/s)")
    for skipped in report.skipped:
        console.print(f"  skipped {escape(skipped.path)}: {escape(skipped.reason)}")


def stats_json(stats: IndexStats) -> dict[str, Any]:
    return {"index": stats.path, "documents": stats.documents, "terms": stats.terms,
            "size_bytes": stats.size_bytes,
            "last_update": stats.last_update.isoformat(timespec="seconds") if stats.last_update else None}


def print_stats(console: Console, stats: IndexStats) -> None:
    for key, value in stats_json(stats).items():
        console.print(f"{key:12} {escape(str(value))}")


def analysis_table(tokens: list[AnalyzedToken]) -> Table:
    table = Table("pos", "word", "chars", "normalised", "indexed as", "readings: lemma POS score")
    for token in tokens:
        readings = "\n".join(f"{r.lemma} {r.pos} {r.score:.3f}" for r in token.readings)
        terms = "(stop word)" if token.stopword else ", ".join(token.terms)
        if not token.known and not token.stopword:
            terms += " (stem: not in dictionary)"
        table.add_row(str(token.position), escape(token.surface), f"{token.start}-{token.end}",
                      escape(token.folded), escape(terms), escape(readings))
    return table


def analysis_json(tokens: list[AnalyzedToken]) -> list[dict[str, Any]]:
    return [{
        "token": t.surface, "start": t.start, "end": t.end, "position": t.position, "normalized": t.folded,
        "stopword": t.stopword, "known": t.known, "terms": list(t.terms),
        "readings": [{"lemma": r.lemma, "pos": r.pos, "score": round(r.score, 4)} for r in t.readings],
    } for t in tokens]


def explanation_table(console: Console, explanation: Explanation, texts: dict[str, str]) -> Table:
    """Query word → normal forms → the document's forms (with positions) → share of the score."""
    table = Table("query word", "normal forms", "document forms (field: form@offset)", "score",
                  title=f"{escape(explanation.title)} — score {explanation.score:.3f}")
    for word in explanation.words:
        found = []
        for field, spans in word.matches.items():
            for span in spans[:6]:
                form = texts.get(field, "")[span.start:span.end]
                found.append(f"{field}: {mark(console, form)}@{span.start}")
            if len(spans) > 6:
                found.append(f"{field}: … {len(spans) - 6} more")
        table.add_row(escape(word.text), escape(", ".join(word.terms[:8])), "\n".join(found) or "—",
                      f"{word.score:.3f}")
    table.add_row("[bold]total[/]", "", "", f"[bold]{sum(w.score for w in explanation.words):.3f}[/]")
    return table
