"""Worker processes that read files and analyse documents for a backend's transaction, on every core.

The parent queues documents, and files to be read, in batches; each worker hands what it is given to a sink of
its own, made in the worker by the backend (the embedded index writes segments, a cluster sends bulk requests),
and at the end sends back what its sink made with what it skipped and what each file gave. A worker exits by
itself if its parent dies, and ignores Ctrl-C, which reaches the whole process group: the parent alone decides,
and kills the workers.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import traceback
from collections.abc import Callable
from typing import Any, Protocol

from ..documents import Document, FileRead, Skipped, SourceFile, end_with_parent, read_into
from ..errors import SearchkitError

#: Documents sent to a worker at once: large enough that inter-process overhead is small.
BATCH_DOCS = 200
BATCH_CHARS = 2_000_000
#: Seconds between a worker's checks that the process that started it is still alive.
ORPHAN_CHECK_SECONDS = 2.0


class Sink(Protocol):
    """Where a worker puts the documents it is given."""

    #: Documents taken so far.
    written: int

    def add(self, document: Document, source_key: str) -> Skipped | None:
        """Take one document, or say why it cannot be taken (its text cannot be analysed)."""
        ...

    def finish(self) -> Any:
        """End the worker's share; what is returned travels back to the parent."""
        ...


class Workers:
    """Worker processes each feeding a sink of its own; ``make_sink`` is called in each worker."""

    def __init__(self, make_sink: Callable[[], Sink], processes: int) -> None:
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        self._jobs: Any = context.Queue(maxsize=2 * processes)
        self._results: Any = context.Queue()
        self._processes = [context.Process(target=_work, args=(make_sink, self._jobs, self._results, os.getpid()),
                                           daemon=True)
                           for _ in range(processes)]
        for process in self._processes:
            process.start()
        self._batch: list[tuple[Document | SourceFile, str]] = []
        self._batch_chars = 0
        #: What each worker's sink returned, once :meth:`finish` has run.
        self.made: list[Any] = []
        self.finished = False

    def add(self, document: Document, source_key: str) -> None:
        self._queue(document, source_key, len(document.body))

    def add_file(self, source: SourceFile, source_key: str) -> None:
        """A file to be read by a worker; its size on disk stands for its text in sizing the batch."""
        try:
            size = source.path.stat().st_size
        except OSError:
            size = 0  # the worker reports why it cannot read it
        self._queue(source, source_key, size)

    def _queue(self, item: Document | SourceFile, source_key: str, chars: int) -> None:
        self._batch.append((item, source_key))
        self._batch_chars += chars
        if len(self._batch) >= BATCH_DOCS or self._batch_chars >= BATCH_CHARS:
            self._send()

    def _send(self) -> None:
        if self._batch:
            self._put(self._batch)
            self._batch, self._batch_chars = [], 0

    def _put(self, item: Any) -> None:
        """Queue a job, noticing a worker that died (its queue would never drain)."""
        while True:
            try:
                self._jobs.put(item, timeout=1.0)
                return
            except queue.Full:
                self._check_alive()

    def _check_alive(self) -> None:
        dead = [p for p in self._processes if not p.is_alive() and p.exitcode != 0]
        if dead:
            self.stop()
            raise SearchkitError(f"an indexing worker process died (exit code {dead[0].exitcode})")

    def finish(self) -> tuple[list[Skipped], int, list[FileRead]]:
        """Wait for every worker to finish its share; what their sinks made is in :attr:`made`."""
        self._send()
        for _ in self._processes:
            self._put(None)
        skipped: list[Skipped] = []
        files: list[FileRead] = []
        written = 0
        for _ in self._processes:
            while True:
                try:
                    outcome = self._results.get(timeout=1.0)
                    break
                except queue.Empty:
                    self._check_alive()
            if isinstance(outcome, BaseException):
                self.stop()
                raise outcome
            if isinstance(outcome, str):
                self.stop()
                raise SearchkitError(f"an indexing worker failed:\n{outcome}")
            made, worker_skipped, worker_written, worker_files = outcome
            self.made.append(made)
            skipped.extend(worker_skipped)
            written += worker_written
            files.extend(worker_files)
        for process in self._processes:
            process.join()
        self.finished = True
        return skipped, written, files

    def stop(self) -> None:
        """Kill the workers at once and let this process leave without flushing jobs to workers that will never
        read them."""
        for process in self._processes:
            if process.is_alive():
                process.kill()
        for process in self._processes:
            process.join()
        self._jobs.cancel_join_thread()
        self.finished = True


def _work(make_sink: Callable[[], Sink], jobs: Any, results: Any, parent: int) -> None:
    """A worker's life: add the documents of each batch (read from their files first, for the files sent whole)
    to its sink; on ``None``, finish the sink and send back what it made with what was skipped and what each
    file gave."""
    try:
        end_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sink = make_sink()
        skipped: list[Skipped] = []
        files: list[FileRead] = []
        while True:
            try:
                batch = jobs.get(timeout=ORPHAN_CHECK_SECONDS)
            except queue.Empty:
                if os.getppid() != parent:
                    return
                continue
            if batch is None:
                break
            for item, source_key in batch:
                if isinstance(item, SourceFile):
                    files.append(read_into(item, lambda document, key=source_key: sink.add(document, key)))
                elif (problem := sink.add(item, source_key)) is not None:
                    skipped.append(problem)
        results.put((sink.finish(), skipped, sink.written, files))
    except OSError as error:  # a full disk, say: the parent raises it again, and cancels the transaction
        results.put(OSError(error.errno, error.strerror))
    except SearchkitError as error:  # a cluster that stopped answering, say: one line, as the parent would say it
        results.put(SearchkitError(str(error)))
    except BaseException:  # reported to the parent, which cancels the transaction
        results.put(traceback.format_exc())
