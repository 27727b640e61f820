"""The ASGI application: the API's routes and the page's, the middleware every request passes (access log,
security headers, CORS when asked), and the one place where errors become answers.

Starlette rather than FastAPI: the API is a dozen endpoints with scalar parameters, which :mod:`.params`
declares once for both reading and ``/openapi.json``; FastAPI would add pydantic models and an error format of
its own (422 with a list of locations) where the answers here are the command line's one-line messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from searchkit import Index

from .answers import error_answer
from .api import JSON, Api, Endpoint, endpoints
from .config import ServerConfig
from .jobs import Writer
from .openapi import openapi
from .page import Page
from .params import read_all
from .pool import SearchPool

access = logging.getLogger("searchkit.server.access")

#: Every answer carries these: no script but the page's own, no framing, no sniffing, no referrer.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def api_route(endpoint: Endpoint) -> Route:
    async def handle(request: Request) -> Response:
        try:
            return await endpoint.handler(request, read_all(endpoint.params, request.query_params))
        except Exception as error:
            status, body, headers = error_answer(error)
            return JSON(body, status_code=status, headers=headers)

    return Route(endpoint.path, handle, methods=[endpoint.method])


class AccessLog:
    """One line per request: client, method, path and query, status, milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            client = scope.get("client") or ("-", 0)
            access.info('%s "%s %s%s" %d %.1f ms', client[0], scope["method"], scope.get("raw_path", b"").decode(
                "latin-1") or scope["path"], f"?{query}" if query else "", status[0],
                (time.perf_counter() - started) * 1000)


async def not_found(request: Request, error: Exception) -> Response:
    status = getattr(error, "status_code", 404)
    if request.url.path.startswith("/api/") or request.url.path in ("/health", "/openapi.json"):
        message = "no such endpoint: /openapi.json lists them" if status == 404 else \
            f"{request.method} is not allowed here" if status == 405 else getattr(error, "detail", "error")
        return JSON({"error": message}, status_code=status)
    return Response("Страница не найдена" if status == 404 else str(getattr(error, "detail", "")), status_code=status,
                    media_type="text/plain; charset=utf-8")


def recorded_folders(index: Index) -> tuple[Path, ...]:
    """The files and folders the index records having been built from."""
    return tuple(Path(source.path) for source in index.sources)


def create_app(config: ServerConfig) -> Starlette:
    """The application over ``config.index``, opened now so that a missing or unreadable index is reported before
    the server listens (:class:`~searchkit.IndexNotFoundError`, …)."""
    index = Index.open(config.index)
    # Loaded now rather than by the first search, which runs under the time budget: a search stopped half-way
    # through importing a library would leave it half imported.
    index.warm_up()
    pool = SearchPool(config.threads, config.limits.budget_seconds)
    writer = Writer(config.index)
    api = Api(config, index, pool, writer, tuple(config.roots) or recorded_folders(index))
    table = endpoints(api)
    description = openapi(table)
    page = Page(api)

    async def openapi_json(request: Request) -> Response:
        return JSON(description)

    routes: list[BaseRoute] = [
        Route("/", page.search, methods=["GET"]),
        Route("/document", page.document, methods=["GET"]),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        *(api_route(endpoint) for endpoint in table),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        writer.close()  # a running sync is stopped as SIGTERM stops `searchkit index`: the last commit stays
        pool.close()
        index.close()

    middleware = [Middleware(AccessLog)]
    if config.cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=[config.cors], allow_methods=["GET", "POST",
                                     "DELETE"], allow_headers=["Authorization", "Content-Type"]))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: not_found})
    app.state.api = api
    return app
