"""The fixtures of the tests on a real OpenSearch cluster: its URL from ``SEARCHKIT_TEST_OPENSEARCH`` (the tests skip
with that reason without one), and the corpus and throwaway indexes on it, named after the run, deleted after it.

``.ci/run`` starts a cluster with ``scripts/opensearch-cluster start --nodes 2`` and runs ``pytest -m opensearch``.
A module of tests imports these fixtures, then the behaviour tests of the embedded index it runs again on the
cluster (``from tests.test_search import *``), which then use these fixtures instead of the conftest's.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from searchkit import Index

__all__ = ["CLUSTER_ENV", "cleanup", "cluster", "corpus_index", "corpus_index_path", "make_index", "run_name"]

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
