"""Rebuilding an index from the files and folders it records, keeping what was added through the library.

A rebuild is what a new schema version, changed analyzer settings or a damaged index call for. It must cost
nothing if it fails: the new index is built aside and takes the old one's place only once complete
(:func:`searchkit.backends.rebuilt_backend`), so an interrupted rebuild leaves the old index searchable. The
documents that came from no file are read back from the old index's stored fields and added first.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..backends import rebuilt_backend, recorded_settings
from ..settings import Settings, Source
from .sync import COMMIT_EVERY_BYTES, ProgressCallback, SyncReport, sync


class RebuildInterrupted(KeyboardInterrupt):
    """A rebuild stopped by Ctrl-C or SIGTERM: the new index was discarded and the old one is as it was."""


def rebuild(location: str | os.PathLike[str], sources: Sequence[Source] | None = None,
            settings: Settings | None = None, processes: int | None = None,
            progress: ProgressCallback | None = None, commit_bytes: int = COMMIT_EVERY_BYTES) -> SyncReport:
    """Build the index at ``location`` anew from ``sources`` (by default, those it records) with ``settings``
    (by default, those its ``searchkit.json`` holds where still valid), keeping the documents added through the
    library; the report's ``kept`` and ``lost`` say what became of those."""
    recorded = recorded_settings(location)
    sources = tuple(recorded.sources if sources is None else sources)
    settings = settings or recorded
    try:
        with rebuilt_backend(location, Settings(settings.analyzer, settings.ranking)) as (fresh, salvage):
            if salvage.documents:
                with fresh.transaction(processes or 1) as transaction:
                    for document in salvage.documents:
                        transaction.add(document)
            report = sync(fresh, sources, processes=processes, progress=progress, commit_bytes=commit_bytes)
    except KeyboardInterrupt as stop:
        raise RebuildInterrupted() from stop
    report.kept, report.lost = len(salvage.documents), salvage.lost
    return report
