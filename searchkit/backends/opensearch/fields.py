"""searchkit's analysis as an OpenSearch index: the mapping, and each document as the cluster receives it.

OpenSearch never analyses Russian itself here. Each text is analysed by searchkit (:meth:`Analyzer.tokens`, as
for the embedded index) and sent as two strings the cluster's analyzers only split:

- ``title`` and ``body`` (positions, for phrases): one whitespace-separated token per position, a word's
  alternative terms joined by ``|`` (``стать|сталь``), which a ``pattern_capture`` filter turns into tokens at one
  position; a position without terms (a stop word) is ``_``, which a ``stop`` filter removes, keeping its gap.
- ``title_w``, ``body_w``, ``author_w`` (frequencies, for scoring): each distinct term once as ``term|N``, where
  ``N`` is its weight in the document (every occurrence counted by its reading's probability) times
  :data:`WEIGHT_SCALE`, read by a ``delimited_term_freq`` filter. Lucene refuses custom frequencies on a field
  with positions, hence two fields. BM25 over frequencies and lengths all scaled by ``WEIGHT_SCALE`` gives the
  scores of the unscaled ones when k1 is scaled too, so the similarity of these fields has ``k1 × WEIGHT_SCALE``.
  Every document's weighted fields also hold the term ``_`` (:data:`LENGTH_PAD`), which no query asks for, with
  the frequency that makes the field's length in Lucene (the sum of its frequencies) ``WEIGHT_SCALE`` times the
  number of its terms: the length the embedded index counts (each reading of a word one, whatever its weight).
  So every document has every weighted field, even with no title or author, and BM25's N and average length are
  over all documents, as in the embedded index (Lucene's are over the documents having a term in the field).
- ``title_forms`` and ``body_forms``: the folded word forms, for ``=form`` on an index without exact-form terms.

The original texts are kept in the source for snippets, explain and rebuilding; the analysed strings are not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from typing import Any

from ...analysis import Analyzer
from ...compiled import folder_of, relative_path
from ...documents import Document
from ...settings import RankingSettings

#: The version of the fields and analyzers below; an index made with another is refused (rebuild it).
MAPPING_VERSION = 3
#: Weights are sent as whole frequencies: a term read with probability 0.37 counts 37.
WEIGHT_SCALE = 100
ALTERNATIVES = "|"
NO_TERM = "_"
#: The term that brings a weighted field's length to the embedded index's (see above): the gap mark, which no
#: analysed word is.
LENGTH_PAD = NO_TERM
#: The text fields a query searches, and the fields behind each.
TEXT_FIELDS = ("title", "body")
WEIGHTED = {"title": "title_w", "body": "body_w", "author": "author_w"}
#: Where the source keeps each text field's text as written (the title only when it was not guessed).
TEXT_SOURCE = {"title": "title_text", "body": "body_text", "author": "author"}
FORMS = {"title": "title_forms", "body": "body_forms"}
#: Keyword fields: filters, facets, lookups and sync read them.
KEYWORDS = ("id", "path", "relpath", "folder", "source_key", "format", "hash", "author_name", "language")
#: What the source keeps but no field indexes.
STORED = ("title_text", "stored_title", "body_text", "author", "encoding", "pages")
NOT_IN_SOURCE = ("title", "body", "title_w", "body_w", "author_w", "title_forms", "body_forms")


def index_body(ranking: RankingSettings, shards: int, replicas: int) -> dict[str, Any]:
    """The settings and mappings of searchkit's document index."""
    keyword = {"type": "keyword"}
    positions = {"type": "text", "analyzer": "searchkit_positions", "index_options": "positions",
                 "similarity": "searchkit_positions"}
    weighted = {"type": "text", "analyzer": "searchkit_weights", "index_options": "freqs",
                "similarity": "searchkit_weights"}
    forms = {"type": "text", "analyzer": "whitespace", "index_options": "docs", "norms": False}
    properties: dict[str, Any] = {name: keyword for name in KEYWORDS}
    properties.update({name: {"type": "object", "enabled": False} if name == "pages" else
                       {"type": "text", "index": False} for name in STORED})
    properties.update({"title": positions, "body": positions, "title_forms": forms, "body_forms": forms,
                       **{name: weighted for name in WEIGHTED.values()},
                       "date": {"type": "date", "format": "strict_date"},
                       "modified": {"type": "date"},
                       "txn": {"type": "long"}, "seq": {"type": "long"}, "title_length": {"type": "integer", "index": False},
                       "body_length": {"type": "integer", "index": False}})
    return {
        "settings": {
            "number_of_shards": shards, "number_of_replicas": replicas,
            "analysis": {
                "tokenizer": {"searchkit_tokens": {"type": "whitespace", "max_token_length": 4096}},
                "filter": {
                    "searchkit_alternatives": {"type": "pattern_capture", "preserve_original": False,
                                               "patterns": [r"([^|]+)"]},
                    "searchkit_gaps": {"type": "stop", "stopwords": [NO_TERM]},
                    "searchkit_frequency": {"type": "delimited_term_freq", "delimiter": ALTERNATIVES},
                },
                "analyzer": {
                    "searchkit_positions": {"type": "custom", "tokenizer": "searchkit_tokens",
                                            "filter": ["searchkit_gaps", "searchkit_alternatives"]},
                    "searchkit_weights": {"type": "custom", "tokenizer": "searchkit_tokens",
                                          "filter": ["searchkit_frequency"]},
                },
            },
            "similarity": {
                "searchkit_positions": {"type": "BM25", "k1": ranking.k1, "b": ranking.b},
                "searchkit_weights": {"type": "BM25", "k1": ranking.k1 * WEIGHT_SCALE, "b": ranking.b},
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"searchkit_mapping": MAPPING_VERSION},
            "_source": {"excludes": list(NOT_IN_SOURCE)},
            "properties": properties,
        },
    }


def vocabulary_body() -> dict[str, Any]:
    """The companion index of the text fields' terms and their document frequencies, which OpenSearch cannot
    list for a text field (prefixes, roots, spelling and completion read it)."""
    return {"settings": {"number_of_shards": 1, "number_of_replicas": 1},
            "mappings": {"dynamic": "strict", "properties": {
                "field": {"type": "keyword"}, "term": {"type": "keyword"}, "df": {"type": "long"}}}}


def state_body() -> dict[str, Any]:
    """The companion index holding one document: the index's settings, its committed transaction and the one
    being written, and its synonym dictionary."""
    return {"settings": {"number_of_shards": 1, "number_of_replicas": 1},
            "mappings": {"dynamic": False, "properties": {}}}


def vocabulary_id(field: str, term: str) -> str:
    """A term's document id in the vocabulary (ids are limited to 512 bytes; long terms are hashed)."""
    key = f"{field}\t{term}"
    return key if len(key.encode()) < 200 else f"{field}\t#{hashlib.sha1(term.encode()).hexdigest()}"


def document_id(doc_id: str, transaction: int) -> str:
    """The cluster id of one version of a document: each transaction writes new ids, so that an old version
    stays until the new one is committed."""
    return f"{hashlib.sha1(doc_id.encode()).hexdigest()}-{transaction}"


def encode(analyzer: Analyzer, document: Document, source_key: str, transaction: int, sequence: int,
           vocabulary: Counter[tuple[str, str]]) -> dict[str, Any]:
    """The source of one document as sent to the cluster, counting its terms into ``vocabulary`` (one per
    document per field, as a document frequency counts). ``sequence`` orders the documents as they were
    written (equal scores rank in that order)."""
    exact = analyzer.settings.exact_forms
    title = "" if document.title_guessed else document.title
    source: dict[str, Any] = {
        "id": document.id, "txn": transaction, "seq": sequence, "title_text": title, "stored_title": document.title,
        "body_text": document.body, "format": document.format, "encoding": document.encoding,
    }
    for name, text in (("title", title), ("body", document.body)):
        positions, weights, forms, length = _analysed(analyzer, text, exact)
        source[name], source[WEIGHTED[name]], source[FORMS[name]] = positions, _frequencies(weights, length), forms
        source[f"{name}_length"] = length
        vocabulary.update((name, term) for term in weights)
    _, weights, _, length = _analysed(analyzer, document.author, False)
    source["author_w"] = _frequencies(weights, length)
    if document.author:
        source.update(author=document.author, author_name=document.author)
        vocabulary.update(("author", term) for term in weights)
    if document.hash:
        source["hash"] = document.hash
    if document.path:
        source.update(path=document.path, relpath=relative_path(document.path))
        if folder := folder_of(document.path):
            source["folder"] = folder
    if source_key:
        source["source_key"] = source_key
    if document.date:
        source["date"] = document.date.isoformat()
    if document.language:
        source["language"] = document.language
    if document.pages:
        source["pages"] = {"starts": list(document.pages)}
    if document.modified:
        source["modified"] = document.modified.isoformat()
    return source


def _analysed(analyzer: Analyzer, text: str, exact: bool) -> tuple[str, Counter[str], str, int]:
    """A text's positions string, its terms' weights, its folded forms and its length in tokens."""
    at: dict[int, list[str]] = {}
    weights: Counter[str] = Counter()
    forms: set[str] = set()
    length = 0
    for token in analyzer.tokens(text):
        word = token.word
        forms.add(word.folded)
        terms = at.setdefault(token.position, [])
        if word.stopword:
            continue
        for term, weight in word.weighted:
            terms.append(term)
            weights[term] += weight
            length += 1
        if exact and word.has_exact_term:
            terms.append(word.exact)
            weights[word.exact] += 1.0
            length += 1
    last = max(at, default=-1)
    positions = " ".join(ALTERNATIVES.join(dict.fromkeys(at[p])) if at.get(p) else NO_TERM for p in range(last + 1))
    return positions, weights, " ".join(sorted(forms)), length


def _frequencies(weights: Counter[str], length: int) -> str:
    """A weighted field's text: each term with its scaled weight, and the :data:`LENGTH_PAD` that makes the
    frequencies add up to ``length`` terms (at least 1, as Lucene wants)."""
    frequencies = {term: max(1, round(weight * WEIGHT_SCALE)) for term, weight in weights.items()}
    pad = max(1, length * WEIGHT_SCALE - sum(frequencies.values()))
    return " ".join(f"{term}{ALTERNATIVES}{frequency}" for term, frequency in [*frequencies.items(), (LENGTH_PAD, pad)])


def document_from_source(source: dict[str, Any]) -> Document:
    """A document from what the cluster keeps of it."""
    date, modified = source.get("date"), source.get("modified")
    return Document(
        id=source["id"], title=source.get("stored_title", ""), body=source.get("body_text", ""),
        date=dt.date.fromisoformat(date) if date else None, path=source.get("path", ""),
        format=source.get("format", ""), encoding=source.get("encoding", ""), hash=source.get("hash", ""),
        author=source.get("author", ""), language=source.get("language", ""),
        pages=tuple((source.get("pages") or {}).get("starts", ())),
        modified=dt.datetime.fromisoformat(modified) if modified else None)
