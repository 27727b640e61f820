"""The index stage: schema, on-disk store with its settings, parallel preparation and folder sync."""

from .store import DEFAULT_INDEX_DIR, ENV_INDEX, IndexStats, IndexStore, default_index_dir
from .sync import COMMIT_EVERY_BYTES, Progress, ProgressCallback, SyncReport, sync

__all__ = ["COMMIT_EVERY_BYTES", "DEFAULT_INDEX_DIR", "ENV_INDEX", "IndexStats", "IndexStore", "Progress", "ProgressCallback", "SyncReport",
           "default_index_dir", "sync"]
