"""What a search returns: ranked hits with snippets, the number of all matches, and what was done to the query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from .plan import QueryPlan
from .snippets import Snippet, Span


#: The columns of an exported hit (:meth:`Hit.to_row`).
ROW_FIELDS = ("rank", "id", "path", "title", "date", "score", "snippet")


@dataclass(frozen=True)
class Hit:
    """One ranked document. Highlights are character offsets into ``title`` and the stored body."""

    rank: int
    score: float
    id: str
    title: str
    date: dt.date | None
    path: str
    format: str
    snippet: Snippet
    title_highlights: tuple[Span, ...]
    author: str = ""
    #: The file's modification time (shown; never taken for the document's ``date``).
    modified: dt.datetime | None = None
    #: The paths of other files with exactly this content, folded into this hit.
    duplicates: tuple[str, ...] = ()

    def to_row(self) -> dict[str, Any]:
        """The hit as one flat record (:data:`ROW_FIELDS`), for exporting every hit as JSON Lines or CSV: the
        snippet as plain text."""
        return {"rank": self.rank, "id": self.id, "path": self.path, "title": self.title,
                "date": self.date.isoformat() if self.date else "", "score": round(self.score, 4),
                "snippet": self.snippet.marked(lambda word: word)}

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "modified": self.modified.isoformat(timespec="seconds") if self.modified else None,
            "author": self.author or None,
            "path": self.path,
            "duplicates": list(self.duplicates),
            "format": self.format,
            "title_highlights": [[s.start, s.end] for s in self.title_highlights],
            "snippet": {
                "text": self.snippet.marked(lambda word: word),
                "fragments": [
                    {"start": f.start, "end": f.end, "text": f.text, **({"page": f.page} if f.page else {}),
                     "highlights": [{"start": s.start, "end": s.end, "form": f.text[s.start - f.start:s.end - f.start],
                                     "term": s.term} for s in f.highlights]}
                    for f in self.snippet.fragments
                ],
            },
        }


@dataclass(frozen=True)
class SearchResults(Sequence[Hit]):
    """The hits shown, as a sequence (``for hit in results``, ``results[0]``, ``len(results)``), with the number
    of all matches in ``total`` and what was done to the query in ``plan``."""

    query: str
    hits: list[Hit]
    total: int
    seconds: float
    offset: int = 0
    #: False when ``total`` is an estimate.
    total_exact: bool = True
    #: What was done to the query: ``query`` above is ``plan.query``, what was searched; ``plan.original`` is
    #: what was typed.
    plan: QueryPlan | None = None
    #: The commit of the index that answered: every hit comes from it.
    generation: int = 0
    #: How the hits are ordered: ``relevance``, ``newest`` or ``oldest`` first (:data:`~searchkit.compiled.ORDERS`);
    #: a query of filters alone is ordered newest first.
    order: str = field(default="relevance")
    #: The facets asked for: for each, how many of all matching documents (not only those shown) have each value
    #: (``{"year": {"2024": 3, "2025": 7}, "format": {"pdf": 4, …}}``), years and months in order of time, the
    #: others the most first.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @overload
    def __getitem__(self, index: int) -> Hit: ...

    @overload
    def __getitem__(self, index: slice) -> list[Hit]: ...

    def __getitem__(self, index: int | slice) -> Hit | list[Hit]:
        return self.hits[index]

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def to_json(self) -> dict[str, Any]:
        plan = self.plan or QueryPlan(self.query, self.query)
        return {"query": self.query, "total": self.total, "total_exact": self.total_exact, "offset": self.offset,
                "order": self.order, "generation": self.generation, "seconds": round(self.seconds, 4),
                "plan": plan.to_json(), **({"facets": self.facets} if self.facets else {}),
                "hits": [hit.to_json() for hit in self.hits]}
