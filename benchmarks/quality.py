"""Retrieval quality: nDCG@10, MRR@10 and Recall@100 of searchkit, its analyzer variants and peer engines.

Sets (``--sets``, default all three): XQuAD-ru ``paragraphs`` (240 docs), ``sentences`` (1,218 docs), and
``distractors``: the 240 paragraphs plus the 62,770 RusLit paragraphs as non-relevant documents (the judgements
stay valid). Every question goes to every engine as the same plain words (``common.plain_query``), top 100.

Engines: searchkit with the default ``Settings()`` and with each analyzer mode of ``--variants``
(``Settings(analyzer=AnalyzerSettings(terms=...))``), and the peers of ``--peers``, each set up for Russian as its
documentation shows; a peer whose package or server is missing is skipped with the reason:

- ``whoosh``: stock Whoosh 2.7.4, ``LanguageAnalyzer("ru")``, BM25F, ``MultifieldParser`` with ``OrGroup``;
- ``bm25s``: bm25s with PyStemmer's Russian stemmer and Russian stop words, k1 0.9, b 0.4;
- ``tantivy``: tantivy-py, simple tokenizer, ``remove_long(40)``, lower case, Russian stop words and stemmer;
- ``fts5``, ``fts5-snowball``: SQLite FTS5 (``unicode61 remove_diacritics 2``) on raw text, and on text (and
  queries) stemmed with Snowball Russian; words joined with OR, ranked by ``bm25()``;
- ``postgres``: PostgreSQL full-text search, ``russian`` configuration, ``websearch_to_tsquery`` with ``or``
  between words, ``ts_rank``; a throw-away cluster (``initdb``, ``pg_ctl``) on a free loopback port, driven
  through ``psql``;
- ``opensearch-russian``: OpenSearch's stock ``russian`` analyzer on title and body, ``multi_match``, BM25, on the
  cluster of ``--index`` (skipped without one).

``--index opensearch://HOST:PORT/PREFIX`` measures every searchkit engine a second time with its indexes on that
cluster (``PREFIX-SET-ENGINE``; the OpenSearch backend), beside the embedded ones in the same run, and adds a table
of the differences.

Built indexes are cached in ``--cache DIR`` (default: ``searchkit-quality-cache`` in the temp folder), one per
set and engine, keyed by the corpus files, searchkit's source hash and the peer's version, so a rerun only
searches; ``--no-cache`` builds everything into a temporary folder.

    python benchmarks/quality.py                                   # all sets, variants and peers
    python benchmarks/quality.py --sets paragraphs,sentences --limit-queries 50 --no-peers
    python benchmarks/quality.py --variants weighted-lemmas,stem --peers bm25s,postgres
    python benchmarks/quality.py --corpus C.jsonl --queries Q.jsonl --qrels R.tsv
    python benchmarks/quality.py --json                            # figures as JSON on stdout
    python benchmarks/quality.py --variants weighted-lemmas --no-peers --synonyms on,off   # default list on/off
    python benchmarks/quality.py --variants weighted-lemmas --no-peers --synonyms on --synonym-weight 0.7
    python benchmarks/quality.py --variants weighted-lemmas --peers opensearch-russian \
        --index opensearch://127.0.0.1:9200/quality             # the OpenSearch backend beside the embedded one

Results are written to ``benchmarks/results/quality.json`` (``--output``); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.metadata
import json
import os
import pwd
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import ir_measures
from ir_measures import R, RR, nDCG

from searchkit.backends import is_cluster_location
from searchkit.settings import TERM_MODES

from common import (RESULTS_DIR, baseline_index, markdown_table, plain_query, read_jsonl, read_qrels, require,
                    shared_dir, source_fingerprint, write_json)

MEASURES = [nDCG @ 10, RR @ 10, R @ 100]
NAMES = {str(nDCG @ 10): "nDCG@10", str(RR @ 10): "MRR@10", str(R @ 100): "Recall@100"}
DEPTH = 100
#: Where built indexes are kept between runs (``--cache``).
CACHE_DIR = Path(tempfile.gettempdir()) / "searchkit-quality-cache"
#: Put in the run of a question that returned nothing, so it counts as a zero (pytrec_eval skips absent queries).
NO_HIT = "__no_hit__"
SETS = ("paragraphs", "sentences", "distractors")
#: searchkit's analyzer modes (``AnalyzerSettings.terms``) in the order the tables show them.
VARIANTS = ("top-lemma", "all-lemmas", "weighted-lemmas", "lemmas+stem", "stem", "form")
#: Bump when an engine's index recipe below changes, so cached indexes are rebuilt.
RECIPE = 1

Record = dict[str, Any]
Run = dict[str, dict[str, float]]
Searcher = Callable[[str], list[str]]


@dataclass(frozen=True)
class EvalSet:
    name: str
    corpus: tuple[Path, ...]
    queries: Path
    qrels: Path


@dataclass(frozen=True)
class Engine:
    """An engine under test: ``build`` writes an index of the corpus into an empty folder, ``searcher`` opens
    that folder and yields a function from query text to its ``depth`` best doc ids (default :data:`DEPTH`).
    ``version`` names what built the index (part of the cache key)."""

    name: str
    build: Callable[[list[Record], Path], None]
    searcher: Callable[..., AbstractContextManager[Searcher]]  # (folder, depth=DEPTH)
    version: str
    #: The name of the cached index it searches, when it shares one with another engine (the same index searched
    #: with other query-time settings).
    index_name: str = ""
    #: Whether the index built for a cache folder is still there: an index on a cluster lives outside the folder
    #: and goes with the cluster.
    kept: Callable[[Path], bool] = lambda folder: True


class Skipped(Exception):
    """A peer that cannot run here; the message says why."""


# --- scoring --------------------------------------------------------------------------------------------------

def evaluate(search: Searcher, queries: list[Record], qrels: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Run every query through ``search`` (ranked doc ids, best first) and score the run.

    Scores given to ir-measures are derived from the rank, so ties in engine scores keep the engine's order.
    A query that raises counts as returning nothing; the errors are listed in the result, not hidden.
    """
    run: Run = {}
    errors: list[str] = []
    started = time.perf_counter()
    for query in queries:
        text = plain_query(query["text"])
        try:
            ids = search(text)
        except Exception as error:  # an engine bug must not cost the whole benchmark: count it and go on
            errors.append(f"{text!r}: {type(error).__name__}: {error}")
            ids = []
        run[query["id"]] = {doc_id: float(DEPTH - rank) for rank, doc_id in enumerate(ids)} or {NO_HIT: 0.0}
    seconds = time.perf_counter() - started
    figures = ir_measures.calc_aggregate(MEASURES, qrels, run)
    result: dict[str, Any] = {NAMES[str(measure)]: round(value, 4) for measure, value in figures.items()}
    result["no_hits"] = sum(NO_HIT in docs for docs in run.values())
    result["ms_per_query"] = round(1000 * seconds / max(len(queries), 1), 2)
    result["errors"] = errors
    return result


# --- searchkit ------------------------------------------------------------------------------------------------

def searchkit_engines(variants: list[str], processes: int, source: str, synonyms: Sequence[str] = ("on",),
                      synonym_weight: float | None = None, cluster: str | None = None) -> list[Engine]:
    """The default ``Settings()`` and one engine per analyzer mode in ``variants`` (the default's mode once);
    ``synonyms``: ``on`` with the default list of synonyms, ``off`` without, both for the two (the same index
    searched); ``synonym_weight``: the synonyms' weight instead of the default. ``cluster``
    (``opensearch://HOST:PORT/PREFIX``): each engine once more, named ``… on OpenSearch``, its indexes on that
    cluster (:func:`cluster_index`) instead of in the cache folder."""
    from dataclasses import replace

    from searchkit import Index, QueryError, Settings, SynonymSettings
    from searchkit.settings import AnalyzerSettings

    def engine(name: str, settings: Settings, index_name: str = "", on_cluster: bool = False) -> Engine:
        def location(folder: Path) -> Path | str:
            return cluster_index(cluster, folder) if on_cluster and cluster else folder

        def build(corpus: list[Record], folder: Path) -> None:
            with Index.create(location(folder), settings=settings) as ix:
                ix.add(corpus, processes=processes)

        @contextmanager
        def searcher(folder: Path, depth: int = DEPTH) -> Iterator[Searcher]:
            with Index.open(location(folder), settings=settings) as ix:
                def search(text: str) -> list[str]:
                    try:
                        return [hit.id for hit in ix.search(text, limit=depth, snippets=False).hits]
                    except QueryError:  # a question made only of stop words: no hits, as a user would see
                        return []
                yield search

        recipe = f"searchkit {source} {settings.analyzer}"
        if not on_cluster:
            return Engine(name, build, searcher, recipe, index_name)
        return Engine(f"{name}{ON_CLUSTER}", build, searcher, f"{recipe} at {cluster}",
                      f"{index_name}{ON_CLUSTER}" if index_name else "",
                      kept=lambda folder: Index.exists(location(folder)))

    default = Settings()
    if synonym_weight is not None:
        default = replace(default, synonyms=SynonymSettings(weight=synonym_weight))
    off = replace(default, synonyms=replace(default.synonyms, defaults=False))
    name = f"searchkit {default.analyzer.terms} (default)"
    chosen: list[tuple[str, Settings, str]] = [(name, default, "")] if "on" in synonyms else []
    if "off" in synonyms:
        chosen.append((f"{name}, no default synonyms", off, name))
    for variant in variants:
        settings = Settings(analyzer=AnalyzerSettings(terms=variant))
        if settings.analyzer != default.analyzer:
            chosen.append((f"searchkit {variant}", settings, ""))
    engines = [engine(*choice) for choice in chosen]
    if cluster:
        engines += [engine(*choice, on_cluster=True) for choice in chosen]
    return engines


#: What the name of an engine whose indexes are on the cluster of ``--index`` ends with.
ON_CLUSTER = " on OpenSearch"


def cluster_index(cluster: str, folder: Path) -> str:
    """The index on ``cluster`` (``opensearch://HOST:PORT/PREFIX[?options]``) that stands for the cache folder
    ``…/SET--ENGINE/index``: ``PREFIX-set--engine``, lower-cased, so every set and engine has its own."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(cluster)
    name = re.sub(r"[^a-z0-9_-]+", "-", f"{parts.path.strip('/')}-{folder.parent.name}".lower()).strip("-_")
    return urlunsplit(parts._replace(path=f"/{name[:200]}"))


# --- peers ----------------------------------------------------------------------------------------------------

def need(module: str, package: str | None = None) -> ModuleType:
    """Import ``module`` or skip the peer, naming the package to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise Skipped(f"{package or module} is not installed (pip install {package or module})") from None


def version(package: str) -> str:
    return f"{package} {importlib.metadata.version(package)} recipe {RECIPE}"


def joined(record: Record) -> str:
    """Title and text as one field, for engines given a single field."""
    return f"{record.get('title') or ''}\n{record['text']}"


def whoosh_engine() -> Engine:
    """Stock Whoosh: ``LanguageAnalyzer("ru")`` on title and body (see ``common.baseline_schema``), BM25F."""
    from whoosh import index
    from whoosh.qparser import MultifieldParser, OrGroup
    from whoosh.scoring import BM25F

    def build(corpus: list[Record], folder: Path) -> None:
        baseline_index(folder, corpus).close()

    @contextmanager
    def searcher(folder: Path, depth: int = DEPTH) -> Iterator[Searcher]:
        ix = index.open_dir(str(folder))
        parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
        try:
            with ix.searcher(weighting=BM25F()) as whoosh_searcher:
                yield lambda text: [hit["id"] for hit in whoosh_searcher.search(parser.parse(text), limit=depth)]
        finally:
            ix.close()

    return Engine("Whoosh stock", build, searcher, version("Whoosh"))


def bm25s_engine() -> Engine:
    """bm25s as its README shows it, with Russian stop words and PyStemmer's Russian stemmer; k1 0.9, b 0.4."""
    bm25s = need("bm25s")
    stemmer = need("Stemmer", "PyStemmer").Stemmer("russian")

    def tokenize(texts: list[str], ids: bool = True) -> Any:
        return bm25s.tokenize(texts, stopwords="ru", stemmer=stemmer, return_ids=ids, show_progress=False)

    def build(corpus: list[Record], folder: Path) -> None:
        retriever = bm25s.BM25(k1=0.9, b=0.4)
        retriever.index(tokenize([joined(record) for record in corpus]), show_progress=False)
        retriever.save(str(folder))
        write_json(folder / "ids.json", [record["id"] for record in corpus])

    @contextmanager
    def searcher(folder: Path, depth: int = DEPTH) -> Iterator[Searcher]:
        retriever = bm25s.BM25.load(str(folder))
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))

        def search(text: str) -> list[str]:
            docs, scores = retriever.retrieve(tokenize([text], ids=False), k=min(depth, len(ids)),
                                              show_progress=False)
            return [ids[doc] for doc, score in zip(docs[0], scores[0]) if score > 0]
        yield search

    return Engine("bm25s + PyStemmer", build, searcher, version("bm25s"))


def tantivy_engine() -> Engine:
    """tantivy-py with a Russian analyzer registered like its built-in ``en_stem`` (simple tokenizer, tokens
    over 40 bytes dropped, lower case, stemmer) plus tantivy's Russian stop words; title and body fields."""
    tantivy = need("tantivy")
    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.remove_long(40))
                .filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.stopword("russian"))
                .filter(tantivy.Filter.stemmer("russian"))
                .build())

    def open_index(folder: Path) -> Any:
        schema = tantivy.SchemaBuilder()
        schema.add_text_field("id", stored=True, tokenizer_name="raw")
        for field in ("title", "body"):
            schema.add_text_field(field, tokenizer_name="ru_stem")
        ix = tantivy.Index(schema.build(), path=str(folder))
        ix.register_tokenizer("ru_stem", analyzer)
        return ix

    def build(corpus: list[Record], folder: Path) -> None:
        # one writer thread, so the segments, and with them the order of tied hits, are the same every run
        writer = open_index(folder).writer(heap_size=256 * 2**20, num_threads=1)
        for record in corpus:
            writer.add_document(tantivy.Document(id=record["id"], title=record.get("title") or "",
                                                 body=record["text"]))
        writer.commit()
        writer.wait_merging_threads()

    @contextmanager
    def searcher(folder: Path, depth: int = DEPTH) -> Iterator[Searcher]:
        ix = open_index(folder)
        tantivy_searcher = ix.searcher()

        def search(text: str) -> list[str]:
            hits = tantivy_searcher.search(ix.parse_query(text, ["title", "body"]), depth).hits
            return [tantivy_searcher.doc(address)["id"][0] for _score, address in hits]
        yield search

    return Engine("tantivy", build, searcher, f"{version('tantivy')}, one writer thread")


_WORD_RE = re.compile(r"\w+")


def snowball_text(text: str) -> str:
    """Lower-cased words of ``text`` replaced by their Snowball Russian stems, joined by spaces."""
    import snowballstemmer

    return " ".join(snowballstemmer.stemmer("russian").stemWords(_WORD_RE.findall(text.lower())))


def fts5_engine(stemmed: bool) -> Engine:
    """SQLite FTS5, ``unicode61 remove_diacritics 2`` tokenizer, title and body columns, ranked by ``bm25()``
    (FTS5's ``rank``); query words quoted and joined with OR. ``stemmed``: documents and queries go through
    :func:`snowball_text` first."""
    prepare = snowball_text if stemmed else str

    def build(corpus: list[Record], folder: Path) -> None:
        with closing(sqlite3.connect(folder / "fts.db")) as db:
            db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
                       "tokenize = 'unicode61 remove_diacritics 2')")
            db.executemany("INSERT INTO docs VALUES (?, ?, ?)", ((record["id"], prepare(record.get("title") or ""),
                                                                  prepare(record["text"])) for record in corpus))
            db.commit()

    @contextmanager
    def searcher(folder: Path, depth: int = DEPTH) -> Iterator[Searcher]:
        with closing(sqlite3.connect(folder / "fts.db")) as db:
            def search(text: str) -> list[str]:
                words = prepare(text).split()
                if not words:
                    return []
                match = " OR ".join(f'"{word}"' for word in words)
                rows = db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?", (match, depth))
                return [doc_id for (doc_id,) in rows]
            yield search

    name = "SQLite FTS5 + Snowball" if stemmed else "SQLite FTS5"
    return Engine(name, build, searcher, f"sqlite {sqlite3.sqlite_version} {stemmed} recipe {RECIPE}")


# --- PostgreSQL -------------------------------------------------------------------------------------------------

class Psql:
    """One ``psql`` process fed SQL on stdin; each call returns the rows of what it ran (tab-separated fields)."""

    END = "__end_of_statement__"

    def __init__(self, psql: str, socket_dir: Path, port: int) -> None:
        self._process = subprocess.Popen(
            [psql, "-X", "-q", "-A", "-t", "-F", "\t", "-h", str(socket_dir), "-p", str(port), "-U", "postgres",
             "-d", "postgres"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", bufsize=1)
        self("\\set VERBOSITY terse\nSET client_min_messages = warning;")

    def __call__(self, sql: str) -> list[list[str]]:
        """Run ``sql``; raises RuntimeError with the server's message on an error."""
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(f"{sql}\n\\echo {self.END}\n")
        self._process.stdin.flush()
        rows, errors = [], []
        for line in self._process.stdout:
            line = line.rstrip("\n")
            if line == self.END:
                break
            if line.startswith(("ERROR:", "FATAL:", "psql:")):
                errors.append(line)
            elif line:
                rows.append(line.split("\t"))
        else:
            errors.append("psql exited")
        if errors:
            raise RuntimeError("; ".join(errors))
        return rows

    def close(self) -> None:
        assert self._process.stdin
        self._process.stdin.close()
        self._process.wait(timeout=30)


def postgres_tools() -> dict[str, str]:
    """Paths of initdb, pg_ctl and psql: from PATH, else the newest /usr/lib/postgresql/*/bin."""
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if
                     p.parent.name.isdigit() else 0, reverse=True)
    tools = {}
    for tool in ("initdb", "pg_ctl", "psql"):
        found = shutil.which(tool) or next((str(f / tool) for f in folders if (f / tool).is_file()), None)
        if not found:
            raise Skipped(f"PostgreSQL server binaries not found ({tool} is not in PATH or "
                          "/usr/lib/postgresql/*/bin); install postgresql to include it")
        tools[tool] = found
    return tools


def postgres_engine() -> Engine:
    """PostgreSQL full-text search with the ``russian`` configuration, following its manual (chapter 12):
    a stored generated ``tsvector`` column, title weighted A and body B, a GIN index; a query is the question's
    words joined with ``or`` through ``websearch_to_tsquery('russian', ...)``, ranked by ``ts_rank``."""
    tools = postgres_tools()
    # The server refuses to run as root; then it runs as the "postgres" user, which must own its folders.
    as_server: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise Skipped("running as root and there is no 'postgres' user to run the server as") from None
        as_server = ["runuser", "-u", "postgres", "--"]

    def own(path: Path) -> Path:
        if owner:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        return path

    def server(*args: str) -> None:
        subprocess.run([*as_server, *args], check=True, stdout=subprocess.DEVNULL)

    @contextmanager
    def cluster(data: Path) -> Iterator[Psql]:
        """Start the cluster in ``data`` on a free loopback port, its socket in a fresh temporary folder; yield a
        psql session; stop the server however the block ends."""
        sockets = own(Path(tempfile.mkdtemp(prefix="searchkit-pg-")))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            server(tools["pg_ctl"], "-D", str(data), "-l", str(data / "server.log"), "-w", "-o",
                   f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
            session = Psql(tools["psql"], sockets, port)
            try:
                yield session
            finally:
                session.close()
        finally:
            if (data / "postmaster.pid").exists():
                server(tools["pg_ctl"], "-D", str(data), "-m", "fast", "-w", "stop")
            shutil.rmtree(sockets, ignore_errors=True)

    def build(corpus: list[Record], folder: Path) -> None:
        server(tools["initdb"], "-D", str(own(folder) / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8",
               "--locale=C.UTF-8")  # a UTF-8 locale, so Cyrillic is lower-cased
        rows = folder / "docs.csv"
        with rows.open("w", encoding="utf-8", newline="") as out:
            # all quoted: to COPY an unquoted empty field is NULL, and an empty title would void the tsvector
            csv.writer(out, quoting=csv.QUOTE_ALL).writerows(
                (record["id"], record.get("title") or "", record["text"]) for record in corpus)
        with cluster(folder / "data") as psql:
            psql("CREATE TABLE docs (id text PRIMARY KEY, title text, body text, tsv tsvector GENERATED ALWAYS AS "
                 "(setweight(to_tsvector('russian', title), 'A') || setweight(to_tsvector('russian', body), 'B')) "
                 "STORED);")
            psql(f"\\copy docs (id, title, body) FROM '{rows}' WITH (FORMAT csv)")
            psql("CREATE INDEX docs_tsv ON docs USING GIN (tsv); VACUUM ANALYZE docs;")
        rows.unlink()

    @contextmanager
    def searcher(folder: Path, depth: int = DEPTH) -> Iterator[Searcher]:
        with cluster(folder / "data") as psql:
            def search(text: str) -> list[str]:
                words = " or ".join(text.replace("'", "''").split())
                return [row[0] for row in psql(
                    f"SELECT id FROM docs, websearch_to_tsquery('russian', '{words}') AS q WHERE tsv @@ q "
                    f"ORDER BY ts_rank(tsv, q) DESC LIMIT {depth};")]
            yield search

    server_version = subprocess.run([tools["pg_ctl"], "--version"], capture_output=True, text=True).stdout.strip()
    return Engine("PostgreSQL russian", build, searcher, f"{server_version} recipe {RECIPE}")


def opensearch_russian_engine(cluster: str) -> Engine:
    """OpenSearch's stock ``russian`` analyzer as an Elasticsearch user sets it up: ``title`` and ``body`` text
    fields with ``"analyzer": "russian"`` (standard tokenizer, lower case, Russian stop words, Snowball stemmer),
    the index's default settings and BM25, a ``multi_match`` of the question's words over both fields (OR);
    its indexes on the cluster of ``--index``, one per set (:func:`cluster_index`)."""
    need("opensearchpy", "opensearch-py")
    from opensearchpy import OpenSearch, helpers

    from searchkit.backends.opensearch.location import ClusterLocation

    def client_and_name(folder: Path) -> tuple[Any, str]:
        location = ClusterLocation.parse(cluster_index(cluster, folder))
        return OpenSearch(**location.client_options(), timeout=120), location.name  # type: ignore[arg-type]

    def build(corpus: list[Record], folder: Path) -> None:
        client, name = client_and_name(folder)
        client.indices.delete(index=name, ignore=[404])
        text = {"type": "text", "analyzer": "russian"}
        client.indices.create(index=name, body={"mappings": {"properties": {
            "id": {"type": "keyword"}, "title": text, "body": text}}})
        helpers.bulk(client, ({"_index": name, "_id": record["id"], "_source": {
            "id": record["id"], "title": record.get("title") or "", "body": record["text"]}} for record in corpus),
            chunk_size=2000)
        client.indices.refresh(index=name)

    @contextmanager
    def searcher(folder: Path, depth: int = DEPTH) -> Iterator[Searcher]:
        client, name = client_and_name(folder)

        def search(text: str) -> list[str]:
            body = {"query": {"multi_match": {"query": text, "fields": ["title", "body"]}}, "size": depth,
                    "_source": False}
            return [hit["_id"] for hit in client.search(index=name, body=body)["hits"]["hits"]]
        yield search

    def kept(folder: Path) -> bool:
        client, name = client_and_name(folder)
        return bool(client.indices.exists(index=name))

    try:
        server = OpenSearch(**ClusterLocation.parse(cluster).client_options()).info()  # type: ignore[arg-type]
    except Exception as error:
        raise Skipped(f"the cluster of --index {cluster} does not answer: {type(error).__name__}: {error}") from None
    return Engine("OpenSearch russian", build, searcher,
                  f"OpenSearch {server['version']['number']} at {cluster} recipe {RECIPE}", kept=kept)


PEERS: dict[str, Callable[[], Engine]] = {
    "whoosh": whoosh_engine,
    "bm25s": bm25s_engine,
    "tantivy": tantivy_engine,
    "fts5": lambda: fts5_engine(stemmed=False),
    "fts5-snowball": lambda: fts5_engine(stemmed=True),
    "postgres": postgres_engine,
}
#: Peers on the cluster of ``--index``, each given its location; skipped without one.
CLUSTER_PEERS: dict[str, Callable[[str], Engine]] = {
    "opensearch-russian": opensearch_russian_engine,
}


# --- running --------------------------------------------------------------------------------------------------

def prepare(engine: Engine, eval_set: EvalSet, corpus: list[Record], cache: Path) -> tuple[Path, float, bool]:
    """The folder of ``engine``'s index of ``eval_set`` under ``cache``, built unless a matching one is there;
    returns it with the seconds its build took and whether it came from the cache."""
    folder = cache / re.sub(r"[^\w+]+", "-", f"{eval_set.name}--{engine.index_name or engine.name}").strip("-")
    stamp = folder / "built.json"
    key = {"engine": engine.version, "corpus": [[str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns]
                                                for path in eval_set.corpus]}
    if stamp.is_file():
        built = json.loads(stamp.read_text(encoding="utf-8"))
        if built["key"] == key and engine.kept(folder / "index"):
            return folder / "index", built["seconds"], True
    shutil.rmtree(folder, ignore_errors=True)  # stale, or left by a build that failed
    (folder / "index").mkdir(parents=True)
    started = time.perf_counter()
    engine.build(corpus, folder / "index")
    seconds = round(time.perf_counter() - started, 2)
    write_json(stamp, {"key": key, "seconds": seconds})
    return folder / "index", seconds, False


def run_set(eval_set: EvalSet, engines: list[Engine], limit_queries: int | None, cache: Path) -> dict[str, Any]:
    """Index the set's corpus with every engine (or reuse the cached index) and score every engine's run.
    An engine that fails to build or open is reported as failed; the others go on."""
    corpus = [record for path in eval_set.corpus for record in read_jsonl(path)]
    all_qrels = read_qrels(eval_set.qrels)
    queries = [query for query in read_jsonl(eval_set.queries, limit_queries) if query["id"] in all_qrels]
    qrels = {query["id"]: all_qrels[query["id"]] for query in queries}
    out: dict[str, Any] = {"documents": len(corpus), "queries": len(queries), "engines": {}}
    for engine in engines:
        print(f"{eval_set.name}: {engine.name} …", end=" ", file=sys.stderr, flush=True)
        try:
            folder, index_seconds, cached = prepare(engine, eval_set, corpus, cache)
            with engine.searcher(folder) as search:
                figures = evaluate(search, queries, qrels)
        except Exception as error:  # a broken peer must not cost the other figures
            out["engines"][engine.name] = {"failed": f"{type(error).__name__}: {error}"}
            print(f"failed: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        out["engines"][engine.name] = {**figures, "index_seconds": index_seconds, "cached_index": cached}
        print(f"nDCG@10 {figures['nDCG@10']:.4f} (index {index_seconds} s{', cached' if cached else ''}, "
              f"{figures['ms_per_query']} ms/query)", file=sys.stderr)
    return out


def eval_sets(args: argparse.Namespace) -> list[EvalSet]:
    given = [args.corpus, args.queries, args.qrels]
    if any(given):
        if not all(given):
            sys.exit("--corpus, --queries and --qrels go together")
        sets = [EvalSet(Path(args.corpus).resolve().parent.name, (Path(args.corpus),), Path(args.queries),
                        Path(args.qrels))]
    else:
        data = shared_dir(args.shared) / "data"
        paragraphs = data / "xquad-ru" / "paragraphs"
        sentences = data / "xquad-ru" / "sentences"
        known = {
            "paragraphs": EvalSet("xquad-ru/paragraphs", (paragraphs / "corpus.jsonl",),
                                  paragraphs / "queries.jsonl", paragraphs / "qrels.tsv"),
            "sentences": EvalSet("xquad-ru/sentences", (sentences / "corpus.jsonl",),
                                 sentences / "queries.jsonl", sentences / "qrels.tsv"),
            "distractors": EvalSet("xquad-ru/paragraphs+distractors",
                                   (paragraphs / "corpus.jsonl", data / "corpus-large" / "ruslit_paragraphs.jsonl"),
                                   paragraphs / "queries.jsonl", paragraphs / "qrels.tsv"),
        }
        sets = [known[name] for name in args.sets]
    require(*dict.fromkeys(path for s in sets for path in (*s.corpus, s.queries, s.qrels)))
    return sets


def engines_for(args: argparse.Namespace, source: str) -> tuple[list[Engine], dict[str, str]]:
    """searchkit's engines and the available peers; the skipped peers with the reason."""
    engines = searchkit_engines(args.variants, args.processes, source, args.synonyms, args.synonym_weight,
                                args.index)
    skipped: dict[str, str] = {}
    for peer in args.peers:
        try:
            if peer in CLUSTER_PEERS and not args.index:
                raise Skipped("no cluster given (--index opensearch://HOST:PORT/PREFIX)")
            engines.append(CLUSTER_PEERS[peer](args.index) if peer in CLUSTER_PEERS else PEERS[peer]())
        except Skipped as reason:
            skipped[peer] = str(reason)
            print(f"skipped {peer}: {reason}", file=sys.stderr)
    return engines, skipped


def short(set_name: str) -> str:
    """``xquad-ru/paragraphs+distractors`` → ``distractors``, ``xquad-ru/sentences`` → ``sentences``."""
    return set_name.removeprefix("xquad-ru/").removeprefix("paragraphs+")


QUALITY_KEYS = ("nDCG@10", "MRR@10", "Recall@100")


def cluster_differences(results: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    """{set: {engine: {measure: on the cluster − embedded}}} for every engine measured both ways."""
    differences: dict[str, dict[str, dict[str, float]]] = {}
    for set_name, result in results.items():
        for name, figures in result["engines"].items():
            embedded = result["engines"].get(name.removesuffix(ON_CLUSTER))
            if name.endswith(ON_CLUSTER) and embedded and "failed" not in figures and "failed" not in embedded:
                differences.setdefault(set_name, {})[name.removesuffix(ON_CLUSTER)] = {
                    key: round(figures[key] - embedded[key], 4) for key in QUALITY_KEYS}
    return differences


def tables(results: dict[str, Any]) -> str:
    """Markdown tables, engines down and sets across: the three measures, then index seconds and ms/query, then
    (with ``--index``) the cluster's figures less the embedded ones. A column group is headed by its set's name
    on its first column."""
    engines = list(dict.fromkeys(name for result in results.values() for name in result["engines"]))

    def table(columns: list[tuple[str, str, str]]) -> str:
        header = ["engine"] + [f"{short(s)} {title}" if i == 0 else title
                               for s in results for i, (title, _, _) in enumerate(columns)]
        rows = []
        for name in engines:
            row = [name]
            for result in results.values():
                figures = result["engines"].get(name)
                for _, key, fmt in columns:
                    row.append("–" if figures is None else "failed" if "failed" in figures
                               else format(figures[key], fmt))
            rows.append(row)
        return markdown_table(header, rows)

    quality = table([("nDCG@10", "nDCG@10", ".4f"), ("MRR@10", "MRR@10", ".4f"), ("R@100", "Recall@100", ".4f")])
    timing = table([("index s", "index_seconds", ".1f"), ("ms/query", "ms_per_query", ".1f")])
    differences = cluster_differences(results)
    if not differences:
        return f"{quality}\n\n{timing}"
    header = ["on OpenSearch − embedded"] + [f"{short(s)} {key}" if i == 0 else key
                                           for s in differences for i, key in enumerate(QUALITY_KEYS)]
    twins = list(dict.fromkeys(name for by_engine in differences.values() for name in by_engine))
    rows = [[name] + [format(by_engine[name][key], "+.4f") if name in by_engine else "–"
                      for by_engine in differences.values() for key in QUALITY_KEYS] for name in twins]
    return f"{quality}\n\n{timing}\n\n{markdown_table(header, rows)}"


def names(allowed: tuple[str, ...] | list[str]) -> Callable[[str], list[str]]:
    """An argparse type: a comma-separated list of some of ``allowed``."""
    def parse(value: str) -> list[str]:
        chosen = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
        return chosen
    return parse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--sets", type=names(SETS), default=list(SETS), help="comma-separated; default: all")
    parser.add_argument("--corpus", help="corpus.jsonl of another set ({id, title, text} per line)")
    parser.add_argument("--queries", help="queries.jsonl of that set ({id, text} per line)")
    parser.add_argument("--qrels", help="qrels.tsv of that set (query_id, doc_id, relevance; header line)")
    parser.add_argument("--limit-queries", type=int, metavar="N", help="evaluate only the first N questions")
    parser.add_argument("--variants", type=names(TERM_MODES), default=list(VARIANTS),
                        help="searchkit analyzer modes besides the default (comma-separated; default: all)")
    parser.add_argument("--peers", type=names([*PEERS, *CLUSTER_PEERS]), default=[*PEERS, *CLUSTER_PEERS],
                        help="peer engines (comma-separated; default: all)")
    parser.add_argument("--no-peers", action="store_const", const=[], dest="peers", help="searchkit only")
    parser.add_argument("--synonyms", type=names(["on", "off"]), default=["on"],
                        help="searchkit's default engine with the default list of synonyms (on), without (off), or "
                             "both: on,off (default: on)")
    parser.add_argument("--synonym-weight", type=float, default=None, metavar="W",
                        help="the synonyms' weight (SynonymSettings.weight) instead of the default")
    parser.add_argument("--index", metavar="opensearch://HOST:PORT/PREFIX",
                        help="a cluster: every searchkit engine is measured again with its indexes there (named "
                             "PREFIX-SET-ENGINE), beside the embedded ones, and the opensearch-russian peer runs")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="searchkit indexing processes")
    parser.add_argument("--cache", type=Path, default=CACHE_DIR,
                        help="folder for built indexes, reused when corpus and engine are unchanged")
    parser.add_argument("--no-cache", action="store_true", help="build every index afresh in a temporary folder")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "quality.json", help="results file")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of the tables")
    args = parser.parse_args()
    if args.index and not is_cluster_location(args.index):
        parser.error(f"--index {args.index}: not a cluster location (opensearch://HOST:PORT/PREFIX)")

    sets = eval_sets(args)
    source = source_fingerprint()  # the engine version these figures belong to
    engines, skipped = engines_for(args, source)
    data: dict[str, Any] = {"searchkit_source": source, "engines": {e.name: e.version for e in engines},
                            "skipped": skipped, "sets": {}}
    with tempfile.TemporaryDirectory(prefix="searchkit-quality-") as tmp:
        cache = Path(tmp) if args.no_cache else args.cache
        cache.mkdir(parents=True, exist_ok=True)
        if args.no_cache:  # a server running as another user (PostgreSQL as "postgres") must reach its folder
            cache.chmod(0o755)
        for eval_set in sets:
            data["sets"][eval_set.name] = run_set(eval_set, engines, args.limit_queries, cache)
            data["cluster_differences"] = cluster_differences(data["sets"])
            write_json(args.output, data)  # after every set, so a long run's figures survive an interruption
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else tables(data["sets"]))


if __name__ == "__main__":
    main()
