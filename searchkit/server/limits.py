"""How big a request may be and how long its search may run. Each limit, when passed, is a 4xx answer whose
message names the parameter and the bound, never a slow server or a 5xx."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    #: Characters of a query (``q``), of a completion prefix, of a document id.
    query_chars: int = 1000
    #: Characters of the text ``/api/analyze`` takes.
    analyze_chars: int = 10_000
    #: Hits a page may ask for, and how deep paging may go.
    limit: int = 100
    offset: int = 10_000
    #: Bytes of a request body (``POST /api/documents``).
    body_bytes: int = 10 * 2**20
    #: Seconds a search (or explain, document, analyze, completion) may take, waiting for a thread included.
    budget_seconds: float = 10.0


class ApiError(Exception):
    """An answer other than success: its HTTP status and a one-line message (and, for a query, where)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, **extra: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.extra = extra

    def to_json(self) -> dict[str, object]:
        return {"error": self.message, **self.extra}


async def read_body(request: Any, limit: int) -> bytes:
    """The request's body, refused with 413 once it passes ``limit`` bytes (by its Content-Length, or while it
    arrives when it has none), so a large body is never held whole."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"the request body is {int(declared):,} bytes; this server takes {limit:,} at most")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the request body is over {limit:,} bytes, the most this server takes")
        chunks.append(chunk)
    return b"".join(chunks)
