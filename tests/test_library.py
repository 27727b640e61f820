"""The library as the README shows it: ``from searchkit import Index``, create, add, search, close."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import searchkit
from searchkit import Index, IndexNotFoundError, QueryError

NEWS = [
    {"id": "summit", "title": "Встреча в Анкоридже", "date": "2025-08-15",
     "text": "Президенты России и США провели встречу в Анкоридже. Переговоры на Аляске длились почти три часа."},
    {"id": "steel", "title": "Новая электропечь",
     "text": "На заводе запустили электропечь: она будет выплавлять до полутора миллионов тонн стали в год."},
    {"id": "tree", "title": "Ёлка на площади", "date": "2024-12-20",
     "text": "На главной площади города установили новогоднюю елку высотой двадцать метров."},
]


def test_readme_example(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        assert ix.add(NEWS) == 3
        results = ix.search("встреча президентов")
    assert results.total == 1
    (hit,) = results.hits
    assert hit.rank == 1 and hit.score > 0
    assert (hit.id, hit.title, hit.date, hit.path) == ("summit", "Встреча в Анкоридже", dt.date(2025, 8, 15), "")
    marked = hit.snippet.marked()
    assert "[встречу]" in marked and "[Президенты]" in marked
    assert [hit.title[s.start:s.end] for s in hit.title_highlights] == ["Встреча"]
    assert hit.snippet.marked(lambda word: f"<b>{word}</b>").count("<b>") == marked.count("[")


def test_readme_library_example(tmp_path: Path) -> None:
    with Index.create(tmp_path / "searchkit-demo") as ix:
        ix.add([
            {"id": "n1", "title": "Саммит на Аляске", "date": "2025-08-15",
             "text": "Встреча президентов прошла в Анкоридже."},
            {"id": "n2", "title": "Металлургия", "text": "Заводы выпускают сталь; цены на сталь стали расти."},
        ])
        results = ix.search("встречи в Анкоридж")
        terms = [token.terms for token in ix.analyze("стали")]
    assert [(hit.rank, hit.id, hit.title, hit.date) for hit in results.hits] == [
        (1, "n1", "Саммит на Аляске", dt.date(2025, 8, 15))]
    (hit,) = results.hits
    (fragment,) = hit.snippet.fragments
    assert [fragment.text[s.start - fragment.start:s.end - fragment.start] for s in fragment.highlights] == [
        "Встреча", "Анкоридже"]
    marked = hit.snippet.marked(lambda word: f"**{word}**")
    assert "**Встреча**" in marked and "**Анкоридже**" in marked and "**прошла**" not in marked
    assert terms == [("стать", "сталь")]


def test_reopened_index_keeps_the_documents(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add(NEWS)
    with Index.open(tmp_path / "index") as ix:
        assert ix.doc_count() == 3
        (hit,) = ix.search("сталь").hits
        assert hit.id == "steel" and hit.date is None
        assert "[стали]" in hit.snippet.marked()
        assert [h.id for h in ix.search("ёлка").hits] == ["tree"]


def test_hits_are_plain_values(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add(NEWS)
        results = ix.search("Аляска OR елка")
    assert {hit.id for hit in results.hits} == {"summit", "tree"}
    for hit in results.hits:
        assert isinstance(hit.snippet, searchkit.Snippet)
        assert hit.to_json()["id"] == hit.id
    assert results.query == "Аляска OR елка"
    assert results.seconds >= 0


def test_context_manager_closes_the_index(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add(NEWS)
        ix.search("Аляска")
        context = ix.backend.context()
        assert not context.searcher.is_closed
    assert context.searcher.is_closed


def test_analyze_through_the_index(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        tokens = ix.analyze("Стали ли встречей")
    assert [t.surface for t in tokens] == ["Стали", "ли", "встречей"]
    assert tokens[2].terms == ("встреча",)


def test_library_errors(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError):
        Index.open(tmp_path / "missing")
    with Index.create(tmp_path / "index") as ix:
        ix.add(NEWS)
        with pytest.raises(QueryError) as caught:
            ix.search('"встреча в Анкоридже')
    assert caught.value.position == 0
    assert isinstance(caught.value, searchkit.SearchkitError)


def test_public_names() -> None:
    for name in searchkit.__all__:
        assert hasattr(searchkit, name), name
    for name in ("Index", "Document", "Skipped", "Hit", "SearchResults", "Snippet", "Settings", "AnalyzerSettings",
                 "RankingSettings", "QueryError", "IndexNotFoundError", "IndexLockedError", "IncompatibleIndexError",
                 "DocumentError", "DocumentNotFoundError", "SettingsError", "SearchkitError", "__version__"):
        assert name in searchkit.__all__, name


def test_results_are_the_sequence_of_hits_shown(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add(NEWS + [{"id": f"more-{n}", "text": f"Встреча номер {n} прошла на площади."} for n in range(5)])
        results = ix.search("встреча", limit=3)
    assert len(results) == len(results.hits) == 3 and results.total == 6
    assert list(results) == results.hits and results[0] is results.hits[0] and results[-1].rank == 3
    assert [hit.rank for hit in results[1:]] == [2, 3]
    assert results.generation > 0 and results.to_json()["generation"] == results.generation


def test_explain_document_complete_and_delete(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add(NEWS)
        explanation = ix.explain("встречи в Анкоридже", "summit")
        assert explanation.score == pytest.approx(ix.search("встречи в Анкоридже")[0].score)
        assert {w.text for w in explanation.words} == {"встречи", "Анкоридже"}
        document, spans = ix.document("summit", "встреча Анкоридж")
        assert document.title == "Встреча в Анкоридже" and document.date == dt.date(2025, 8, 15)
        assert [document.body[s.start:s.end] for s in spans] == ["встречу", "Анкоридже"]
        assert ix.document("summit")[1] == ()
        assert ("встреча", 1) in ix.complete("встр")
        assert ix.complete("ЁЛ") == [("елка", 1)]  # folded: case and ё
        assert ix.delete(["steel", "no-such-id"]) == 1
        assert ix.search("сталь").total == 0 and ix.doc_count() == 2
        assert sorted(d.id for d in ix.documents()) == ["summit", "tree"]
        with pytest.raises(searchkit.DocumentNotFoundError, match="'steel'") as missing:
            ix.document("steel")
        assert isinstance(missing.value, LookupError)
        with pytest.raises(searchkit.DocumentNotFoundError):
            ix.explain("сталь", "steel")


def test_errors_are_one_hierarchy_with_the_built_ins(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError) as missing:
        Index.open(tmp_path / "missing")
    assert isinstance(missing.value, FileNotFoundError) and isinstance(missing.value, searchkit.NotFoundError)
    assert str(missing.value).startswith("no searchkit index in")
    with Index.create(tmp_path / "index") as ix:
        with pytest.raises(searchkit.DocumentError, match="'text'") as bad:
            ix.add([{"id": "x"}])
        assert isinstance(bad.value, ValueError)
        with pytest.raises(ValueError):  # a QueryError is a ValueError too
            ix.search("title:(Аляска")
    with pytest.raises(searchkit.SettingsError, match="k1"):
        searchkit.RankingSettings(k1=-1)
    assert issubclass(searchkit.IndexLockedError, TimeoutError)
    for error in (searchkit.DocumentError, searchkit.NotFoundError, searchkit.IndexLockedError,
                  searchkit.IncompatibleIndexError, searchkit.QueryError, searchkit.SettingsError):
        assert issubclass(error, searchkit.SearchkitError)
