"""Where a cluster index is: ``opensearch://HOST:PORT/NAME`` (``opensearchs://`` for TLS).

The credentials never travel in the location (it is printed in messages and recorded in settings): they come
from ``SEARCHKIT_OPENSEARCH_USER`` and ``SEARCHKIT_OPENSEARCH_PASSWORD``. A CA bundle for a cluster whose
certificate is not signed by a public authority comes from ``SEARCHKIT_OPENSEARCH_CA``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from ...errors import SettingsError

SCHEMES = {"opensearch": "http", "opensearchs": "https"}
DEFAULT_PORT = 9200
#: What OpenSearch accepts as an index name (lowercase, no separators), less the names it reserves.
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]{0,200}")


def is_cluster_location(location: object) -> bool:
    """Whether ``location`` names an index on a cluster rather than an index folder."""
    return isinstance(location, str) and location.split("://", 1)[0].lower() in SCHEMES and "://" in location


@dataclass(frozen=True)
class ClusterLocation:
    """A parsed cluster location: the node to talk to and the name of searchkit's index there."""

    scheme: str
    host: str
    port: int
    name: str
    #: For a new index: its primary shards and replicas (``?shards=N&replicas=M``; ``None``: one replica when
    #: the cluster has a second data node).
    shards: int = 1
    replicas: int | None = None
    #: ``?dfs=1``: searched with ``dfs_query_then_fetch``, term statistics gathered from every shard first.
    dfs: bool = False
    #: ``?weights=0``: a word's readings score as whole occurrences (on the positions fields), not weighted by
    #: their probabilities; for measuring what the weights are worth.
    weights: bool = True

    @classmethod
    def parse(cls, location: str) -> ClusterLocation:
        parts = urlsplit(location)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise SettingsError(f"{location}: a cluster index is opensearch://HOST:PORT/NAME or opensearchs://…")
        name = parts.path.strip("/")
        if not _INDEX_NAME.fullmatch(name):
            raise SettingsError(f"{location}: the index name after the host must be lowercase letters, digits, "
                                "'-' or '_' (opensearch://HOST:PORT/NAME)")
        if parts.username or parts.password:
            raise SettingsError(f"{location}: give the credentials in SEARCHKIT_OPENSEARCH_USER and "
                                "SEARCHKIT_OPENSEARCH_PASSWORD, not in the location")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise SettingsError(f"{location}: the port is not a number") from None
        if not parts.hostname:
            raise SettingsError(f"{location}: no host (opensearch://HOST:PORT/NAME)")
        options = parse_qs(parts.query)
        unknown = set(options) - {"shards", "replicas", "dfs", "weights"}
        if unknown:
            raise SettingsError(f"{location}: unknown option {sorted(unknown)[0]!r} (shards, replicas, dfs, weights)")
        try:
            shards = int(options.get("shards", ["1"])[-1])
            replicas = int(options["replicas"][-1]) if "replicas" in options else None
        except ValueError:
            raise SettingsError(f"{location}: shards and replicas are whole numbers") from None
        if shards < 1 or (replicas is not None and replicas < 0):
            raise SettingsError(f"{location}: at least one shard, and no negative replicas")
        dfs = options.get("dfs", [os.environ.get("SEARCHKIT_OPENSEARCH_DFS", "0")])[-1] in ("1", "true", "yes")
        weights = options.get("weights", ["1"])[-1] not in ("0", "false", "no")
        return cls(scheme, parts.hostname, port, name, shards, replicas, dfs, weights)

    @property
    def search_type(self) -> str | None:
        return "dfs_query_then_fetch" if self.dfs else None

    @property
    def url(self) -> str:
        """The cluster's HTTP address, as its messages name it."""
        return f"{SCHEMES[self.scheme]}://{self.host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/{self.name}"

    def client_options(self) -> dict[str, object]:
        """The keyword arguments of an ``opensearchpy.OpenSearch`` client for this location and the environment's
        credentials."""
        options: dict[str, object] = {"hosts": [{"host": self.host, "port": self.port}],
                                      "use_ssl": self.scheme == "opensearchs"}
        user, password = os.environ.get("SEARCHKIT_OPENSEARCH_USER"), os.environ.get("SEARCHKIT_OPENSEARCH_PASSWORD")
        if user:
            options["http_auth"] = (user, password or "")
        if self.scheme == "opensearchs":
            options["verify_certs"] = True
            if ca := os.environ.get("SEARCHKIT_OPENSEARCH_CA"):
                options["ca_certs"] = ca
        return options
