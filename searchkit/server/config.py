"""What a server is started with: its index, address, token, CORS origin, the folders it may sync, its limits."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from .limits import Limits


@dataclass(frozen=True)
class ServerConfig:
    #: An index folder, or a cluster index ``opensearch://HOST:PORT/NAME``.
    index: Path | str
    host: str
    port: int
    #: The bearer token that writes need; without one, writes are off.
    token: str | None = None
    #: The one origin allowed to call the API from a browser page of its own; none by default.
    cors: str | None = None
    #: The folders ``POST /api/index`` may sync, named by the request, never given by it.
    roots: tuple[Path, ...] = ()
    limits: Limits = field(default_factory=Limits)
    #: Threads that run searches at once (``searchkit serve --threads``). Searches hold the interpreter lock in
    #: their Python parts, so on two cores more threads add waiting rather than throughput; NumPy's ranking and
    #: reading files release it.
    threads: int = 4

    @property
    def writes_enabled(self) -> bool:
        return bool(self.token)

    @property
    def loopback(self) -> bool:
        """Whether the server listens on this machine only."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False
