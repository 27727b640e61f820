"""A searchkit index on an OpenSearch cluster: three indices named after it, and what the backend does with them.

- ``NAME``: the documents (:mod:`.fields`), each carrying the transaction that wrote it;
- ``NAME.vocabulary``: the text fields' terms and document frequencies (:mod:`.vocabulary`);
- ``NAME.state``: one document holding the index's settings (what ``searchkit.json`` holds for the embedded
  index), the last committed transaction, the one being written, and the index's synonym dictionary.

Each of the three names is an alias of an index of one build, ``NAME.b1``, ``NAME.b1.vocabulary``,
``NAME.b1.state``: a rebuild fills ``NAME.b2…`` beside them and moves the three aliases in one atomic request
when it is done (:mod:`.rebuilding`), so the old build answers searches until then.

The state document is the commit: a transaction writes its documents under a new number, invisible to searches
(:func:`.context.visible`) until the state names that number committed. Old versions of changed documents are
deleted once it does, and the deletions still to be done are kept in the state, so a writer that dies half-way
leaves them for the next one. Writers take turns through the state too (compare-and-set on its sequence number).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from typing import Any

from opensearchpy import exceptions as os_errors

from ...errors import IncompatibleIndexError, IndexLockedError, IndexNotFoundError, SearchkitError
from ...settings import SCHEMA_VERSION, Settings, Source, SynonymSettings
from ..base import IndexStats
from .client import client_for, reported
from .context import OpenSearchContext
from .fields import MAPPING_VERSION, index_body, state_body, vocabulary_body
from .location import ClusterLocation
from .vocabulary import Vocabulary

STATE_ID = "state"
#: Seconds a search may go by the state document as read before: another process's commit is seen this much
#: later at most, and a search costs no request for it (this process's own commits are seen at once).
STATE_MAX_AGE = 1.0


def rebuild_command(location: ClusterLocation) -> str:
    return f"rebuild it with: searchkit --index {location} index --rebuild FOLDER"


@dataclass(frozen=True)
class Names:
    """The cluster's names of one searchkit index's three indices: the aliases searchkit reads and writes through
    (``Names("news")``), or one build's own indices (``Names("news.b2")``)."""

    documents: str

    @property
    def vocabulary(self) -> str:
        return f"{self.documents}.vocabulary"

    @property
    def state(self) -> str:
        return f"{self.documents}.state"

    @property
    def all(self) -> tuple[str, str, str]:
        return self.documents, self.vocabulary, self.state

    def build(self, number: int) -> Names:
        """The indices of build ``number`` of the index these aliases name."""
        return Names(f"{self.documents}.b{number}")


def builds_of(client: Any, names: Names) -> list[int]:
    """The numbers of the builds the index's documents alias points to (one, but for a rebuild cut short
    between moving its aliases)."""
    found = client.indices.get_alias(name=names.documents, ignore=[404])
    prefix = f"{names.documents}.b"
    return sorted(int(index[len(prefix):]) for index in found
                  if index.startswith(prefix) and index[len(prefix):].isdigit())


@dataclass(frozen=True)
class State:
    """The state document as read, with what compare-and-set needs to write it back."""

    body: dict[str, Any]
    seq_no: int
    primary_term: int

    @property
    def committed(self) -> int:
        return int(self.body.get("committed", 0))


class OpenSearchBackend:
    """A searchkit index on a cluster; use :meth:`create` or :meth:`open`."""

    def __init__(self, location: ClusterLocation, settings: Settings, bm25_k1: float,
                 search_type: str | None = None, names: Names | None = None) -> None:
        self.cluster = location
        #: The k1 of the index's BM25, set when it was created (OpenSearch changes a similarity only on a closed
        #: index, so the ranking settings' k1 and b given when opening one are those it was made with).
        self.bm25_k1 = bm25_k1
        self.location = str(location)
        self.settings = settings
        #: The names requests go to: the aliases, or a build's own indices while it is being rebuilt.
        self.names = names or Names(location.name)
        self.client = client_for(location)
        self.vocabulary = Vocabulary(self.client, self.names.vocabulary, self.reported)
        #: ``dfs_query_then_fetch`` takes term statistics from every shard first, so that a small collection
        #: spread over several shards ranks as if it had one (SEARCHKIT_OPENSEARCH_DFS=1 or ``?dfs=1``).
        self.search_options: dict[str, Any] = {"search_type": search_type} if search_type else {}
        self.synonyms_source = f"{self.location} (its state document)"
        self._local = threading.local()
        self._state: tuple[float, State] | None = None
        self.closed = False

    def reported(self) -> AbstractContextManager[None]:
        """The cluster's errors as one line naming it (see :func:`.client.reported`)."""
        return reported(self.cluster)

    # --- opening ----------------------------------------------------------------------------------------------

    @staticmethod
    def exists(location: str) -> bool:
        cluster = ClusterLocation.parse(location)
        names = Names(cluster.name)
        with reported(cluster):
            return bool(client_for(cluster).indices.exists(index=names.state)) and \
                bool(client_for(cluster).exists(index=names.state, id=STATE_ID))

    @classmethod
    def create(cls, location: str, settings: Settings | None = None) -> OpenSearchBackend:
        """Create an empty index at ``location``, replacing one of searchkit's there. Its shards and replicas are
        the location's ``?shards=N&replicas=M`` (default one shard, and one replica when the cluster has more
        than one data node)."""
        cluster = ClusterLocation.parse(location)
        aliases = Names(cluster.name)
        client = client_for(cluster)
        with reported(cluster):
            old = builds_of(client, aliases)
            for name in aliases.all:
                if client.indices.exists(index=name) and not client.indices.exists_alias(name=name):
                    raise SearchkitError(f"the cluster at {cluster.url} has an index {name} that is not "
                                         "searchkit's: choose another name for searchkit's index")
            number = max(old, default=0) + 1
            fresh = cls.create_build(cluster, settings or Settings(), number)
            move_aliases(client, aliases, old, number)
        return cls(cluster, fresh.settings, fresh.bm25_k1, cluster.search_type)

    @classmethod
    def create_build(cls, cluster: ClusterLocation, settings: Settings, number: int) -> OpenSearchBackend:
        """A new empty build ``number`` of the index, written through its own names (no alias points to it)."""
        client = client_for(cluster)
        names = Names(cluster.name).build(number)
        with reported(cluster):
            data_nodes = int(client.cluster.health()["number_of_data_nodes"])
            replicas = cluster.replicas if cluster.replicas is not None else min(1, data_nodes - 1)
            for name in names.all:
                client.indices.delete(index=name, ignore=[404])
            client.indices.create(index=names.documents, body=index_body(settings.ranking, cluster.shards, replicas))
            for name, body in ((names.vocabulary, vocabulary_body()), (names.state, state_body())):
                body["settings"]["number_of_replicas"] = replicas
                client.indices.create(index=name, body=body)
            client.index(index=names.state, id=STATE_ID, refresh=True, body={
                "settings": settings.to_json(), "committed": 0, "documents": 0, "open": None, "deleting": [],
                "synonyms": "", "updated": None, "bm25": {"k1": settings.ranking.k1, "b": settings.ranking.b}})
        return cls(cluster, settings, settings.ranking.k1, cluster.search_type, names)

    @classmethod
    def open(cls, location: str, settings: Settings | None = None) -> OpenSearchBackend:
        """Open the index at ``location``; one made by another version of searchkit is refused."""
        cluster = ClusterLocation.parse(location)
        client = client_for(cluster)
        names = Names(cluster.name)
        with reported(cluster):
            if not cls.exists(location):
                raise IndexNotFoundError(f"no searchkit index {cluster} (create one with: "
                                         f"searchkit --index {cluster} index FOLDER)")
            mapping = next(iter(client.indices.get_mapping(index=names.documents).values()))["mappings"]
            state = client.get(index=names.state, id=STATE_ID)["_source"]
        made_with = (mapping.get("_meta") or {}).get("searchkit_mapping")
        version = (state.get("settings") or {}).get("schema_version")
        if made_with != MAPPING_VERSION or version != SCHEMA_VERSION:
            raise IncompatibleIndexError(
                f"index {cluster} was made by another version of searchkit (mapping {made_with}, schema {version}; "
                f"this one makes mapping {MAPPING_VERSION}, schema {SCHEMA_VERSION}): {rebuild_command(cluster)}")
        stored = Settings.from_json(state["settings"])
        if settings is not None and settings.analyzer != stored.analyzer:
            raise IncompatibleIndexError(f"index {cluster} was built with analyzer settings {stored.analyzer}, not "
                                         f"{settings.analyzer}: {rebuild_command(cluster)}")
        if settings is not None:
            stored = replace(stored, ranking=settings.ranking, synonyms=settings.synonyms)
        bm25 = state.get("bm25") or {}
        return cls(cluster, stored, float(bm25.get("k1", stored.ranking.k1)), cluster.search_type)

    def close(self) -> None:
        self.closed = True
        self._local = threading.local()

    # --- the state document ---------------------------------------------------------------------------------

    def read_state(self, max_age: float = 0.0) -> State:
        """The state document; as read in the last ``max_age`` seconds, if it was."""
        remembered = self._state
        if remembered is not None and time.monotonic() - remembered[0] <= max_age:
            return remembered[1]
        with self.reported():
            found = self.client.get(index=self.names.state, id=STATE_ID)
        return self._remember(State(found["_source"], found["_seq_no"], found["_primary_term"]))

    def _remember(self, state: State) -> State:
        self._state = (time.monotonic(), state)
        return state

    def write_state(self, state: State, **changes: Any) -> State:
        """The state with ``changes``, written only if nobody wrote it since ``state`` was read."""
        body = {**state.body, **changes, "updated": dt.datetime.now(dt.timezone.utc).isoformat()}
        with self.reported():
            try:
                written = self.client.index(index=self.names.state, id=STATE_ID, body=body, refresh=True,
                                            if_seq_no=state.seq_no, if_primary_term=state.primary_term)
            except os_errors.ConflictError:
                raise IndexLockedError(f"index {self.location} was changed by another process meanwhile; "
                                       "try again when it has finished") from None
        return self._remember(State(body, written["_seq_no"], written["_primary_term"]))

    def _change_state(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        """Read the state, change it and write it back, again if another process wrote it meanwhile."""
        for _ in range(10):
            state = self.read_state()
            try:
                return self.write_state(state, **change(state.body)).body
            except IndexLockedError:
                continue
        raise IndexLockedError(f"index {self.location} keeps being changed by other processes; try again")

    # --- reading --------------------------------------------------------------------------------------------

    def context(self) -> OpenSearchContext:
        """This thread's context on the latest commit (a new one once another transaction has committed)."""
        if self.closed:
            raise SearchkitError(f"the index {self.location} is closed")
        state = self.read_state(STATE_MAX_AGE)
        current: OpenSearchContext | None = getattr(self._local, "context", None)
        if current is not None and current.generation == state.committed:
            return current
        fresh = OpenSearchContext(self, state.committed, int(state.body.get("documents", 0)))
        self._local.context = fresh
        return fresh

    def stats(self) -> IndexStats:
        context = self.context()
        with self.reported():
            terms = self.client.search(index=self.names.vocabulary, body={
                "size": 0, "query": {"terms": {"field": ["title", "body"]}},
                "aggs": {"terms": {"cardinality": {"field": "term", "precision_threshold": 40000}}}})
            sizes = self.client.indices.stats(index=f"{self.names.documents},{self.names.vocabulary}",
                                              metric="store")
        updated = self.read_state().body.get("updated")
        return IndexStats(self.location, context.documents, int(terms["aggregations"]["terms"]["value"]),
                          int(sizes["_all"]["total"]["store"]["size_in_bytes"]),
                          dt.datetime.fromisoformat(updated).astimezone() if updated else None, context.generation)

    # --- writing --------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, processes: int = 1) -> Iterator[Any]:
        from .writing import ClusterTransaction

        transaction = ClusterTransaction(self, min(processes, os.cpu_count() or 1))
        try:
            yield transaction
            transaction.finish_adding()
            transaction.commit()
        except BaseException:
            transaction.cancel()
            raise

    def keep_analysed(self, words: Callable[[], Iterable[str]]) -> None:
        """Nothing to keep: a cluster keeps no analyses of forms."""

    def record_sources(self, sources: tuple[Source, ...]) -> None:
        recorded = self._save_settings(lambda settings: settings.with_sources(sources))
        self.settings = replace(self.settings, sources=recorded.sources)

    def _save_settings(self, change: Callable[[Settings], Settings]) -> Settings:
        changed: list[Settings] = []

        def apply(body: dict[str, Any]) -> dict[str, Any]:
            changed[:] = [change(Settings.from_json(body["settings"]))]
            return {"settings": changed[0].to_json()}

        self._change_state(apply)
        return changed[0]

    def writer_identity(self) -> dict[str, Any]:
        return {"host": socket.gethostname(), "pid": os.getpid(),
                "since": dt.datetime.now(dt.timezone.utc).isoformat()}

    # --- query-time settings ----------------------------------------------------------------------------------

    def synonyms_text(self) -> str:
        return str(self.read_state(STATE_MAX_AGE).body.get("synonyms") or "")

    def save_synonyms_text(self, text: str) -> None:
        self._change_state(lambda body: {"synonyms": text})

    def save_synonym_settings(self, synonyms: SynonymSettings) -> None:
        self._save_settings(lambda settings: replace(settings, synonyms=synonyms))
        self.settings = replace(self.settings, synonyms=synonyms)


def move_aliases(client: Any, aliases: Names, old: list[int], new: int) -> None:
    """Point the index's three aliases at build ``new`` in one request (OpenSearch applies its actions together),
    then delete the ``old`` builds."""
    actions: list[dict[str, Any]] = []
    for number in old:
        actions += [{"remove": {"index": index, "alias": alias}}
                    for index, alias in zip(aliases.build(number).all, aliases.all)]
    actions += [{"add": {"index": index, "alias": alias}} for index, alias in zip(aliases.build(new).all, aliases.all)]
    client.indices.update_aliases(body={"actions": actions})
    for number in old:
        client.indices.delete(index=",".join(aliases.build(number).all), ignore=[404])
