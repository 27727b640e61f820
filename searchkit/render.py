"""Showing results to a person: shared by the command line and the interactive prompt.

Matched words are coloured when the console has colour, and marked ``[like this]`` when it has none
(piped output, ``NO_COLOR``), so the marks survive copying into a plain-text file.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, BinaryIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import (ROW_FIELDS, AnalyzedToken, Document, Explanation, Hit, IndexStats, QueryPlan, SearchResults, Snippet,
               Span, SynonymRule)

if TYPE_CHECKING:  # what indexing reports, imported with indexing
    from . import Batch, SyncReport

#: How each kind of correction is named to the user.
CORRECTION_NAMES = {"layout": "раскладка клавиатуры", "transliteration": "транслитерация", "spelling": "опечатка"}

#: How each dictionary of synonyms is named to the user.
SYNONYM_SOURCES = {"default": "default list", "index": "the index's synonyms.txt"}

_OPEN, _CLOSE = "\x00", "\x01"


def mark(console: Console, word: str) -> str:
    """Rich markup for one matched word."""
    if console.is_terminal and not console.no_color:
        return f"[bold yellow]{escape(word)}[/]"
    return escape(f"[{word}]")


def woven_snippet(snippet: Snippet, plain: Callable[[str], str], marked: Callable[[str], str],
                  page: Callable[[int], str] = lambda number: "") -> str:
    """The snippet as one line in some markup: text outside the matches through ``plain`` (escaped), each match
    through ``marked``, and ``page(number)`` before each fragment of a paged document. The terminal and the web
    page both show snippets through this."""
    parts = []
    placeholders = snippet.marked(lambda word: _OPEN + word + _CLOSE, page=lambda n: f"{_OPEN}{_CLOSE}{n}{_OPEN}")
    for chunk in placeholders.split(_OPEN):
        word, sep, rest = chunk.partition(_CLOSE)
        if not sep:
            parts.append(plain(chunk))
        elif not word and rest.isdigit():  # a page label
            parts.append(page(int(rest)))
        else:
            parts.append(marked(word) + plain(rest))
    return "".join(parts)


def snippet_markup(console: Console, snippet: Snippet) -> str:
    """The snippet with its matches marked, and each fragment of a paged document after its page: «с. 2 …»."""
    return woven_snippet(snippet, escape, lambda word: mark(console, word), page=page_label)


def page_name(number: int) -> str:
    """How a page is named: «с. 2» (страница)."""
    return f"с. {number}"


def page_label(number: int) -> str:
    """A page's name before a snippet fragment."""
    return f"{page_name(number)}: "


def woven_text(text: str, spans: tuple[Span, ...] | list[Span], plain: Callable[[str], str],
               marked: Callable[[str], str], page_break: Callable[[int], str], pages: tuple[int, ...] = ()) -> str:
    """A whole text in some markup: the given spans through ``marked``, the rest through ``plain``, and
    ``page_break(number)`` where each of its ``pages`` begins (the offsets of pages 2, 3, …)."""
    breaks = [(offset, number) for number, offset in enumerate(pages, start=2)]
    out, cursor = [], 0
    for span in [*spans, None]:
        until = len(text) if span is None else span.start
        while breaks and breaks[0][0] <= until:
            begins, number = breaks.pop(0)
            out.append(plain(text[cursor:begins]) + page_break(number))
            cursor = begins
        if span is not None:
            out.append(plain(text[cursor:span.start]) + marked(text[span.start:span.end]))
            cursor = span.end
    out.append(plain(text[cursor:]))
    return "".join(out)


def text_markup(console: Console, text: str, spans: tuple[Span, ...] | list[Span],
                pages: tuple[int, ...] = ()) -> str:
    """A whole text with the given spans marked, and a line «— с. N —» where each of its ``pages`` begins."""
    return woven_text(text, spans, escape, lambda word: mark(console, word),
                      lambda number: f"\n[dim]— {page_name(number)} —[/]\n", pages)


def kind_names(kind: str) -> str:
    """A correction's kind as the user reads it: «раскладка клавиатуры, опечатка»."""
    return ", ".join(CORRECTION_NAMES.get(part, part) for part in kind.split("+"))


def synonyms_line(plan: QueryPlan, without: str = "") -> str | None:
    """The synonyms the query was also searched as, in one line of markup (``without``: how to search without
    them), or None when there were none."""
    if not plan.synonyms:
        return None
    added = "; ".join(f"«{escape(e.text)}» → " + ", ".join(f"«{escape(s)}»" for s in e.synonyms)
                      for e in plan.synonyms)
    origins = dict.fromkeys(o for e in plan.synonyms for o in e.origins)
    where = " and ".join(SYNONYM_SOURCES.get(o, o) for o in origins)
    return f"Also searched as synonyms ({where}): {added}" + (f". Without them: {escape(without)}" if without else "")


def print_plan(console: Console, plan: QueryPlan | None, as_typed: str = "", suggested: str = "",
               without_synonyms: str = "") -> None:
    """What was done to the query, before its hits: the correction applied and how to search the original
    instead (``as_typed``, such as ``--no-correct``), or the correction suggested (``suggested``: how to run
    it); the synonyms added (``without_synonyms``: how to search without them); the readings of homonyms with
    their share of the hits; prefixes whose expansion was cut."""
    if plan is None:
        return
    if plan.correction:
        c = plan.correction
        console.print(f"Показаны результаты для «{escape(c.query)}» ({kind_names(c.kind)}). "
                      f"Искать «{escape(c.original)}» как написано: {escape(as_typed)}", soft_wrap=True)
    if plan.suggestion:
        s = plan.suggestion
        how = f": {escape(suggested.format(query=s.query))}" if suggested else ""
        console.print(f"Возможно, вы имели в виду «{escape(s.query)}» ({kind_names(s.kind)}, {s.total:,} hits){how}",
                      soft_wrap=True)
    synonyms = synonyms_line(plan, without_synonyms)
    if synonyms:
        console.print(synonyms, soft_wrap=True)
    for homonym in plan.homonyms:
        readings = " · ".join(f"{escape(r.lemma)} ({r.pos}) {r.share:.0%}" for r in homonym.readings)
        if homonym.pinned:
            console.print(f"«{escape(homonym.word)}» pinned to {escape(homonym.pinned)}; readings: {readings}",
                          soft_wrap=True)
        else:
            example = f"{homonym.word}:{homonym.readings[-1].lemma}"
            console.print(f"«{escape(homonym.word)}» has several readings, share of the best hits: {readings}; "
                          f"choose one with {escape(example)}", soft_wrap=True)
    for expansion in plan.prefixes:
        if expansion.cut:
            console.print(f"{escape(expansion.prefix)}* in {expansion.field}: {expansion.found:,} or more words start "
                          f"so; searched the {expansion.kept:,} in most documents (expansion cut)", soft_wrap=True)
    for note in plan.notes:
        console.print(f"[dim]{escape(note)}[/]", soft_wrap=True)
    if plan.correction or plan.suggestion or plan.synonyms or plan.homonyms or any(e.cut for e in plan.prefixes) \
            or plan.notes:
        console.print()


def print_results(console: Console, results: SearchResults, as_typed: str = "--no-correct",
                  suggested: str = "searchkit search '{query}'", without_synonyms: str = "") -> None:
    """What was done to the query; a numbered list: title, date and score, the id, the snippet; then the count
    and the time taken."""
    print_plan(console, results.plan, as_typed, suggested, without_synonyms)
    if not results.hits:
        console.print(f"No documents match {escape(results.query)}.", soft_wrap=True)
        return
    for hit in results.hits:
        if hit.date:
            date = f"  {hit.date.isoformat()}"
        else:
            date = f"  [dim]изменён {hit.modified.date().isoformat()}[/]" if hit.modified else ""
        date += f"  [dim]{escape(hit.author)}[/]" if hit.author else ""
        title = text_markup(console, hit.title, hit.title_highlights)
        console.print(f"[bold]{hit.rank}.[/] [bold]{title}[/]{date}  [dim]score {hit.score:.2f}[/]")
        console.print(f"   [dim]{escape(hit.id)}[/]")
        if hit.duplicates:
            console.print(f"   [dim]the same text: {escape(', '.join(hit.duplicates))}[/]", soft_wrap=True)
        console.print("   " + snippet_markup(console, hit.snippet))
        console.print()
    last = results.offset + len(results.hits)
    about = "" if results.total_exact else "about "
    order = "" if results.order == "relevance" else f", {results.order} first"
    console.print(f"{about}{results.total:,} hits, showing {results.offset + 1}–{last}{order}, in "
                  f"{results.seconds * 1000:.0f} ms")
    print_facets(console, results)


#: How each facet is headed.
FACET_NAMES = {"year": "год", "month": "месяц", "folder": "папка", "format": "формат", "author": "автор"}
#: Values shown per facet; the rest are summed up in one line.
FACET_VALUES = 12


def print_facets(console: Console, results: SearchResults) -> None:
    """The counts of all matching documents by each facet asked for, a compact table each: years and months in
    order of time, the others the most first."""
    for name, counts in results.facets.items():
        if not counts:
            console.print(f"[bold]{FACET_NAMES.get(name, name)}[/]: [dim]none of the hits has one[/]")
            continue
        shown = list(counts.items())[-FACET_VALUES:] if name in ("year", "month") else list(counts.items())[:FACET_VALUES]
        table = Table(FACET_NAMES.get(name, name), "hits", box=None, pad_edge=False, show_edge=False)
        for value, count in shown:
            table.add_row(escape(value or "—"), f"{count:,}")
        rest = sum(counts.values()) - sum(count for _, count in shown)
        if rest:
            table.add_row(f"[dim]{len(counts) - len(shown)} more[/]", f"[dim]{rest:,}[/]")
        console.print(table)


#: What ``searchkit search --all`` writes: JSON Lines, or CSV.
EXPORT_FORMATS = ("jsonl", "csv")


def export(stream: BinaryIO, hits: Iterable[Hit], form: str) -> None:
    """Write every hit as it comes, one flat record each (:meth:`~searchkit.Hit.to_row`): JSON Lines, or CSV in
    UTF-8 with a byte-order mark, which spreadsheets need to read Cyrillic. Memory stays flat."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig" if form == "csv" else "utf-8", newline="",
                            write_through=False)
    try:
        if form == "csv":
            writer = csv.DictWriter(text, fieldnames=ROW_FIELDS)
            writer.writeheader()
            for hit in hits:
                writer.writerow(hit.to_row())
        else:
            for hit in hits:
                text.write(json.dumps(hit.to_row(), ensure_ascii=False) + "\n")
        text.flush()
    finally:
        text.detach()


def print_json(console: Console, data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False))


def print_report(console: Console, index_name: str, report: SyncReport, verbose: bool = False) -> None:
    """The summary of a run, accounting for every file seen: what was indexed, each file that could not be read
    with the reason, the files of unsupported types by extension and what was left out (each listed with
    ``verbose``)."""
    rate = report.bytes_read / 2**20 / report.seconds if report.seconds else 0.0
    console.print(f"Indexed into {escape(index_name)}: {report.added} added, {report.updated} updated, "
                  f"{report.removed} removed, {report.unchanged} unchanged, {len(report.skipped)} skipped; "
                  f"{report.documents} documents in {report.seconds:.1f} s ({rate:.2f} MB/s)")
    if report.kept or report.lost:
        console.print(f"  kept {report.kept} documents added through the library, read back from the old index")
    for lost in report.lost:
        console.print(f"  lost: {escape(lost)}")
    for skipped in report.skipped:
        console.print(f"  skipped {escape(skipped.path)}: {escape(skipped.reason)}")
    if report.unsupported:
        counts = ", ".join(f"{extension} {count}" for extension, count in report.unsupported_by_extension().items())
        console.print(f"  {len(report.unsupported)} files of unsupported types: {escape(counts)}"
                      + ("" if verbose else " (-v lists them)"))
        for item in report.unsupported if verbose else ():
            console.print(f"    {escape(item.path)}")
    reasons: dict[str, int] = {}
    for item in report.excluded:
        reasons[item.reason] = reasons.get(item.reason, 0) + 1
    if reasons:
        console.print("  left out: " + ", ".join(f"{count} {reason}" for reason, count in reasons.items())
                      + (" (--hidden takes hidden ones)" if "hidden" in reasons else ""))
        for item in report.excluded if verbose else ():
            console.print(f"    {escape(item.path)} ({item.reason})")


def print_batch(console: Console, batch: Batch) -> None:
    """One line for a batch of changes a watch indexed, with the time it was committed, and the files it could
    not read."""
    report = batch.report
    console.print(f"{time.strftime('%H:%M:%S')}  {batch.changed} changed: {report.added} added, {report.updated} "
                  f"updated, {report.removed} removed, {len(report.skipped)} skipped", soft_wrap=True)
    for skipped in report.skipped:
        console.print(f"  skipped {escape(skipped.path)}: {escape(skipped.reason)}")


def print_formats(console: Console, readers: list[tuple[str, list[str], str]]) -> None:
    """The formats ``searchkit index`` reads: their extensions and the library that reads each."""
    table = Table("format", "extensions", "read with")
    for name, extensions, library in readers:
        table.add_row(escape(name), escape(" ".join(extensions)), escape(library))
    console.print(table)


def stats_json(stats: IndexStats) -> dict[str, Any]:
    return {"index": stats.path, "documents": stats.documents, "terms": stats.terms,
            "size_bytes": stats.size_bytes, "generation": stats.generation,
            "last_update": stats.last_update.isoformat(timespec="seconds") if stats.last_update else None}


def document_json(document: Document, spans: tuple[Span, ...] | list[Span]) -> dict[str, Any]:
    """A stored document whole, with the words a query matched as offsets into ``text`` (the shape of a hit's
    highlights), and where its pages 2, 3, … begin."""
    return {"id": document.id, "title": document.title,
            "date": document.date.isoformat() if document.date else None,
            "modified": document.modified.isoformat(timespec="seconds") if document.modified else None,
            "author": document.author or None, "path": document.path, "format": document.format,
            "pages": list(document.pages), "text": document.body,
            "highlights": [{"start": s.start, "end": s.end, "form": document.body[s.start:s.end], "term": s.term}
                           for s in spans]}


def completion_json(words: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"word": word, "documents": documents} for word, documents in words]


def report_json(report: SyncReport) -> dict[str, Any]:
    """What a run of indexing did; the files skipped with their reasons, the unsupported ones by extension."""
    return {"added": report.added, "updated": report.updated, "removed": report.removed,
            "unchanged": report.unchanged, "documents": report.documents, "bytes_read": report.bytes_read,
            "seconds": round(report.seconds, 3),
            "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
            "unsupported": report.unsupported_by_extension(), "excluded": len(report.excluded)}


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


def explanation_table(console: Console, explanation: Explanation) -> Table:
    """Query word → normal forms → the document's forms (with positions) → share of the score."""
    table = Table("query word", "normal forms", "document forms (field: form@offset #position)", "score",
                  title=f"{escape(explanation.title)} — score {explanation.score:.3f}")
    for word in explanation.words:
        found = []
        for field, spans in word.matches.items():
            for span in spans[:6]:
                form = explanation.texts.get(field, "")[span.start:span.end]
                where = f"@{span.start}" + (f" #{span.position}" if span.position is not None else "")
                found.append(f"{field}: {mark(console, form)}{where}")
            if len(spans) > 6:
                found.append(f"{field}: … {len(spans) - 6} more")
        for synonym in word.synonyms:
            forms = [f"{field}: {mark(console, explanation.texts.get(field, '')[s.start:s.end])}@{s.start}"
                     for field, spans in synonym.matches.items() for s in spans[:6]]
            found.append(f"synonym «{escape(synonym.text)}»: " + (", ".join(forms) or "—"))
        table.add_row(escape(word.text), escape(", ".join(word.terms[:8])), "\n".join(found) or "—",
                      f"{word.score:.3f}")
    table.add_row("[bold]total[/]", "", "", f"[bold]{sum(w.score for w in explanation.words):.3f}[/]")
    return table


def rule_json(rule: SynonymRule) -> dict[str, Any]:
    return {"rule": rule.text, "from": rule.origin, "line": rule.line, "one_way": rule.one_way,
            "sources": list(rule.sources), "targets": list(rule.targets)}


def print_synonym_rules(console: Console, rules: list[SynonymRule], defaults_on: bool) -> None:
    """Synonym rules, one a line with where it comes from, after whether the default list is on."""
    console.print(f"default list: {'on' if defaults_on else 'off'}")
    if not rules:
        console.print("no synonyms of the index (searchkit synonyms add \"A, B\" adds some)")
    for rule in rules:
        where = "default" if rule.origin == "default" else f"line {rule.line}"
        console.print(f"  {escape(rule.text)}  [dim]({where})[/]", soft_wrap=True)
