"""Backends: where analysed documents are stored and compiled queries ranked (see :mod:`.base`).

The embedded Whoosh index (:mod:`.whoosh`), in a folder, is the default; an index on an OpenSearch cluster
(:mod:`.opensearch`) is chosen by a location ``opensearch://HOST:PORT/NAME``. The functions below are where the
location picks the backend, and the only place that does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..settings import Settings
from .opensearch.location import is_cluster_location
from .base import Backend, CheckReport, IndexStats, Ranked, Salvage, SearchContext, Transaction

__all__ = ["Backend", "CheckReport", "IndexStats", "Ranked", "Salvage", "SearchContext", "Transaction",
           "backend_exists", "check_backend", "create_backend", "is_cluster_location", "open_backend",
           "rebuilt_backend", "recorded_settings"]


def open_backend(location: str | os.PathLike[str], settings: Settings | None = None) -> Backend:
    """The index at ``location``; ranking settings may be overridden, analyzer settings are the index's."""
    if is_cluster_location(location):
        from .opensearch.store import OpenSearchBackend

        return OpenSearchBackend.open(str(location), settings)
    from .whoosh import WhooshBackend

    return WhooshBackend.open(location, settings)


def create_backend(location: str | os.PathLike[str], settings: Settings | None = None) -> Backend:
    """A new empty index at ``location``, replacing any there."""
    if is_cluster_location(location):
        from .opensearch.store import OpenSearchBackend

        return OpenSearchBackend.create(str(location), settings)
    from .whoosh import WhooshBackend

    return WhooshBackend.create(location, settings)


@contextmanager
def rebuilt_backend(location: str | os.PathLike[str], settings: Settings) -> Iterator[tuple[Backend, Salvage]]:
    """A new empty index with ``settings``, to be filled in the block, and the documents added through the
    library that could be read back from the index at ``location`` (with a line for each part that could not).
    The old index stays as it was, and searchable, until the block ends without an error; then the new one
    takes its place."""
    if is_cluster_location(location):
        from .opensearch.rebuilding import rebuilding as rebuilding_on_cluster

        with rebuilding_on_cluster(str(location), settings) as built:
            yield built
        return
    from .whoosh.rebuilding import rebuilding

    with rebuilding(Path(location), settings) as built:
        yield built


def recorded_settings(location: str | os.PathLike[str]) -> Settings:
    """What the index at ``location`` records of its settings, whichever version wrote them, for rebuilding it:
    the parts still valid, and the defaults for the rest (see :meth:`Settings.salvage`)."""
    if is_cluster_location(location):
        from .opensearch.rebuilding import recorded_settings as recorded_on_cluster

        return recorded_on_cluster(str(location))
    return Settings.salvage(Path(location))


def backend_exists(location: str | os.PathLike[str]) -> bool:
    if is_cluster_location(location):
        from .opensearch.store import OpenSearchBackend

        return OpenSearchBackend.exists(str(location))
    from .whoosh import WhooshBackend

    return WhooshBackend.exists(location)


def check_backend(location: str | os.PathLike[str]) -> CheckReport:
    """Read the index at ``location`` through, whether or not it can be opened, and report what is damaged."""
    if is_cluster_location(location):
        from .opensearch.rebuilding import check as check_on_cluster

        return check_on_cluster(str(location))
    from .whoosh.check import check

    return check(Path(location))
