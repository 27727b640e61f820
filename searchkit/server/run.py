"""Running the application under uvicorn: the access log, the warning for an open address with no token, and a
graceful stop on SIGTERM or Ctrl-C (uvicorn stops accepting, lets running requests finish for up to
:data:`GRACE_SECONDS`, then the application stops its writer and closes the index)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from .app import create_app
from .config import ServerConfig

GRACE_SECONDS = 10


def warnings(config: ServerConfig) -> list[str]:
    """What a person starting this server should know before it listens."""
    said = []
    if not config.loopback and not config.token:
        said.append(f"listening on {config.host}, beyond this machine, with no token: anyone who reaches port "
                    f"{config.port} can search the index (writes are off)")
    return said


def serve(config: ServerConfig) -> None:
    """Serve until SIGTERM or Ctrl-C. Raises the library's errors (no index, …) before listening."""
    app = create_app(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S",
                        stream=sys.stderr)
    for line in warnings(config):
        logging.getLogger("searchkit.server").warning("searchkit: warning: %s", line)
    writes = "writes with the token" if config.token else "read only (no token)"
    roots = ", ".join(str(root) for root in app.state.api.roots) or "none"
    logging.getLogger("searchkit.server").info("searchkit: serving %s at http://%s:%d/ (%s; folders to sync: %s)",
                                               config.index, config.host, config.port, writes, roots)
    uvicorn.run(app, host=config.host, port=config.port, access_log=False, log_level="info",
                timeout_graceful_shutdown=GRACE_SECONDS, server_header=False)
