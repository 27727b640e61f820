"""Talking to the cluster: one client per process and location, and its failures as one line a person can act on.

Searches and small requests are retried by the client on a node's 502/503/504 and on timeouts; bulk requests
are retried here with backoff (:func:`with_backoff`) on 429 (the cluster is busy) and 5xx. Whatever still fails
is a :class:`~searchkit.errors.SearchkitError` naming the cluster, so the command line prints one line and exits
with status 2, as for any other error of the user's setup.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors

from ...errors import IndexNotFoundError, SearchkitError
from .location import ClusterLocation

_Value = TypeVar("_Value")

#: Seconds a request may take before it is retried (bulk requests of several megabytes on a busy cluster).
TIMEOUT = 120
#: Tries of a bulk request the cluster answers with 429 or 5xx, waiting twice as long each time.
BULK_TRIES = 8
FIRST_WAIT = 0.5
RETRIED_STATUS = (429, 500, 502, 503, 504)


def client_for(location: ClusterLocation) -> OpenSearch:
    """This process's client of the cluster at ``location``: a worker process forked from another makes its
    own, never sharing the other's connections."""
    return _client(location, os.getpid())


@functools.lru_cache(maxsize=8)
def _client(location: ClusterLocation, process: int) -> OpenSearch:
    return OpenSearch(**location.client_options(), timeout=TIMEOUT, max_retries=3,  # type: ignore[arg-type]
                      retry_on_status=(502, 503, 504), retry_on_timeout=True)


@contextmanager
def reported(location: ClusterLocation) -> Iterator[None]:
    """Errors of the cluster as one line: unreachable, credentials refused, or a request refused, with why."""
    try:
        yield
    except os_errors.ConnectionError as error:
        raise SearchkitError(f"cannot reach the OpenSearch cluster at {location.url} ({_reason(error)}); "
                             "is it running, and is the address right?") from None
    except os_errors.AuthenticationException:
        raise SearchkitError(f"the OpenSearch cluster at {location.url} refused the credentials: set "
                             "SEARCHKIT_OPENSEARCH_USER and SEARCHKIT_OPENSEARCH_PASSWORD") from None
    except os_errors.AuthorizationException as error:
        raise SearchkitError(f"the OpenSearch cluster at {location.url} does not allow this user to "
                             f"{_reason(error)}") from None
    except os_errors.NotFoundError as error:
        raise IndexNotFoundError(f"no searchkit index {location} ({_reason(error)}); create one with: "
                                 f"searchkit --index {location} index FOLDER") from None
    except os_errors.TransportError as error:
        raise SearchkitError(f"the OpenSearch cluster at {location.url} refused a request: "
                             f"{error.status_code} {_reason(error)}") from None


def with_backoff(call: Callable[[], _Value]) -> _Value:
    """``call()``, tried again after a growing wait while the cluster answers it with 429 or 5xx or cannot be
    reached for a moment (a node restarting, a primary moving to its replica)."""
    wait = FIRST_WAIT
    for attempt in range(BULK_TRIES):
        try:
            return call()
        except (os_errors.ConnectionError, os_errors.TransportError) as error:
            status = getattr(error, "status_code", None)
            retried = isinstance(error, os_errors.ConnectionError) or status in RETRIED_STATUS
            if not retried or attempt == BULK_TRIES - 1:
                raise
            time.sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")


def _reason(error: Exception) -> str:
    info: Any = getattr(error, "info", None)
    if isinstance(info, dict):
        cause = info.get("error", info)
        if isinstance(cause, dict):
            return str(cause.get("reason") or cause.get("type") or cause)
        return str(cause)
    error_text = getattr(error, "error", None)
    return str(error_text or error)
