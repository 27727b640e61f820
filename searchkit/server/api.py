"""The JSON API: the shapes of the command line's ``--json``, made by the same functions (``results.to_json()``,
``explanation.to_json()``, ``render.analysis_json``, ``render.stats_json``), so a script gets the same object from
``searchkit search --json`` and from ``GET /api/search``.

Each endpoint is declared once in :func:`endpoints`, with its parameters, which :mod:`.openapi` describes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from searchkit import SORTS, DocumentNotFoundError, Index, render

from .auth import require_writer
from .config import ServerConfig
from .jobs import Writer
from .limits import ApiError, read_body
from .params import Param
from .pool import SearchPool

#: Hits fetched a search at a time by ``/api/search.jsonl``.
EXPORT_PAGE = 100

#: ``Index.search`` options that the API takes and passes on only when this version of the library has them
#: (sorting and facets, synonyms): the one place where query parameters meet them.
#: The search options passed on to :meth:`searchkit.Index.search` as they are.
SEARCH_OPTIONS = ("sort", "facets", "synonyms")


class JSON(JSONResponse):
    """JSON as the command line prints it: UTF-8 text, not ``\\u`` escapes."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False).encode("utf-8")


Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    handler: Handler
    params: tuple[Param, ...] = ()
    #: Whether it needs the token: the writes, and the jobs of the writes.
    needs_token: bool = False
    #: ``json``, ``jsonl`` or ``html``: what a success answers with.
    produces: str = "json"
    #: The OpenAPI schema of its JSON body, if it takes one.
    body: dict[str, Any] | None = None
    statuses: tuple[int, ...] = field(default=(400,))


class Api:
    """The endpoints' handlers over one open index, its search threads and its writer."""

    def __init__(self, config: ServerConfig, index: Index, pool: SearchPool, writer: Writer,
                 roots: tuple[Path, ...]) -> None:
        self.config, self.index, self.pool, self.writer, self.roots = config, index, pool, writer, roots

    @staticmethod
    def search_options(args: dict[str, Any]) -> dict[str, Any]:
        """The options of a search that the CLI's ``searchkit search`` takes too."""
        return {name: args[name] for name in SEARCH_OPTIONS}

    def search_json(self, args: dict[str, Any], limit: int, offset: int) -> dict[str, Any]:
        return self.index.search(args["q"], limit=limit, offset=offset, correct=args["correct"],
                                 **self.search_options(args)).to_json()

    async def search(self, request: Request, args: dict[str, Any]) -> Response:
        return JSON(await self.pool.run(lambda: self.search_json(args, args["limit"], args["offset"])))

    async def export(self, request: Request, args: dict[str, Any]) -> Response:
        """Every hit, one JSON object a line, a search of :data:`EXPORT_PAGE` hits at a time. A commit in the
        middle would mix two versions of the index: the stream then ends with a line saying so."""
        first = await self.pool.run(lambda: self.search_json(args, EXPORT_PAGE, 0))

        async def lines() -> AsyncIterator[bytes]:
            page, offset = first, 0
            while True:
                for hit in page["hits"]:
                    yield (json.dumps(hit, ensure_ascii=False) + "\n").encode("utf-8")
                offset += EXPORT_PAGE
                if offset >= page["total"] or not page["hits"]:
                    return
                try:
                    page = await self.pool.run(lambda: self.search_json(args, EXPORT_PAGE, offset))
                except ApiError as error:
                    yield (json.dumps(error.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
                    return
                if page["generation"] != first["generation"]:
                    message = {"error": f"the index changed (commit {first['generation']} → {page['generation']}) "
                                        f"after {offset:,} hits: search again for the rest"}
                    yield (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
                    return

        return StreamingResponse(lines(), media_type="application/x-ndjson; charset=utf-8",
                                 headers={"X-Total-Count": str(first["total"])})

    async def document(self, request: Request, args: dict[str, Any]) -> Response:
        def shown() -> dict[str, Any]:
            document, spans = self.index.document(args["id"], args["q"])
            return render.document_json(document, spans)
        return JSON(await self.pool.run(shown))

    async def explain(self, request: Request, args: dict[str, Any]) -> Response:
        return JSON(await self.pool.run(lambda: self.index.explain(args["q"], args["id"]).to_json()))

    async def analyze(self, request: Request, args: dict[str, Any]) -> Response:
        return JSON(await self.pool.run(lambda: render.analysis_json(self.index.analyze(args["text"]))))

    async def complete(self, request: Request, args: dict[str, Any]) -> Response:
        return JSON(await self.pool.run(lambda: render.completion_json(
            self.index.complete(args["prefix"], limit=args["limit"]))))

    async def stats(self, request: Request, args: dict[str, Any]) -> Response:
        # Figures of the commit, not a search: no budget, so that a server busy searching still answers them.
        return JSON(render.stats_json(await run_in_threadpool(self.index.stats)))

    async def health(self, request: Request, args: dict[str, Any]) -> Response:
        def figures() -> dict[str, Any]:
            stats = self.index.stats()
            return {"status": "ok", "documents": stats.documents, "generation": stats.generation,
                    "search_threads": self.pool.alive(), "writes": self.config.writes_enabled}
        return JSON(await run_in_threadpool(figures))

    # --- writes ---------------------------------------------------------------------------------------------

    async def add_documents(self, request: Request, args: dict[str, Any]) -> Response:
        require_writer(request, self.config.token)
        body = await read_body(request, self.config.limits.body_bytes)
        try:
            records = json.loads(body)
        except ValueError as error:
            raise ApiError(400, f"the body is not JSON: {error}") from None
        if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
            raise ApiError(400, "the body must be a JSON list of objects with id, text and optionally title, date")
        written = await self.writer.run(lambda: self.index.add(records))
        return JSON({"written": written, "generation": self.index.stats().generation})

    async def delete_document(self, request: Request, args: dict[str, Any]) -> Response:
        require_writer(request, self.config.token)
        deleted = await self.writer.run(lambda: self.index.delete([args["id"]]))
        if not deleted:
            raise DocumentNotFoundError(f"no document with id {args['id']!r} in the index")
        return JSON({"deleted": deleted, "generation": self.index.stats().generation})

    async def sync(self, request: Request, args: dict[str, Any]) -> Response:
        require_writer(request, self.config.token)
        folder = self.chosen_folder(args["folder"])
        job = self.writer.sync(folder)
        return JSON(job.to_json(), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})

    def chosen_folder(self, name: str | None) -> Path:
        """One of the folders the server was started with, by its name or as given to ``--root``; a request
        names a folder, it never gives a path."""
        if not self.roots:
            raise ApiError(409, "this server syncs no folder: start it with --root DIR")
        names = ", ".join(root.name for root in self.roots)
        if name is None:
            if len(self.roots) == 1:
                return self.roots[0]
            raise ApiError(400, f"folder: required, one of {names}")
        for root in self.roots:
            if name in (root.name, str(root)):
                return root
        raise ApiError(400, f"folder: one of {names}, not {name[:60]!r}")

    async def job(self, request: Request, args: dict[str, Any]) -> Response:
        require_writer(request, self.config.token)
        job = self.writer.job(request.path_params["job_id"])
        if job is None:
            raise ApiError(404, f"no job {request.path_params['job_id'][:40]!r} on this server")
        return JSON(job.to_json())


def endpoints(api: Api) -> list[Endpoint]:
    """Every API endpoint with its parameters, for the routes and for ``/openapi.json``."""
    limits = api.config.limits
    q = Param("q", str, "The query, in the query language of `searchkit search --help`.", required=True,
              max_length=limits.query_chars)
    correct = Param("correct", bool, "Correct a mistyped query (keyboard layout, transliteration, spelling); "
                                     "false searches it as typed.", default=True)
    doc_id = Param("id", str, "A document id as the hits give it (ids hold `/` and `#`).", required=True,
                   max_length=limits.query_chars)
    options = (Param("sort", str, "The order of the hits: by relevance, or by date, newest or oldest first "
                                "(undated documents last).", default="relevance", choices=SORTS),
             Param("facets", bool, "Also count all the hits by year, month, folder, format and author "
                                   "(`facets` of the answer).", default=False),
             Param("synonyms", bool, "Search the words' synonyms too.", default=True))
    paging = (Param("limit", int, "Hits to return.", default=10, minimum=1, maximum=limits.limit),
              Param("offset", int, "Hits to skip, for paging.", default=0, minimum=0, maximum=limits.offset))
    search_statuses = (400, 422)
    return [
        Endpoint("GET", "/api/search", "Ranked hits with snippets: the object of `searchkit search --json`.",
                 api.search, (q, *paging, correct, *options), statuses=search_statuses),
        Endpoint("GET", "/api/search.jsonl", "Every hit, one JSON object a line (a hit of `/api/search`).",
                 api.export, (q, correct, *options), produces="jsonl", statuses=search_statuses),
        Endpoint("GET", "/api/document", "The stored document whole, with the words the query matches.",
                 api.document, (doc_id, Param("q", str, "The query whose matches are marked.",
                                              max_length=limits.query_chars)), statuses=(400, 404, 422)),
        Endpoint("GET", "/api/explain", "Why a document matches a query: the object of `searchkit explain --json`.",
                 api.explain, (q, doc_id), statuses=(400, 404, 422)),
        Endpoint("GET", "/api/analyze", "How the index's analyzer reads a text: `searchkit analyze --json`.",
                 api.analyze, (Param("text", str, "The text.", required=True, max_length=limits.analyze_chars),),
                 statuses=(400, 422)),
        Endpoint("GET", "/api/complete", "Index words starting with a prefix, with their document counts.",
                 api.complete, (Param("prefix", str, "The start of a word.", required=True, max_length=100),
                                Param("limit", int, "Words to return.", default=10, minimum=1, maximum=50)),
                 statuses=(400, 422)),
        Endpoint("GET", "/api/stats", "Figures of the index: `searchkit stats --json`.", api.stats, statuses=()),
        Endpoint("GET", "/health", "Whether the server answers, and its index's size and commit.", api.health,
                 statuses=()),
        Endpoint("POST", "/api/documents", "Add documents (replacing any with the same id).", api.add_documents,
                 needs_token=True, statuses=(400, 401, 403, 413),
                 body={"type": "array", "items": {"type": "object", "required": ["id", "text"], "properties": {
                     "id": {"type": "string"}, "title": {"type": "string"},
                     "date": {"type": "string", "description": "YYYY-MM-DD"}, "text": {"type": "string"}}}}),
        Endpoint("DELETE", "/api/document", "Delete a document by id.", api.delete_document, (doc_id,),
                 needs_token=True, statuses=(400, 401, 403, 404)),
        Endpoint("POST", "/api/index", "Sync one of the folders the server was started with; answers with a job.",
                 api.sync, (Param("folder", str, "The folder's name (needed when the server has several).",
                                  max_length=limits.query_chars),),
                 needs_token=True, statuses=(400, 401, 403, 409)),
        Endpoint("GET", "/api/jobs/{job_id}", "A sync job's state, progress and, at its end, its report.",
                 api.job, needs_token=True, statuses=(401, 403, 404)),
    ]
