"""The server's one writer: every write (documents added, a document deleted, a folder synced) runs in one
thread, in the order asked, so two writes never wait on the index's lock for each other.

A folder sync is a :class:`SyncJob`: ``POST /api/index`` queues it and answers at once with its id, and
``GET /api/jobs/{id}`` reports its progress and, at the end, its report. The sync itself runs in a process of its
own (:mod:`.sync_process`) while searches keep answering from the last commit.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: Finished jobs kept for ``GET /api/jobs/{id}``, the oldest forgotten first.
KEPT_JOBS = 100


class SyncJob:
    """One folder's sync: ``queued``, ``running``, then ``done``, ``failed`` or ``stopped``."""

    def __init__(self, folder: Path) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.folder = folder
        self.state = "queued"
        self.progress: dict[str, Any] | None = None
        self.report: dict[str, Any] | None = None
        self.error: str | None = None
        self.queued_at = time.time()
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.process: subprocess.Popen[str] | None = None
        self.stopping = False

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "stopped")

    def to_json(self) -> dict[str, Any]:
        stamp = lambda t: None if t is None else time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t))  # noqa: E731
        return {"id": self.id, "folder": str(self.folder), "state": self.state, "progress": self.progress,
                "report": self.report, "error": self.error, "queued": stamp(self.queued_at),
                "started": stamp(self.started_at), "finished": stamp(self.finished_at)}

    def run(self, index: Path | str) -> None:
        self.state, self.started_at = "running", time.time()
        self.process = subprocess.Popen([sys.executable, "-m", "searchkit.server.sync_process", str(index),
                                         str(self.folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL, text=True, encoding="utf-8")
        assert self.process.stdout is not None
        if self.stopping:  # stop() came between the state and the process
            self.process.terminate()
        for line in self.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            self.progress = message.get("progress", self.progress)
            self.report = message.get("report", self.report)
            self.error = message.get("error", self.error)
        stderr = self.process.stderr.read() if self.process.stderr else ""
        status = self.process.wait()
        if status == 0 and self.report is not None:
            self.state = "done"
        elif status in (143, -15):
            self.state = "stopped"
        else:
            self.state = "failed"
            self.error = self.error or (stderr.strip().splitlines() or [f"the sync ended with status {status}"])[-1]
        self.finished_at = time.time()

    def stop(self) -> None:
        """Stop a running sync as SIGTERM stops ``searchkit index``: the index keeps its last commit."""
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
        if self.state == "queued":
            self.state, self.error, self.finished_at = "stopped", "the server stopped first", time.time()


class Writer:
    """One thread that runs the writes in order: calls (``await writer.run(call)``) and folder syncs
    (``writer.sync(folder)``)."""

    def __init__(self, index: Path | str) -> None:
        self._index = index
        self._jobs: dict[str, SyncJob] = {}
        self._tasks: list[Callable[[], None] | None] = []
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._serve, name="writer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            with self._ready:
                while not self._tasks:
                    self._ready.wait()
                task = self._tasks.pop(0)
            if task is None:
                return
            task()

    def _queue(self, task: Callable[[], None] | None) -> None:
        with self._ready:
            self._tasks.append(task)
            self._ready.notify()

    async def run(self, call: Callable[[], T]) -> T:
        """``call()`` in the writer's thread, after the writes queued before it."""
        future: Future[T] = Future()

        def task() -> None:
            try:
                future.set_result(call())
            except Exception as error:  # the request turns it into its answer
                future.set_exception(error)

        self._queue(task)
        return await asyncio.wrap_future(future)

    def sync(self, folder: Path) -> SyncJob:
        job = SyncJob(folder)
        self._jobs[job.id] = job
        for old in [j for j in self._jobs.values() if j.finished][:max(0, len(self._jobs) - KEPT_JOBS)]:
            del self._jobs[old.id]

        def task() -> None:
            if job.state == "queued":
                job.run(self._index)

        self._queue(task)
        return job

    def job(self, job_id: str) -> SyncJob | None:
        return self._jobs.get(job_id)

    def close(self) -> None:
        """Stop what is running and what waits, then the thread."""
        for job in list(self._jobs.values()):
            job.stop()
        self._queue(None)
        self._thread.join(timeout=30)
