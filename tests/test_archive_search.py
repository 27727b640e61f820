"""Searching an archive the way a newsroom does: newest first, within a folder or a format or by an author,
counts by period, folder, format and author over every match, each file once, every hit exported, and a
folder watched as files arrive."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest

from searchkit import Index
from tests.conftest import run_cli

NEWS = {
    "news/2023/2023-03-14-vybory.txt": "Выборы в городскую думу\n\nГородская дума обсудила выборы и бюджет.",
    "news/2024/2024-01-20-moroz.txt": "Морозы в январе\n\nМорозы ударили по всей области, дума собралась на заседание.",
    "news/2024/итоги-сессии.txt": "date 2024-06-02\nИтоги сессии думы\n\nДума подвела итоги весенней сессии.",
    "news/2025/2025-02-11-byudzhet.txt": "Бюджет на год\n\nДепутаты думы приняли бюджет города.",
    "news/20250/2025-05-05-arhiv.txt": "Архив\n\nПапка с похожим именем: дума здесь тоже упомянута.",
    "reports/obzor.txt": "Обзор без даты\n\nОбзор работы думы за несколько лет.",
    "copies/2025-02-11-byudzhet.txt": "Бюджет на год\n\nДепутаты думы приняли бюджет города.",
}


def make_word(path: Path, author: str, text: str, created: dt.datetime) -> None:
    document = docx.Document()
    document.core_properties.author = author
    document.core_properties.title = "Записка"
    document.core_properties.created = created  # python-docx's template would give its own date
    document.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("newsroom") / "archive"
    for name, text in NEWS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    make_word(root / "reports" / "zapiska-chekhov.docx", "Антон Чехов", "Записка о заседании думы и о больнице.",
              dt.datetime(2024, 11, 5))
    make_word(root / "reports" / "zapiska-tolstoy.docx", "Лев Толстой", "Записка о школе и учителях.",
              dt.datetime(2024, 11, 6))
    (root / "data").mkdir()
    (root / "data" / "briefs.jsonl").write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in [
        {"id": "brief-1", "title": "Дума", "date": "2024-09-01", "text": "Дума открыла осеннюю сессию."},
        {"id": "brief-2", "title": "Дума снова", "date": "2024-09-15", "text": "Дума продолжила сессию."},
    ]) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def index(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("newsroom-index") / "index"
    with Index.create(location) as ix:
        assert ix.index_path(archive).skipped == []
    return location


@pytest.fixture
def ix(index: Path) -> Index:
    with Index.open(index) as opened:
        yield opened


def ids(ix: Index, query: str, **options: object) -> list[str]:
    return [hit.id for hit in ix.search(query, limit=100, snippets=False, **options)]


# --- sort ------------------------------------------------------------------------------------------------------

def test_newest_and_oldest_first_by_date_with_undated_documents_last(ix: Index) -> None:
    newest = ix.search("дума", limit=100, snippets=False, sort="newest")
    dates = [hit.date for hit in newest]
    dated = [date for date in dates if date is not None]
    assert dated == sorted(dated, reverse=True) and len(dated) >= 6
    assert all(date is None for date in dates[len(dated):])  # the undated ones after every dated one
    assert newest[0].id == "archive/news/20250/2025-05-05-arhiv.txt" and newest.order == "newest"
    oldest = [hit.date for hit in ix.search("дума", limit=100, snippets=False, sort="oldest") if hit.date]
    assert oldest == sorted(oldest) and oldest[0].isoformat() == "2023-03-14"
    assert ix.search("дума").order == "relevance"


def test_ties_in_date_are_ordered_by_score(ix: Index) -> None:
    hits = ix.search("бюджет думы", limit=100, snippets=False, sort="newest")
    same_day = [hit.score for hit in hits if hit.date and hit.date.isoformat() == "2025-02-11"]
    assert same_day == sorted(same_day, reverse=True)


# --- filters ---------------------------------------------------------------------------------------------------

def test_path_is_whole_components_relative_to_the_indexed_folder(ix: Index) -> None:
    assert sorted(ids(ix, "дума path:news/2024")) == ["archive/news/2024/2024-01-20-moroz.txt",
                                                    "archive/news/2024/итоги-сессии.txt"]
    assert "archive/news/20250/2025-05-05-arhiv.txt" not in ids(ix, "дума path:news/2025")
    assert ids(ix, "дума path:news/2025") == ["archive/news/2025/2025-02-11-byudzhet.txt"]
    assert set(ids(ix, "дума path:archive/reports")) == set(ids(ix, "дума path:reports"))  # the whole path too


def test_path_globs(ix: Index) -> None:
    assert sorted(ids(ix, "записка path:*.docx")) == ["archive/reports/zapiska-chekhov.docx",
                                                    "archive/reports/zapiska-tolstoy.docx"]
    assert ids(ix, "дума path:news/**/итоги*") == ["archive/news/2024/итоги-сессии.txt"]
    assert ids(ix, "дума path:*сесси*") == ["archive/news/2024/итоги-сессии.txt"]
    assert "archive/news/2023/2023-03-14-vybory.txt" not in ids(ix, "дума -path:news/2023")


def test_format_and_author_filters(ix: Index) -> None:
    assert sorted(ids(ix, "записка format:docx")) == ["archive/reports/zapiska-chekhov.docx",
                                                    "archive/reports/zapiska-tolstoy.docx"]
    assert ids(ix, "записка format:DOCX") == ids(ix, "записка format:docx")
    assert ids(ix, "записка author:Чехова") == ["archive/reports/zapiska-chekhov.docx"]  # in another form
    assert ids(ix, 'записка author:"Антон Чехов"') == ["archive/reports/zapiska-chekhov.docx"]
    assert ids(ix, "записка author:Толстого OR author:Чехов") != []
    assert ids(ix, "дума format:docx") == ["archive/reports/zapiska-chekhov.docx"]  # a filter: words still count


def test_an_index_without_authors_says_so(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as plain:
        plain.add([{"id": "1", "text": "Чехов писал рассказы о враче."}])
        results = plain.search("рассказы author:Чехов")
        assert results.total == 0 and any("no document in this index has an author" in n for n in results.plan.notes)


# --- facets ----------------------------------------------------------------------------------------------------

def test_facets_count_every_match_and_agree_with_the_filtered_searches(ix: Index) -> None:
    results = ix.search("дума", limit=1, facets=True)
    assert len(results) == 1 and sum(results.facets["format"].values()) == results.total  # not just the page
    for year, count in results.facets["year"].items():
        assert ix.search(f"дума date:{year}", limit=1).total == count
    assert list(results.facets["year"]) == sorted(results.facets["year"])
    for month, count in results.facets["month"].items():
        assert ix.search(f"дума date:{month}", limit=1).total == count
    for folder, count in results.facets["folder"].items():
        assert ix.search(f"дума path:{folder}", limit=1).total == count
    assert set(results.facets["folder"]) == {"news", "reports", "data", "copies"}
    for form, count in results.facets["format"].items():
        assert ix.search(f"дума format:{form}", limit=1).total == count
    assert results.facets["author"] == {"Антон Чехов": 1}
    assert ix.search("дума author:Чехов", limit=1).total == 1
    some = ix.search("дума", facets=["year"])
    assert set(some.facets) == {"year"} and "facets" in some.to_json()


# --- one line per file, counts, duplicates -----------------------------------------------------------------------

def test_files_with_matches_lists_each_file_once_best_first(index: Path) -> None:
    code, out, err = run_cli("search", "-l", "дума", "--index", str(index))
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == len(set(lines))
    assert "archive/data/briefs.jsonl" in lines  # its two records count as their file
    assert all(line.startswith("archive/") for line in lines)
    copies = {"archive/copies/2025-02-11-byudzhet.txt", "archive/news/2025/2025-02-11-byudzhet.txt"}
    assert len(copies & set(lines)) == 1  # the same content under two paths: one line
    code, out, _ = run_cli("search", "--count", "дума", "--index", str(index))
    with Index.open(index) as ix:
        assert out.strip() == str(ix.search("дума").total)


def test_exact_duplicates_fold_into_one_hit_listing_the_other_paths(ix: Index) -> None:
    hits = ix.search("бюджет города", limit=10).hits
    [budget] = [hit for hit in hits if "byudzhet" in hit.id]
    assert {budget.id, *budget.duplicates} == {"archive/copies/2025-02-11-byudzhet.txt",
                                              "archive/news/2025/2025-02-11-byudzhet.txt"}
    results = ix.search("бюджет города", limit=10)
    assert results.total == len(results.hits) + 1  # both documents count as matches; one hit shows them


# --- export ----------------------------------------------------------------------------------------------------

def test_export_every_hit_as_json_lines(index: Path) -> None:
    code, out, err = run_cli("search", "--all", "дума", "--index", str(index))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    with Index.open(index) as ix:
        assert len(rows) == ix.search("дума").total
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert set(rows[0]) == {"rank", "id", "path", "title", "date", "score", "snippet"}
    assert any("[" not in row["snippet"] and "дум" in row["snippet"].lower() for row in rows)


def test_export_as_csv_with_a_byte_order_mark_for_spreadsheets(index: Path) -> None:
    from click.testing import CliRunner

    from searchkit.cli import main

    result = CliRunner().invoke(main, ["search", "--all", "--format", "csv", "--sort", "newest", "дума",
                                       "--index", str(index)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert rows[0]["title"] == "Архив" and rows[0]["date"] == "2025-05-05"  # Cyrillic intact, newest first
    with Index.open(index) as ix:
        assert len(rows) == ix.search("дума").total


# --- watch -----------------------------------------------------------------------------------------------------

def test_watch_picks_up_an_added_a_changed_and_a_removed_file(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "old.txt").write_text("Старая заметка о пароходе на Волге.", encoding="utf-8")
    (folder / "gone.txt").write_text("Заметка о дирижабле, которую удалят.", encoding="utf-8")
    index = tmp_path / "index"
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from searchkit.cli import main; sys.exit(main())")
    process = subprocess.Popen([sys.executable, "-c", code, "index", "--watch", "--index", str(index), str(folder)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for(index, "пароход", 1)
        (folder / "new.txt").write_text("Новая заметка о ледоколе во льдах.", encoding="utf-8")
        (folder / "old.txt").write_text("Исправленная заметка о паровозе.", encoding="utf-8")
        (folder / "gone.txt").unlink()
        wait_for(index, "ледокол", 1)
        wait_for(index, "паровоз", 1)
        wait_for(index, "пароход", 0)
        wait_for(index, "дирижабль", 0)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Stopped watching" in stderr and "Traceback" not in stderr


def wait_for(index: Path, word: str, total: int, within: float = 30.0) -> None:
    """Wait until a search in this process finds ``total`` documents with ``word`` (a generous bound)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if Index.exists(index):
            with Index.open(index) as ix:
                if ix.search(word, correct=False).total == total:
                    return
        time.sleep(0.2)
    raise AssertionError(f"{word!r} was not found {total} times within {within} s")
