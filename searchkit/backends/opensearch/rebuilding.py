"""Rebuilding and checking a cluster index.

A rebuild reads back first the documents added through the library (they have no file to be read again from),
then replaces the index with an empty one of this version's mapping, to be filled by the caller. Unlike the
embedded index, the old index does not keep answering while the new one fills: the cluster has no atomic swap
of three indices short of aliases, which a later version may use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ...errors import SearchkitError
from ...settings import Settings
from ..base import CheckReport, Salvage
from .client import client_for, reported
from .fields import document_from_source
from .location import ClusterLocation
from .store import STATE_ID, Names, OpenSearchBackend


@contextmanager
def rebuilding(location: str, settings: Settings) -> Iterator[tuple[OpenSearchBackend, Salvage]]:
    salvage = _salvaged(location) if OpenSearchBackend.exists(location) else Salvage()
    yield OpenSearchBackend.create(location, settings), salvage


def recorded_settings(location: str) -> Settings:
    """The settings the index's state document records, where still valid; the defaults where there is none."""
    cluster = ClusterLocation.parse(location)
    try:
        with reported(cluster):
            found = client_for(cluster).get(index=Names(cluster.name).state, id=STATE_ID, ignore=[404])
    except SearchkitError:
        found = {}
    return Settings.from_parts((found.get("_source") or {}).get("settings") or {})


def _salvaged(location: str) -> Salvage:
    """The documents of the old index that came from no file, whatever version wrote them."""
    from opensearchpy import helpers

    cluster = ClusterLocation.parse(location)
    salvage = Salvage()
    try:
        with reported(cluster):
            for hit in helpers.scan(client_for(cluster), index=Names(cluster.name).documents,
                                    query={"query": {"bool": {"must_not": [{"exists": {"field": "path"}}]}}}):
                salvage.documents.append(document_from_source(hit["_source"]))
    except (SearchkitError, KeyError, ValueError) as error:
        salvage.lost.append(f"{location}: the documents added through the library could not be read back ({error})")
    return salvage


def check(location: str) -> CheckReport:
    """What the cluster says of the index: its documents, and a problem for each of its indices that is red
    (a primary shard lost) or missing."""
    cluster = ClusterLocation.parse(location)
    names = Names(cluster.name)
    report = CheckReport()
    client = client_for(cluster)
    with reported(cluster):
        for name in (names.documents, names.vocabulary, names.state):
            if not client.indices.exists(index=name):
                report.problems.append((name, "missing"))
                continue
            health = client.cluster.health(index=name)
            report.segments += int(health["active_primary_shards"])
            if health["status"] == "red":
                report.problems.append((name, f"red: {health['unassigned_shards']} shard(s) unassigned"))
        if not report.problems:
            report.documents = int(client.count(index=names.documents)["count"])
    return report
