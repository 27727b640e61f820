"""The index stage, engine-neutral: where the index lives by default, and bringing it in line with folders."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends import is_cluster_location

#: Indexing commits at file boundaries every this many bytes of files read (see :mod:`.sync`).
COMMIT_EVERY_BYTES = 64 * 1024 * 1024

#: The names of the modules that index (:mod:`.sync`, :mod:`.rebuild`, :mod:`.watch`, each with its function of
#: that name), imported when one is first asked for: a search needs none of them.
_INDEXING = {
    **{name: "rebuild" for name in ("RebuildInterrupted",)},
    **{name: "watch" for name in ("Batch",)},
    **{name: "sync" for name in ("Interrupted", "Progress", "ProgressCallback", "SyncReport", "default_processes",
                                 "sources_of")},
}


def __getattr__(name: str) -> Any:
    if name not in _INDEXING:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_INDEXING[name]}", __name__), name)


if TYPE_CHECKING:
    from .rebuild import RebuildInterrupted
    from .sync import Interrupted, Progress, ProgressCallback, SyncReport, default_processes, sources_of
    from .watch import Batch

ENV_INDEX = "SEARCHKIT_INDEX"
DEFAULT_INDEX_DIR = "index"

__all__ = ["Batch", "COMMIT_EVERY_BYTES", "DEFAULT_INDEX_DIR", "ENV_INDEX", "Interrupted", "Progress", "ProgressCallback",
           "RebuildInterrupted", "SyncReport", "default_index_dir", "default_processes", "index_location", "sources_of"]


def default_index_dir() -> Path | str:
    """``$SEARCHKIT_INDEX``, else ``index/`` in the current folder."""
    return index_location(os.environ.get(ENV_INDEX) or DEFAULT_INDEX_DIR)


def index_location(text: str) -> Path | str:
    """Where an index is, as a person writes it: a folder, or a cluster index ``opensearch://HOST:PORT/NAME``
    (kept as written: a path would fold its ``//``)."""
    return text if is_cluster_location(text) else Path(text).expanduser()
