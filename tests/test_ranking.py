"""The Whoosh backend's array ranker against Whoosh's own matching of the same compiled query: the same documents in
the same order with the same scores, on one segment and on several, with deleted documents, for every kind of
query it evaluates."""

from __future__ import annotations

import gc
import weakref
import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh.scoring import BM25F

from searchkit import Index, RankingSettings, Settings
from searchkit import compiled as cq
from searchkit.backends import Ranked
from searchkit.backends.whoosh import WhooshContext, ranking as ranking_module
from searchkit.backends.whoosh.translate import to_whoosh
from searchkit.search import compile_query, parse
from searchkit.search.query import positive_leaves

QUERIES = [
    "встреча Путина и Трампа",        # homonym «Путина» (путин, путина): a DisjunctionMax of lemmas
    "стали",                          # стать + сталь
    "саммит AND Сингапур",
    "саммит NOT Сингапур",
    "Путин OR Ким OR Трамп",
    "title:саммит",
    "body:Аляска",
    "встреч*",                        # prefix expanded over the index's terms
    '"встреча на вокзале" OR Пхеньян',  # a phrase (span query) beside a word
    '"Ростов-на-Дону" поток',         # a quoted compound: a span chain of its parts
    "Ростов-на-Дону метеорный поток",  # a compound: any of its parts
    "Анкоридже",
    "=стали OR Аляска",               # an exact form read from the stored text (a span query) beside a word
    "саммит NOT =сталь",
]


def whoosh_rank(context: WhooshContext, query: cq.Query, limit: int) -> Ranked:
    """Whoosh's own matching and scoring of the compiled query, every match counted."""
    results = context.searcher.search(to_whoosh(query), limit=limit)
    return Ranked(np.array([hit.docnum for hit in results], dtype=np.int64),
                  np.array([hit.score for hit in results], dtype=np.float64), len(results))


def assert_same_ranking(ix: Index, query: str, limit: int = 1000) -> None:
    context = ix.backend.context()
    compiled = compile_query(context, ix.settings, query)
    arrays = context.rank(compiled.query, limit)
    whoosh = whoosh_rank(context, compiled.query, limit)
    assert arrays.total == whoosh.total > 0, query
    if not positive_leaves(parse(query)):  # dates alone are listed, not scored: the same documents
        assert set(context.rank(compiled.query, None).docnums.tolist()) == \
            set(whoosh_rank(context, compiled.query, 1000).docnums.tolist()), query
        return
    assert np.allclose(arrays.scores, whoosh.scores, rtol=1e-12), (query, arrays.scores, whoosh.scores)
    # Equal scores are ordered by document number, as Whoosh orders them.
    assert arrays.docnums.tolist() == whoosh.docnums.tolist(), query


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("limit", [1000, 3, 1])  # every hit, or a cut through the ranking (ties at the cut too)
def test_array_ranking_equals_whoosh_on_the_corpus(corpus_index: Index, query: str, limit: int) -> None:
    assert_same_ranking(corpus_index, query, limit)


def test_array_ranking_equals_whoosh_with_boosts(corpus_index_path: Path) -> None:
    """Field boosts reach every kind of part: terms, homonyms, phrases, compounds, exact forms."""
    settings = Settings(ranking=RankingSettings(title_boost=3.0, body_boost=0.5))
    with Index.open(corpus_index_path, settings=settings) as ix:
        for query in QUERIES:
            assert_same_ranking(ix, query)
        boosted = ix.search("=стали", correct=False).hits
    with Index.open(corpus_index_path) as ix:
        default = ix.search("=стали", correct=False).hits
    # Where only the body has the form, body_boost 0.5 halves the score.
    assert [round(h.score * 0.5, 6) for h in default if not h.title_highlights] == \
        [round(h.score, 6) for h in boosted if not h.title_highlights] != []


def test_postings_cache_evicts_and_ranks_the_same(corpus_index: Index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ranking_module, "CACHED_POSTINGS", 20)
    context = corpus_index.backend.context()
    ranker = ranking_module.ArrayRanker(context.searcher)
    for query in QUERIES[:4]:
        compiled = compile_query(context, corpus_index.settings, query)
        fresh = ranker.rank(compiled.query, 100)
        assert ranker._cached <= 20 or len(ranker._postings) == 1
        expected = whoosh_rank(context, compiled.query, 100)
        assert fresh.docnums.tolist() == expected.docnums.tolist(), query


def test_ranker_goes_with_its_commit(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add([{"id": "a", "text": "Сталь подорожала."}])
    assert ix.search("сталь").total == 1
    first = ix.backend.context()
    ranking = ix.settings.ranking
    assert ix.backend.context() is first  # one commit, one context
    assert (first.ranker.k1, first.ranker.b) == (ranking.k1, ranking.b)
    other = ranking_module.ArrayRanker(ix.backend._ix.searcher(weighting=BM25F(B=ranking.b, K1=2.0)))
    assert other.k1 == 2.0  # other parameters, another ranker
    old_ranker = weakref.ref(first.ranker)
    ix.add([{"id": "b", "text": "Сталь подешевела."}])
    assert ix.search("сталь").total == 2  # a new commit: a new context and its own ranker
    assert ix.backend.context() is not first
    del first
    gc.collect()
    assert old_ranker() is None  # with its cached postings


def test_a_field_boost_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="title_boost=0"):
        RankingSettings(title_boost=0)


def test_array_ranking_with_several_segments_and_deletions(tmp_path: Path, corpus_dir: Path) -> None:
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_dir, folder)
    with Index.create(tmp_path / "index") as ix:
        ix.index_path(folder, processes=2)
        # A changed file is deleted and added again: the first segment keeps a deleted copy of it.
        seed = next(folder.glob("2025-08-12-*.txt"))
        seed.write_text(seed.read_text(encoding="utf-8") + "\nВстреча в Анкоридже состоится в пятницу.\n",
                        encoding="utf-8")
        ix.index_path(folder, processes=1)
        reader = ix.backend.context().reader
        assert len(list(reader.leaf_readers())) >= 2 and reader.has_deletions()
        for query in QUERIES:
            assert_same_ranking(ix, query)
        hits = ix.search("Анкоридже", limit=100).hits
        assert len({hit.id for hit in hits}) == len(hits)  # the deleted copy is not found


def test_alternative_lemmas_count_once_by_the_best(make_index) -> None:  # type: ignore[no-untyped-def]
    """A homonym's document scores by the lemma it contains: its neighbours in the index do not change that.
    (Whoosh 2.7's own DisjunctionMax matcher took a neighbouring document's score of the other lemma.)"""
    ix = make_index()
    ix.add([{"id": "1", "text": "Стали выплавили много, сталь хорошая."},
            {"id": "2", "text": "Рабочие стали отдыхать."},
            {"id": "3", "text": "Сталь и стекло."}])
    alone = make_index()
    alone.add([{"id": "3", "text": "Сталь и стекло."}, {"id": "1", "text": "Стали выплавили много, сталь хорошая."},
               {"id": "2", "text": "Рабочие стали отдыхать."}])
    for query in ("стали", "сталь", "стали OR стекло"):
        first = {hit.id: round(hit.score, 9) for hit in ix.search(query, correct=False).hits}
        second = {hit.id: round(hit.score, 9) for hit in alone.search(query, correct=False).hits}
        assert first == second, query
        assert_same_ranking(ix, query)


@pytest.mark.parametrize("query", ["date:2025-08", "встреча date:2025-08", "Анкоридж AND date:[2025-08-01 TO *]",
                                   "Путин NOT date:[* TO 2025-08-13]", "Анкоридж OR date:2025-08-12"])
def test_dates_are_matched_inside_the_arrays(corpus_index: Index, query: str) -> None:
    assert_same_ranking(corpus_index, query)
    assert_same_ranking(corpus_index, query, limit=2)


def test_null_query_parts_match_nothing(corpus_index: Index) -> None:
    context = corpus_index.backend.context()
    ranked = context.rank(cq.Or((cq.Nothing(), cq.Term("body", "аляска"))), 10)
    assert ranked.total == len(ranked.docnums) > 0
    assert ranked.docnums.tolist() == context.rank(cq.Term("body", "аляска"), 10).docnums.tolist()
