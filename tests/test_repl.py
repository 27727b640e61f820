"""The interactive prompt, driven through prompt_toolkit's pipe input with the output captured, and once as a
real process on a pseudo-terminal."""

from __future__ import annotations

import io
import os
import re
import sys

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document as PromptDocument
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from searchkit import Index
from searchkit.repl import QueryCompleter, QueryLexer, Repl

from .conftest import SEED_ID

CTRL_C, CTRL_D = "\x03", "\x04"


def run_session(index: Index, keys: str, history=None, width: int = 100) -> str:
    """Type ``keys`` into a REPL on ``index`` and return everything it printed."""
    out = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        repl = Repl(index, console=Console(file=out, width=width, highlight=False, color_system=None),
                    history=history if history is not None else InMemoryHistory(), input=pipe,
                    output=DummyOutput())
        repl.run()
    return out.getvalue()


@pytest.fixture()
def index(corpus_index_path) -> Index:
    with Index.open(corpus_index_path) as ix:
        yield ix


def test_query_with_russian_forms_lists_hits_with_original_forms_marked(index):
    printed = run_session(index, "встреча Путина и Трампа\n" + CTRL_D)
    first = printed.split("\n2.")[0]
    assert SEED_ID in first
    assert "[встречей]" in first and "[Трампа]" in first
    assert re.search(r"\d+ hits, showing 1–\d+, in \d+ ms", printed)


def test_ctrl_c_clears_the_line_and_the_session_goes_on(index):
    printed = run_session(index, "незаконченный запрос" + CTRL_C + "Анкоридж\n" + CTRL_D)
    assert "незаконченный" not in printed
    assert "[Анкоридже]" in printed or "[Анкоридж]" in printed


def test_paging_with_more_and_prev(index):
    printed = run_session(index, ":limit 2\nвстреча\n:more\np\n" + CTRL_D)
    pages = re.findall(r"showing (\d+)–(\d+)", printed)
    assert pages == [("1", "2"), ("3", "4"), ("1", "2")]


def test_open_shows_the_whole_document_with_every_match_marked(index):
    printed = run_session(index, "встреча Путина и Трампа\n:open 1\n" + CTRL_D)
    opened = printed.split(":open")[-1] if ":open" in printed else printed.split("hits, showing")[-1]
    assert "Пхеньяне" in opened  # from the middle of the seed article, beyond any snippet
    assert opened.count("[Путин") >= 4
    assert "[встречей]" in opened


def test_explain_lists_each_word_its_lemmas_forms_and_score(index):
    printed = run_session(index, "встреча Путина и Трампа\n:explain 1\n" + CTRL_D)
    table = printed.split("showing")[-1]
    assert "путин" in table and "[Путиным]" in table and "[встречей]" in table
    total = re.search(r"total\s*│\s*│\s*│\s*([\d.]+)", table)
    assert total is not None
    score = re.search(r"score ([\d.]+)", printed.split("\n2.")[0])
    assert score and abs(float(total.group(1)) - float(score.group(1))) < 0.01


def test_bad_query_is_answered_with_a_pointer_not_a_crash(index):
    printed = run_session(index, '"незакрытая цитата\nАнкоридж\n' + CTRL_D)
    assert "never closed" in printed
    assert "Анкоридж" in printed.split("never closed")[-1]


def test_help_and_unknown_command(index):
    printed = run_session(index, ":help\n:bogus\n" + CTRL_D)
    assert ":explain N" in printed and ":open N" in printed
    assert "unknown command :bogus" in printed


def test_completion_offers_normal_forms_present_in_the_index(index):
    completer = QueryCompleter(lambda: index)
    words = [c.text for c in completer.get_completions(PromptDocument("встр"), CompleteEvent())]
    assert "встреча" in words  # the normal form of «встречей», «встречи», «встречу» in the corpus
    assert "встречей" not in words  # completion offers normal forms, which find every form
    assert all(word.startswith("встр") for word in words)
    # ё/е-insensitive and case-insensitive
    yo = [c.text for c in completer.get_completions(PromptDocument("путин AND ЁЛК"), CompleteEvent())]
    assert "елка" in yo


def test_completion_of_fields_operators_and_commands(index):
    completer = QueryCompleter(lambda: index)
    assert "title:" in [c.text for c in completer.get_completions(PromptDocument("ti"), CompleteEvent())]
    assert "AND" in [c.text for c in completer.get_completions(PromptDocument("путин AN"), CompleteEvent())]
    assert ":explain" in [c.text for c in completer.get_completions(PromptDocument(":ex"), CompleteEvent())]


def test_lexer_marks_operators_phrases_and_an_unclosed_quote():
    line = 'путин AND "встреча в Анкоридже" title:аляска "незакрыто'
    fragments = QueryLexer().lex_document(PromptDocument(line))(0)
    styles = {ch_index: style for ch_index, (style, _) in enumerate(fragments)}
    assert styles[line.index("AND")] == "class:operator"
    assert styles[line.index('"встреча') + 1] == "class:phrase"
    assert styles[line.index("title:")] == "class:field"
    assert styles[line.rindex('"')] == "class:error"
    assert styles[0] == ""


def test_history_persists_across_sessions(index, tmp_path):
    path = tmp_path / "state" / "history"
    path.parent.mkdir()
    run_session(index, "переговоры в Анкоридже\n" + CTRL_D, history=FileHistory(str(path)))
    assert "переговоры в Анкоридже" in list(FileHistory(str(path)).load_history_strings())
    # Up-arrow in a new session brings the query back.
    printed = run_session(index, "\x1b[A\n" + CTRL_D, history=FileHistory(str(path)))
    assert "[Анкоридже]" in printed or "[переговоров]" in printed


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_real_repl_on_a_pseudo_terminal(corpus_index_path, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path), NO_COLOR="1", COLUMNS="100", LINES="40")
    child = pexpect.spawn(sys.executable, ["-m", "searchkit", "repl", "--index", str(corpus_index_path)],
                          env=env, encoding="utf-8", timeout=60, dimensions=(40, 100))
    try:
        child.expect(r"docs\)>")
        child.send("Анкоридж\r")
        child.expect("hits, showing")
        assert "Анкоридж" in child.before
        child.expect(r"docs\)>")  # the next prompt
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert (tmp_path / "searchkit" / "history").is_file()


def test_switching_index_closes_only_the_ones_the_prompt_opened(corpus_index_path, tmp_path):
    other = tmp_path / "other"
    with Index.create(other) as made:
        made.add([{"id": "letter", "text": "Письмо архивариуса о встрече."}])
    with Index.open(corpus_index_path) as first:
        out = io.StringIO()
        repl = Repl(first, console=Console(file=out, width=100, color_system=None), history=InMemoryHistory(),
                    input=None, output=DummyOutput())
        repl.handle(f":index {other}")
        switched = repl.index
        assert switched is not first and "1 documents" in out.getvalue()
        repl.handle("архивариус")
        assert "letter" in out.getvalue()
        repl.handle(f":index {corpus_index_path}")
        assert switched.closed  # the prompt's own index, closed when it moved on
        second = repl.index
        repl.close()
        assert second.closed and not first.closed
        assert first.search("Анкоридж").total > 0  # the caller's index stays open


def test_sort_facets_and_synonyms_commands_search_the_last_query_again(index):
    printed = run_session(index, "встреча\n:sort newest\n:facets\nКНДР\n:synonyms\n" + CTRL_D)
    newest = printed.split("Hits are ordered newest first")[1].split("Facets on.")[0]
    dates = re.findall(r"^\d+\. .*?(\d{4}-\d{2}-\d{2})  ", newest, flags=re.MULTILINE)
    assert dates and dates == sorted(dates, reverse=True)  # the last query again, newest first
    assert "newest first" in newest
    faceted = printed.split("Facets on.")[1]
    assert re.search(r"^год\s+hits$", faceted, flags=re.MULTILINE) and "формат" in faceted
    expanded, plain = faceted.split("Synonyms off.")
    assert "«КНДР» →" in expanded and "«КНДР» →" not in plain  # searched again without its synonyms
