"""Keeping an index in step with folders while files keep arriving (``searchkit index --watch``).

The folders are watched with watchfiles (inotify on Linux, its own polling elsewhere), which gathers the changes
of a moment into one batch, and synced once as soon as the watcher runs. Before a batch is indexed, the files in
it that are still being written are waited for (none may have been written to for a second), so a file being
copied is not indexed half-way. Each batch is one sync of the changed paths only, so the write lock is held while
a batch is written and free between batches, for ``searchkit index`` or the server to write in turn; searches in
other processes see each batch once it is committed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..backends import Backend
from ..settings import Source
from .sync import Changed, SyncReport, sync

#: Milliseconds watchfiles gathers changes into one batch at most.
DEBOUNCE_MS = 1600
#: Milliseconds the watcher waits for changes before it yields an empty batch (the first one starts the sync).
WAKE_MS = 500
#: Seconds a changed file must have gone unwritten before it is indexed.
SETTLE_SECONDS = 1.0
#: Seconds a batch waits at most for its files to settle; a file still growing after that is indexed as it is
#: then, and again when its next change is seen.
SETTLE_AT_MOST = 60.0


@dataclass(frozen=True)
class Batch:
    """What one batch did: how many changed paths were reported, and the sync of them (the first batch, with no
    changed paths, is the sync of the whole folders the watch starts with)."""

    changed: int
    report: SyncReport


def watch(backend: Backend, sources: Sequence[Source], on_batch: Callable[[Batch], None],
          stop: threading.Event | None = None, ignore: Sequence[str | os.PathLike[str]] = (),
          processes: int | None = None, debounce_ms: int = DEBOUNCE_MS, settle_seconds: float = SETTLE_SECONDS
          ) -> None:
    """Sync ``sources``, then every batch of changes to them, calling ``on_batch`` after each, until ``stop`` is
    set (or Ctrl-C, which is raised as ``KeyboardInterrupt``). Changes under ``ignore`` (the index's own folder,
    when it is inside a watched one) are not looked at."""
    from watchfiles import DefaultFilter
    from watchfiles import watch as changes_of

    watched = DefaultFilter(ignore_paths=[os.path.abspath(path) for path in ignore])
    synced = False
    # The first batch comes as soon as the watcher is running (a timeout yields an empty one), and is the whole
    # sync: a change made while it runs is then seen by the watcher, none falls between the two.
    for changes in changes_of(*(source.path for source in sources), watch_filter=watched, debounce=debounce_ms,
                              stop_event=stop, raise_interrupt=True, rust_timeout=WAKE_MS, yield_on_timeout=True):
        if not synced:
            on_batch(Batch(0, sync(backend, sources, processes)))
            synced = True
            continue
        paths = {path for _, path in changes}
        if not paths:
            continue
        settle(paths, settle_seconds, stop)
        changed = Changed.of(sources, paths)
        if changed.ids:
            on_batch(Batch(len(paths), sync(backend, sources, processes, changed=changed)))


def settle(paths: Iterable[str], seconds: float, stop: threading.Event | None = None) -> None:
    """Wait until none of the files at ``paths`` has been written to for ``seconds`` (those gone are not waited
    for), or :data:`SETTLE_AT_MOST` has passed."""
    deadline = time.monotonic() + SETTLE_AT_MOST
    while time.monotonic() < deadline and not (stop is not None and stop.is_set()):
        latest = max(_modified(paths), default=None)
        if latest is None or time.time() - latest >= seconds:
            return
        time.sleep(min(seconds - (time.time() - latest), seconds) + 0.01)


def _modified(paths: Iterable[str]) -> Iterable[float]:
    """The modification time of each path that is still there."""
    for path in paths:
        try:
            yield Path(path).stat().st_mtime
        except OSError:
            continue
