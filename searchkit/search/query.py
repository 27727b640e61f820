"""The query language, parsed into a small syntax tree. Knows nothing about engines or analysis.

The language is written out once, in :data:`SYNTAX`, which the CLI's help and the REPL show. Explicit AND binds
tighter than OR, and both tighter than plain juxtaposition. Operators are upper case, so «и», «или», «and» in
lower case are ordinary words. Errors carry the character position of the problem.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Union

from ..errors import QueryError

#: Every form of query, with an example: shown by ``searchkit search --help`` and the REPL's ``:fields``.
SYNTAX = """\
  встреча президентов            any of the words, in any form; more matches rank higher
  путин AND трамп, a OR b        both; either
  переговоры NOT путин, -путин   without
  "встреча Путина и Трампа"~2    the phrase in any forms, here up to 2 more words apart
  title:аляска, body:(a OR b)    in one field (plain words search title and body)
  date:2025-08-12, date:2025-08  a day, a month or a year, as a filter beside words
  date:[2025-08-01 TO 2025-08-31]  a range of dates ({…} leaves out its ends); alone: newest first
  path:news/2025, path:*.pdf     files under a folder of the indexed one, or matching a glob (news/**/итоги*)
  format:pdf, author:Чехов       a format; an author (in any form), as filters beside words
  встреч*                        a prefix (over lemmas and word forms)
  =стали                         this word form only
  стали:сталь                    one reading of a homonym (word:lemma)
  (путин OR трамп) AND аляска    parentheses group"""

FIELDS = ("title", "body", "date", "path", "format", "author")
#: Fields that restrict which documents match rather than being searched: filters beside words.
FILTER_FIELDS = ("date", "path", "format", "author")
OPERATORS = ("AND", "OR", "NOT")
MIN_PREFIX_CHARS = 2
#: Parentheses and NOTs nested deeper than this are refused (the parser is recursive).
MAX_DEPTH = 100
#: ``=стали``: the exact word form.
EXACT_MARK = "="
#: ``стали:сталь``: a word (not a field name) pinned to one of its lemmas.
PIN_RE = re.compile(r"([^\W\d_][\w-]*):([^\W\d_][\w-]*)")


@dataclass(frozen=True)
class Word:
    """A query word; ``prefix`` for ``word*``, ``exact`` for ``=word``, ``pin`` the lemma of ``word:lemma``."""

    text: str
    field: str | None
    position: int
    prefix: bool = False
    exact: bool = False
    pin: str | None = None


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None
    position: int
    slop: int = 0


@dataclass(frozen=True)
class DateRange:
    """Inclusive; ``None`` is an open end."""

    start: dt.date | None
    end: dt.date | None
    position: int


@dataclass(frozen=True)
class Restriction:
    """``path:``, ``format:`` or ``author:`` with its value as typed (a quoted one may hold spaces)."""

    field: str
    value: str
    position: int


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Any:
    """Juxtaposed clauses: each positive one may match; a ``Not`` among them excludes."""

    children: tuple[Node, ...]


Node = Union[Word, Phrase, DateRange, Restriction, Not, And, Or, Any]


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, PHRASE, RANGE, FIELD, LPAREN, RPAREN, AND, OR, NOT, MINUS
    text: str
    position: int
    end: int
    slop: int = 0
    exclusive: bool = False


_SPECIAL = '()"[]{}'
_FIELD_RE = re.compile(r"([A-Za-z_]+):")
_SLOP_RE = re.compile(r"~(\d+)")


def tokenize(query: str) -> list[Token]:
    """Split a query into tokens; raises :class:`QueryError` for an unclosed quote or range."""
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token("LPAREN" if ch == "(" else "RPAREN", ch, i, i + 1))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError("the quote that opens a phrase is never closed", query, i)
            slop = _SLOP_RE.match(query, end + 1)
            after = slop.end() if slop else end + 1
            tokens.append(Token("PHRASE", query[i + 1:end], i, after, slop=int(slop.group(1)) if slop else 0))
            i = after
        elif ch in "[{":
            close = "]" if ch == "[" else "}"
            end = query.find(close, i + 1)
            if end < 0:
                raise QueryError(f"the range opened by {ch!r} is never closed with {close!r}", query, i)
            tokens.append(Token("RANGE", query[i + 1:end], i, end + 1, exclusive=ch == "{"))
            i = end + 1
        elif ch in "]}":
            raise QueryError(f"{ch!r} closes a range that was never opened", query, i)
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in _SPECIAL:
                i += 1
            tokens.extend(_word_tokens(query, query[start:i], start))
    return tokens


def _word_tokens(query: str, text: str, start: int) -> list[Token]:
    """A run of non-space characters: leading ``-`` signs, ``field:`` prefixes, then an operator or a word."""
    tokens: list[Token] = []
    while text:
        if text in OPERATORS:
            tokens.append(Token(text, text, start, start + len(text)))
            return tokens
        if text.startswith("-"):
            minuses = len(text) - len(text.lstrip("-"))
            if minuses == len(text):
                raise QueryError("'-' must stand right before the word it excludes", query, start + minuses - 1)
            tokens.extend(Token("MINUS", "-", start + i, start + i + 1) for i in range(minuses))
            text, start = text[minuses:], start + minuses
            continue
        field = _FIELD_RE.match(text)
        if field and field.group(1).lower() not in FIELDS:
            # A Latin word pinned to a Latin lemma (pages:page) and an address (https://…) are words, not fields.
            if PIN_RE.fullmatch(text) and text.isascii() or text[field.end():].startswith("//"):
                field = None
            else:
                raise QueryError(f"unknown field {field.group(1)!r} (fields: {', '.join(FIELDS)})", query, start)
        if field:
            name = field.group(1).lower()
            tokens.append(Token("FIELD", name, start, start + field.end()))
            text, start = text[field.end():], start + field.end()
            continue
        tokens.append(Token("WORD", text, start, start + len(text)))
        return tokens
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0
        self.depth = 0

    def error(self, message: str, position: int | None = None) -> QueryError:
        return QueryError(message, self.query, position)

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, *kinds: str) -> bool:
        token = self.peek()
        return token is not None and token.kind in kinds

    def clauses(self, field: str | None, closing: Token | None) -> Node:
        children: list[Node] = []
        while self.peek() is not None and not self.at("RPAREN"):
            children.append(self.disjunction(field))
        if closing is not None and not self.at("RPAREN"):
            raise self.error("this parenthesis is never closed", closing.position)
        if not children:
            where = closing.position if closing else 0
            raise self.error("empty parentheses" if closing else "the query is empty", where)
        return children[0] if len(children) == 1 else Any(tuple(children))

    def disjunction(self, field: str | None) -> Node:
        children = [self.conjunction(field)]
        while self.at("OR"):
            operator = self.next()
            children.append(self.operand(field, operator))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def conjunction(self, field: str | None) -> Node:
        children = [self.unary(field)]
        while self.at("AND"):
            operator = self.next()
            children.append(self.operand(field, operator, unary=True))
        return children[0] if len(children) == 1 else And(tuple(children))

    def operand(self, field: str | None, operator: Token, unary: bool = False) -> Node:
        if self.peek() is None or self.at("RPAREN", "AND", "OR"):
            raise self.error(f"{operator.text} needs a word after it", operator.position)
        return self.unary(field) if unary else self.conjunction(field)

    def unary(self, field: str | None) -> Node:
        nots = 0
        while self.at("NOT", "MINUS"):
            operator = self.next()
            if self.peek() is None or self.at("RPAREN", "AND", "OR"):
                raise self.error(f"{operator.text} needs a word after it", operator.position)
            nots += 1
        node = self.primary(field)
        for _ in range(nots):
            node = Not(node)
        return node

    def primary(self, field: str | None) -> Node:
        token = self.next()
        if token.kind == "WORD":
            return self.word(token, field)
        if token.kind == "PHRASE":
            return Phrase(token.text, field, token.position, token.slop)
        if token.kind == "LPAREN":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(f"parentheses nested more than {MAX_DEPTH} deep", token.position)
            inner = self.clauses(field, token)
            self.next()
            self.depth -= 1
            return inner
        if token.kind == "FIELD":
            return self.fielded(token)
        if token.kind == "RPAREN":
            raise self.error("')' has no matching '('", token.position)
        if token.kind == "RANGE":
            raise self.error("a range needs a field, as in date:[2025-08-01 TO 2025-08-31]", token.position)
        raise self.error(f"{token.text} needs a word before it", token.position)

    def word(self, token: Token, field: str | None) -> Word:
        if token.text.endswith("*"):
            stem = token.text.rstrip("*")
            if len(stem) < MIN_PREFIX_CHARS or "*" in stem:
                raise self.error(f"a prefix search needs at least {MIN_PREFIX_CHARS} letters before a final '*'",
                                 token.position)
            return Word(stem, field, token.position, prefix=True)
        if token.text.startswith(EXACT_MARK) and len(token.text) > 1:
            return Word(token.text[1:], field, token.position, exact=True)
        pinned = PIN_RE.fullmatch(token.text)
        if pinned:
            return Word(pinned.group(1), field, token.position, pin=pinned.group(2))
        return Word(token.text, field, token.position)

    def fielded(self, token: Token) -> Node:
        value = self.peek()
        if value is not None and value.kind == "FIELD":
            raise self.error(f"'{token.text}:' is followed by another field; write one field before a value",
                             value.position)
        if value is None or value.kind not in ("WORD", "PHRASE", "LPAREN", "RANGE"):
            raise self.error(f"'{token.text}:' needs a value after it", token.position)
        if token.text == "date":
            self.next()
            if value.kind == "RANGE":
                return self.date_range(value)
            if value.kind != "WORD":
                raise self.error("date: takes a date (2025-08-12, 2025-08, 2025) or a range "
                                 "[2025-08-01 TO 2025-08-31]", value.position)
            start, end = self.date_span(value.text, value.position)
            return DateRange(start, end, token.position)
        if token.text in FILTER_FIELDS:
            self.next()
            if value.kind not in ("WORD", "PHRASE"):
                raise self.error(f"{token.text}: takes one value (or a quoted one with spaces)", value.position)
            return Restriction(token.text, value.text.strip(), token.position)
        return self.primary(token.text)

    def date_range(self, token: Token) -> DateRange:
        parts = re.split(r"\s+TO\s+", token.text.strip(), flags=re.IGNORECASE)
        if len(parts) != 2:
            raise self.error("a range is written [FROM TO UNTIL], as in [2025-08-01 TO 2025-08-31]",
                             token.position)
        low = None if parts[0] == "*" else self.date_span(parts[0], token.position)
        high = None if parts[1] == "*" else self.date_span(parts[1], token.position)
        start = low[0] if low else None
        end = high[1] if high else None
        if token.exclusive:
            try:
                start = low[1] + dt.timedelta(days=1) if low else None
                end = high[0] - dt.timedelta(days=1) if high else None
            except OverflowError:
                raise self.error("the range reaches beyond the dates a calendar can hold", token.position) from None
        if start and end and start > end:
            raise self.error(f"the range starts after it ends ({start} > {end})", token.position)
        return DateRange(start, end, token.position)

    def date_span(self, text: str, position: int) -> tuple[dt.date, dt.date]:
        """``2025`` → the whole year, ``2025-08`` → the month, ``2025-08-12`` → that day."""
        match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text.strip())
        try:
            if not match:
                raise ValueError
            year, month, day = (int(g) if g else None for g in match.groups())
            assert year is not None
            if day is not None and month is not None:
                date = dt.date(year, month, day)
                return date, date
            if month is not None:
                first = dt.date(year, month, 1)
                following = dt.date(year + month // 12, month % 12 + 1, 1)
                return first, following - dt.timedelta(days=1)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        except (ValueError, OverflowError):
            raise self.error(f"{text!r} is not a date (write 2025-08-12, 2025-08 or 2025)", position) from None


def parse(query: str) -> Node:
    """Parse a query string; raises :class:`QueryError` pointing at the first problem."""
    parser = _Parser(query)
    tree = parser.clauses(None, None)
    if parser.peek() is not None:
        raise parser.error("')' has no matching '('", parser.next().position)
    return tree


def positive_leaves(node: Node, kinds: tuple[type, ...] = (Word, Phrase)) -> list[Word | Phrase]:
    """The words and phrases of a query that are searched for (not under NOT), in query order; ``kinds``: the
    nodes that count as leaves (a word with its synonyms, too)."""
    if isinstance(node, kinds):
        return [node]  # type: ignore[list-item]
    if isinstance(node, (And, Or, Any)):
        return [leaf for child in node.children for leaf in positive_leaves(child, kinds)]
    return []


def lex(query: str) -> tuple[list[Token], int | None]:
    """Tokens for colouring a query as it is typed, and where it first goes wrong (None if it parses)."""
    if not query.strip():
        return [], None
    try:
        tokens = tokenize(query)
    except QueryError as error:
        try:
            tokens = tokenize(query[:error.position])
        except QueryError:
            tokens = []
        return tokens, error.position
    try:
        parse(query)
    except QueryError as error:
        return tokens, error.position
    return tokens, None
