"""Running a reader's work in a child process that can be killed, for parsers that may never come back.

A parser written in C (PDFium) runs a crafted page in one call that Python cannot interrupt: no signal handler
runs until it returns, and it may not. Forked into a child, the work is bounded: past its deadline the child is
killed and the file reported, and the indexer goes on with the next one. A plain ``os.fork`` is used because the
indexing workers are daemonic processes, which ``multiprocessing`` does not let have children.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import DocumentError

_Result = TypeVar("_Result")

#: prctl's request for a signal when the parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies, however it dies (``kill -9``, the OOM killer, a
    closed terminal), so that no child outlives the process that started it and keeps its files and locks; on a
    system without ``prctl`` the caller's own checks of ``os.getppid()`` remain."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def in_child(work: Callable[..., _Result], *args: Any, seconds: float, what: str) -> _Result:
    """``work(*args)`` in a forked child, its result (or the ``DocumentError`` it raised) passed back; a child
    still working after ``seconds`` is killed and the file refused as ``what`` that could not be read in time."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        end_with_parent(parent)
        os.close(read_end)
        try:
            outcome: tuple[bool, Any] = (True, work(*args))
        except DocumentError as error:
            outcome = (False, str(error))
        except BaseException as error:  # anything else is a damaged file's doing, said in one line
            outcome = (False, f"{what} cannot be read: {type(error).__name__}: {error}")
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
        os._exit(0)
    os.close(write_end)
    try:
        data = _read_until(read_end, time.monotonic() + seconds)
    finally:
        os.close(read_end)
    if data is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise DocumentError(f"{what} took more than {seconds:.0f} s to read and was stopped (a page the parser "
                            "cannot finish: a damaged or crafted file)")
    os.waitpid(pid, 0)
    if not data:
        raise DocumentError(f"{what} cannot be read: the reader's process ended without an answer")
    done, value = pickle.loads(data)
    if not done:
        raise DocumentError(value)
    return value  # type: ignore[no-any-return]


def _read_until(descriptor: int, deadline: float) -> bytes | None:
    """Everything written to the pipe until the writer closes it, or None when the deadline comes first."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([descriptor], [], [], left)[0]:
            return None
        chunk = os.read(descriptor, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
