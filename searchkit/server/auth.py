"""Who may write: a request that carries the server's token as ``Authorization: Bearer <token>``. Without a
configured token there are no writes at all; reading never needs one."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from .limits import ApiError


def require_writer(request: Request, token: str | None) -> None:
    """Raise 403 when writes are off or the token is wrong, 401 when the request has none."""
    if not token:
        raise ApiError(403, "writes are off on this server: it was started without --token or $SEARCHKIT_TOKEN")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "this request writes to the index and needs the header Authorization: Bearer <token>",
                       headers={"WWW-Authenticate": 'Bearer realm="searchkit"'})
    # compare_digest takes as long for a wrong token whatever its first different character.
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8")):
        raise ApiError(403, "the token is not this server's")
