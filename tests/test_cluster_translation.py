"""What the OpenSearch backend sends, checked without a cluster: locations, analysed fields, the query DSL, path
globs in Lucene's regexp syntax, and an unreachable cluster's message."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from searchkit import SettingsError
from searchkit import compiled as cq
from searchkit.analysis import get_analyzer
from searchkit.backends.opensearch.fields import WEIGHT_SCALE, encode
from searchkit.backends.opensearch.location import ClusterLocation, is_cluster_location
from searchkit.backends.opensearch.translate import Translation, lucene_regexp, phrase_match
from searchkit.documents import Document
from searchkit.settings import AnalyzerSettings
from tests.conftest import run_cli


def test_a_location_names_the_node_the_index_and_its_options() -> None:
    location = ClusterLocation.parse("opensearchs://search.example:9201/archive?shards=3&replicas=2&dfs=1")
    assert (location.url, location.name, location.shards, location.replicas) == \
        ("https://search.example:9201", "archive", 3, 2)
    assert location.search_type == "dfs_query_then_fetch" and str(location) == "opensearchs://search.example:9201/archive"
    assert ClusterLocation.parse("opensearch://127.0.0.1/news").port == 9200
    assert is_cluster_location("opensearch://h/x") and not is_cluster_location("index/opensearch")


@pytest.mark.parametrize("location, complaint", [
    ("opensearch://h:9200/Новости", "lowercase letters"), ("opensearch://h:9200/", "lowercase letters"),
    ("opensearch://user:secret@h:9200/news", "SEARCHKIT_OPENSEARCH_USER"),
    ("opensearch://h:port/news", "not a number"), ("opensearch://h:9200/news?sharding=2", "unknown option"),
    ("opensearch://h:9200/news?shards=0", "at least one shard")])
def test_a_bad_location_says_what_is_wrong(location: str, complaint: str) -> None:
    with pytest.raises(SettingsError, match=complaint):
        ClusterLocation.parse(location)


def test_a_document_is_sent_as_positions_with_alternatives_and_gaps_and_as_weighted_terms() -> None:
    analyzer = get_analyzer(AnalyzerSettings(exact_forms=True))
    counts: Counter[tuple[str, str]] = Counter()
    source = encode(analyzer, Document(id="a", title="Сталь", body="Стали ли сталь прочнее в Ростове-на-Дону?"),
                    "", 7, 1, counts)
    # «стали»: two readings and its exact form at one position; «ли» and «на»: stop words, their gaps kept; the
    # compound at the position of its first part.
    positions = source["body"].split(" ")
    assert positions[:3] == ["стать|сталь|=стали", "_", "сталь"]
    assert {"ростов-на-дону", "ростов"} <= set(positions[-3].split("|")) and positions[-2:] == ["_", "дон|=дону"]
    weights = dict(token.rsplit("|", 1) for token in source["body_w"].split(" "))
    # «сталь» once for certain, and once more as the less likely reading of «стали».
    assert WEIGHT_SCALE < int(weights["сталь"]) < 2 * WEIGHT_SCALE and int(weights["дон"]) == WEIGHT_SCALE
    assert counts[("body", "сталь")] == 1 and counts[("title", "сталь")] == 1 and source["txn"] == 7
    assert "стали" in source["body_forms"].split() and source["body_text"].startswith("Стали ли")


def test_a_phrase_keeps_its_gaps_and_a_sloppy_one_counts_them() -> None:
    exact = cq.Phrase("body", ((0, ("встреча",)), (2, ("вокзал",))))
    assert phrase_match(exact) == {"match_phrase": {"body": {"query": "встреча _ вокзал",
                                                             "analyzer": "searchkit_positions"}}}
    sloppy = phrase_match(cq.Phrase("body", ((0, ("стать", "сталь")), (2, ("прочный",))), slop=1))
    assert sloppy["span_near"]["slop"] == 2
    assert sloppy["span_near"]["clauses"][0] == {"span_or": {"clauses": [{"span_term": {"body": "стать"}},
                                                                          {"span_term": {"body": "сталь"}}]}}


def test_a_phrase_matches_by_positions_and_scores_by_its_weighted_terms() -> None:
    translation = Translation(k1=1.0, idf_ratio=lambda field, term: 1.0)
    scored = translation.dsl(cq.Phrase("body", ((0, ("встреча",)), (2, ("вокзал",))), boost=2.0))["bool"]
    assert scored["filter"] == [phrase_match(cq.Phrase("body", ((0, ("встреча",)), (2, ("вокзал",)))))]
    assert [clause["term"]["body_w"]["value"] for clause in scored["should"]] == ["встреча", "вокзал"]
    assert scored["boost"] == 2.0


def test_readings_are_a_dis_max_of_weighted_terms_scored_with_searchkits_idf() -> None:
    translation = Translation(k1=1.0, idf_ratio=lambda field, term: 2.0 if term == "сталь" else 1.0)
    readings = translation.dsl(cq.DisMax((cq.Term("body", "стать"), cq.Term("body", "сталь"))))
    (first, second) = readings["dis_max"]["queries"]
    assert first["term"]["body_w"]["value"] == "стать" and second["term"]["body_w"]["boost"] == \
        pytest.approx(2 * first["term"]["body_w"]["boost"])
    # The weighted field's k1 is scaled with its frequencies; OpenSearch multiplies a score by k1 + 1.
    assert first["term"]["body_w"]["boost"] == pytest.approx(2 / (WEIGHT_SCALE + 1))


GLOBS = ["*.pdf", "news/**/итоги*", "doc?.[ab]*", "архив 2024/*.txt", "a/b"]
PATHS = ["corpus/отчёт.pdf", "corpus/news/2025/итоги года.txt", "corpus/news/итоги.md", "corpus/doc1.a.txt",
         "corpus/doc12.a", "corpus/архив 2024/записка.txt", "corpus/архив 2024/x/y.txt", "corpus/a/b/c.txt",
         "corpus/a/bc.txt", "report.pdf", "corpus/news.pdf/inside.txt"]


@pytest.mark.parametrize("glob", GLOBS)
def test_a_path_glob_means_in_lucenes_regexp_what_it_means_to_gitignore(glob: str) -> None:
    expression = lucene_regexp(glob)
    for path in PATHS:
        wanted = cq.PathPattern(glob).matches(path)
        # The expressions made use the syntax Python's and Lucene's regexps share, so Python can check them.
        found = any(re.fullmatch(expression, candidate) for candidate in (cq.relative_path(path), path))
        assert found == wanted, (glob, path)


def test_an_unreachable_cluster_is_one_line_and_status_2() -> None:
    code, _, err = run_cli("search", "--index", "opensearch://127.0.0.1:9/nothing", "встреча")
    assert code == 2 and "cannot reach the OpenSearch cluster at http://127.0.0.1:9" in err
    assert len(err.strip().splitlines()) == 1
