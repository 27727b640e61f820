"""What only a cluster index has: its commit in a state document, its mapping's version, its vocabulary, the
command line, the REPL and the server pointed at a URL, and its ranking beside the embedded index's."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from searchkit import IncompatibleIndexError, Index, IndexLockedError, RebuildInterrupted
from searchkit.documents import Document
from tests.cluster import *  # noqa: F401,F403
from tests.conftest import SEED_ID, run_cli
from tests.serving import Server

pytestmark = pytest.mark.opensearch

NEWS = [
    {"id": "summit", "title": "Встреча в Анкоридже", "date": "2025-08-15",
     "text": "Президенты России и США провели встречу в Анкоридже. Переговоры на Аляске длились почти три часа."},
    {"id": "steel", "title": "Новая электропечь", "date": "2025-03-02",
     "text": "На заводе запустили электропечь: она будет выплавлять до полутора миллионов тонн стали в год."},
]


def raw_count(ix: Index) -> int:
    """Every document the cluster holds for the index, committed or not."""
    backend = ix.backend
    backend.client.indices.refresh(index=backend.names.documents)
    return int(backend.client.count(index=backend.names.documents)["count"])


@pytest.fixture(scope="module")
def embedded_corpus(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Index:
    with Index.create(tmp_path_factory.mktemp("embedded") / "index") as ix:
        ix.index_path(corpus_dir, processes=1)
        yield ix


@pytest.mark.parametrize("query", ["встреча Путина и Трампа", "стали", "Анкоридж", "метеорный поток",
                                   '"встреча на вокзале"', "саммит NOT Сингапур", "Путин OR Ким OR Трамп",
                                   "встреч*", "=стали"])
def test_the_cluster_ranks_the_corpus_as_the_embedded_index_does(corpus_index: Index, embedded_corpus: Index,
                                                                 query: str) -> None:
    on_cluster, embedded = corpus_index.search(query, limit=5), embedded_corpus.search(query, limit=5)
    assert on_cluster.total == embedded.total
    assert [hit.id for hit in on_cluster.hits][:1] == [hit.id for hit in embedded.hits][:1]
    assert len({hit.id for hit in on_cluster.hits} & {hit.id for hit in embedded.hits}) >= min(4, embedded.total)


def test_several_shards_searched_with_global_statistics_rank_as_one(cluster: str, run_name: str, corpus_dir: Path,
                                                                     corpus_index: Index) -> None:
    with Index.create(f"{cluster}/{run_name}-sharded?shards=3&dfs=1") as sharded:
        sharded.index_path(corpus_dir, processes=1)
        for query in ("встреча Путина и Трампа", "стали", "метеорный поток"):
            one, three = corpus_index.search(query, limit=5), sharded.search(query, limit=5)
            assert [hit.id for hit in three.hits] == [hit.id for hit in one.hits]
            assert [hit.score for hit in three.hits] == pytest.approx([hit.score for hit in one.hits], rel=0.02)


def test_a_cancelled_transaction_leaves_the_last_commit(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add(NEWS)
    with pytest.raises(RuntimeError):
        with ix.backend.transaction() as transaction:
            transaction.delete("id", "summit")
            transaction.add(Document(id="tree", title="Ёлка", body="На площади установили новогоднюю ёлку."))
            transaction.finish_adding()
            raise RuntimeError("stopped half-way")
    assert ix.search("встреча").total == 1 and ix.search("ёлка").total == 0
    assert raw_count(ix) == 2
    assert ix.add([{"id": "tree", "text": "На площади установили новогоднюю ёлку."}]) == 1
    assert ix.search("елки").total == 1 and ix.doc_count() == 3


def test_a_writer_that_died_leaves_nothing_visible_and_the_next_one_cleans_up(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add(NEWS)
    code = ("import os, sys; from searchkit import Index; from searchkit.documents import Document\n"
            "ix = Index.open(sys.argv[1])\n"
            "with ix.backend.transaction() as t:\n"
            "    t.delete('id', 'steel')\n"
            "    t.add(Document(id='tree', title='Ёлка', body='На площади установили новогоднюю ёлку.'))\n"
            "    t.finish_adding()\n"
            "    os._exit(9)\n")
    died = subprocess.run([sys.executable, "-c", code, ix.location], capture_output=True, text=True, timeout=120)
    assert died.returncode == 9, died.stderr
    assert ix.search("ёлка").total == 0 and ix.search("сталь").total == 1
    assert raw_count(ix) == 3  # its document is there, invisible, until the next writer
    ix.delete(["summit"])
    assert raw_count(ix) == 1 and ix.search("сталь").total == 1 and ix.search("встреча").total == 0


def test_one_writer_at_a_time(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    with ix.backend.transaction():
        with pytest.raises(IndexLockedError, match="is being written by process"):
            with ix.backend.transaction():
                pass
    assert ix.add(NEWS) == 2


def test_a_changed_file_replaces_its_old_version(make_index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("Сталевары выплавили сталь.", encoding="utf-8")
    (folder / "b.txt").write_text("Встреча на вокзале.", encoding="utf-8")
    ix = make_index()
    assert ix.index_path(folder).added == 2
    (folder / "a.txt").write_text("Метеорный поток над Ростовом-на-Дону.", encoding="utf-8")
    (folder / "b.txt").unlink()
    report = ix.index_path(folder)
    assert (report.updated, report.removed) == (1, 1)
    assert ix.search("сталь").total == 0 and ix.search("метеорный поток").total == 1
    assert ix.doc_count() == 1 and raw_count(ix) == 1


def test_the_vocabulary_serves_prefixes_completion_and_corrections(corpus_index: Index, embedded_corpus: Index) -> None:
    context, embedded = corpus_index.backend.context(), embedded_corpus.backend.context()
    assert list(context.terms_with_frequencies("body", "встреч")) == \
        list(embedded.terms_with_frequencies("body", "встреч"))
    assert corpus_index.complete("Анкор") == embedded_corpus.complete("Анкор")
    corrected = corpus_index.search("Анкориже")
    assert corrected.plan.correction is not None and corrected.plan.query == "Анкоридже"
    assert corrected.plan.to_json() == embedded_corpus.search("Анкориже").plan.to_json()


def test_a_mapping_made_by_another_version_is_refused_with_the_rebuild_command(  # type: ignore[no-untyped-def]
        make_index, tmp_path: Path) -> None:
    ix = make_index()
    location = ix.location
    ix.add(NEWS)
    backend = ix.backend
    backend.client.indices.put_mapping(index=backend.names.documents, body={"_meta": {"searchkit_mapping": 0}})
    with pytest.raises(IncompatibleIndexError, match=f"searchkit --index {location} index --rebuild FOLDER"):
        Index.open(location)
    code, _, err = run_cli("search", "--index", location, "встреча")
    assert code == 2 and "made by another version of searchkit" in err and "Traceback" not in err
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "meeting.txt").write_text("Президенты провели встречу в Анкоридже.", encoding="utf-8")
    code, _, err = run_cli("index", "--index", location, "--rebuild", str(folder))
    assert code == 0, err
    with Index.open(location) as rebuilt:
        assert rebuilt.search("встречи").total == 2  # the file, and the summit added through the library, kept


def test_an_interrupted_rebuild_leaves_the_old_index_answering(make_index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    folder = tmp_path / "docs"
    folder.mkdir()
    for n, text in enumerate(["Президенты провели встречу в Анкоридже.", "Сталевары выплавили сталь.",
                              "Встреча на вокзале."]):
        (folder / f"{n}.txt").write_text(text, encoding="utf-8")
    ix.index_path(folder)

    def interrupt(progress) -> None:  # type: ignore[no-untyped-def]
        if progress.files_done:
            raise KeyboardInterrupt

    with pytest.raises(RebuildInterrupted):
        Index.rebuild(ix.location, folder, progress=interrupt, commit_bytes=1)
    assert ix.search("встреча").total == 2 and ix.search("сталь").total == 1
    client, names = ix.backend.client, ix.backend.names
    first = names.build(1)
    assert sorted(client.indices.get(index=f"{names.documents}.b*")) == sorted(first.all)  # the new build went
    Index.rebuild(ix.location, folder)
    assert sorted(client.indices.get_alias(name=names.documents)) == [names.build(2).documents]
    assert ix.search("встреча").total == 2 and not client.indices.exists(index=first.documents)


def test_the_command_line_on_a_cluster_index(corpus_index_path: str) -> None:
    code, out, _ = run_cli("search", "--index", corpus_index_path, "--json", "встреча Путина и Трампа")
    found = json.loads(out)
    highlighted = [mark["form"] for fragment in found["hits"][0]["snippet"]["fragments"]
                   for mark in fragment["highlights"]]
    assert code == 0 and found["hits"][0]["id"] == SEED_ID and "встречей" in highlighted
    code, out, _ = run_cli("explain", "--index", corpus_index_path, "встреча в Анкоридже", SEED_ID)
    assert code == 0 and "Анкоридж" in out
    code, out, _ = run_cli("stats", "--index", corpus_index_path, "--json")
    stats = json.loads(out)
    assert code == 0 and stats["documents"] > 20 and stats["terms"] > 1000 and stats["index"] == corpus_index_path


def test_the_server_answers_from_a_cluster_index(corpus_index_path: str) -> None:
    server = Server(corpus_index_path)
    try:
        answer = server.client.get("/api/search", params={"q": "встречи в Анкоридже"}).json()
        assert answer["hits"][0]["id"] in {SEED_ID, "corpus/news/2025-08-14-anchorage-preparations.txt"}
        assert server.client.get("/", params={"q": "сталь"}).status_code == 200
    finally:
        assert server.stop()



# --- scores: the cluster's BM25 against the embedded index's --------------------------------------------------

RED_SQUARE = [
    {"id": "square", "text": "Парад прошёл на Красной площади в Москве."},
    {"id": "two", "text": "Красная площадь и Красная гора видны из окна, а площадь перед театром пуста."},
    {"id": "apart", "text": "Площадь города была красная от флагов."},
    {"id": "other", "text": "Зимой в Москве холодно и снежно."},
    {"id": "either", "text": "Приходите в какой-либо день недели."},
    {"id": "neither", "text": "Либо сейчас, либо никогда."},
]


def scores_on_both(make_index: Callable[..., Index], tmp_path: Path, documents: list[dict[str, str]],
                   query: str) -> tuple[dict[str, float], dict[str, float]]:
    """The hits' scores for ``query`` on the cluster and on an embedded index of the same documents."""
    with Index.create(tmp_path / "embedded") as embedded:
        embedded.add(documents)
        expected = {hit.id: hit.score for hit in embedded.search(query).hits}
    cluster = make_index()
    cluster.add(documents)
    return {hit.id: hit.score for hit in cluster.search(query).hits}, expected


@pytest.mark.parametrize("query", ['"красная площадь"', '"красная площадь"~2', "какой-либо", "красная площадь"])
def test_a_phrase_scores_as_its_terms_do_on_the_embedded_index(make_index, tmp_path: Path, query: str) -> None:  # type: ignore[no-untyped-def]
    """A phrase (and a hyphenated word, which is one) adds up its terms' scores with searchkit's idf, as Whoosh's
    matchers do, not Lucene's phrase score; what is left is Lucene's rounding of document lengths to a byte."""
    on_cluster, embedded = scores_on_both(make_index, tmp_path, RED_SQUARE, query)
    assert on_cluster == pytest.approx(embedded, rel=0.05)
    assert list(on_cluster) == list(embedded)


TITLED = [*RED_SQUARE,
          {"id": "guide", "title": "Красная площадь", "text": "Главная площадь страны и её история."},
          {"id": "gum", "title": "Торговые ряды на площади", "text": "Магазины у кремлёвской стены."}]


@pytest.mark.parametrize("query", ["красная", "площадь", '"красная площадь"', "торговые ряды"])
def test_a_title_term_weighs_among_all_documents_as_on_the_embedded_index(make_index, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                          query: str) -> None:
    """Documents without a title still count in the title's N and average length, as in the embedded index (in
    Lucene's own statistics only the documents with a title term would), and a field's length is its number
    of terms however its readings are weighted."""
    on_cluster, embedded = scores_on_both(make_index, tmp_path, TITLED, query)
    assert on_cluster == pytest.approx(embedded, rel=0.1)
    assert list(on_cluster) == list(embedded)
