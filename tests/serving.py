"""A real ``searchkit serve`` process on a free loopback port, for the server's tests and the browser's."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``searchkit serve ARGS`` started and waited for; :meth:`stop` sends SIGTERM and returns its log."""

    def __init__(self, index: Path | str, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
                 ) -> None:
        #: The folder the server may sync, if it was given one.
        self.root = Path(args[args.index("--root") + 1]) if "--root" in args else None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Beside an index folder; a cluster index's server logs into the temporary folder.
        logs = index.parent if isinstance(index, Path) else Path(tempfile.gettempdir())
        self.log_path = logs / f"serve-{self.port}.log"
        self._log = self.log_path.open("w")
        # The machine's own $SEARCHKIT_TOKEN never decides whether a test's server takes writes.
        environment = {name: value for name, value in os.environ.items() if name != "SEARCHKIT_TOKEN"}
        environment.update(env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "searchkit", "serve", "--index", str(index), "--port", str(self.port), *args],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment, cwd=cwd)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"searchkit serve exited with {self.process.returncode}: {self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"searchkit serve did not answer within 60 s: {self.log()}")
            time.sleep(0.1)
        self.client = httpx.Client(base_url=self.url, timeout=60)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> bool:
        """SIGTERM, as a service manager stops it; whether the server shut down gracefully: its application's
        shutdown done, and the exit status SIGTERM's (uvicorn raises the signal again once it has finished) or 0.
        A generous wait catches a hang."""
        self.client.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._log.close()
        return status in (0, -signal.SIGTERM) and "Application shutdown complete" in self.log()
