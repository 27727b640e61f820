"""How an error becomes an answer, in one place for the API (JSON) and the page (HTML): a user's mistake is a
4xx with the library's one-line message (a query's with its position, as the command line shows it); anything
else is logged and answered with a line that shows no internals."""

from __future__ import annotations

import logging
from typing import Any

from searchkit import (DocumentError, IndexLockedError, NotFoundError, QueryError, SearchkitError,
                       SettingsError)

from .limits import ApiError

log = logging.getLogger("searchkit.server")


def error_answer(error: Exception) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The status, JSON body and headers that answer ``error``."""
    if isinstance(error, ApiError):
        return error.status, error.to_json(), error.headers
    if isinstance(error, QueryError):
        return 400, {"error": str(error), "position": error.position, "query": error.query,
                     "pointer": error.pointer()}, {}
    if isinstance(error, NotFoundError):
        return 404, {"error": str(error)}, {}
    if isinstance(error, (DocumentError, SettingsError)):
        return 400, {"error": str(error)}, {}
    if isinstance(error, SearchkitError):  # locked by another writer, damaged, incompatible: the index's state
        return 409, {"error": str(error)}, {"Retry-After": "5"} if isinstance(error, IndexLockedError) else {}
    log.exception("internal error")
    return 500, {"error": "internal error: the server's log has the details"}, {}


def page_error(error: Exception) -> tuple[int, str]:
    """The status and message the page shows for ``error``."""
    status, body, _ = error_answer(error)
    return status, str(body["error"])
