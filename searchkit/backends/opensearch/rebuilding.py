"""Rebuilding and checking a cluster index.

A rebuild reads back first the documents added through the library (they have no file to be read again from),
then fills a new build of the index beside the old one (:mod:`.store`: ``NAME.b2`` beside ``NAME.b1``), which
keeps answering searches; only when the new build is complete do the index's aliases move to it, in one atomic
request, and the old build is deleted. A rebuild that fails or is interrupted deletes its new build and leaves
the old one as it was.
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
from .store import STATE_ID, Names, OpenSearchBackend, builds_of, move_aliases


@contextmanager
def rebuilding(location: str, settings: Settings) -> Iterator[tuple[OpenSearchBackend, Salvage]]:
    if not OpenSearchBackend.exists(location):
        yield OpenSearchBackend.create(location, settings), Salvage()
        return
    salvage = _salvaged(location)
    cluster = ClusterLocation.parse(location)
    client, aliases = client_for(cluster), Names(cluster.name)
    with reported(cluster):
        old = builds_of(client, aliases)
    number = max(old, default=0) + 1
    fresh = OpenSearchBackend.create_build(cluster, settings, number)
    try:
        yield fresh, salvage
    except BaseException:
        with reported(cluster):
            client.indices.delete(index=",".join(aliases.build(number).all), ignore=[404])
        raise
    with reported(cluster):
        move_aliases(client, aliases, old, number)


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
