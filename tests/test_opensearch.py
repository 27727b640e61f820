"""The OpenSearch backend on a real cluster: the search, library and archive tests of the embedded index, run
again on a cluster index, and what only a cluster has (its mapping's version, its vocabulary, its faults).

Run with ``pytest -m opensearch`` against a cluster started by ``scripts/opensearch-cluster start``, its URL in
``SEARCHKIT_TEST_OPENSEARCH`` (``.ci/run`` does both); without one, these tests skip with that reason.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from searchkit import Index

# The behaviour tests of the embedded index, collected here once more with the fixtures below, which put their
# indexes on the cluster: the same sentences, forms and expectations hold for both backends.
from tests.test_archive_search import *  # noqa: F401,F403
from tests.test_library import *  # noqa: F401,F403
from tests.test_search import *  # noqa: F401,F403

pytestmark = pytest.mark.opensearch

CLUSTER_ENV = "SEARCHKIT_TEST_OPENSEARCH"


@pytest.fixture(scope="session")
def cluster() -> str:
    """The test cluster as searchkit names it: ``opensearch://127.0.0.1:PORT``."""
    url = os.environ.get(CLUSTER_ENV)
    if not url:
        pytest.skip(f"no test cluster: start one with scripts/opensearch-cluster start and set {CLUSTER_ENV} to "
                    "the URL it prints")
    return url.rstrip("/").replace("https://", "opensearchs://").replace("http://", "opensearch://")


@pytest.fixture(scope="session")
def run_name() -> str:
    """A prefix of this run's index names, so that runs sharing a cluster never meet."""
    return f"searchkit-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def cleanup(cluster: str, run_name: str) -> Iterator[None]:
    yield
    from searchkit.backends.opensearch.client import client_for
    from searchkit.backends.opensearch.location import ClusterLocation

    client_for(ClusterLocation.parse(f"{cluster}/x")).indices.delete(index=f"{run_name}*", ignore=[404])


@pytest.fixture(scope="session")
def corpus_index_path(cluster: str, run_name: str, corpus_dir: Path, cleanup: None) -> str:
    """The corpus indexed on the cluster once per session (two worker processes sending bulk requests)."""
    location = f"{cluster}/{run_name}-corpus"
    with Index.create(location) as ix:
        report = ix.index_path(corpus_dir, processes=2)
    assert report.added > 0 and report.documents > 0, report
    return location


@pytest.fixture(scope="session")
def corpus_index(corpus_index_path: str) -> Iterator[Index]:
    with Index.open(corpus_index_path) as ix:
        yield ix


@pytest.fixture
def make_index(cluster: str, run_name: str, cleanup: None) -> Iterator[Callable[..., Index]]:
    opened: list[Index] = []
    counter = itertools.count(1)

    def make(name: str | None = None, **kwargs) -> Index:  # type: ignore[no-untyped-def]
        suffix = (name or f"index-{next(counter)}").lower().replace(" ", "-")
        ix = Index.create(f"{cluster}/{run_name}-{uuid.uuid4().hex[:6]}-{suffix}", **kwargs)
        opened.append(ix)
        return ix

    yield make
    for ix in opened:
        ix.close()


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
