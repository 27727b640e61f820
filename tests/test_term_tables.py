"""Each segment's table of terms: written with the segment, read by searches instead of Whoosh's lookups, and
answering exactly as they would; a segment without one, or with a damaged one, costs nothing but speed."""

from __future__ import annotations

from pathlib import Path

from searchkit import Index
from searchkit.backends.whoosh.term_tables import SUFFIX, CommitTerms

from .conftest import run_cli

QUERIES = ["встреча президентов", "сталь", "Северная звезда", "переговоры о зерне", "выпускники училища",
           "строительство моста", "Анкоридж"]


def tables(index: Path) -> list[Path]:
    return sorted(index.glob(f"*{SUFFIX}"))


def with_and_without_tables(ix: Index) -> tuple[CommitTerms, CommitTerms]:
    ranker = ix.backend.context().ranker
    return ranker.terms, CommitTerms(ranker._leaves, None)


def answers(ix: Index) -> list[tuple[str, list[tuple[str, float]], dict]]:
    """Each query's hits (id and score) and its plan (corrections, roots and prefixes), as a search gives them."""
    out = []
    for query in QUERIES + ["встечей президентав", "строит*"]:
        results = ix.search(query, limit=20)
        assert results.plan is not None
        out.append((query, [(hit.id, round(hit.score, 6)) for hit in results.hits], results.plan.to_json()))
    return out


def test_every_segment_gets_a_table_that_answers_as_whoosh_does(tmp_path: Path, corpus_dir: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.index_path(corpus_dir, processes=2)  # the workers' segments
        ix.add([{"id": "extra", "title": "Сталь и стали", "text": "Сталевары Северо-Западного завода стали "
                 "выплавлять сталь быстрее."}])  # a segment of this process's own
        segments = sorted(p.stem for p in path.glob("*.seg"))
        assert len(segments) >= 2 and [p.stem for p in tables(path)] == segments
        fast, slow = with_and_without_tables(ix)
        for field, prefix in [("body", "стал"), ("body", "встреч"), ("title", "сталь"), ("body", "северо"),
                              ("body", "=стал"), ("author", ""), ("body", "")]:
            assert fast.terms(field, prefix) == slow.terms(field, prefix), (field, prefix)
            assert fast.terms_with_frequencies(field, prefix) == slow.terms_with_frequencies(field, prefix)
        found = fast.terms("body", "стал")
        assert {"сталь", "сталевар"} <= set(found)
        for term in found + ["нетакогослова"]:
            assert fast.doc_frequency("body", term) == slow.doc_frequency("body", term)
            for got, expected in zip(fast.postings("body", term), slow.postings("body", term)):
                assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
        assert fast.doc_frequency("body", "сталь") >= 2
        assert [len(found) for found in fast.postings("body", "нетакогослова")] == [0, 0]


def test_a_segment_without_its_table_is_searched_the_same(tmp_path: Path, corpus_dir: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.index_path(corpus_dir, processes=2)
        before = answers(ix)
    written = tables(path)
    written[0].unlink()  # as an index written before tables were, or a table removed after check named it
    with Index.open(path) as ix:
        assert answers(ix) == before
        ix.add([{"id": "late", "text": "Встреча президентов прошла в Анкоридже."}])  # the next commit
    assert [p.stem for p in tables(path)] == sorted(p.stem for p in path.glob("*.seg"))  # writes it anew


def test_check_names_a_damaged_table_and_searches_answer_without_it(tmp_path: Path, corpus_dir: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.index_path(corpus_dir)
        before = answers(ix)
    table = tables(path)[0]
    table.write_bytes(b"\0" * 64)
    code, out, _ = run_cli("check", "--index", str(path))
    assert code == 1 and f"damaged: {table}: the table of terms does not match its segment" in out
    with Index.open(path) as ix:
        assert answers(ix) == before  # the segment itself answers


def test_a_table_written_again_counts_deleted_documents_as_whoosh_does(tmp_path: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.add([{"id": f"a{i}", "text": "Мост через реку построили за год." + (" Уникальный пролёт." if i == 0 else "")}
                for i in range(3)])
        ix.delete(["a0"])  # Whoosh keeps counting a deleted document in the terms' frequencies
    for table in tables(path):
        table.unlink()  # as in an index written before tables were
    with Index.open(path) as ix:
        ix.add([{"id": "b", "text": "Уникальный мост открыли весной."}])  # this commit writes the tables again
        assert len(tables(path)) == 2
        context = ix.backend.context()
        fast, slow = with_and_without_tables(ix)
        for term in fast.terms("body", ""):
            assert fast.doc_frequency("body", term) == context.reader.doc_frequency("body", term), term
            assert [found.tolist() for found in fast.postings("body", term)] == \
                [found.tolist() for found in slow.postings("body", term)], term
        assert fast.doc_frequency("body", "уникальный") == 2
        assert [hit.id for hit in ix.search("уникальный пролёт").hits] == ["b"]


def test_a_table_that_cannot_be_written_costs_the_commit_nothing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from searchkit.backends.whoosh import term_tables

    def disk_full(self: object, path: str) -> None:
        Path(path + term_tables.PARTIAL).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(term_tables._Postings, "write", disk_full)
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.add([{"id": "a", "text": "Встреча президентов прошла в Анкоридже."}])
        assert [hit.id for hit in ix.search("встреча президента").hits] == ["a"]
    assert tables(path) == [] and not list(path.glob("*_partial"))
