"""The index records the files and folders it was built from: ``searchkit index`` with no path syncs them again,
and ``--rebuild`` builds the index anew from them, keeping the documents added through the library (read back
from their stored fields, even from an index of another schema version or with a damaged segment), and leaving
the old index as it was when the rebuild is interrupted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from searchkit import Index, Progress, RebuildInterrupted, Settings
from tests.conftest import run_cli

LETTERS = {
    "archive/letters/2024-03-01-kupets.txt": "Письмо купца\n\nКупец писал о ярмарке в Нижнем Новгороде и ценах на хлеб.",
    "archive/letters/2024-05-12-doktor.txt": "Записка доктора\n\nДоктор лечил крестьян от лихорадки всю весну.",
    "archive/drafts/chernovik.txt": "Черновик\n\nНеоконченный черновик о ярмарке, который не нужно искать.",
}


def make_archive(root: Path) -> Path:
    for name, text in LETTERS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "archive"


def ids(ix: Index, query: str) -> set[str]:
    return {hit.id for hit in ix.search(query, limit=100, snippets=False)}


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands run in ``tmp_path``, which has a ./corpus of its own that must not be indexed by mistake."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "other.txt").write_text("Чужой текст про ярмарку.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHKIT_INDEX", raising=False)
    return tmp_path


def test_index_records_its_folders_with_their_options_and_syncs_them_with_no_path(in_folder: Path) -> None:
    archive = make_archive(in_folder)
    code, _, stderr = run_cli("index", "--exclude", "drafts/", str(archive))
    assert code == 0, stderr
    recorded = json.loads((in_folder / "index" / "searchkit.json").read_text(encoding="utf-8"))["sources"]
    assert recorded == [{"path": str(archive), "exclude": ["drafts/"], "hidden": False, "html": "main"}]

    (archive / "letters" / "2024-06-02-uchitel.txt").write_text("Учитель\n\nУчитель купил книги на ярмарке.",
                                                               encoding="utf-8")
    (archive / "letters" / "2024-05-12-doktor.txt").unlink()
    code, _, stderr = run_cli("index")  # no path: the recorded folder, with its exclusion, not ./corpus
    assert code == 0, stderr
    assert "1 added" in stderr and "1 removed" in stderr and "1 unchanged" in stderr, stderr
    with Index.open(in_folder / "index") as ix:
        assert ids(ix, "ярмарка") == {"archive/letters/2024-03-01-kupets.txt", "archive/letters/2024-06-02-uchitel.txt"}
        assert ix.search("лихорадка").total == 0
        assert [Path(source.path) for source in ix.sources] == [archive]


def test_a_recorded_folder_that_is_gone_is_an_error_not_a_reason_to_empty_the_index(in_folder: Path) -> None:
    archive = make_archive(in_folder)
    assert run_cli("index", str(archive))[0] == 0
    archive.rename(in_folder / "unmounted")
    code, _, stderr = run_cli("index")
    assert code == 2 and "recorded in the index" in stderr and str(archive) in stderr.replace("\n", ""), stderr
    with Index.open(in_folder / "index") as ix:
        assert ix.doc_count() == 3


def test_a_new_index_with_no_path_indexes_corpus(in_folder: Path) -> None:
    code, _, stderr = run_cli("index")
    assert code == 0, stderr
    with Index.open(in_folder / "index") as ix:
        assert ids(ix, "ярмарки") == {"corpus/other.txt"}


def test_an_interrupted_first_run_is_completed_by_index_with_no_path(in_folder: Path) -> None:
    archive = make_archive(in_folder)

    def stop_after_first(progress: Progress) -> None:
        if progress.files_done == 2:  # the first file committed, the second not yet
            raise KeyboardInterrupt

    with Index.create(in_folder / "index") as ix, pytest.raises(KeyboardInterrupt):
        ix.index_path(archive, commit_bytes=1, progress=stop_after_first)
    with Index.open(in_folder / "index") as ix:
        assert ix.doc_count() == 1
    code, _, stderr = run_cli("index")
    assert code == 0 and "2 added" in stderr and "1 unchanged" in stderr, stderr


def test_rebuild_from_the_recorded_folders_keeps_documents_added_through_the_library(in_folder: Path) -> None:
    archive = make_archive(in_folder)
    assert run_cli("index", str(archive))[0] == 0
    with Index.open(in_folder / "index") as ix:
        ix.add([{"id": "note-1", "title": "Заметка архивиста", "date": "2024-07-01",
                 "text": "Архивист отметил, что письма купцов хранятся в третьей описи."}])
    (archive / "drafts" / "chernovik.txt").unlink()
    (in_folder / "index" / "synonyms.txt").write_text("опись, реестр\n", encoding="utf-8")
    (in_folder / "index" / ".gitkeep").touch()  # as the repository's own index/ folder has
    code, _, stderr = run_cli("index", "--rebuild")
    assert code == 0, stderr
    assert "2 added" in stderr and "kept 1 documents added through the library" in stderr, stderr
    with Index.open(in_folder / "index") as ix:
        assert ix.doc_count() == 3
        note = ix.search("архивист третья опись").hits[0]
        assert note.id == "note-1" and note.title == "Заметка архивиста" and str(note.date) == "2024-07-01"
        assert ids(ix, "черновик") == set()
        assert ids(ix, "реестр") == {"note-1"}  # the index's own synonyms went with it
    assert (in_folder / "index" / ".gitkeep").is_file()
    assert [entry.name for entry in in_folder.iterdir() if entry.name.startswith(".rebuilding")] == []


def test_rebuild_reads_back_documents_from_an_index_of_another_schema_version(in_folder: Path) -> None:
    indexed_with_a_note(in_folder)
    settings = in_folder / "index" / "searchkit.json"
    data = json.loads(settings.read_text(encoding="utf-8"))
    data["schema_version"] -= 1  # as an index written by the previous searchkit
    settings.write_text(json.dumps(data), encoding="utf-8")
    code, _, stderr = run_cli("search", "купец", "--index", "index")
    assert code == 2 and "rebuild" in stderr
    code, _, stderr = run_cli("index", "--rebuild")
    assert code == 0 and "kept 1 documents" in stderr, stderr
    with Index.open(in_folder / "index") as ix:
        assert ids(ix, "опись") == {"note-1"} and ix.doc_count() == 4


def indexed_with_a_note(folder: Path) -> Path:
    """An index of the archive plus a note added through the library, in a segment of its own."""
    index = folder / "index"
    with Index.create(index) as ix:
        ix.index_path(make_archive(folder))
        ix.add([{"id": "note-1", "text": "Опись писем купцов, составленная архивистом."}])
    return index


def test_rebuild_of_a_damaged_index_says_what_was_lost(in_folder: Path) -> None:
    index = indexed_with_a_note(in_folder)
    segment = max(index.glob("*.seg"), key=lambda path: path.stat().st_mtime)  # the note's segment
    segment.write_bytes(segment.read_bytes()[:100])
    assert not Index.check(index).ok
    code, _, stderr = run_cli("index", "--rebuild")
    assert code == 0, stderr
    assert "lost: segment" in stderr and "cannot be read" in stderr, stderr
    with Index.open(index) as ix:
        assert ix.doc_count() == 3 and Index.check(index).ok  # the files' documents are read again


def test_an_interrupted_rebuild_leaves_the_old_index_as_it_was(in_folder: Path) -> None:
    index = indexed_with_a_note(in_folder)
    before = sorted(os.listdir(index))

    def stop_after_first(progress: Progress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(RebuildInterrupted):
        Index.rebuild(index, progress=stop_after_first)
    assert sorted(os.listdir(index)) == before
    assert [entry.name for entry in in_folder.iterdir() if entry.name.startswith(".rebuilding")] == []
    with Index.open(index) as ix:
        assert ix.doc_count() == 4 and ids(ix, "опись") == {"note-1"}


def test_rebuild_with_other_analyzer_settings(in_folder: Path) -> None:
    archive = make_archive(in_folder)
    with Index.create(in_folder / "index") as ix:
        ix.index_path(archive)
    Index.rebuild(in_folder / "index", settings=Settings.salvage(in_folder / "index").with_ranking(k1=1.2))
    with Index.open(in_folder / "index") as ix:
        assert ix.settings.ranking.k1 == 1.2 and ix.doc_count() == 3 and len(ix.sources) == 1
