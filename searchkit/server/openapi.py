"""``/openapi.json``: the API described from the same :class:`~.api.Endpoint` table that routes and reads it."""

from __future__ import annotations

from typing import Any

from searchkit import __version__

from .api import Endpoint

_REASONS = {400: "a parameter or the query is malformed (the message says which, and where)",
            401: "no token given", 403: "a wrong token, or writes are off", 404: "no such document or job",
            409: "the index cannot take this now (being written by another process, damaged, no folder to sync)",
            413: "the request body is too large", 422: "the search ran past this server's time budget"}

_ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"}, "position": {"type": ["integer", "null"]}, "query": {"type": "string"},
    "pointer": {"type": "string"}}}

_MEDIA = {"json": "application/json", "jsonl": "application/x-ndjson", "html": "text/html"}


def openapi(endpoints: list[Endpoint]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation: dict[str, Any] = {
            "summary": endpoint.summary,
            "operationId": f"{endpoint.method.lower()}_{endpoint.path.strip('/').replace('/', '_').replace('.', '_')}"
                           .replace("{", "").replace("}", ""),
            "parameters": [param.openapi() for param in endpoint.params],
            "responses": {
                "202" if endpoint.path == "/api/index" else "200": {
                    "description": "success", "content": {_MEDIA[endpoint.produces]: {"schema": {}}}},
                **{str(status): {"description": _REASONS[status], "content": {"application/json": {"schema": _ERROR}}}
                   for status in endpoint.statuses},
            },
        }
        if "{job_id}" in endpoint.path:
            operation["parameters"].append({"name": "job_id", "in": "path", "required": True,
                                            "schema": {"type": "string"}})
        if endpoint.needs_token:
            operation["security"] = [{"bearer": []}]
        if endpoint.body is not None:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": endpoint.body}}}
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {"openapi": "3.1.0",
            "info": {"title": "searchkit", "version": __version__,
                     "description": "Full-text search for Russian text over HTTP. The JSON shapes are those of "
                                    "the command line's --json."},
            "paths": paths,
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
