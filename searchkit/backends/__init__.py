"""Backends: where analysed documents are stored and compiled queries ranked (see :mod:`.base`).

The embedded Whoosh index (:mod:`.whoosh`) is the one backend today; :func:`open_backend` and
:func:`create_backend` are where another is chosen by its location.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..settings import Settings
from .base import Backend, CheckReport, IndexStats, Ranked, Salvage, SearchContext, Transaction

__all__ = ["Backend", "CheckReport", "IndexStats", "Ranked", "Salvage", "SearchContext", "Transaction",
           "backend_exists", "check_backend", "create_backend", "open_backend", "rebuilt_backend"]


def open_backend(location: str | os.PathLike[str], settings: Settings | None = None) -> Backend:
    """The index at ``location``; ranking settings may be overridden, analyzer settings are the index's."""
    from .whoosh import WhooshBackend

    return WhooshBackend.open(location, settings)


def create_backend(location: str | os.PathLike[str], settings: Settings | None = None) -> Backend:
    """A new empty index at ``location``, replacing any there."""
    from .whoosh import WhooshBackend

    return WhooshBackend.create(location, settings)


@contextmanager
def rebuilt_backend(location: str | os.PathLike[str], settings: Settings) -> Iterator[tuple[Backend, Salvage]]:
    """A new empty index with ``settings``, to be filled in the block, and the documents added through the
    library that could be read back from the index at ``location`` (with a line for each part that could not).
    The old index stays as it was, and searchable, until the block ends without an error; then the new one
    takes its place."""
    from .whoosh.rebuilding import rebuilding

    with rebuilding(Path(location), settings) as built:
        yield built


def backend_exists(location: str | os.PathLike[str]) -> bool:
    from .whoosh import WhooshBackend

    return WhooshBackend.exists(location)


def check_backend(location: str | os.PathLike[str]) -> CheckReport:
    """Read the index at ``location`` through, whether or not it can be opened, and report what is damaged."""
    from .whoosh.check import check

    return check(Path(location))
