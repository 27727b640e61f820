"""The index stage, engine-neutral: where the index lives by default, and bringing it in line with folders."""

from __future__ import annotations

import os
from pathlib import Path

from ..backends import is_cluster_location
from .rebuild import RebuildInterrupted, rebuild
from .watch import Batch, watch
from .sync import (COMMIT_EVERY_BYTES, Interrupted, Progress, ProgressCallback, SyncReport, default_processes,
                   sources_of, sync)

ENV_INDEX = "SEARCHKIT_INDEX"
DEFAULT_INDEX_DIR = "index"

__all__ = ["Batch", "watch", "COMMIT_EVERY_BYTES", "DEFAULT_INDEX_DIR", "ENV_INDEX", "Interrupted", "Progress", "ProgressCallback",
           "RebuildInterrupted", "SyncReport", "default_index_dir", "default_processes", "index_location", "rebuild", "sources_of", "sync"]


def default_index_dir() -> Path | str:
    """``$SEARCHKIT_INDEX``, else ``index/`` in the current folder."""
    return index_location(os.environ.get(ENV_INDEX) or DEFAULT_INDEX_DIR)


def index_location(text: str) -> Path | str:
    """Where an index is, as a person writes it: a folder, or a cluster index ``opensearch://HOST:PORT/NAME``
    (kept as written: a path would fold its ``//``)."""
    return text if is_cluster_location(text) else Path(text).expanduser()
