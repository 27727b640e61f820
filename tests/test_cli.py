"""The ``searchkit`` command, through click's CliRunner and as a real ``python -m searchkit`` process."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searchkit import Index
from searchkit.cli import main

from .conftest import SEED_ID

#: Variables that would make rich treat a pipe as a terminal or change colours.
_TERMINAL_VARS = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE", "NO_COLOR")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def clean_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in _TERMINAL_VARS and key != "SEARCHKIT_INDEX"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.update(PYTHONIOENCODING="utf-8", PYTHONUTF8="1")
    return env


def run_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "searchkit", *args], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def assert_user_error(result: Result | subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit status 2, no traceback, one ``searchkit: error:`` line holding the whole message."""
    code = result.exit_code if isinstance(result, Result) else result.returncode
    stderr = result.stderr
    assert code == 2, (code, stderr)
    assert "Traceback" not in stderr and "Traceback" not in result.stdout
    error_lines = [line for line in stderr.splitlines() if line.startswith("searchkit: error:")]
    assert len(error_lines) == 1, stderr
    for fragment in fragments:
        assert fragment in error_lines[0], (fragment, stderr)
    return error_lines[0]


def result_blocks(stdout: str) -> list[dict[str, str]]:
    """Plain search output → per hit: the heading (rank, title, date, score), the id line, the snippet.

    Lines may be wrapped, so a hit is the text between blank lines, its id the line that holds only the id."""
    hits = []
    for block in stdout.strip().split("\n\n")[:-1] if "hits, showing" in stdout else []:
        lines = block.strip("\n").splitlines()
        id_at = next(i for i, line in enumerate(lines) if line.startswith("   ") and " " not in line.strip())
        hits.append({"heading": " ".join(lines[:id_at]), "id": lines[id_at].strip(),
                     "snippet": " ".join(line.strip() for line in lines[id_at + 1:])})
    return hits


def unmarked(text: str) -> str:
    return text.replace("[", "").replace("]", "")


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    root.mkdir()
    (root / "meeting.txt").write_text("date 2025-08-12 Встреча Путина и Трампа состоится в Анкоридже.",
                                      encoding="utf-8")
    (root / "steel.md").write_text("# Сталь\n\nЗавод освоил новые марки легированной стали.", encoding="utf-8")
    (root / "broken.json").write_text("{oops", encoding="utf-8")
    return root


# --- index and search -------------------------------------------------------------------------------------

def test_index_then_search(tmp_path: Path, small_corpus: Path) -> None:
    index_dir = tmp_path / "ix"
    result = run("index", str(small_corpus), "--index", str(index_dir))
    assert result.exit_code == 0, result.stderr
    assert "2 documents" in result.stderr
    assert "skipped notes/broken.json" in result.stderr
    assert Index.exists(index_dir)
    again = run("index", str(small_corpus), "--index", str(index_dir))
    assert again.exit_code == 0 and "2 unchanged" in again.stderr

    result = run("search", "встречей", "--index", str(index_dir))
    assert result.exit_code == 0, result.stderr
    (hit,) = result_blocks(result.stdout)
    assert unmarked(hit["heading"]).startswith("1. Встреча Путина и Трампа")
    assert "2025-08-12" in hit["heading"]
    assert hit["id"] == "notes/meeting.txt"
    assert "[Встреча]" in hit["snippet"]
    assert re.search(r"^1 hits?\b", result.stdout.strip().splitlines()[-1])


def test_search_without_hits(corpus_index_path: Path) -> None:
    result = run("search", "невидимаяметка", "--index", str(corpus_index_path))
    assert result.exit_code == 0
    assert "No documents match" in result.stdout


def test_search_json(corpus_index_path: Path) -> None:
    result = run("search", "--json", "--limit", "3", "встреча Путина и Трампа", "--index", str(corpus_index_path))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["query"] == "встреча Путина и Трампа"
    assert len(data["hits"]) == 3 and data["total"] >= 3
    first = data["hits"][0]
    assert first["id"] == SEED_ID and first["rank"] == 1
    highlights = [h for fragment in first["snippet"]["fragments"] for h in fragment["highlights"]]
    assert [h["term"] for h in highlights if h["form"] == "встречей"] == ["встреча"]
    for fragment in first["snippet"]["fragments"]:
        for h in fragment["highlights"]:
            offset = h["start"] - fragment["start"]
            assert fragment["text"][offset:offset + len(h["form"])] == h["form"]
            assert h["end"] - h["start"] == len(h["form"])


def test_search_offset_and_limit(corpus_index_path: Path) -> None:
    full = json.loads(run("search", "--json", "встреча", "--index", str(corpus_index_path)).stdout)
    page = json.loads(run("search", "--json", "-n", "2", "--offset", "2", "встреча",
                          "--index", str(corpus_index_path)).stdout)
    assert [h["id"] for h in page["hits"]] == [h["id"] for h in full["hits"][2:4]]
    assert [h["rank"] for h in page["hits"]] == [3, 4]


def test_search_index_from_environment(corpus_index_path: Path) -> None:
    result = run("search", "--json", "Анкоридж", env={"SEARCHKIT_INDEX": str(corpus_index_path)})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] >= 3


# --- user errors ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, message", [
    ('"встреча Путина', "the quote that opens a phrase is never closed"),
    ("source:Путин", "unknown field 'source'"),
    ("встреча (Путина", "this parenthesis is never closed"),
    ("и в что", "stop words"),
])
def test_bad_query_is_one_line_and_exit_2(corpus_index_path: Path, query: str, message: str) -> None:
    result = run("search", query, "--index", str(corpus_index_path))
    line = assert_user_error(result, message)
    assert repr(query) in line
    assert result.stdout == ""


def test_bad_query_message_then_a_caret_under_the_problem(corpus_index_path: Path) -> None:
    """The README's example: the one-line message, then the query with a caret at the reported character."""
    query = "title:(Аляска"
    result = run("search", query, "--index", str(corpus_index_path))
    line = assert_user_error(result, "at character 7", "this parenthesis is never closed")
    lines = result.stderr.rstrip("\n").splitlines()
    assert lines == [line, query, " " * 6 + "^"]


def test_missing_index_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("search", "встреча", "--index", str(tmp_path / "no-index"))
    assert_user_error(result, "no searchkit index", str(tmp_path / "no-index"))
    assert len(result.stderr.strip().splitlines()) == 1
    stats = run("stats", "--index", str(tmp_path / "no-index"))
    assert_user_error(stats, "no searchkit index")


def test_nonexistent_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("index", str(tmp_path / "no-such-folder"), "--index", str(tmp_path / "ix"))
    assert_user_error(result, "no such file or folder", "no-such-folder")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Index.exists(tmp_path / "ix")


def test_bad_query_in_a_real_process(corpus_index_path: Path, tmp_path: Path) -> None:
    result = run_process("search", "встреча Путина)", "--index", str(corpus_index_path), cwd=tmp_path)
    assert_user_error(result, "')' has no matching '('", "at character 15")
    missing = run_process("search", "встреча", "--index", str(tmp_path / "nothing"), cwd=tmp_path)
    assert_user_error(missing, "no searchkit index")
    assert len(missing.stderr.strip().splitlines()) == 1


# --- analyze, stats, help ---------------------------------------------------------------------------------

def test_analyze_prints_lemmas() -> None:
    result = run("analyze", "Стали ли встречей в Анкоридже")
    assert result.exit_code == 0, result.stderr
    for word in ("Стали", "стать", "сталь", "встреча", "анкоридж", "(stop word)"):
        assert word in result.stdout, word


def test_analyze_follows_the_index_analyzer_settings(tmp_path: Path) -> None:
    from searchkit import AnalyzerSettings, Settings

    Index.create(tmp_path / "stems", Settings(analyzer=AnalyzerSettings(terms="stem", stopwords=False))).close()
    stems = json.loads(run("analyze", "--json", "--index", str(tmp_path / "stems"), "встречами и").stdout)
    assert [t["terms"] for t in stems] == [["встреч"], ["и"]]  # Snowball stems, no stop words
    missing = run("analyze", "--index", str(tmp_path / "missing"), "встречами")
    assert missing.exit_code == 2 and "no searchkit index" in missing.stderr


def test_analyze_json() -> None:
    result = run("analyze", "--json", "Стали ли встречей в Ростове-на-Дону")
    assert result.exit_code == 0, result.stderr
    tokens = json.loads(result.stdout)
    by_token = {t["token"]: t for t in tokens}
    assert set(by_token["Стали"]["terms"]) == {"стать", "сталь"}
    assert by_token["ли"]["stopword"] is True and by_token["ли"]["terms"] == []
    assert by_token["встречей"]["terms"] == ["встреча"]
    assert (by_token["встречей"]["start"], by_token["встречей"]["end"]) == (9, 17)
    assert by_token["Ростове-на-Дону"]["position"] == by_token["Ростове"]["position"]
    assert by_token["Дону"]["terms"] == ["дон"]
    assert {"lemma", "pos", "score"} == set(by_token["Стали"]["readings"][0])


def test_stats(corpus_index_path: Path, corpus_index: Index) -> None:
    result = run("stats", "--json", "--index", str(corpus_index_path))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["documents"] == corpus_index.doc_count()
    assert data["terms"] == corpus_index.stats().terms
    assert data["size_bytes"] > 0 and data["last_update"]
    plain = run("stats", "--index", str(corpus_index_path))
    assert plain.exit_code == 0
    assert any(line.split() == ["documents", str(data["documents"])] for line in plain.stdout.splitlines())


@pytest.mark.parametrize("command, expected", [
    ([], ["index", "search", "analyze", "stats"]),
    (["index"], ["--rebuild", "--jobs", "--index"]),
    (["search"], ["--json", "--limit", "--offset", "title:"]),
    (["analyze"], ["--json", "TEXT"]),
    (["stats"], ["--json", "--index"]),
])
def test_help(command: list[str], expected: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage:")
    for word in expected:
        assert word in result.stdout, word


def test_version() -> None:
    from searchkit import __version__

    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_index_rebuild_starts_anew_keeping_documents_added_through_the_library(tmp_path: Path,
                                                                             small_corpus: Path) -> None:
    index_dir = tmp_path / "ix"
    assert run("index", str(small_corpus), "--index", str(index_dir)).exit_code == 0
    with Index.open(index_dir) as ix:
        ix.add([{"id": "extra", "text": "Документ, добавленный через библиотеку: ярмарка книги."}])
    rebuilt = run("index", "--rebuild", str(small_corpus), "--index", str(index_dir))
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert "0 unchanged" in rebuilt.stderr and "2 documents" in rebuilt.stderr  # every file read again
    assert "kept 1 documents added through the library" in rebuilt.stderr
    with Index.open(index_dir) as ix:
        assert ix.doc_count() == 3
        assert [hit.id for hit in ix.search("ярмарки")] == ["extra"]


def test_index_without_path_indexes_corpus(tmp_path: Path, corpus_dir: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(corpus_dir, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHKIT_INDEX", raising=False)
    result = run("index")
    assert result.exit_code == 0, result.stderr
    assert "Indexed into index" in result.stderr and "0 skipped" in result.stderr
    with Index.open(tmp_path / "index") as ix:
        assert ix.search("Анкоридж").hits[0].id == "corpus/news/2025-08-14-anchorage-preparations.txt"


# --- end to end -------------------------------------------------------------------------------------------

def test_fresh_checkout_search_builds_the_index_first(tmp_path: Path, corpus_dir: Path) -> None:
    shutil.copytree(corpus_dir, tmp_path / "corpus")
    result = run_process("search", "встреча Путина и Трампа", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "indexing corpus/ first" in result.stderr
    assert Index.exists(tmp_path / "index")

    first = result_blocks(result.stdout)[0]
    assert first["heading"].startswith("1. ")
    assert "2025-08-12" in first["heading"]
    assert first["id"] == SEED_ID
    snippet = first["snippet"]
    assert "[встречей]" in snippet
    assert snippet.count("[") == snippet.count("]") > 1
    assert "\x1b[" not in result.stdout   # no terminal colour codes in a pipe

    again = run_process("search", "Анкоридж", cwd=tmp_path)
    assert again.returncode == 0
    assert "indexing corpus/ first" not in again.stderr


@pytest.mark.parametrize("stop", ["KeyboardInterrupt", "Terminated"])
def test_a_stop_dropped_in_a_weak_reference_callback_still_stops_the_work(stop: str) -> None:
    """Ctrl-C or SIGTERM landing while Python runs a weak reference's callback is printed and dropped there;
    indexing must stop anyway: the signal comes again where the work stands next."""
    import time
    import weakref

    from searchkit.cli import Terminated, stopped_by_sigterm

    stopped = Terminated if stop == "Terminated" else KeyboardInterrupt

    class Held:
        pass

    def interrupted_callback(_: object) -> None:
        raise stopped()

    deadline = time.monotonic() + 30
    with pytest.raises(stopped), stopped_by_sigterm():
        held = Held()
        watcher = weakref.ref(held, interrupted_callback)
        del held  # the callback runs and raises; Python drops what it raised
        assert watcher() is None
        while time.monotonic() < deadline:  # the work, going on
            time.sleep(0.001)
    assert time.monotonic() < deadline
