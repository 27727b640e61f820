"""Preparing documents for the writer, in parallel when there are many.

Whoosh's writer is single-threaded and its own work (filing postings) is cheap next to lemmatising, so the
analysis runs in a pool of worker processes that return :class:`~searchkit.index.schema.Postings`, and the
writing process only adds them. Results come back in input order, and only a bounded number of batches is in
flight, so memory stays flat however large the folder.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.fields import Schema

from ..documents import Document, Skipped
from ..settings import AnalyzerSettings
from .schema import build_schema, postings

#: Documents sent to a worker at once: large enough that inter-process overhead is small.
BATCH_DOCS = 200
BATCH_CHARS = 2_000_000
#: Below this many bytes of input in all, a pool of workers costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000

Item = tuple[Document, str]
"""A document and the ``source_key`` that ties it to the version of the file it came from ("" for none)."""


def prepare(schema: Schema, document: Document, source_key: str) -> dict[str, Any]:
    """The keyword arguments of ``writer.add_document`` for one document, its text fields analysed.
    A guessed title is stored for display but not indexed."""
    fields: dict[str, Any] = {
        "id": document.id,
        "title": postings(schema, "title", "" if document.title_guessed else document.title),
        "_stored_title": document.title,
        "body": postings(schema, "body", document.body),
        "_stored_body": document.body,
        "format": document.format,
        "encoding": document.encoding,
        "hash": document.hash,
    }
    if document.path:
        fields["path"] = document.path
    if source_key:
        fields["source_key"] = source_key
    if document.date:
        fields["date"] = dt.datetime.combine(document.date, dt.time())
    return fields


def prepare_or_skip(schema: Schema, document: Document, source_key: str) -> dict[str, Any] | Skipped:
    """:func:`prepare`, or a :class:`Skipped` naming the document when its text cannot be analysed, so one bad
    document never costs the rest of the run."""
    try:
        return prepare(schema, document, source_key)
    except Exception as error:  # analysis of arbitrary text: any failure is this document's alone
        return Skipped(document.path or document.id, f"document {document.id!r} cannot be analysed: {error}")


_worker_schema: Schema | None = None


def _init_worker(settings: AnalyzerSettings) -> None:
    global _worker_schema
    _worker_schema = build_schema(settings)


def _prepare_batch(batch: list[Item]) -> list[dict[str, Any] | Skipped]:
    assert _worker_schema is not None, "worker not initialised"
    return [prepare_or_skip(_worker_schema, document, key) for document, key in batch]


def _batches(items: Iterable[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    chars = 0
    for item in items:
        batch.append(item)
        chars += len(item[0].body)
        if len(batch) >= BATCH_DOCS or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def default_processes() -> int:
    return os.cpu_count() or 1


def prepare_all(items: Iterable[Item], settings: AnalyzerSettings,
                processes: int) -> Iterator[dict[str, Any] | Skipped]:
    """Prepared documents (or why not) in input order; with ``processes`` > 1, analysed by that many worker
    processes."""
    if processes <= 1:
        schema = build_schema(settings)
        for document, key in items:
            yield prepare_or_skip(schema, document, key)
        return
    batches = _batches(items)
    first = next(batches, None)
    if first is None:
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(processes, initializer=_init_worker, initargs=(settings,)) as pool:
        pending: deque[Any] = deque()
        for batch in itertools.chain([first], batches):
            pending.append(pool.apply_async(_prepare_batch, (batch,)))
            if len(pending) > 2 * processes:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
