"""What a search works out about one commit and its next searches ask again, kept in the commit's context."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from ..backends import SearchContext

_Value = TypeVar("_Value")


def remembered(context: SearchContext, kind: str, key: Hashable, compute: Callable[[], _Value], keep: int) -> _Value:
    """``compute()``, remembered in the commit's caches under ``kind`` and ``key``: the ``keep`` most recently
    used of a kind are kept."""
    cached: OrderedDict[Hashable, _Value] = context.caches.setdefault(kind, OrderedDict())
    if key in cached:
        cached.move_to_end(key)
        return cached[key]
    value = cached[key] = compute()
    if len(cached) > keep:
        cached.popitem(last=False)
    return value
