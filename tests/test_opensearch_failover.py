"""A node of a two-node cluster stopped mid-run: with one replica, searches keep answering and a sync resumes.

It stops node 2 of the cluster ``scripts/opensearch-cluster`` started (``stop-node 2``, for the state folder in
``SEARCHKIT_OPENSEARCH_STATE``), which the cluster does not get back: ``.ci/run`` runs it after the other
cluster tests (``-m opensearch_failover``).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from searchkit import Index, SearchkitError
from tests.cluster import *  # noqa: F401,F403
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.opensearch_failover

SCRIPT = REPO_ROOT / "scripts" / "opensearch-cluster"


def test_a_node_stopped_mid_run(cluster: str, run_name: str, corpus_dir: Path, tmp_path: Path) -> None:
    location = f"{cluster}/{run_name}-failover?replicas=1"
    ix = Index.create(location)
    client, names = ix.backend.client, ix.backend.names
    if int(client.cluster.health()["number_of_data_nodes"]) < 2:
        pytest.skip("needs a cluster of two nodes: scripts/opensearch-cluster start --nodes 2")
    client.cluster.health(index=f"{names.documents}*", wait_for_status="green")
    folder = tmp_path / "corpus"
    shutil.copytree(corpus_dir, folder)
    later = folder / "literature"
    aside = shutil.move(later, tmp_path / "literature")
    first = ix.index_path(folder, processes=1)
    assert first.added > 10

    answers: list[tuple[int, str]] = []
    failures: list[str] = []
    stop = threading.Event()

    def keep_searching() -> None:
        with Index.open(location) as reader:
            while not stop.is_set():
                try:
                    found = reader.search("встреча в Анкоридже", limit=3)
                    answers.append((found.total, found.hits[0].id))
                except SearchkitError as error:
                    failures.append(str(error))

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        shutil.move(aside, later)
        syncing = threading.Thread(target=lambda: _sync(ix, folder))
        syncing.start()
        stopped = subprocess.run([str(SCRIPT), "stop-node", "2"], capture_output=True, text=True, timeout=120)
        assert stopped.returncode == 0, stopped.stderr
        syncing.join(timeout=300)
        before = len(answers)
        ix.index_path(folder, processes=1)  # resumes whatever the stopped node cut short
        while len(answers) < before + 20:
            stop.wait(0.05)
    finally:
        stop.set()
        searcher.join(timeout=120)
    assert int(client.cluster.health()["number_of_nodes"]) == 1
    assert not failures, failures[:3]
    # Every search answered, with the same best hit, and more matches as the sync committed the new folder.
    assert answers and {best for _, best in answers} == {answers[0][1]}
    totals = [total for total, _ in answers]
    assert totals == sorted(totals)
    with Index.open(location) as after:
        assert after.search("встреча на вокзале").total >= 1  # from the folder synced while the node stopped
        assert after.doc_count() == _embedded_count(folder, tmp_path)
    ix.close()


def _sync(ix: Index, folder: Path) -> None:
    """A sync that a stopped node may cut short: the next one resumes it."""
    try:
        ix.index_path(folder, processes=1, commit_bytes=2_000)
    except SearchkitError:
        pass


def _embedded_count(folder: Path, tmp_path: Path) -> int:
    with Index.create(tmp_path / "embedded") as embedded:
        embedded.index_path(folder, processes=1)
        return embedded.doc_count()
