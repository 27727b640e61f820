"""The interactive prompt: type a query, read ranked hits, page through them, open and explain documents.

Presentation only, like the CLI: every answer comes from the library (``Index``) and is drawn by ``render``.
The prompt completes index words, field names, operators and commands as you type, colours the query's
syntax and marks unbalanced quotes or parentheses before Enter, and keeps its history between sessions.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document as PromptDocument
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.lexers import Lexer
from prompt_toolkit.styles import Style
from rich.console import Console
from rich.markup import escape

from . import (QUERY_FIELDS, QUERY_OPERATORS, QUERY_SYNTAX, SORTS, Index, QueryError, SearchkitError, SearchResults,
               index_location, lex_query, render)

DEFAULT_LIMIT = 10
MIN_COMPLETION_CHARS = 2

STYLE = Style.from_dict({
    "operator": "ansimagenta bold",
    "phrase": "ansigreen",
    "field": "ansicyan",
    "range": "ansicyan",
    "prefix": "ansiyellow",
    "paren": "bold",
    "command": "ansiblue bold",
    "error": "bg:ansired ansiwhite",
    "bottom-toolbar": "noreverse bg:ansibrightblack ansiwhite",
})

_KIND_STYLES = {"AND": "operator", "OR": "operator", "NOT": "operator", "MINUS": "operator", "PHRASE": "phrase",
                "FIELD": "field", "RANGE": "range", "LPAREN": "paren", "RPAREN": "paren"}


def history_path() -> Path:
    """``$XDG_STATE_HOME/searchkit/history`` (by default ``~/.local/state/searchkit/history``)."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state, "searchkit", "history")


def open_history() -> History:
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileHistory(str(path))
    except OSError:
        return InMemoryHistory()


class QueryLexer(Lexer):
    """Colours operators, phrases, fields, ranges and prefixes; marks where the query stops making sense."""

    def lex_document(self, document: PromptDocument) -> Callable[[int], StyleAndTextTuples]:
        line = document.text
        styles = ["" for _ in line]
        if line.lstrip().startswith(":"):
            styles = ["class:command" for _ in line]
        else:
            tokens, error_at = lex_query(line)
            for token in tokens:
                kind = "prefix" if token.kind == "WORD" and token.text.endswith("*") else _KIND_STYLES.get(token.kind)
                if kind:
                    for i in range(token.position, token.end):
                        styles[i] = f"class:{kind}"
            if error_at is not None and error_at < len(line):
                for i in range(error_at, len(line) if line[error_at] in "\"[{" else error_at + 1):
                    styles[i] = "class:error"
        fragments: StyleAndTextTuples = [(style, ch) for style, ch in zip(styles, line)]
        return lambda lineno: fragments if lineno == 0 else []


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str


COMMANDS = (
    Command("help", ":help", "this list"),
    Command("more", ":more (or n)", "the next page of hits"),
    Command("prev", ":prev (or p)", "the previous page of hits"),
    Command("open", ":open N", "the whole document N with every match marked"),
    Command("explain", ":explain N", "why document N matched: word → normal forms → document forms → score"),
    Command("original", ":original", "search the last query as typed, without correcting it"),
    Command("analyze", ":analyze TEXT", "how TEXT is analysed, word by word"),
    Command("stats", ":stats", "documents, terms, size and last update of the index"),
    Command("limit", ":limit N", "hits per page (now {limit})"),
    Command("sort", ":sort ORDER", "relevance, newest or oldest first (now {sort})"),
    Command("facets", ":facets", "count the hits by year, month, folder, format and author (now {facets})"),
    Command("synonyms", ":synonyms", "search the words' synonyms too (now {synonyms})"),
    Command("fields", ":fields", "the fields and the query syntax"),
    Command("index", ":index DIR", "switch to another index"),
    Command("json", ":json", "the last results as JSON"),
    Command("quit", ":quit (or Ctrl-D)", "leave"),
)

class QueryCompleter(Completer):
    """Completes ``:commands`` at the start of a line, field names, operators, and index words by prefix."""

    def __init__(self, index: Callable[[], Index]) -> None:
        self.index = index

    def get_completions(self, document: PromptDocument, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if text.startswith(":") and " " not in text:
            for command in COMMANDS:
                if command.name.startswith(text[1:]):
                    yield Completion(f":{command.name}", -len(text), display_meta=command.help.split(":")[0])
            return
        word = document.get_word_before_cursor(WORD=True).lstrip("-(\"")
        if not word or text.startswith(":"):
            return
        for operator in QUERY_OPERATORS:
            if word.isupper() and operator.startswith(word) and operator != word:
                yield Completion(operator, -len(word), display_meta="operator")
        for field in QUERY_FIELDS:
            if field.startswith(word.lower()) and ":" not in word:
                yield Completion(f"{field}:", -len(word), display_meta="field")
        if len(word) >= MIN_COMPLETION_CHARS and word.isalpha():
            for form, docs in self.index().complete(word, limit=15):
                yield Completion(form, -len(word), display_meta=f"{docs} docs")


class Repl:
    """One interactive session on an index. ``run()`` loops until Ctrl-D or ``:quit``; ``handle(line)``
    answers one line, which is what the tests drive. The index it starts with belongs to the caller; one it
    switches to with ``:index`` is its own, closed when it switches again or :meth:`close` is called."""

    def __init__(self, index: Index, console: Console | None = None, vi_mode: bool = False,
                 history: History | None = None, **prompt_options: Any) -> None:
        self.index = index
        self._owns_index = False
        self.console = console or Console(highlight=False)
        self.limit = DEFAULT_LIMIT
        self.sort = "relevance"
        self.facets = False
        self.synonyms = True
        self.results: SearchResults | None = None
        self.session: PromptSession[str] = PromptSession(
            history=history if history is not None else open_history(),
            completer=QueryCompleter(lambda: self.index), complete_while_typing=True, lexer=QueryLexer(),
            style=STYLE, vi_mode=vi_mode, bottom_toolbar=self.toolbar, enable_history_search=False,
            **prompt_options)

    def prompt_text(self) -> str:
        return f"{self.index.path.name} ({self.index.doc_count():,} docs)> "

    def toolbar(self) -> str:
        found = f"{self.results.total:,} hits" if self.results else "no query yet"
        return (f" index {self.index.location} · {found} · Tab complete · Ctrl-R history · n/p pages · "
                ":help · Ctrl-D quit")

    def close(self) -> None:
        """Close the index switched to, if any; the caller's own is left open."""
        if self._owns_index:
            self.index.close()
            self._owns_index = False

    def run(self) -> None:
        # What the first query would load, loaded before the prompt: Ctrl-C cancels a query, and one cancelled
        # inside an import would leave the library half imported.
        self.index.warm_up()
        self.console.print("searchkit: type a query, or :help. Ctrl-D leaves.")
        while True:
            try:
                line = self.session.prompt(self.prompt_text())
            except KeyboardInterrupt:
                continue  # Ctrl-C clears the line
            except EOFError:
                return
            try:
                if not self.handle(line):
                    return
            except KeyboardInterrupt:
                self.console.print("[dim](cancelled)[/]")

    def handle(self, line: str) -> bool:
        """Answer one line of input; False means leave."""
        line = line.strip()
        if not line:
            return True
        if line in ("n", "p"):
            line = ":more" if line == "n" else ":prev"
        try:
            if line.startswith(":"):
                return self.command(line[1:])
            self.search(line, offset=0)
        except QueryError as error:
            self.console.print(f"[red]{escape(error.reason)}[/]")
            if error.position is not None:
                self.console.print(escape(error.pointer()))
        except SearchkitError as error:
            self.console.print(f"[red]{escape(str(error))}[/]")
        return True

    def search(self, query: str, offset: int, correct: bool = True) -> None:
        self.results = self.index.search(query, limit=self.limit, offset=offset, correct=correct, sort=self.sort,
                                         facets=self.facets, synonyms=self.synonyms)
        render.print_results(self.console, self.results, as_typed=":original", suggested="{query}")

    def command(self, text: str) -> bool:
        name, _, argument = text.partition(" ")
        argument = argument.strip()
        matches = [c for c in COMMANDS if c.name.startswith(name)] if name else []
        if len(matches) != 1:
            self.console.print(f"[red]unknown command :{escape(name)}[/] (:help lists the commands)")
            return True
        handler = getattr(self, f"cmd_{matches[0].name}")
        return handler(argument) is not False

    # --- commands -------------------------------------------------------------------------------------------

    def cmd_help(self, _: str) -> None:
        for command in COMMANDS:
            described = command.help.format(limit=self.limit, sort=self.sort, facets="on" if self.facets else "off",
                                            synonyms="on" if self.synonyms else "off")
            self.console.print(f"  [bold]{escape(command.usage):18}[/] {escape(described)}")
        self.console.print("\nQueries:\n" + escape(QUERY_SYNTAX))

    def cmd_quit(self, _: str) -> bool:
        return False

    def cmd_more(self, _: str) -> None:
        self._page(+1)

    def cmd_prev(self, _: str) -> None:
        self._page(-1)

    def _page(self, step: int) -> None:
        if self.results is None:
            self.console.print("No query yet.")
            return
        offset = self.results.offset + step * self.limit
        if offset < 0 or offset >= self.results.total:
            self.console.print("No more hits." if step > 0 else "This is the first page.")
            return
        # ``results.query`` is what was searched (a correction already applied): page through it as it is.
        self.search(self.results.query, offset, correct=False)

    def _hit_number(self, argument: str) -> int | None:
        """The 0-based place on this page of hit number ``argument`` as shown, or None with a message."""
        if self.results is None or not self.results.hits:
            self.console.print("No results to pick from: search first.")
            return None
        first = self.results.offset + 1
        last = self.results.offset + len(self.results.hits)
        if not argument.isdigit() or not first <= int(argument) <= last:
            self.console.print(f"Give a hit number from {first} to {last}.")
            return None
        return int(argument) - first

    def cmd_open(self, argument: str) -> None:
        place = self._hit_number(argument)
        if place is None or self.results is None:
            return
        hit = self.results.hits[place]
        document, spans = self.index.document(hit.id, self.results.query)
        body = document.body
        header = f"[bold]{escape(hit.title)}[/]  {hit.date or ''}\n[dim]{escape(hit.id)}[/]\n"
        text = header + "\n" + render.text_markup(self.console, body, spans, document.pages)
        if self.console.is_terminal and body.count("\n") + len(body) // 80 > self.console.height:
            with self.console.pager(styles=True):
                self.console.print(text)
        else:
            self.console.print(text)

    def cmd_explain(self, argument: str) -> None:
        place = self._hit_number(argument)
        if place is None or self.results is None:
            return
        hit = self.results.hits[place]
        explanation = self.index.explain(self.results.query, hit.id)
        self.console.print(render.explanation_table(self.console, explanation))

    def cmd_original(self, _: str) -> None:
        plan = self.results.plan if self.results else None
        if plan is None:
            self.console.print("No query yet.")
            return
        self.search(plan.original, 0, correct=False)

    def cmd_analyze(self, argument: str) -> None:
        if not argument:
            self.console.print("Usage: :analyze TEXT")
            return
        self.console.print(render.analysis_table(self.index.analyze(argument)))

    def cmd_stats(self, _: str) -> None:
        render.print_stats(self.console, self.index.stats())

    def cmd_limit(self, argument: str) -> None:
        if not argument.isdigit() or int(argument) < 1:
            self.console.print(f"Hits per page: {self.limit}. Change with :limit N (N ≥ 1).")
            return
        self.limit = int(argument)
        self.console.print(f"Hits per page: {self.limit}.")

    def cmd_sort(self, argument: str) -> None:
        if argument not in SORTS:
            self.console.print(f"Order: {self.sort}. Change with :sort {' | '.join(SORTS)}.")
            return
        self.sort = argument
        self.console.print(f"Hits are ordered by {argument}." if argument == "relevance" else
                           f"Hits are ordered {argument} first (undated documents last).")
        self._again()

    def cmd_facets(self, _: str) -> None:
        self.facets = not self.facets
        self.console.print(f"Facets {'on' if self.facets else 'off'}.")
        self._again()

    def cmd_synonyms(self, _: str) -> None:
        self.synonyms = not self.synonyms
        self.console.print(f"Synonyms {'on' if self.synonyms else 'off'}.")
        self._again()

    def _again(self) -> None:
        """The last query searched again from its first page, as the new settings have it."""
        if self.results is not None:
            self.search(self.results.query, 0, correct=False)

    def cmd_fields(self, _: str) -> None:
        self.console.print("Fields: title, body (plain words search both); filters: date, path, format, author.")
        self.console.print(escape(QUERY_SYNTAX))

    def cmd_index(self, argument: str) -> None:
        if not argument:
            self.console.print(f"Index: {self.index.location}")
            return
        new = Index.open(index_location(shlex.split(argument)[0]))
        self.close()
        self.index, self.results, self._owns_index = new, None, True
        self.console.print(f"Switched to {new.location} ({new.doc_count():,} documents).")

    def cmd_json(self, _: str) -> None:
        if self.results is None:
            self.console.print("No results yet.")
            return
        render.print_json(self.console, self.results.to_json())


def run_repl(index: Index, vi_mode: bool = False) -> None:
    """Run an interactive session on ``index`` on the real terminal."""
    repl = Repl(index, vi_mode=vi_mode)
    try:
        repl.run()
    finally:
        repl.close()

