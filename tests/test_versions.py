"""Version safety: an index written by another schema version, with other analyzer settings, or with a damaged
``searchkit.json`` is refused when opened, through the library (:class:`~searchkit.IncompatibleIndexError`) and
through the command line (exit status 2, one line, no traceback), with a message that says how to rebuild it;
the refused index is left as it was, and the rebuild the message recommends works.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from searchkit import AnalyzerSettings, IncompatibleIndexError, Index, SearchkitError, Settings
from searchkit.cli import main
from searchkit.settings import SCHEMA_VERSION, SETTINGS_FILE, TERM_MODES

REBUILD = "searchkit index --rebuild"
#: The commands that open an existing index.
OPENING_COMMANDS = [["search", "сталь"], ["stats"], ["index", "{docs}"], ["explain", "сталь", "docs/steel.txt"]]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "steel.txt").write_text("Сталь подорожала\nЦены на листовую сталь выросли.", encoding="utf-8")
    (folder / "meeting.txt").write_text("Встреча в Анкоридже\nПрезиденты встретились на Аляске.", encoding="utf-8")
    return folder


@pytest.fixture
def index(tmp_path: Path, docs: Path) -> Path:
    """An index of ``docs`` made by this version of searchkit."""
    path = tmp_path / "index"
    with Index.create(path) as ix:
        assert ix.index_path(docs, processes=1).added == 2
    return path


def edit_settings(index: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    """Rewrite the index's searchkit.json after ``change`` has edited its parsed content in place."""
    path = index / SETTINGS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in sorted(folder.iterdir()) if entry.is_file()}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def assert_refused(result: Result | subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit status 2, no traceback, exactly one line on stderr, holding every fragment."""
    code = result.exit_code if isinstance(result, Result) else result.returncode
    assert code == 2, (code, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("searchkit: error:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def assert_refused_everywhere(index: Path, docs: Path, *fragments: str) -> None:
    """The library and every command that opens the index refuse it with the same kind of message, and leave
    it untouched."""
    before = snapshot(index)
    with pytest.raises(IncompatibleIndexError) as caught:
        Index.open(index)
    for fragment in fragments:
        assert fragment in str(caught.value)
    for command in OPENING_COMMANDS:
        args = [arg.format(docs=docs) for arg in command]
        assert_refused(run(*args, "--index", str(index)), *fragments)
    assert snapshot(index) == before


def assert_rebuild_works(index: Path, docs: Path) -> None:
    result = run("index", "--rebuild", str(docs), "--index", str(index))
    assert result.exit_code == 0, result.stderr
    with Index.open(index) as ix:
        assert [hit.id for hit in ix.search("стали").hits] == ["docs/steel.txt"]


# --- schema version ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, SCHEMA_VERSION - 1, 0, 999, str(SCHEMA_VERSION), None])
def test_other_schema_version_is_refused_with_how_to_rebuild(index: Path, docs: Path, version: Any) -> None:
    edit_settings(index, lambda data: data.update(schema_version=version))
    assert_refused_everywhere(index, docs, "schema version", REBUILD)
    assert_rebuild_works(index, docs)


def test_missing_schema_version_is_refused(index: Path, docs: Path) -> None:
    edit_settings(index, lambda data: data.pop("schema_version"))
    assert_refused_everywhere(index, docs, "schema version", REBUILD)


def test_other_schema_version_in_a_real_process(index: Path, tmp_path: Path) -> None:
    edit_settings(index, lambda data: data.update(schema_version=SCHEMA_VERSION + 1))
    result = subprocess.run([sys.executable, "-m", "searchkit", "search", "сталь", "--index", str(index)],
                            capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120,
                            env=dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8"))
    line = assert_refused(result, f"schema version {SCHEMA_VERSION + 1}", f"reads version {SCHEMA_VERSION}",
                          REBUILD)
    assert str(index) in line


# --- analyzer settings ------------------------------------------------------------------------------------

OTHER_ANALYZERS = [AnalyzerSettings(terms=mode) for mode in TERM_MODES if mode != AnalyzerSettings().terms] + [
    AnalyzerSettings(stopwords=False), AnalyzerSettings(stem_unknown=False)]


@pytest.mark.parametrize("analyzer", OTHER_ANALYZERS, ids=repr)
def test_opening_with_other_analyzer_settings_is_refused(index: Path, analyzer: AnalyzerSettings) -> None:
    before = snapshot(index)
    with pytest.raises(IncompatibleIndexError) as caught:
        Index.open(index, Settings(analyzer=analyzer))
    assert REBUILD in str(caught.value) and "analyzer settings" in str(caught.value)
    assert snapshot(index) == before
    with Index.open(index, Settings().with_ranking(k1=2.0)) as ix:  # ranking settings may differ
        assert ix.settings.ranking.k1 == 2.0


def test_searchkit_json_edited_to_other_analyzer_settings_is_refused(index: Path, docs: Path) -> None:
    edit_settings(index, lambda data: data["analyzer"].update(terms="stem"))
    assert_refused_everywhere(index, docs, "analyzer", REBUILD)


# --- a damaged searchkit.json -----------------------------------------------------------------------------

DAMAGED = {
    "invalid JSON": b'{"schema_version": 2, "analyzer": {',
    "empty": b"",
    "not UTF-8": b'{"schema_version": 2, "analyzer": {"terms": "\xff"}}',
    "unknown term mode": None,
    "unknown analyzer setting": None,
    "analyzer not an object": None,
}
EDITS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "unknown term mode": lambda data: data["analyzer"].update(terms="magic"),
    "unknown analyzer setting": lambda data: data["analyzer"].update(colour="blue"),
    "analyzer not an object": lambda data: data.update(analyzer=None),
}


@pytest.mark.parametrize("damage", list(DAMAGED))
def test_damaged_settings_file_is_refused_with_a_clear_message(index: Path, docs: Path, damage: str) -> None:
    if DAMAGED[damage] is None:
        edit_settings(index, EDITS[damage])
    else:
        (index / SETTINGS_FILE).write_bytes(DAMAGED[damage])  # type: ignore[arg-type]
    assert_refused_everywhere(index, docs, SETTINGS_FILE, "unreadable", REBUILD)
    assert_rebuild_works(index, docs)


@pytest.mark.parametrize("content", ["[]", "null", "42", '"settings"'])
def test_settings_file_that_is_not_an_object_is_refused(index: Path, docs: Path, content: str) -> None:
    (index / SETTINGS_FILE).write_text(content, encoding="utf-8")
    assert_refused_everywhere(index, docs, SETTINGS_FILE, REBUILD)


def test_settings_file_with_a_ranking_value_of_the_wrong_type_is_refused(index: Path, docs: Path) -> None:
    edit_settings(index, lambda data: data["ranking"].update(k1="high"))
    try:
        with Index.open(index) as ix:
            ix.search("сталь")
    except IncompatibleIndexError:
        pass
    assert_refused_everywhere(index, docs, SETTINGS_FILE, REBUILD)


# --- a damaged Whoosh index -------------------------------------------------------------------------------

def test_truncated_table_of_contents_is_refused(index: Path, docs: Path) -> None:
    toc = max(index.glob("*.toc"))
    toc.write_bytes(toc.read_bytes()[:20])
    assert_refused_everywhere(index, docs, REBUILD)


def test_rebuild_replaces_an_index_whose_table_of_contents_is_truncated(index: Path, docs: Path) -> None:
    toc = max(index.glob("*.toc"))
    toc.write_bytes(toc.read_bytes()[:20])
    assert_rebuild_works(index, docs)


def test_settings_file_missing_beside_a_whoosh_index(index: Path, docs: Path) -> None:
    (index / SETTINGS_FILE).unlink()
    with pytest.raises(SearchkitError, match="no searchkit index"):
        Index.open(index)
    assert_refused(run("search", "сталь", "--index", str(index)), "no searchkit index", str(index))
    assert_rebuild_works(index, docs)
