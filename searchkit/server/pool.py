"""Searches run in a few long-lived threads, each within a time budget that is kept.

Threads rather than processes: an :class:`~searchkit.Index` is made to be shared by threads (each search reads
one commit through its thread's own context), and a thread keeps its context's caches (posting arrays, dates)
from one search to the next, which a pool of processes would hold once per process. The threads are long-lived
for the same reason.

The budget is real: when a search is still running at its deadline, the request is answered at once (422, with
a message) and the search itself is stopped by raising :class:`BudgetExceeded` in its thread, as Ctrl-C stops a
search in the interactive prompt (a ``KeyboardInterrupt`` there too, so nothing in the library takes it for an
error of its own). A search still waiting for a thread at its deadline never starts.
"""

from __future__ import annotations

import asyncio
import ctypes
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .limits import ApiError

T = TypeVar("T")


class BudgetExceeded(KeyboardInterrupt):
    """Raised in a search's thread when its time budget has run out."""


def _raise_in(thread_id: int) -> None:
    """Ask the interpreter to raise :class:`BudgetExceeded` in the thread ``thread_id`` at its next bytecode."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(BudgetExceeded))


class _Job:
    """One call waiting for a thread, running, or finished; ``lock`` makes stopping and finishing exclusive, so
    a job is stopped at most once and never after it has finished."""

    def __init__(self, call: Callable[[], Any], loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any]):
        self.call, self.loop, self.future = call, loop, future
        self.lock = threading.Lock()
        self.state = "queued"
        self.thread = 0

    def run(self) -> None:
        with self.lock:
            if self.state != "queued":
                return
            self.state, self.thread = "running", threading.get_ident()
        result: Any = None
        error: BaseException | None = None
        try:
            result = self.call()
        except BudgetExceeded:
            return  # stopped: the request has been answered already
        except Exception as problem:  # handed to the request, which turns it into its answer
            error = problem
        with self.lock:
            if self.state != "running":
                return
            self.state = "done"
        self.loop.call_soon_threadsafe(_settle, self.future, result, error)

    def stop(self) -> None:
        with self.lock:
            if self.state == "running":
                _raise_in(self.thread)
            if self.state in ("queued", "running"):
                self.state = "stopped"


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class SearchPool:
    """``await pool.run(call)``: ``call()`` in one of ``threads`` threads, answered within ``budget`` seconds."""

    def __init__(self, threads: int, budget: float) -> None:
        self.budget = budget
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._serve, name=f"search-{n}", daemon=True)
                         for n in range(threads)]
        for thread in self._threads:
            thread.start()

    def _serve(self) -> None:
        while True:
            try:
                job = self._queue.get()
                if job is None:
                    return
                job.run()
            except BudgetExceeded:
                continue  # it reached this thread just after its search had finished

    async def run(self, call: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        job = _Job(call, loop, loop.create_future())
        self._queue.put(job)
        try:
            return await asyncio.wait_for(job.future, self.budget)
        except asyncio.TimeoutError:
            job.stop()
            raise ApiError(422, f"the search took longer than this server's budget of {self.budget:g} s a query "
                                "and was stopped: narrow the query (fewer prefixes or =forms, a date filter)") from None
        except asyncio.CancelledError:  # the client went away
            job.stop()
            raise

    def alive(self) -> int:
        """Threads ready to search (all of them, unless the pool was closed)."""
        return sum(thread.is_alive() for thread in self._threads)

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
