"""The on-disk index: incremental sync of folders, the library's add/delete, settings, parallel indexing, stats."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from searchkit import (AnalyzerSettings, IncompatibleIndexError, Index, IndexNotFoundError, RankingSettings, Settings,
                       Skipped)
from searchkit.documents import Document, load
from searchkit.settings import SCHEMA_VERSION, SETTINGS_FILE

MakeIndex = Callable[..., Index]

MEETING = "date 2025-06-28 Встреча выпускников прошла в Вологде.\n\nВыпускники вспоминали преподавателей училища."
PIE = "# Пирог с капустой\n\nЭтот пирог в нашей семье пекли по праздникам."
STEEL = "Новая электропечь на заводе\n\nЗавод освоил несколько новых марок легированной стали."


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def ids(ix: Index, query: str) -> set[str]:
    return {hit.id for hit in ix.search(query, limit=100, snippets=False).hits}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A small folder: a dated news item, a Markdown recipe, a subfolder with a text file."""
    root = tmp_path / "docs"
    write(root / "meeting.txt", MEETING)
    write(root / "pie.md", PIE)
    write(root / "industry" / "steel.txt", STEEL)
    return root


# --- incremental sync -------------------------------------------------------------------------------------

def test_first_sync_adds_every_file(make_index: MakeIndex, docs: Path) -> None:
    ix = make_index()
    report = ix.index_path(docs)
    assert (report.added, report.updated, report.removed, report.unchanged) == (3, 0, 0, 0)
    assert report.documents == 3
    assert report.skipped == []
    assert report.bytes_read == sum(p.stat().st_size for p in docs.rglob("*") if p.is_file())
    assert ix.doc_count() == 3
    assert ids(ix, "выпускники") == {"docs/meeting.txt"}
    assert ids(ix, "пирога") == {"docs/pie.md"}
    assert ids(ix, "сталь") == {"docs/industry/steel.txt"}
    (hit,) = ix.search("Вологда").hits
    assert hit.date == dt.date(2025, 6, 28)
    assert hit.path == "docs/meeting.txt"


def test_second_sync_finds_everything_unchanged(make_index: MakeIndex, docs: Path) -> None:
    ix = make_index()
    ix.index_path(docs)
    report = ix.index_path(docs)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 3)
    assert report.documents == 0
    assert ix.doc_count() == 3


def test_edited_file_is_updated_new_text_found_old_text_gone(make_index: MakeIndex, docs: Path) -> None:
    ix = make_index()
    ix.index_path(docs)
    write(docs / "meeting.txt", "date 2025-07-01 Собрание акционеров прошло в Череповце.")
    report = ix.index_path(docs)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 2)
    assert report.documents == 1
    assert ids(ix, "акционеры") == {"docs/meeting.txt"}
    assert ids(ix, "выпускники") == set()
    assert ids(ix, "Вологда") == set()
    assert ix.doc_count() == 3
    (hit,) = ix.search("Череповец").hits
    assert hit.date == dt.date(2025, 7, 1)


def test_deleted_file_is_removed_and_no_longer_found(make_index: MakeIndex, docs: Path) -> None:
    ix = make_index()
    ix.index_path(docs)
    (docs / "pie.md").unlink()
    (docs / "industry" / "steel.txt").unlink()
    report = ix.index_path(docs)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 2, 1)
    assert ids(ix, "пирог") == set()
    assert ids(ix, "сталь") == set()
    assert ix.doc_count() == 1


def test_sync_of_one_folder_keeps_documents_of_another(make_index: MakeIndex, tmp_path: Path, docs: Path) -> None:
    other = tmp_path / "other"
    write(other / "yo.txt", "Буква ё в русском языке\n\nЁлка и елка одинаково понятны.")
    ix = make_index()
    ix.index_path(docs)
    ix.index_path(other)
    report = ix.index_path(docs)
    assert report.removed == 0
    assert ids(ix, "ёлка") == {"other/yo.txt"}
    assert ix.doc_count() == 4


def test_syncing_a_deleted_folder_keeps_a_sibling_whose_name_it_prefixes(make_index: MakeIndex,
                                                                         tmp_path: Path) -> None:
    write(tmp_path / "news" / "a.txt", "Сталь подорожала.")
    write(tmp_path / "news2" / "b.txt", "Встреча в Анкоридже.")
    ix = make_index()
    ix.index_path(tmp_path / "news", tmp_path / "news2")
    (tmp_path / "news" / "a.txt").unlink()
    (tmp_path / "news").rmdir()
    report = ix.index_path(tmp_path / "news")
    assert [s.reason for s in report.skipped] == ["no such file or folder"]
    assert ids(ix, "сталь") == set()
    assert ids(ix, "Анкоридж") == {"news2/b.txt"}


def test_new_record_file_and_edited_records(make_index: MakeIndex, docs: Path) -> None:
    records = [{"id": "brief-1", "title": "Мост через реку", "text": "Губернаторы обсудили строительство моста."},
               {"id": "brief-2", "title": "Ярмарка книги", "text": "В Нью-Йорке открылась ярмарка русской книги."}]
    briefs = docs / "briefs.jsonl"
    write(briefs, "\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    ix = make_index()
    report = ix.index_path(docs)
    assert report.added == 4 and report.documents == 5
    assert ids(ix, "мост") == {"brief-1"}
    write(briefs, json.dumps(records[1], ensure_ascii=False))
    report = ix.index_path(docs)
    assert (report.updated, report.unchanged, report.documents) == (1, 3, 1)
    assert ids(ix, "мост") == set()
    assert ids(ix, "ярмарка") == {"brief-2"}


def test_bad_files_are_reported_and_the_rest_is_indexed(make_index: MakeIndex, docs: Path) -> None:
    write(docs / "broken.json", '{"id": "x", "text": ')
    write(docs / "image.txt", b"GIF89a\x00\x00\x01\x00")
    write(docs / "empty.md", "")
    write(docs / "records.jsonl", '{"id": "ok-1", "text": "Встреча в Анкоридже."}\nnot json\n')
    write(docs / "table.csv", "id,title\n1,Без текста\n")
    os.symlink(docs / "missing-target.txt", docs / "dangling.txt")
    ix = make_index()
    report = ix.index_path(docs)
    reasons = {s.path: s.reason for s in report.skipped}
    assert set(reasons) == {"docs/broken.json", "docs/image.txt", "docs/empty.md", "docs/records.jsonl",
                            "docs/table.csv", "docs/dangling.txt"}
    assert "invalid JSON" in reasons["docs/broken.json"]
    assert "binary" in reasons["docs/image.txt"]
    assert "empty" in reasons["docs/empty.md"]
    assert reasons["docs/records.jsonl"].startswith("line 2")
    assert "text" in reasons["docs/table.csv"]
    assert "cannot read" in reasons["docs/dangling.txt"]
    assert all(isinstance(s, Skipped) for s in report.skipped)
    assert ids(ix, "Анкоридж") == {"ok-1"}
    assert ix.doc_count() == 4
    assert report.documents == 4


def test_one_unanalysable_file_does_not_abort_the_sync(make_index: MakeIndex, docs: Path) -> None:
    """A Tangut ideograph (U+17000) makes pymorphy3 raise; the other files must still be indexed."""
    write(docs / "tangut.txt", "Тангутское письмо: \U00017000 — иероглиф из словаря.")
    ix = make_index()
    report = ix.index_path(docs)
    assert ids(ix, "выпускники") == {"docs/meeting.txt"}
    assert ids(ix, "сталь") == {"docs/industry/steel.txt"}
    assert ids(ix, "тангутский") == {"docs/tangut.txt"} or any(s.path == "docs/tangut.txt" for s in report.skipped)


def test_skipped_files_are_not_counted_as_added(make_index: MakeIndex, docs: Path) -> None:
    """A file that yields no document was not added: a rerun over unchanged files must add nothing."""
    write(docs / "broken.json", '{"id": "x", "text": ')
    write(docs / "image.txt", b"GIF89a\x00\x00\x01\x00")
    ix = make_index()
    first = ix.index_path(docs)
    assert first.added == 3, first
    second = ix.index_path(docs)
    assert second.added == 0, second
    assert len(second.skipped) == 2


def test_renamed_record_file_keeps_its_records_searchable(make_index: MakeIndex, docs: Path) -> None:
    """Renaming a .jsonl file moves its records (same ids) to another file; one sync must keep them."""
    old = write(docs / "briefs.jsonl", '{"id": "brief-1", "text": "Губернаторы обсудили строительство моста."}\n')
    ix = make_index()
    ix.index_path(docs)
    assert ids(ix, "мост") == {"brief-1"}
    old.rename(docs / "news-briefs.jsonl")
    report = ix.index_path(docs)
    assert report.removed == 1
    assert ids(ix, "мост") == {"brief-1"}, report.skipped
    (hit,) = ix.search("мост").hits
    assert hit.path == "docs/news-briefs.jsonl"


def test_duplicate_record_id_in_two_files_is_reported(make_index: MakeIndex, docs: Path) -> None:
    write(docs / "a.jsonl", '{"id": "dup", "text": "Первая запись про сталь."}\n')
    write(docs / "b.jsonl", '{"id": "dup", "text": "Вторая запись про встречу."}\n')
    ix = make_index()
    report = ix.index_path(docs)
    assert [(s.path, "already used by docs/a.jsonl" in s.reason) for s in report.skipped] == [("docs/b.jsonl", True)]
    assert ids(ix, "запись") == {"dup"}
    assert ix.doc_count() == 4


def test_indexing_a_single_file(make_index: MakeIndex, docs: Path) -> None:
    ix = make_index()
    report = ix.index_path(docs / "pie.md")
    assert report.added == 1
    assert ids(ix, "капуста") == {"pie.md"}
    (docs / "pie.md").unlink()
    assert ix.index_path(docs / "pie.md").removed == 1
    assert ix.doc_count() == 0


def test_progress_callback(make_index: MakeIndex, docs: Path) -> None:
    seen = []
    make_index().index_path(docs, progress=seen.append)
    assert [p.files_done for p in seen] == [1, 2, 3]  # after each file, though all three make one commit
    assert seen[-1].files_done == seen[-1].files_total == 3
    assert seen[-1].documents == 3
    assert seen[-1].bytes_done == seen[-1].bytes_total > 0


# --- opening, settings ------------------------------------------------------------------------------------

def test_open_missing_index_raises(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="no searchkit index"):
        Index.open(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexNotFoundError):
        Index.open(tmp_path / "empty")


def test_settings_are_saved_with_the_index(tmp_path: Path) -> None:
    settings = Settings(analyzer=AnalyzerSettings(stopwords=False), ranking=RankingSettings(title_boost=3.0))
    Index.create(tmp_path / "ix", settings).close()
    saved = json.loads((tmp_path / "ix" / SETTINGS_FILE).read_text(encoding="utf-8"))
    assert saved["schema_version"] == SCHEMA_VERSION
    assert saved["analyzer"] == {"terms": "weighted-lemmas", "stopwords": False, "stem_unknown": True,
                                 "exact_forms": False}
    assert saved["ranking"]["title_boost"] == 3.0
    with Index.open(tmp_path / "ix") as ix:
        assert ix.settings == settings


def test_analyzer_settings_are_checked_ranking_settings_may_change(tmp_path: Path) -> None:
    Index.create(tmp_path / "ix").close()
    with pytest.raises(IncompatibleIndexError):
        Index.open(tmp_path / "ix", Settings(analyzer=AnalyzerSettings(stopwords=False)))
    with Index.open(tmp_path / "ix", Settings().with_ranking(k1=2.0)) as ix:
        assert ix.settings.ranking.k1 == 2.0


def test_index_with_other_schema_version_is_refused(tmp_path: Path) -> None:
    Index.create(tmp_path / "ix").close()
    path = tmp_path / "ix" / SETTINGS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema_version"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IncompatibleIndexError, match="schema version"):
        Index.open(tmp_path / "ix")


def test_index_without_stop_words_finds_them(make_index: MakeIndex) -> None:
    ix = make_index(settings=Settings(analyzer=AnalyzerSettings(stopwords=False)))
    ix.add([{"id": "a", "text": "Это было давно и неправда."}])
    assert ids(ix, "и") == {"a"}


# --- the library's add and delete -------------------------------------------------------------------------

def test_add_records(make_index: MakeIndex) -> None:
    ix = make_index()
    count = ix.add([
        {"id": "n1", "title": "Встреча в Анкоридже", "text": "Президенты России и США встретились на Аляске.",
         "date": "2025-08-15"},
        {"id": "n2", "text": "Завод выпускает листовую сталь."},
    ])
    assert count == 2
    (hit,) = ix.search("встречей").hits
    assert (hit.id, hit.title, hit.date, hit.path) == ("n1", "Встреча в Анкоридже", dt.date(2025, 8, 15), "")
    (steel,) = ix.search("стали").hits
    assert steel.id == "n2" and steel.title == "Завод выпускает листовую сталь."


def test_add_document_objects(make_index: MakeIndex, docs: Path) -> None:
    ix = make_index()
    documents = [item for item in load(docs) if isinstance(item, Document)]
    assert ix.add(documents) == 3
    assert ids(ix, "выпускников") == {"docs/meeting.txt"}


def test_add_replaces_a_document_with_the_same_id(make_index: MakeIndex) -> None:
    ix = make_index()
    ix.add([{"id": "n1", "title": "Встреча в Анкоридже", "text": "Президенты встретились на Аляске."},
            {"id": "n2", "text": "Завод выпускает сталь."}])
    ix.add([{"id": "n1", "title": "Переговоры перенесены", "text": "Переговоры перенесены на осень."}])
    assert ix.doc_count() == 2
    assert ids(ix, "Аляска") == set()
    assert ids(ix, "встреча") == set()
    (hit,) = ix.search("переговоры").hits
    assert (hit.id, hit.title) == ("n1", "Переговоры перенесены")


def test_add_same_id_twice_in_one_call_keeps_the_last(make_index: MakeIndex) -> None:
    ix = make_index()
    ix.add([{"id": "d", "text": "Первая версия: цены на сталь."},
            {"id": "d", "text": "Вторая версия: встреча в Анкоридже."}])
    assert ix.doc_count() == 1
    assert ids(ix, "сталь") == set()
    assert ids(ix, "встреча") == {"d"}


def test_add_rejects_a_record_without_text(make_index: MakeIndex) -> None:
    ix = make_index()
    with pytest.raises(ValueError, match="text"):
        ix.add([{"id": "x", "title": "Без текста"}])
    with pytest.raises(ValueError, match="date"):
        ix.add([{"id": "y", "text": "Дата неверна.", "date": "15 августа"}])
    assert ix.doc_count() == 0


def test_delete(make_index: MakeIndex) -> None:
    ix = make_index()
    ix.add([{"id": "n1", "text": "Встреча в Анкоридже."}, {"id": "n2", "text": "Завод выпускает сталь."}])
    assert ix.delete(["n2", "no-such-id"]) == 1
    assert ids(ix, "сталь") == set()
    assert ids(ix, "Анкоридж") == {"n1"}
    assert ix.doc_count() == 1
    assert ix.delete(["n2"]) == 0


# --- parallel indexing, stats -----------------------------------------------------------------------------

QUERIES = ["встреча Путина и Трампа", "стали", "Анкоридж", "ёлка", '"встречи на высшем уровне"', "встреч*",
           "Ростов-на-Дону", "title:аляска", "date:2025-08", "Путин -Трамп"]


def test_parallel_indexing_gives_the_same_results(make_index: MakeIndex, corpus_dir: Path,
                                                  corpus_index: Index) -> None:
    parallel = make_index()
    report = parallel.index_path(corpus_dir, processes=2)
    assert report.skipped == []
    assert parallel.doc_count() == corpus_index.doc_count()
    for query in QUERIES:
        one = corpus_index.search(query, limit=50)
        two = parallel.search(query, limit=50)
        assert one.total == two.total, query
        assert [(h.id, round(h.score, 6)) for h in one.hits] == [(h.id, round(h.score, 6)) for h in two.hits], query
        assert [h.snippet for h in one.hits] == [h.snippet for h in two.hits], query


def test_stats(corpus_index: Index, corpus_index_path: Path, corpus_dir: Path) -> None:
    expected = sum(1 for item in load(corpus_dir) if isinstance(item, Document))
    stats = corpus_index.stats()
    assert stats.documents == expected == corpus_index.doc_count()
    assert stats.path == str(corpus_index_path)
    assert stats.terms > 1000
    assert stats.size_bytes == sum(p.stat().st_size for p in corpus_index_path.iterdir() if p.is_file())
    assert stats.last_update is not None and stats.last_update.tzinfo is not None


def test_stats_of_a_small_index(make_index: MakeIndex) -> None:
    ix = make_index()
    ix.add([{"id": "a", "title": "Сталь", "text": "Сталь подорожала."}])
    stats = ix.stats()
    assert stats.documents == 1
    # title: сталь; body: сталь, подорожать (+ whatever else the form's readings give) — a handful of terms
    assert 2 <= stats.terms <= 10


def test_workers_start_a_new_segment_when_their_postings_fill_memory(make_index: MakeIndex, corpus_dir: Path,
                                                                     corpus_index: Index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from searchkit.backends.whoosh import writing

    sync = importlib.import_module("searchkit.index.sync")  # the package's ``sync`` is the function

    # Workers are forked, so they see these: every input goes to them, and a few documents fill a segment.
    monkeypatch.setattr(sync, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(writing, "WORKER_MEMORY_MB", 0.05)
    parallel = make_index()
    assert parallel.index_path(corpus_dir, processes=2).skipped == []
    assert len(list(parallel.backend.context().reader.leaf_readers())) > 4
    assert parallel.doc_count() == corpus_index.doc_count()
    for query in QUERIES:
        one, many = corpus_index.search(query, limit=50), parallel.search(query, limit=50)
        assert one.total == many.total, query
        assert [(h.id, round(h.score, 6)) for h in one.hits] == [(h.id, round(h.score, 6)) for h in many.hits], query


def test_files_are_read_in_the_worker_processes(make_index: MakeIndex, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Extraction (a PDF's or a Word file's text) runs where the analysis does, on every core; files whose
    records carry ids of their own are read by the indexer itself, which checks that no two files claim one id."""
    import importlib
    import os

    from searchkit.documents import make_document, registry

    sync = importlib.import_module("searchkit.index.sync")
    monkeypatch.setattr(sync, "PARALLEL_MIN_BYTES", 0)

    @registry.binary_reader(".pidtest", name="test", library="test")
    def read_pid(source, stream):  # type: ignore[no-untyped-def]
        yield make_document(source.id, None, f"Прочитано процессом номер {os.getpid()}. {stream.read().decode()}",
                            None, source.id, "pidtest", "")

    try:
        folder = tmp_path / "docs"
        for n in range(6):
            write(folder / f"file-{n}.pidtest", f"Письмо архивариуса {n}.")
        write(folder / "records.jsonl", json.dumps({"id": "rec-1", "text": "Запись архивариуса."}, ensure_ascii=False))
        ix = make_index()
        report = ix.index_path(folder, processes=2)
        assert (report.added, report.documents, report.skipped) == (7, 7, [])
        readers = {ix.document(f"docs/file-{n}.pidtest")[0].body.split()[3].rstrip(".") for n in range(6)}
        assert str(os.getpid()) not in readers and len(readers) >= 1
        assert ids(ix, "архивариус") == {*(f"docs/file-{n}.pidtest" for n in range(6)), "rec-1"}
        write(folder / "file-0.pidtest", "Письмо переписано.")
        (folder / "file-1.pidtest").unlink()
        again = ix.index_path(folder, processes=2)
        assert (again.updated, again.removed, again.unchanged) == (1, 1, 5)
    finally:
        registry._readers.pop(".pidtest", None)


def test_a_commit_reaches_the_disk_before_it_is_reported(make_index: MakeIndex, corpus_dir: Path,
                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The new segments' files are fsynced before the table of contents that lists them, the table and the
    folder after it, with and without worker processes (Whoosh itself never calls fsync)."""
    import importlib
    import os

    synced: list[str] = []
    real = os.fsync

    def spy(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real(descriptor)

    monkeypatch.setattr(os, "fsync", spy)
    monkeypatch.setattr(importlib.import_module("searchkit.index.sync"), "PARALLEL_MIN_BYTES", 0)
    for processes in (1, 2):
        synced.clear()
        ix = make_index()
        ix.index_path(corpus_dir, processes=processes)
        names = [Path(path).name for path in synced]
        tocs = [n for n, name in enumerate(names) if name.endswith(".toc")]
        segments = [n for n, name in enumerate(names) if name.endswith(".seg")]
        assert tocs and segments and max(segments) < tocs[-1], names  # the segments first
        assert synced[tocs[-1] + 1] == str(ix.path), names  # then the folder, after the table
        on_disk = {name for name in os.listdir(ix.path) if name.endswith(".seg")}
        assert on_disk <= set(names), (on_disk, names)  # every segment the commit lists
