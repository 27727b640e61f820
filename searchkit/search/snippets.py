"""Snippets: the fragments of a document around its matches, with the original word forms that matched.

Each word of the stored text is looked up again for the terms the index's analyzer gives it, so a word matches
when any of its terms is a query term: «встречей» is marked for the query «встреча» although the two strings differ. Fragments are chosen to
cover the most distinct query terms, then widened to word boundaries.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..analysis import EXACT_MARK, Analyzer, Lexicon, match_forms, match_words, may_have
from ..documents.model import PAGE_BREAK, page_at

FRAGMENT_CHARS = 200
MAX_FRAGMENTS = 2
ELLIPSIS = "…"


@dataclass(frozen=True)
class Span:
    """A matched word: ``text[start:end]`` of the field, the query term it matched, and its token position
    (the word's number in the field, counting from 0; parts of a compound share the whole's first one)."""

    start: int
    end: int
    term: str
    position: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Fragment:
    """A piece of the field's text: ``text == field_text[start:end]``; highlights in field coordinates."""

    start: int
    end: int
    text: str
    highlights: tuple[Span, ...]
    #: The page of the fragment's first match (else of its beginning), for a paged document (a PDF); None
    #: otherwise.
    page: int | None = None

    def marked(self, mark: Callable[[str], str]) -> str:
        """The fragment's text with each highlight passed through ``mark`` (``lambda w: f"[{w}]"``)."""
        out, cursor = [], self.start
        for span in self.highlights:
            out.append(self.text[cursor - self.start:span.start - self.start])
            out.append(mark(self.text[span.start - self.start:span.end - self.start]))
            cursor = span.end
        out.append(self.text[cursor - self.start:])
        return "".join(out)


@dataclass(frozen=True)
class Snippet:
    fragments: tuple[Fragment, ...]
    #: Whether text was left out before the first fragment and after the last.
    cut_before: bool
    cut_after: bool

    def marked(self, mark: Callable[[str], str] = lambda word: f"[{word}]", separator: str = f" {ELLIPSIS} ",
               page: Callable[[int], str] | None = None) -> str:
        """The snippet as one line, matches passed through ``mark`` and fragments joined by an ellipsis; with
        ``page``, each fragment of a paged document is preceded by ``page(number)`` («с. 2 »)."""
        text = separator.join((page(f.page) if page and f.page else "") + " ".join(f.marked(mark).split())
                              for f in self.fragments)
        return (f"{ELLIPSIS} " if self.cut_before else "") + text + (f" {ELLIPSIS}" if self.cut_after else "")


def find_matches(analyzer: Analyzer, text: str, terms: Iterable[str], lexicon: Lexicon | None = None,
                 positions: bool = True) -> list[Span]:
    """Every word of ``text`` one of whose terms (the index's analysis of the word,
    :meth:`~searchkit.analysis.WordTerms.match`) is in ``terms``, longest first where words overlap (a compound
    and its parts). With the ``lexicon`` of the index ``text`` is stored in, its words are looked up among the
    forms of the collection that have one of the terms, not analysed. Without ``positions`` (a snippet's
    matches) the spans' positions may be left None, when telling them would cost more words to count."""
    wanted = frozenset(terms)
    forms = wanted_forms(analyzer, lexicon, wanted) if lexicon is not None else None
    if forms is not None:
        return [Span(word.start, word.end, term, word.position if positions else None)
                for word, term in match_forms(text, forms, positions)]
    may_match = may_have(analyzer.morphology, wanted)
    analysed = analyzer.word
    # A shown document is looked at anew for every query: each distinct form once, analysed only if it may be a
    # form of a wanted term, and then only the words that are found where they stand.

    def term_of(surface: str) -> str | None:
        return analysed(surface).match(wanted) if may_match(surface) else None

    return [Span(word.start, word.end, term, word.position) for word, term in match_words(text, term_of)]


@functools.lru_cache(maxsize=64)
def wanted_forms(analyzer: Analyzer, lexicon: Lexicon, wanted: frozenset[str]) -> dict[str, str] | None:
    """Each folded form of the collection that has one of the ``wanted`` terms, with the term it is marked for;
    None when the lexicon does not hold every form of the collection. Remembered, as the hits of a query ask
    for the same terms (a closed commit's lexicon holds no file open)."""
    having = lexicon.forms_having(term for term in wanted if not term.startswith(EXACT_MARK))
    if having is None:
        return None
    # A stop word is not indexed, so nothing marks it; a form's exact term counts where none of its lemmas does.
    marked = {form: term for form, term in having.items() if not analyzer.is_stopword(form)}
    for term in wanted:
        if term.startswith(EXACT_MARK) and term[len(EXACT_MARK):] not in marked:
            word = analyzer.word(term[len(EXACT_MARK):])
            found = word.match(wanted)
            if found is not None:
                marked[word.folded] = found
    return marked


def make_snippet(text: str, matches: list[Span], fragment_chars: int = FRAGMENT_CHARS,
                 max_fragments: int = MAX_FRAGMENTS, pages: tuple[int, ...] = ()) -> Snippet:
    """Up to ``max_fragments`` windows of about ``fragment_chars`` over ``text``, best windows first chosen,
    shown in text order. With no matches, the beginning of the text. ``pages``: where the text's pages 2, 3, …
    begin, so that each fragment says its page."""
    if not matches:
        end = _word_end(text, min(len(text), fragment_chars))
        return Snippet((Fragment(0, end, text[:end], (), page_at(pages, 0)),), False, end < len(text))
    chosen: list[tuple[int, int]] = []
    remaining = list(matches)
    while remaining and len(chosen) < max_fragments:
        # Matches are grouped in a narrower window, so the fragment keeps some context around them.
        window = _best_window(remaining, fragment_chars * 2 // 3)
        chosen.append(window)
        # Matches near a chosen window would give an overlapping fragment.
        remaining = [m for m in remaining if not window[0] - fragment_chars < m.start < window[1] + fragment_chars]
    fragments = []
    for first, last in sorted(chosen):
        page = page_at(pages, first)
        lo, hi = _page_bounds(text, pages, page)  # a fragment stays on its first match's page
        start, end = _widen(text, first, min(last, hi), fragment_chars, lo, hi)
        inside = tuple(m for m in matches if start <= m.start and m.end <= end)
        fragments.append(Fragment(start, end, text[start:end], inside, page))
    return Snippet(tuple(fragments), fragments[0].start > 0, fragments[-1].end < len(text))


def _page_bounds(text: str, pages: tuple[int, ...], page: int | None) -> tuple[int, int]:
    """Where page ``page`` of ``text`` begins and ends (the blank line before the next page left out); the whole
    text for an unpaged one."""
    if page is None:
        return 0, len(text)
    begins = pages[page - 2] if page > 1 else 0
    ends = pages[page - 1] - len(PAGE_BREAK) if page <= len(pages) else len(text)
    return begins, ends


def _best_window(matches: list[Span], width: int) -> tuple[int, int]:
    """The window starting at a match that covers the most distinct terms, then the most matches. Matches are
    in text order, so each window stops at its first match beyond it: linear in matches for a fixed width."""
    best, best_key = (matches[0].start, matches[0].end), (-1, -1)
    for i, anchor in enumerate(matches):
        last = i
        while last < len(matches) and matches[last].end - anchor.start <= width:
            last += 1
        if last == i:
            continue
        inside = matches[i:last]
        key = (len({m.term for m in inside}), len(inside))
        if key > best_key:
            best, best_key = (anchor.start, inside[-1].end), key
    return best


def _widen(text: str, first: int, last: int, width: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """Extend [first, last) to about ``width`` characters within [lo, hi), centred, ending on word boundaries."""
    hi = len(text) if hi is None else hi
    spare = max(0, width - (last - first))
    start = max(lo, first - spare // 2)
    end = min(hi, last + spare - (first - start))
    start = max(lo, min(start, end - width))
    return _word_start(text, start, first, lo), _word_end(text, end, hi)


def _word_start(text: str, start: int, limit: int, lo: int = 0) -> int:
    if start == lo:
        return lo
    space = text.find(" ", start, limit)
    return space + 1 if space >= 0 else start


def _word_end(text: str, end: int, hi: int | None = None) -> int:
    hi = len(text) if hi is None else hi
    if end >= hi:
        return hi
    space = text.rfind(" ", 0, end)
    return space if space > 0 else end
