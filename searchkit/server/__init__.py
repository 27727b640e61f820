"""``searchkit serve``: the index over HTTP, a JSON API for programs and a search page for people.

Starlette and uvicorn are imported here only, never by ``import searchkit`` or the command line until ``serve``
runs, so the library and the other commands start as fast as before. The modules, in the order a request meets
them: :mod:`.config` (what the server was started with), :mod:`.app` (routes, middleware, errors),
:mod:`.auth` and :mod:`.limits` (what a request may do and how big it may be), :mod:`.params` (each endpoint's
parameters, read and described for ``/openapi.json`` from one table), :mod:`.pool` (searches in threads, each
within its time budget), :mod:`.api` and :mod:`.page` (the JSON endpoints and the HTML page), :mod:`.jobs` (the
one writer, and folder syncs run by :mod:`.sync_process`).
"""

from .app import create_app
from .config import ServerConfig
from .run import serve

__all__ = ["ServerConfig", "create_app", "serve"]
