"""The index stage: schema, on-disk store with its settings, parallel preparation and folder sync."""

from .store import DEFAULT_INDEX_DIR, ENV_INDEX, IndexStats, IndexStore, default_index_dir
from .sync import Progress, ProgressCallback, SyncReport, sync

__all__ = ["DEFAULT_INDEX_DIR", "ENV_INDEX", "IndexStats", "IndexStore", "Progress", "ProgressCallback", "SyncReport",
           "default_index_dir", "sync"]
