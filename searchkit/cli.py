"""The ``searchkit`` command: presentation only. Every command calls the library and prints what it returns.

User errors (no index, unreadable path, bad query) print one line to stderr — for a query, followed by the query
with a caret under the problem — and exit with status 2; Ctrl-C exits with 130 and leaves the index as it was at
its last commit.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape

from . import (HTML_MODES, QUERY_SYNTAX, SORTS, Index, QueryError, SearchkitError, __version__, analyze,
               default_index_dir, index_location, render)
from .render import EXPORT_FORMATS

if TYPE_CHECKING:  # indexing is imported by the commands that index
    from . import Batch, Progress, SyncReport

DEFAULT_CORPUS = "corpus"
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

# Piped output keeps one line per line of text, for grep and scripts; a terminal wraps to its width.
out = Console(highlight=False, soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, highlight=False, soft_wrap=not sys.stderr.isatty())


class IndexLocationType(click.Path):
    """An index folder (not a file), or a cluster index ``opensearch://HOST:PORT/NAME`` kept as written."""

    name = "FOLDER|URL"

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        location = index_location(str(value))
        return location if isinstance(location, str) else super().convert(value, param, ctx)


INDEX_OPTION = click.option(
    "--index", "index_dir", type=IndexLocationType(), default=None,
    help="Index folder, or opensearch://HOST:PORT/NAME on a cluster (default: $SEARCHKIT_INDEX, else ./index).")
NO_SYNONYMS_OPTION = click.option("--no-synonyms", "no_synonyms", is_flag=True,
                                  help="Search the words as they are, not also as their synonyms.")


def fail(message: str) -> NoReturn:
    err.print(f"searchkit: error: {escape(message)}")
    sys.exit(EXIT_USER_ERROR)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's errors into a message on stderr and an exit status, never a traceback."""
    try:
        yield
    except QueryError as error:
        err.print(f"searchkit: error: {escape(str(error))}")
        if error.position is not None:
            err.print(escape(error.pointer()))
        sys.exit(EXIT_USER_ERROR)
    except SearchkitError as error:
        fail(str(error))
    except KeyboardInterrupt as stop:
        from . import Interrupted, RebuildInterrupted  # with indexing, which only indexing interrupts

        if isinstance(stop, RebuildInterrupted):
            err.print("searchkit: interrupted: the rebuild was abandoned; the index is as it was before it",
                      soft_wrap=True)
        elif isinstance(stop, Interrupted):
            err.print(f"searchkit: interrupted: {stop.committed:,} of {stop.total:,} files are in the index; the "
                      "rest follow on the next run of searchkit index", soft_wrap=True)
        else:
            err.print("searchkit: interrupted; the index keeps its last commit")
        sys.exit(EXIT_TERMINATED if _caused_by(stop, Terminated) else EXIT_INTERRUPTED)


def _caused_by(stop: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether a ``kind`` is behind ``stop``: raised as itself, or as the cause of what a later stage raised
    (SIGTERM behind a stopped sync, a stopped sync behind a stopped watch)."""
    while stop is not None:
        if isinstance(stop, kind):
            return True
        stop = stop.__cause__
    return False


class Terminated(KeyboardInterrupt):
    """SIGTERM, as a service manager or ``kill`` sends it: stopped like Ctrl-C, with its own exit status."""


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` in the main thread while the block runs, so that it ends like Ctrl-C:
    workers stopped, the uncommitted batch discarded."""
    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    unraisable = sys.unraisablehook

    def stop_again(failure: Any) -> None:
        """A stop raised while Python runs a weak reference's callback or a finaliser is printed and dropped
        there, and the work would go on: the signal is sent again, to stop it where it stands next. It is sent
        a moment later from another thread: sent from here, its handler would raise inside this hook, where it
        would be dropped too."""
        if isinstance(failure.exc_value, KeyboardInterrupt):
            signum = signal.SIGTERM if isinstance(failure.exc_value, Terminated) else signal.SIGINT
            again = threading.Timer(0.01, os.kill, (os.getpid(), signum))
            again.daemon = True
            again.start()
        else:
            unraisable(failure)

    previous = signal.signal(signal.SIGTERM, terminate)
    sys.unraisablehook = stop_again
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = unraisable


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="""Examples:

\b
  searchkit search "встреча Путина и Трампа"
  searchkit index ~/archive/news
  searchkit analyze "Стали ли сталь прочнее?"
  searchkit stats
  searchkit repl""")
@click.version_option(__version__, prog_name="searchkit")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Full-text search for Russian text: any form of a word finds every other form.

    With no command on a terminal, opens the interactive prompt (searchkit repl).
    """
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            ctx.invoke(repl_command)
        else:
            click.echo(ctx.get_help())


@main.command("index", epilog="""Examples:

\b
  searchkit index                    # the folders indexed before (on a new index, corpus/)
  searchkit index ~/notes news.jsonl
  searchkit index --exclude '*.log' --exclude drafts/ ~/archive
  searchkit index --formats          # the formats read, and the library that reads each
  searchkit index --rebuild          # anew, from the folders indexed before
  searchkit index --watch ~/inbox    # and keep it in step until Ctrl-C""")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@INDEX_OPTION
@click.option("--rebuild", is_flag=True, help="Build the index anew (from PATH, else the folders it records), "
              "keeping documents added through the library; the old index is replaced only when done.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for analysis (default: every core for large inputs).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Leave out files and folders matching GLOB (gitignore syntax, relative to each folder; "
                   "repeatable). A folder's .searchkitignore adds its own patterns.")
@click.option("--hidden", is_flag=True, help="Index hidden files and folders too (names starting with a dot).")
@click.option("--html", type=click.Choice(HTML_MODES), default="main", show_default=True,
              help="A web page's main text only (no menus, footers, 'read also'), or every visible text.")
@click.option("--verbose", "-v", is_flag=True, help="List every file of an unsupported type and every file left out.")
@click.option("--formats", "list_formats", is_flag=True, help="List the formats read and the library that reads each.")
@click.option("--watch", "keep_watching", is_flag=True,
              help="Then keep the index in step with the folders as files are added, changed or removed, until "
                   "Ctrl-C.")
def index_command(paths: tuple[Path, ...], index_dir: Path | str | None, rebuild: bool, jobs: int | None,
                  exclude: tuple[str, ...], hidden: bool, html: str, verbose: bool, list_formats: bool,
                  keep_watching: bool) -> None:
    """Index files and folders: add new files, re-index changed ones, remove deleted ones.

    Reads plain text, Markdown, web pages, JSON, JSON Lines, CSV, Word, OpenDocument, RTF, PDF, EPUB, FB2 and
    e-mail (--formats lists them). The index records what it was built from: with no PATH, the files and folders
    it records are indexed again (on a new index, ./corpus). --rebuild builds it anew from them (or from PATH),
    keeping the documents added through the library, and replaces the old one only when done. Every file seen is
    accounted for: files that cannot be read are listed with the reason, files of other types counted by
    extension.
    """
    if list_formats:
        from . import formats  # the readers of files, loaded by the commands that read files

        render.print_formats(out, formats())
        return
    index_dir = index_dir or default_index_dir()
    for root in paths:
        if not root.exists():
            fail(f"{root}: no such file or folder")
    given = {name: value for name, value in (("exclude", exclude), ("hidden", hidden), ("html", html))
             if click.get_current_context().get_parameter_source(name) is not click.core.ParameterSource.DEFAULT}
    if keep_watching:
        if rebuild:
            fail("--watch keeps an index in step; rebuild it first, then watch")
        with user_errors():
            watch_folders(index_dir, list(paths), jobs, verbose, **given)
        return
    with user_errors(), stopped_by_sigterm():
        report = build_index(index_dir, list(paths), rebuild=rebuild, jobs=jobs, **given)
    render.print_report(err, str(index_dir), report, verbose=verbose)


def watch_folders(index_dir: Path | str, roots: list[Path], jobs: int | None, verbose: bool, **reading: Any) -> None:
    """Sync the folders (given, else recorded, else ./corpus) and keep them in step until Ctrl-C or SIGTERM,
    which end it normally: a batch being written is left to the next run."""
    with opened_or_created(index_dir) as ix:
        if not roots and not ix.sources:
            roots = [_default_corpus()]
        shown = ", ".join(str(root) for root in roots) or ", ".join(source.path for source in ix.sources)
        err.print(f"Watching {escape(shown)} (index {escape(str(index_dir))}); Ctrl-C stops.", soft_wrap=True)

        def batch_done(batch: Batch) -> None:
            if batch.changed:
                render.print_batch(err, batch)
            else:
                render.print_report(err, str(index_dir), batch.report, verbose=verbose)

        try:
            with stopped_by_sigterm():
                ix.watch(*roots, on_batch=batch_done, processes=jobs, **reading)
        except KeyboardInterrupt as stop:
            from . import Interrupted

            batch = _caused_by(stop, Interrupted)
            left = " (the batch being written was left out: the next run indexes it)" if batch else ""
            err.print(f"Stopped watching{left}.")


def build_index(index_dir: Path | str, roots: list[Path], rebuild: bool = False, jobs: int | None = None,
                **reading: Any) -> SyncReport:
    """Create, update or rebuild the index with a progress bar on a terminal. With no ``roots``, the files and
    folders the index records, else ./corpus. ``reading``: how files are read (``exclude``, ``hidden``,
    ``html``), where given; for recorded folders, what was recorded stands where not given."""
    with progress_bar() as progress:
        if rebuild:
            roots = roots or ([] if Index.recorded_settings(index_dir).sources else [_default_corpus()])
            return Index.rebuild(index_dir, *roots, processes=jobs, progress=progress, **reading)
        with opened_or_created(index_dir) as ix:
            if roots or not ix.sources:  # a new index records nothing yet
                return ix.index_path(*(roots or [_default_corpus()]), processes=jobs, progress=progress, **reading)
            if reading:
                return ix.index_path(*(source.path for source in ix.sources), processes=jobs, progress=progress,
                                     **reading)
            return ix.sync(processes=jobs, progress=progress)


def opened_or_created(index_dir: Path | str) -> Index:
    """The index at ``index_dir``, created empty when there is none."""
    return Index.open(index_dir) if Index.exists(index_dir) else Index.create(index_dir)


def _default_corpus() -> Path:
    corpus = Path(DEFAULT_CORPUS)
    if not corpus.is_dir():
        raise SearchkitError(f"nothing to index: the index records no folders and there is no ./{DEFAULT_CORPUS} "
                             "folder; name the files and folders to index: searchkit index FOLDER")
    return corpus


@contextmanager
def progress_bar() -> Iterator[Callable[[Progress], None] | None]:
    if not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    with Bar(TextColumn("indexing"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,} files"),
             TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("index", total=None, rate="")

        def update(p: Progress) -> None:
            elapsed = bar.tasks[0].elapsed or 1e-9
            rate = f"{p.documents / elapsed:,.0f} docs/s  {p.bytes_done / elapsed / 2**20:.2f} MB/s"
            bar.update(task, completed=p.files_done, total=p.files_total, rate=rate)

        yield update


@main.command("search", epilog=f"""Query syntax:

\b
{QUERY_SYNTAX}

\b
Examples:
  searchkit search "встреча Путина и Трампа"
  searchkit search --json --limit 3 "сталь -завод"
  searchkit search "date:2025-08 Анкоридж"
  searchkit search --sort newest --facets "саммит path:news"
  searchkit search -l "format:pdf бюджет"
  searchkit search --all --format csv "Анкоридж" > hits.csv
""")
@click.argument("query")
@INDEX_OPTION
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="Hits to show.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Hits to skip (for paging).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (highlights as offsets).")
@click.option("--no-correct", "no_correct", is_flag=True,
              help="Search the query as typed: no keyboard-layout, transliteration or spelling correction.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="Order: by relevance, or by date (newest or oldest first; undated documents last).")
@click.option("--facets", is_flag=True,
              help="Also count all matching documents by year, month, folder, format and author.")
@click.option("--files-with-matches", "-l", "files_only", is_flag=True,
              help="Print each matching file once, best first, and nothing else.")
@click.option("--count", "count_only", is_flag=True, help="Print the number of matching documents only.")
@click.option("--all", "every", is_flag=True, help="Print every matching document (see --format), not a page.")
@click.option("--format", "export_format", type=click.Choice(EXPORT_FORMATS), default="jsonl", show_default=True,
              help="With --all: JSON Lines, or CSV (UTF-8 with BOM, for spreadsheets).")
@NO_SYNONYMS_OPTION
def search_command(query: str, index_dir: Path | str | None, limit: int, offset: int, as_json: bool,
                   no_correct: bool, sort: str, facets: bool, files_only: bool, count_only: bool, every: bool,
                   export_format: str, no_synonyms: bool) -> None:
    """Search the index. Every word is matched in all its forms.

    A query typed in the wrong keyboard layout («ghbdtn»), a name in Latin letters («Putin») or a misspelt word
    («встеча») is corrected when clearly meant, or a correction is suggested; --no-correct turns this off.
    Words with synonyms («КНДР», «Северная Корея») are also searched as them; --no-synonyms turns this off.
    With -l, --count or --all, what was done to the query goes to standard error, so that standard output holds
    only the files, the number or the hits.
    """
    bare = files_only or count_only or every
    with user_errors():
        with open_or_build(index_dir) as ix:
            results = ix.search(query, limit=0 if bare else limit, offset=offset, correct=not no_correct,
                                sort=sort, facets=facets and not bare, synonyms=not no_synonyms)
            if bare:
                render.print_plan(err, results.plan, f"searchkit search --no-correct {_quoted(query)}")
            if count_only:
                out.print(str(results.total))
            elif files_only:
                for hit in ix.files(results):
                    out.print(escape(hit.path), soft_wrap=True)
            elif every:
                render.export(click.get_binary_stream("stdout"), ix.every_hit(results), export_format)
    if bare:
        return
    if as_json:
        render.print_json(out, results.to_json())
    else:
        render.print_results(out, results, as_typed=f"searchkit search --no-correct {_quoted(query)}",
                             suggested="searchkit search '{query}'",
                             without_synonyms=f"searchkit search --no-synonyms {_quoted(query)}")


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)


@contextmanager
def open_or_build(index_dir: Path | str | None) -> Iterator[Index]:
    """Open the index; on a fresh checkout (no index, default location, a corpus/ folder) build it first."""
    path = index_dir or default_index_dir()
    if not Index.exists(path) and index_dir is None and Path(DEFAULT_CORPUS).is_dir():
        err.print(f"No index in {path}: indexing {DEFAULT_CORPUS}/ first.")
        render.print_report(err, str(path), build_index(path, [Path(DEFAULT_CORPUS)]))
    with Index.open(path) as ix:
        yield ix


@main.command("analyze", epilog="""Example:

\b
  searchkit analyze "Стали ли сталь прочнее в Ростове-на-Дону?"
""")
@click.argument("text")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the tokens as JSON.")
def analyze_command(text: str, index_dir: Path | str | None, as_json: bool) -> None:
    """Show how TEXT is analysed: each word's offsets, normal form, lemmas with part of speech and score.

    Under the analyzer settings of the index (when there is one), else the defaults.
    """
    path = index_dir or default_index_dir()
    with user_errors():
        if Index.exists(path):
            with Index.open(path) as ix:
                tokens = ix.analyze(text)
        else:
            if index_dir is not None:
                fail(f"no searchkit index in {path}")
            tokens = analyze(text)
    if as_json:
        render.print_json(out, render.analysis_json(tokens))
    else:
        out.print(render.analysis_table(tokens))


@main.command("stats")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats_command(index_dir: Path | str | None, as_json: bool) -> None:
    """Documents, distinct terms, size on disk and last update of the index."""
    with user_errors(), Index.open(index_dir or default_index_dir()) as ix:
        stats = ix.stats()
    if as_json:
        render.print_json(out, render.stats_json(stats))
    else:
        render.print_stats(out, stats)


@main.command("check")
@INDEX_OPTION
def check_command(index_dir: Path | str | None) -> None:
    """Read the index through and report each damaged file; exit 1 if any, 0 with «index OK» if none."""
    path = index_dir or default_index_dir()
    if not Index.exists(path):
        fail(f"no searchkit index in {path}")
    report = Index.check(path)
    for name, problem in report.problems:
        shown = name if isinstance(path, str) or name.startswith(str(path)) else str(path / name)
        out.print(f"damaged: {escape(shown)}: {escape(problem)}", soft_wrap=True)
    if report.ok:
        out.print(f"index OK: {report.documents:,} documents, {report.segments:,} segments")
    else:
        sys.exit(1)


@main.command("explain", epilog="""Example:

\b
  searchkit explain "встреча Путина и Трампа" corpus/2025-08-12-putin-kim.txt
""")
@click.argument("query")
@click.argument("doc_id")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@NO_SYNONYMS_OPTION
def explain_command(query: str, doc_id: str, index_dir: Path | str | None, as_json: bool, no_synonyms: bool) -> None:
    """Why DOC_ID matches QUERY: each word's normal forms, the document's forms and positions (and the synonyms
    they matched), its score."""
    with user_errors(), Index.open(index_dir or default_index_dir()) as ix:
        explanation = ix.explain(query, doc_id, synonyms=not no_synonyms)
    if as_json:
        render.print_json(out, explanation.to_json())
    else:
        out.print(render.explanation_table(out, explanation))


@main.command("serve", epilog="""Examples:

\b
  searchkit serve                                # http://127.0.0.1:8730/, read only
  SEARCHKIT_TOKEN=s3cret searchkit serve --root corpus
  searchkit serve --host 0.0.0.0 --token s3cret --cors https://intranet.example
""")
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; another than this machine's only when asked.")
@click.option("--port", type=click.IntRange(0, 65535), default=8730, show_default=True)
@click.option("--token", envvar="SEARCHKIT_TOKEN", default=None, show_envvar=True,
              help="Bearer token that writes need (POST /api/documents, DELETE, POST /api/index); without one, "
                   "writes are off.")
@click.option("--cors", metavar="ORIGIN", default=None, help="Let pages of this one origin call the API.")
@click.option("--root", "roots", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder POST /api/index may sync (repeatable; default: the folders recorded in the index).")
@click.option("--threads", type=click.IntRange(min=1), default=4, show_default=True,
              help="Searches run at once.")
@click.option("--budget", type=click.FloatRange(min=0.001), default=10.0, show_default=True,
              help="Seconds a search may take before it is stopped and answered with an error.")
def serve_command(index_dir: Path | str | None, host: str, port: int, token: str | None, cors: str | None,
                  roots: tuple[Path, ...], threads: int, budget: float) -> None:
    """Serve the index over HTTP: a JSON API (/openapi.json describes it) and a search page at /."""
    from .server import ServerConfig, serve
    from .server.limits import Limits

    config = ServerConfig(index_dir or default_index_dir(), host=host, port=port, token=token or None, cors=cors,
                          roots=tuple(root.resolve() for root in roots), threads=threads,
                          limits=Limits(budget_seconds=budget))
    with user_errors():
        serve(config)


@main.command("repl", epilog="""In the prompt, type a query, or :help for the commands (:open N, :explain N,
:more, :analyze TEXT, :stats, :limit N, :index DIR, :json, :quit).""")
@INDEX_OPTION
@click.option("--vi", "vi_mode", is_flag=True, help="Vi key bindings instead of Emacs ones.")
def repl_command(index_dir: Path | str | None = None, vi_mode: bool = False) -> None:
    """Search interactively: completion, history, highlighted results, paging, explain."""
    from .repl import run_repl

    with user_errors(), open_or_build(index_dir) as ix:
        run_repl(ix, vi_mode=vi_mode)


@main.group("synonyms", epilog="""Examples:

\b
  searchkit synonyms add "Ленинград, Санкт-Петербург, Петроград"
  searchkit synonyms add "ВВП => валовой внутренний продукт"
  searchkit synonyms remove Ленинград
  searchkit synonyms list --defaults
  searchkit synonyms defaults off""")
def synonyms_group() -> None:
    """The index's synonyms: one group a line in synonyms.txt in the index folder («A, B, C»: each finds the
    others; «A => B»: A also finds B), beside the default list of Russian abbreviations. Changes apply to the
    next search; nothing is re-indexed."""


@synonyms_group.command("add")
@click.argument("rule")
@INDEX_OPTION
def synonyms_add(rule: str, index_dir: Path | str | None) -> None:
    """Add RULE, a group «A, B, C» or a one-way rule «A => B»."""
    with user_errors(), Index.open(index_dir or default_index_dir()) as ix:
        added = ix.add_synonyms(rule)
    out.print(f"added: {escape(added.text)}")


@synonyms_group.command("remove")
@click.argument("member")
@INDEX_OPTION
def synonyms_remove(member: str, index_dir: Path | str | None) -> None:
    """Remove the index's rules that have MEMBER (case- and ё-insensitive)."""
    with user_errors(), Index.open(index_dir or default_index_dir()) as ix:
        removed = ix.remove_synonyms(member)
    if not removed:
        fail(f"no synonym rule of the index has {member!r} (searchkit synonyms list shows them)")
    for rule in removed:
        out.print(f"removed: {escape(rule.text)}")


@synonyms_group.command("list")
@INDEX_OPTION
@click.option("--defaults", "with_defaults", is_flag=True, help="List the default list's rules too.")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def synonyms_list(index_dir: Path | str | None, with_defaults: bool, as_json: bool) -> None:
    """The index's synonym rules, and whether the default list is on."""
    with user_errors(), Index.open(index_dir or default_index_dir()) as ix:
        rules = ix.synonym_rules(defaults=with_defaults)
        defaults_on = ix.settings.synonyms.defaults
    if as_json:
        render.print_json(out, {"defaults": defaults_on, "rules": [render.rule_json(rule) for rule in rules]})
    else:
        render.print_synonym_rules(out, rules, defaults_on)


@synonyms_group.command("defaults")
@click.argument("state", type=click.Choice(["on", "off"]))
@INDEX_OPTION
def synonyms_defaults(state: str, index_dir: Path | str | None) -> None:
    """Turn the default list of abbreviations on or off for the index (kept in its searchkit.json)."""
    with user_errors(), Index.open(index_dir or default_index_dir()) as ix:
        ix.use_default_synonyms(state == "on")
    out.print(f"default synonyms: {state}")
