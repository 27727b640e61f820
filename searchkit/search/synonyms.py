"""Synonyms and abbreviations: «КНДР» also searches «Северная Корея», «РФ» also «Российская Федерация».

A dictionary is lines of text, one rule a line (UTF-8, ``#`` starts a comment):

- a group of equivalents, ``КНДР, Северная Корея, Корейская Народно-Демократическая Республика``: each member
  of the group also searches for every other one;
- a one-way rule, ``ВВП => валовой внутренний продукт``: the members left of ``=>`` also search for those on its
  right, not the other way round.

Two dictionaries apply: the default list of common Russian abbreviations shipped with searchkit
(``synonyms_ru.txt``, on unless ``SynonymSettings(defaults=False)``) and the index's own (``synonyms.txt``, kept
by the backend beside the index's settings). Both are read at query time, so changing one needs no re-indexing.

A member is matched and searched through the index's analyzer, so every form of it counts: the query «Северной
Кореи» matches the member «Северная Корея» (their words share a lemma each) and «КНДР» finds «в Северной Корее».
:class:`Expander` rewrites a parsed query: a plain word, a run of plain words side by side and a quoted phrase
that contain a member become an :class:`Expanded` node, which the compiler turns into the original query or any
of its synonyms, each synonym searched as a phrase (its words in a row, with their positions) and weighted below
the words typed. ``=form``, ``prefix*`` and ``word:lemma`` are never expanded: they say exactly what is meant.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Union

from ..analysis import Analyzer, get_analyzer, iter_words
from ..analysis.normalize import fold
from ..errors import SettingsError
from ..settings import AnalyzerSettings
from . import query as ast

#: The file of the default list, inside this package.
DEFAULT_LIST = "synonyms_ru.txt"
#: Where each rule comes from, as the plan names it.
DEFAULT, INDEX = "default", "index"
ONE_WAY = "=>"
#: A member of more words is refused (a phrase of more words is not searched either).
MAX_MEMBER_WORDS = 12
#: Variants of one quoted phrase searched at most, when several of its parts have synonyms.
MAX_PHRASE_VARIANTS = 16


@dataclass(frozen=True)
class Rule:
    """One line of a dictionary: ``sources`` also search for ``targets`` (for a group, the same members)."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    origin: str
    line: int

    @property
    def one_way(self) -> bool:
        return self.sources != self.targets

    @property
    def text(self) -> str:
        """The rule as a dictionary line."""
        if not self.one_way:
            return ", ".join(self.sources)
        return f"{', '.join(self.sources)} {ONE_WAY} {', '.join(self.targets)}"

    def members(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.sources, *self.targets)))


def _member(text: str) -> str:
    """A member as written, with its inner spaces made single."""
    return " ".join(text.split())


def parse_line(line: str, number: int, origin: str, name: str = "synonyms") -> Rule | None:
    """The rule on one line, None for a blank or comment line; raises :class:`SettingsError` naming ``name``
    and the line ``number`` when the line is not a rule."""
    content = line.split("#", 1)[0].strip()
    if not content:
        return None

    def bad(reason: str) -> SettingsError:
        return SettingsError(f"{name}, line {number}: {reason}: {line.strip()!r}")

    sides = content.split(ONE_WAY)
    if len(sides) > 2:
        raise bad(f"more than one {ONE_WAY!r}")
    parsed = []
    for side in sides:
        members = [_member(part) for part in side.split(",")]
        if any(not member for member in members):
            raise bad(f"an empty entry (two commas, or a comma or {ONE_WAY!r} at an end)")
        for member in members:
            words = list(_top_words(member))
            if not words:
                raise bad(f"{member!r} has no letters or digits")
            if len(words) > MAX_MEMBER_WORDS:
                raise bad(f"{member!r} has more than {MAX_MEMBER_WORDS} words")
        parsed.append(tuple(dict.fromkeys(members)))
    if len(parsed) == 1:
        if len(parsed[0]) < 2:
            raise bad(f"a group needs two entries or more, separated by commas (or write A {ONE_WAY} B)")
        return Rule(parsed[0], parsed[0], origin, number)
    return Rule(parsed[0], parsed[1], origin, number)


def parse_rules(text: str, origin: str, name: str = "synonyms") -> list[Rule]:
    """Every rule of a dictionary's text; the first bad line raises :class:`SettingsError` with its number."""
    text = text.removeprefix("\ufeff")
    return [rule for number, line in enumerate(text.splitlines(), start=1)
            if (rule := parse_line(line, number, origin, name)) is not None]


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    """The default list shipped with searchkit."""
    text = resources.files(__package__).joinpath(DEFAULT_LIST).read_text(encoding="utf-8")
    return tuple(parse_rules(text, DEFAULT, DEFAULT_LIST))


# --- editing the index's own dictionary ---------------------------------------------------------------------------

def with_rule(text: str, line: str, name: str = "synonyms") -> tuple[str, Rule]:
    """The dictionary ``text`` with the rule ``line`` appended, and that rule (checked first)."""
    rule = parse_line(line, len(text.splitlines()) + 1, INDEX, name)
    if rule is None:
        raise SettingsError(f"{name}: {line.strip()!r} is not a rule (write «A, B, C» or «A {ONE_WAY} B»)")
    if text and not text.endswith("\n"):
        text += "\n"
    return text + rule.text + "\n", rule


def without_member(text: str, member: str) -> tuple[str, list[Rule]]:
    """The dictionary ``text`` without the rules that have ``member`` (in any case, ``ё`` or ``е``), and those
    rules. Comments, blank lines and lines that do not parse are kept."""
    wanted = fold(_member(member))
    kept, removed = [], []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        try:
            rule = parse_line(line, number, INDEX)
        except SettingsError:
            rule = None
        if rule is not None and any(fold(m) == wanted for m in rule.members()):
            removed.append(rule)
        else:
            kept.append(line)
    return "".join(kept), removed


# --- matching ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Word:
    """A word as synonyms match it: its folded form, whether it is a stop word, and its index terms (for a
    dictionary member's word, only the likeliest)."""

    folded: str
    stopword: bool
    terms: frozenset[str]

    def meets(self, typed: _Word) -> bool:
        """Whether this word of a member matches a word of the query: a stop word the same stop word, another
        word one that has its likeliest lemma among its own («Российской» for «Российская»; not «Вова» for
        «ВОВ», whose readings include *Вова*, nor «германий» for «Германия»)."""
        if self.stopword or typed.stopword:
            return self.stopword and typed.stopword and self.folded == typed.folded
        return self.terms <= typed.terms


def rule_forms(rules: Iterable[Rule]) -> set[str]:
    """The folded forms of every word of the rules' members (and of the parts of their compounds): what matching
    a query against them and searching their synonyms analyses."""
    return {fold(word.surface) for rule in rules for member in (*rule.sources, *rule.targets)
            for word in iter_words(member)}


def _top_words(text: str) -> Iterable[tuple[str, int, int]]:
    """(surface, start, end) of the words of ``text``, a compound whole (its parts left out)."""
    end = -1
    for surface, start, stop, _ in iter_words(text):
        if start >= end:
            yield surface, start, stop
            end = stop


@dataclass(frozen=True)
class _Entry:
    words: tuple[_Word, ...]
    synonyms: tuple[str, ...]
    origins: tuple[str, ...]


@dataclass(frozen=True)
class Expansion:
    """Synonyms added to a query: the query's words that matched a dictionary member (``text``, as typed), what
    they were also searched as, and which dictionaries said so (``default``, ``index``)."""

    text: str
    synonyms: tuple[str, ...]
    origins: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "synonyms": list(self.synonyms), "from": list(self.origins)}


class Synonyms:
    """The rules in force for an index, analysed by its analyzer, for matching query words."""

    def __init__(self, rules: Sequence[Rule], analyzer: Analyzer) -> None:
        self.rules = tuple(rules)
        self.analyzer = analyzer
        merged: dict[tuple[_Word, ...], tuple[dict[str, None], dict[str, None]]] = {}
        for rule in self.rules:
            for source in rule.sources:
                key = self._words(source)
                synonyms, origins = merged.setdefault(key, ({}, {}))
                synonyms.update(dict.fromkeys(t for t in rule.targets if self._words(t) != key))
                origins[rule.origin] = None
        self._by_term: dict[str, list[_Entry]] = {}
        for key, (synonyms, origins) in merged.items():
            if not synonyms:
                continue
            entry = _Entry(key, tuple(synonyms), tuple(origins))
            for term in key[0].terms or {key[0].folded}:
                self._by_term.setdefault(term, []).append(entry)

    def __len__(self) -> int:
        return len(self.rules)

    def _word(self, surface: str, likeliest: bool = False) -> _Word:
        analysed = self.analyzer.word(surface)
        return _Word(analysed.folded, analysed.stopword,
                     frozenset(analysed.terms[:1] if likeliest else analysed.terms))

    def _words(self, text: str) -> tuple[_Word, ...]:
        """A member's words, each by its likeliest lemma."""
        return tuple(self._word(surface, likeliest=True) for surface, _, _ in _top_words(text))

    def matches(self, words: Sequence[str]) -> list[tuple[int, int, _Entry]]:
        """(start, end, entry) for the runs ``words[start:end]`` (each one word) that are a member, longest
        first from the left, not overlapping."""
        analysed = [self._word(word) for word in words]
        found = []
        i = 0
        while i < len(analysed):
            first = analysed[i]
            candidates = {id(e): e for term in (first.terms or {first.folded}) for e in self._by_term.get(term, ())}
            best: _Entry | None = None
            for entry in candidates.values():
                size = len(entry.words)
                if size <= len(analysed) - i and (best is None or size > len(best.words)) and \
                        all(a.meets(b) for a, b in zip(entry.words, analysed[i:i + size])):
                    best = entry
            if best is None:
                i += 1
                continue
            found.append((i, i + len(best.words), best))
            i += len(best.words)
        return found


@lru_cache(maxsize=32)
def dictionary(index_text: str, defaults: bool, settings: AnalyzerSettings,
               name: str = "synonyms.txt") -> Synonyms | None:
    """The synonyms in force: the default list (with ``defaults``) and the index's own ``index_text``; None when
    there are none. Remembered, so each search only compares the index's text with the last one read."""
    rules = [*(default_rules() if defaults else ()), *parse_rules(index_text, INDEX, name)]
    return Synonyms(rules, get_analyzer(settings)) if rules else None


# --- expanding a parsed query ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Expanded:
    """A part of a query and its synonyms: ``original`` (a word, a run of words side by side, a phrase) is
    searched, or any of ``variants``, each a phrase (with the original's ``slop``) weighted below it."""

    original: ast.Node
    variants: tuple[str, ...]
    expansions: tuple[Expansion, ...]
    text: str
    field: str | None
    position: int
    slop: int = 0


Node = Union[ast.Node, Expanded]


def _plain(node: ast.Node) -> bool:
    """A word that synonyms may replace: not a prefix, an exact form or a pinned reading, and one word."""
    return isinstance(node, ast.Word) and not (node.prefix or node.exact or node.pin) and \
        len(list(_top_words(node.text))) == 1


class Expander:
    """Rewrites a parsed query with :class:`Expanded` nodes where the dictionary has synonyms."""

    def __init__(self, synonyms: Synonyms) -> None:
        self.synonyms = synonyms

    def expand(self, node: Node) -> Node:
        if isinstance(node, ast.Word):
            return self._run([node])[0] if _plain(node) else node
        if isinstance(node, ast.Phrase):
            return self._phrase(node)
        if isinstance(node, ast.Not):
            return ast.Not(self.expand(node.child))  # type: ignore[arg-type]
        if isinstance(node, (ast.And, ast.Or)):
            return type(node)(tuple(self.expand(child) for child in node.children))  # type: ignore[arg-type]
        if isinstance(node, ast.Any):
            return self._juxtaposed(node)
        return node

    def _juxtaposed(self, node: ast.Any) -> ast.Any:
        """Runs of plain words of one field side by side are matched as a whole (a member of several words),
        the other children expanded on their own."""
        children: list[Node] = []
        for _, group in itertools.groupby(node.children, key=lambda c: ("word", c.field) if _plain(c) else id(c)):
            members = list(group)
            if _plain(members[0]):
                children.extend(self._run(members))  # type: ignore[arg-type]
            else:
                children.extend(self.expand(child) for child in members)
        return ast.Any(tuple(children))  # type: ignore[arg-type]

    def _run(self, words: list[ast.Word]) -> list[Node]:
        out: list[Node] = []
        cursor = 0
        for start, end, entry in self.synonyms.matches([word.text for word in words]):
            out.extend(words[cursor:start])
            part = words[start:end]
            original = part[0] if len(part) == 1 else ast.Any(tuple(part))
            text = " ".join(word.text for word in part)
            out.append(Expanded(original, entry.synonyms, (Expansion(text, entry.synonyms, entry.origins),), text,
                                part[0].field, part[0].position))
            cursor = end
        out.extend(words[cursor:])
        return out

    def _phrase(self, node: ast.Phrase) -> Node:
        """A quoted phrase with each of its parts that is a member replaced by that member's synonyms: the
        variants, at most :data:`MAX_PHRASE_VARIANTS`, are searched as phrases beside the phrase itself."""
        words = list(_top_words(node.text))
        found = self.synonyms.matches([surface for surface, _, _ in words])
        if not found:
            return node
        choices = []
        expansions = []
        for start, end, entry in found:
            span = (words[start][1], words[end - 1][2])
            choices.append([(span, None), *((span, synonym) for synonym in entry.synonyms)])
            expansions.append(Expansion(node.text[span[0]:span[1]], entry.synonyms, entry.origins))
        variants = []
        for chosen in itertools.islice(itertools.product(*choices), 1, MAX_PHRASE_VARIANTS + 1):
            text, cursor = [], 0
            for (first, last), synonym in chosen:
                if synonym is not None:
                    text.append(node.text[cursor:first] + synonym)
                    cursor = last
            text.append(node.text[cursor:])
            variants.append("".join(text))
        return Expanded(node, tuple(variants), tuple(expansions), node.text, node.field, node.position, node.slop)
