"""Writing to a cluster index: one transaction per commit, documents analysed by searchkit in worker processes
and sent pre-analysed with the bulk API.

A transaction takes a number one above any the index has seen and claims it in the state document (so two
writers never write at once, and a writer that died is noticed and its leftovers removed). Its documents are
written under that number, which searches do not see (:func:`.context.visible`) until the commit: the
documents are refreshed, their terms added to the vocabulary, and the state names the number committed, with
the deletions this transaction asked for; those are done last, and a writer that dies before they are done
leaves them in the state for the next. Cancelling deletes what the transaction wrote.
"""

from __future__ import annotations

import functools
import json
import os
import socket
from collections import Counter
from typing import TYPE_CHECKING, Any

from opensearchpy import exceptions as os_errors

from ...analysis import get_analyzer
from ...documents import Document, FileRead, Skipped, SourceFile, read_into
from ...errors import IndexLockedError, SearchkitError
from ...settings import AnalyzerSettings
from ..workers import Workers
from .client import client_for, reported, with_backoff
from .context import visible
from .fields import document_id, encode
from .location import ClusterLocation

if TYPE_CHECKING:
    from .store import OpenSearchBackend, State

#: A bulk request is sent when the documents waiting reach this many bytes of JSON.
BULK_BYTES = 8 * 2**20
#: Values deleted by one delete-by-query.
DELETE_BATCH = 1000
#: The transactions open in this process, by index location: a claim of this process's that is not among them
#: was left by a transaction whose end could not reach the cluster.
_OPEN_HERE: set[tuple[str, int]] = set()


class ClusterTransaction:
    """Deletions and additions that become visible together at :meth:`commit`, or not at all."""

    def __init__(self, backend: OpenSearchBackend, processes: int) -> None:
        self._backend = backend
        self._client = backend.client
        self._names = backend.names
        state = self._claim()
        self.number: int = state.body["open"]["txn"]
        _OPEN_HERE.add((backend.location, self.number))
        self._committed = state.committed
        make_sink = functools.partial(BulkSink, backend.cluster, backend.names.documents, backend.settings.analyzer,
                                      self.number)
        self._workers = Workers(make_sink, processes) if processes > 1 else None
        self._sink = None if self._workers else make_sink()
        self._deletions: list[tuple[str, str]] = []
        self.vocabulary: Counter[tuple[str, str]] = Counter()
        self.skipped: list[Skipped] = []
        self.written = 0
        self.files: list[FileRead] = []

    def _claim(self) -> State:
        """Take the index's one writing turn, finishing first what a writer that died left undone."""
        state = self._backend.read_state()
        holder = state.body.get("open")
        if holder and _alive(holder, self._backend.location):
            raise IndexLockedError(f"index {self._backend.location} is being written by process {holder['pid']} on "
                                   f"{holder['host']}; try again when it has finished")
        if holder or state.body.get("deleting"):
            self._clean_up(state)
            state = self._backend.read_state()
        number = max(state.committed, int(state.body.get("last_txn", 0))) + 1
        return self._backend.write_state(state, open={"txn": number, **self._backend.writer_identity()},
                                         last_txn=number)

    def _clean_up(self, state: State) -> None:
        """Remove the documents of transactions never committed, and do the deletions a committed one left."""
        with reported(self._backend.cluster):
            self._client.indices.refresh(index=self._names.documents)
            self._client.delete_by_query(index=self._names.documents, refresh=True, conflicts="proceed",
                                         body={"query": {"range": {"txn": {"gt": state.committed}}}})
        self._delete_old([(field, value) for field, value in state.body.get("deleting") or ()], state.committed)
        self._backend.write_state(self._backend.read_state(), open=None, deleting=[])

    # --- adding and deleting ----------------------------------------------------------------------------------

    def add(self, document: Document, source_key: str = "") -> None:
        if self._workers is not None:
            self._workers.add(document, source_key)
            return
        assert self._sink is not None
        if (problem := self._sink.add(document, source_key)) is not None:
            self.skipped.append(problem)
        else:
            self.written += 1

    def add_file(self, source: SourceFile, source_key: str) -> None:
        if self._workers is not None:
            self._workers.add_file(source, source_key)
            return
        sink = self._sink
        assert sink is not None
        outcome = read_into(source, lambda document: sink.add(document, source_key))
        self.files.append(outcome)
        self.written += outcome.documents

    def delete(self, field: str, value: str) -> int:
        """Note the documents to delete at the commit, and say how many there are now."""
        self._deletions.append((field, value))
        with reported(self._backend.cluster):
            return int(self._client.count(index=self._names.documents, body={"query": {"bool": {"filter": [
                {"term": {field: value}}, visible(self._committed)]}}})["count"])

    def finish_adding(self) -> None:
        if self._workers is not None and not self._workers.finished:
            skipped, written, files = self._workers.finish()
            self.skipped.extend(skipped)
            self.written += written
            self.files.extend(files)
            for counts in self._workers.made:
                self.vocabulary.update(counts)
        elif self._sink is not None:
            self.vocabulary.update(self._sink.finish())
            self._sink = None

    # --- ending -----------------------------------------------------------------------------------------------

    def commit(self) -> None:
        self.finish_adding()
        backend = self._backend
        with reported(backend.cluster):
            self._client.indices.refresh(index=self._names.documents)
        backend.vocabulary.add(self.vocabulary)
        state = backend.write_state(backend.read_state(), committed=self.number, open=None,
                                    deleting=[list(pair) for pair in self._deletions])
        self._delete_old(self._deletions, self.number)
        with reported(backend.cluster):
            documents = self._client.count(index=self._names.documents,
                                           body={"query": visible(self.number)})["count"]
        backend.write_state(state, deleting=[], documents=int(documents))
        self.ended()

    def _delete_old(self, deletions: list[tuple[str, str]], before: int) -> None:
        """Delete the documents of ``deletions`` written before transaction ``before``."""
        by_field: dict[str, list[str]] = {}
        for field, value in deletions:
            by_field.setdefault(field, []).append(value)
        with reported(self._backend.cluster):
            for field, values in by_field.items():
                for start in range(0, len(values), DELETE_BATCH):
                    query = {"bool": {"filter": [{"terms": {field: values[start:start + DELETE_BATCH]}},
                                                 {"range": {"txn": {"lt": before}}}]}}
                    with_backoff(lambda: self._client.delete_by_query(
                        index=self._names.documents, body={"query": query}, refresh=True, conflicts="proceed"))

    def cancel(self) -> None:
        """Stop the workers and delete what this transaction wrote; what cannot be deleted now (the cluster
        gone) stays invisible, and the next writer removes it."""
        if self._workers is not None:
            self._workers.stop()
        try:
            self._clean_up(self._backend.read_state())
        except SearchkitError:
            pass
        finally:
            self.ended()

    def ended(self) -> None:
        _OPEN_HERE.discard((self._backend.location, self.number))


class BulkSink:
    """Documents analysed and sent in bulk requests of about :data:`BULK_BYTES`, counting their terms for the
    vocabulary; one per worker process (or in the writing process itself)."""

    def __init__(self, location: ClusterLocation, index: str, settings: AnalyzerSettings, transaction: int) -> None:
        self._location = location
        self._client = client_for(location)
        self._analyzer = get_analyzer(settings)
        self._transaction = transaction
        self._index = index
        # Documents in the order each sink writes them, the sinks of one transaction apart.
        self._sequence = (transaction << 40) + ((os.getpid() & 0xFFFF) << 24)
        self._waiting: list[bytes] = []
        self._bytes = 0
        self.counts: Counter[tuple[str, str]] = Counter()
        self.written = 0

    def add(self, document: Document, source_key: str) -> Skipped | None:
        counts: Counter[tuple[str, str]] = Counter()
        try:
            source = encode(self._analyzer, document, source_key, self._transaction, self._sequence, counts)
        except Exception as error:  # analysis of arbitrary text: any failure is this document's alone
            return Skipped(document.path or document.id, f"document {document.id!r} cannot be analysed: {error}")
        action = json.dumps({"index": {"_index": self._index, "_id": document_id(document.id, self._transaction)}})
        line = f"{action}\n{json.dumps(source, ensure_ascii=False)}\n".encode("utf-8")
        self._waiting.append(line)
        self._bytes += len(line)
        self.counts.update(counts)
        self.written += 1
        self._sequence += 1
        if self._bytes >= BULK_BYTES:
            self._send()
        return None

    def _send(self) -> None:
        if not self._waiting:
            return
        body = b"".join(self._waiting)
        with reported(self._location):
            answer = with_backoff(lambda: _bulk_or_retry(self._client, body))
        self._waiting, self._bytes = [], 0
        failed = [item["index"] for item in answer["items"] if item["index"].get("error")]
        if failed:
            error = failed[0]["error"]
            raise SearchkitError(f"the OpenSearch cluster at {self._location.url} refused {len(failed)} "
                                 f"document(s): {error.get('reason') or error}")

    def finish(self) -> Counter[tuple[str, str]]:
        self._send()
        return self.counts


def _bulk_or_retry(client: Any, body: bytes) -> dict[str, Any]:
    """One bulk request; the items the cluster was too busy for (429) are sent again with backoff, by raising as
    a busy cluster does for the whole request."""
    answer = client.bulk(body=body)
    if answer.get("errors") and any(item["index"].get("status") == 429 for item in answer["items"]):
        raise os_errors.TransportError(429, "es_rejected_execution_exception", answer)
    return answer


def _alive(holder: dict[str, Any], location: str) -> bool:
    """Whether the transaction that claimed the writing turn still runs (one on another machine is taken to)."""
    if holder.get("host") != socket.gethostname():
        return True
    if int(holder["pid"]) == os.getpid():
        return (location, int(holder["txn"])) in _OPEN_HERE
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
