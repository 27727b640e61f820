"""The search page at ``/`` and the document view at ``/document``, rendered on the server (``/?q=…`` works with
JavaScript off; ``static/page.js`` only adds completion as you type). Every text from the index reaches the
HTML through Jinja2's autoescaping or :func:`markupsafe.escape`, so a document holding ``<script>`` shows it as
text. Interface text is Russian.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from searchkit import Hit, QueryError, SearchResults, render

from .api import Api
from .answers import page_error
from .limits import ApiError
from .params import Param

#: Hits a page.
PER_PAGE = 10
#: A date filter as the query language takes it: a year, a month or a day.
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(default=True, default_for_string=True))


def _plain(text: str) -> str:
    """Text escaped for HTML, as a plain string (a ``Markup`` would escape what is added to it)."""
    return str(escape(text))


def _mark(word: str) -> str:
    return f"<mark>{escape(word)}</mark>"


def _page_break(number: int) -> str:
    return f'<span class="page-break">— {escape(render.page_name(number))} —</span>'


def _page_label(number: int) -> str:
    return f'<span class="page">{escape(render.page_name(number))}</span> '


def plural(count: int, one: str, few: str, many: str) -> str:
    """The Russian noun form for ``count``: 1 документ, 2 документа, 5 документов."""
    if count % 10 == 1 and count % 100 != 11:
        return one
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return few
    return many


def pinned(query: str, word: str, lemma: str) -> str:
    """``query`` with the homonym ``word`` pinned to one reading, ``word:lemma``."""
    pattern = re.compile(rf"(?<![\w:=]){re.escape(word)}(?![\w:])", re.IGNORECASE)
    return pattern.sub(lambda found: f"{found.group(0)}:{lemma}", query, count=1)


class Page:
    def __init__(self, api: Api) -> None:
        self.api = api
        limits = api.config.limits
        self.q = Param("q", str, "", max_length=limits.query_chars)
        self.date = Param("date", str, "", max_length=10)
        self.page = Param("page", int, "", default=1, minimum=1, maximum=limits.offset // PER_PAGE + 1)
        self.correct = Param("correct", bool, "", default=True)
        self.id = Param("id", str, "", required=True, max_length=limits.query_chars)

    def html(self, template: str, status: int = 200, **context: Any) -> Response:
        body = _templates.get_template(template).render(plural=plural, **context)
        return HTMLResponse(body, status_code=status)

    async def search(self, request: Request) -> Response:
        params = request.query_params
        context: dict[str, Any] = {"q": params.get("q", "")[:self.api.config.limits.query_chars],
                                   "date": params.get("date", "")[:10]}
        try:
            q = (self.q.read(params) or "").strip()
            date = (self.date.read(params) or "").strip()
            page, correct = self.page.read(params), self.correct.read(params)
            if date and not DATE_RE.match(date):
                raise ApiError(400, f"дата: год, месяц или день (2025, 2025-08, 2025-08-15), а не «{date}»")
            context.update(q=q, date=date)
            if not q and not date:
                return self.html("search.html", **context)
            query = f"{q} date:{date}".strip() if date else q
            by = "month" if date else "year"  # within a year chosen, its months
            results = await self.api.pool.run(lambda: self.api.index.search(
                query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, correct=correct, facets=[by]))
        except QueryError as error:
            return self.html("search.html", 400, error=str(error), pointer=error.pointer(), **context)
        except Exception as error:
            status, message = page_error(error)
            return self.html("search.html", status, error=message, **context)
        context.update(self.results(results, q, date, page))
        return self.html("search.html", **context)

    def link(self, **params: Any) -> str:
        return "/?" + urlencode({name: value for name, value in params.items() if value not in (None, "")})

    def results(self, results: SearchResults, q: str, date: str, page: int) -> dict[str, Any]:
        """What the results part of the page shows, every text already escaped or left to the template."""
        plan = results.plan
        suffix = f" date:{date}" if date else ""

        def typed(query: str) -> str:  # the query without the date filter the page added to it
            return query[:-len(suffix)] if suffix and query.endswith(suffix) else query

        notes: list[Markup] = []
        if plan and plan.correction:
            c = plan.correction
            notes.append(Markup('Показаны результаты для «{}» ({}). <a href="{}">Искать «{}» как написано</a>').format(
                typed(c.query), render.kind_names(c.kind), self.link(q=q, date=date, correct="0"), typed(c.original)))
        if plan and plan.suggestion:
            s = plan.suggestion
            notes.append(Markup('Возможно, вы имели в виду <a href="{}">«{}»</a> ({}, {} {})').format(
                self.link(q=typed(s.query), date=date), typed(s.query), render.kind_names(s.kind), s.total,
                plural(s.total, "документ", "документа", "документов")))
        homonyms = []
        for homonym in plan.homonyms if plan else ():
            readings = [{"lemma": r.lemma, "pos": r.pos, "share": f"{r.share:.0%}",
                         "href": self.link(q=pinned(q, homonym.word, r.lemma), date=date),
                         "current": homonym.pinned == r.lemma} for r in homonym.readings]
            homonyms.append({"word": homonym.word, "pinned": homonym.pinned, "readings": readings})
        pages = min(math.ceil(results.total / PER_PAGE), self.page.maximum or 1)
        window = range(max(1, page - 3), min(pages, page + 3) + 1)
        facets = next(iter(results.facets.values()), {})  # the hits by year, or by month within one
        return {
            "results": results, "notes": notes, "homonyms": homonyms,
            "hits": [self.hit(hit, results.query) for hit in results.hits],
            "first": results.offset + 1, "last": results.offset + len(results.hits),
            "pages": [{"number": n, "href": self.link(q=q, date=date, page=n), "current": n == page} for n in window],
            "previous": self.link(q=q, date=date, page=page - 1) if page > 1 else None,
            "next": self.link(q=q, date=date, page=page + 1) if page < pages else None,
            "date_counts": [{"value": value, "count": count, "href": self.link(q=q, date=value)}
                            for value, count in facets.items()],
            "milliseconds": round(results.seconds * 1000),
        }

    def hit(self, hit: Hit, query: str) -> dict[str, Any]:
        pages = sorted({f.page for f in hit.snippet.fragments if f.page})
        return {
            "rank": hit.rank, "id": hit.id, "path": hit.path, "author": hit.author,
            "date": hit.date.isoformat() if hit.date else None,
            "modified": hit.modified.date().isoformat() if hit.modified and not hit.date else None,
            "title": Markup(render.woven_text(hit.title, hit.title_highlights, _plain, _mark, _page_break)),
            "snippet": Markup(render.woven_snippet(hit.snippet, _plain, _mark, _page_label)),
            "pages": ", ".join(render.page_name(n) for n in pages),
            "href": "/document?" + urlencode({"id": hit.id, "q": query}),
        }

    async def document(self, request: Request) -> Response:
        params = request.query_params
        q = params.get("q", "")[:self.api.config.limits.query_chars]
        try:
            doc_id = self.id.read(params)
            query = self.q.read(params)
            document, spans = await self.api.pool.run(lambda: self.api.index.document(doc_id, query or None))
        except Exception as error:
            status, message = page_error(error)
            return self.html("document.html", status, error=message, q=q)
        return self.html("document.html", q=q, document=document, matches=len(spans),
                         date=document.date.isoformat() if document.date else None,
                         modified=document.modified.date().isoformat() if document.modified else None,
                         text=Markup(render.woven_text(document.body, spans, _plain, _mark, _page_break,
                                                       document.pages)),
                         back=self.link(q=q))

