"""What was done to a query before it was searched, in one place: the correction applied (keyboard layout,
transliteration, spelling) or only suggested (:mod:`.corrections`), the readings of its homonyms with their
share of the hits (:mod:`.homonyms`), how its prefixes expanded, and the synonyms added (:mod:`.synonyms`). :class:`QueryPlan` travels on
:class:`~searchkit.search.results.SearchResults`, serialised in its ``to_json()``, so the CLI, the REPL and
scripts read the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .synonyms import Expansion


@dataclass(frozen=True)
class WordChange:
    """One word of the query replaced: ``original`` at character ``start`` became ``replacement``."""

    original: str
    replacement: str
    kind: str
    start: int

    def to_json(self) -> dict[str, Any]:
        return {"original": self.original, "replacement": self.replacement, "kind": self.kind, "start": self.start}


@dataclass(frozen=True)
class Rewrite:
    """The query with some words corrected. ``clear``: every changed word was not a word at all (no dictionary
    word, nothing in the index), so the rewrite is applied even when the original finds something."""

    original: str
    query: str
    changes: tuple[WordChange, ...]
    clear: bool = False
    #: Every spelling change was of a word the dictionary does not know either.
    confident: bool = True
    #: Hits the rewritten query finds.
    total: int = 0

    @property
    def kind(self) -> str:
        """``layout``, ``transliteration``, ``spelling``, or several joined by ``+``."""
        return "+".join(dict.fromkeys(change.kind for change in self.changes))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "original": self.original, "query": self.query, "total": self.total,
                "changes": [change.to_json() for change in self.changes]}


@dataclass(frozen=True)
class LemmaShare:
    """One reading of a homonym: its lemma, part of speech, pymorphy3's probability, and the hits it matches."""

    lemma: str
    pos: str
    probability: float
    hits: int
    share: float

    def to_json(self) -> dict[str, Any]:
        return {"lemma": self.lemma, "pos": self.pos, "probability": round(self.probability, 4),
                "hits": self.hits, "share": round(self.share, 4)}


@dataclass(frozen=True)
class Homonym:
    """A query word with several lemmas, and how the query's hits divide among them. ``pinned``: the lemma
    chosen with ``word:lemma``, the only one searched."""

    word: str
    readings: tuple[LemmaShare, ...]
    pinned: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"word": self.word, "pinned": self.pinned, "readings": [r.to_json() for r in self.readings]}


@dataclass(frozen=True)
class PrefixExpansion:
    """``prefix*`` in one field: how many index terms (lemmas and stems) and exact word forms it matched, and
    whether the expansion was cut at the bound (keeping the terms in most documents)."""

    prefix: str
    field: str
    lemmas: int
    forms: int
    cut: bool
    found: int
    #: Terms searched: the ``found`` ones, or the most frequent :data:`~searchkit.search.compile.MAX_PREFIX_TERMS`.
    kept: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "field": self.field, "lemmas": self.lemmas, "forms": self.forms,
                "found": self.found, "kept": self.kept, "cut": self.cut}


@dataclass(frozen=True)
class QueryPlan:
    """What happened to the query ``original``: ``query`` is what was searched (the correction's, if applied)."""

    original: str
    query: str
    correction: Rewrite | None = None
    suggestion: Rewrite | None = None
    homonyms: tuple[Homonym, ...] = ()
    prefixes: tuple[PrefixExpansion, ...] = field(default_factory=tuple)
    #: The synonyms the query was also searched as: none with ``synonyms=False``.
    synonyms: tuple[Expansion, ...] = field(default_factory=tuple)
    #: What the user should know about how the query was answered (a filter this index cannot apply).
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"original": self.original, "query": self.query,
                "correction": self.correction.to_json() if self.correction else None,
                "suggestion": self.suggestion.to_json() if self.suggestion else None,
                "homonyms": [h.to_json() for h in self.homonyms],
                "prefixes": [p.to_json() for p in self.prefixes],
                "synonyms": [s.to_json() for s in self.synonyms], "notes": list(self.notes)}
