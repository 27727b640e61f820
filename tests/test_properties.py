"""Hostile queries and texts, generated: the query parser, the analyzer and search never fail with anything but a
:class:`~searchkit.QueryError` that says what is wrong (and where, when it can), whatever the input — control
characters, right-to-left text, emoji, combining marks, 10,000-character queries, unbalanced quotes and brackets,
lone operators, ``*`` alone, dates at the ends of the calendar.

Examples marked ``@example`` below are crashes these tests found in files this suite's author does not own (see
the comment above each): a test fails on its example until that bug is fixed, and keeps it as a regression check
after. ``test_deep_queries`` checks deep and long queries at Python's default recursion limit, which Hypothesis
raises while it runs.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from searchkit import AnalyzerSettings, Index, QueryError, SearchResults
from searchkit.analysis import Word, analyze, fold, iter_words, match_forms, match_words
from searchkit.backends.whoosh.schema import WhooshAnalyzer
from searchkit.analysis.normalize import may_contain
from searchkit.analysis.tokenizer import WORD_RE
from searchkit.search import parse
from searchkit.search.query import Token, lex

EXAMPLES = 1000
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- what queries and texts are made of -------------------------------------------------------------------

WORDS = ["встреча", "Путина", "Трампа", "стали", "сталь", "ёлка", "елка", "Ростов-на-Дону", "Анкоридж",
         "и", "в", "что", "не", "python", "mp3", "2025", "İstanbul", "ǅemal", "straße", "ﬁnal", "Ⅻ"]
OPERATORS = ["AND", "OR", "NOT", "-", "+", "*", "**", "~", "~2", "~99999999999999999999", "^2", "TO", "to",
             "and", "или", "||", "&&", "!"]
SYNTAX = ['"', "'", "(", ")", "[", "]", "{", "}", ":", "title:", "body:", "date:", "TITLE:", "author:", "_:",
          "title:(", "date:[", "date:{", "\\", "/", "?", "…", "«", "»", "—", "-"]
DATES = ["2025", "2025-08", "2025-08-12", "0001", "0001-01-01", "9999", "9999-12", "9999-12-31", "0000",
         "2025-13", "2025-02-30", "10000", "99999-01-01", "2025-8-1", "*", "1969-12-31", "2038-01-19"]
#: Characters that break naive text handling: controls, bidirectional marks and right-to-left scripts, emoji
#: (with joiners and skin tones), combining marks, invisible characters, letters that change length when
#: case-folded, a script pymorphy3 cannot name (Tangut), lone surrogates' neighbours, line and paragraph
#: separators.
ODD = ["\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029",
       "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u0301", "\u0300", "\u0336", "\u0489",
       "и\u0306", "е\u0308", "\u202e", "\u202d", "\u2066", "\u200f", "שלום", "مرحبا", "\u0661\u0662",
       "😀", "👩\u200d👩\u200d👧", "👍🏽", "🇷🇺", "\U0001d54a\U0001d556", "\U00017000", "\U0010ffff", "\ufffd",
       "\uffff", "İ", "ß", "ﬃ", "Σ", "ǅ", "ᾏ", "ｓｔａｌ", "𝐬𝐭𝐚𝐥𝐢", "中文", "한국어"]

fragment = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(OPERATORS), st.sampled_from(SYNTAX), st.sampled_from(ODD),
    st.sampled_from(DATES), st.text(max_size=8),
    st.builds(lambda a, b, c, inclusive: f"date:{'[' if inclusive else '{'}{a} TO {b}{']' if inclusive else '}'}{c}",
              st.sampled_from(DATES), st.sampled_from(DATES), st.sampled_from(["", " сталь"]), st.booleans()),
)
separator = st.sampled_from(["", " ", " ", "  ", "\t", "\n"])


@st.composite
def short_queries(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(fragment, separator), max_size=12))
    return "".join(text + sep for text, sep in parts)


@st.composite
def long_queries(draw: st.DrawFn) -> str:
    """About 10,000 characters: a short query repeated, or arbitrary text."""
    if draw(st.booleans()):
        unit = draw(short_queries()) or "сталь "
        return (unit * (10_000 // len(unit) + 1))[:10_000]
    return draw(st.text(min_size=2_000, max_size=10_000))


queries = st.one_of(st.text(), short_queries(), short_queries(), short_queries(), long_queries())
texts = st.one_of(st.text(), short_queries(), st.lists(st.sampled_from(ODD + WORDS), max_size=30).map(" ".join),
                  st.lists(st.sampled_from(ODD + WORDS + [" ", "-", "‐"]), max_size=30).map("".join))


def check_query_error(error: QueryError, query: str) -> None:
    """A message, and a position (when it has one) that points into the query or just past it."""
    assert error.reason.strip() and str(error).strip()
    assert error.position is None or 0 <= error.position <= len(query), (error.position, len(query))
    if error.position is not None:
        assert error.pointer().endswith("^")


# --- the parser -------------------------------------------------------------------------------------------

# Found by this test: _word_tokens in query.py took a leading '-' off a word by calling itself once per dash, so
# a long run of dashes raised RecursionError from tokenize, and so from lex, which must never raise (fixed in
# query.py since; kept as a regression example). Field prefixes ('title:title:…') still recurse the same way:
# see test_deep_queries, which checks at the default recursion limit; Hypothesis raises it to about 2,000 while it
# runs, hence 20,000 dashes here.
@example("-" * 20_000 + "сталь")
@PROPERTY
@given(queries)
def test_lex_never_raises(query: str) -> None:
    tokens, error_at = lex(query)
    assert error_at is None or 0 <= error_at <= len(query)
    for token in tokens:
        assert isinstance(token, Token)
        assert 0 <= token.position <= token.end <= len(query)


# Found by this test: a few hundred nested parentheses raised RecursionError (query.py has limited nesting to
# 100 since); kept as a regression example.
@example("(" * 500 + "сталь" + ")" * 500)
@PROPERTY
@given(queries)
def test_parse_raises_nothing_but_query_errors(query: str) -> None:
    try:
        parse(query)
    except QueryError as error:
        check_query_error(error, query)
        if query.strip():  # lex, which colours the prompt, points at the same place
            assert lex(query)[1] == error.position
    else:
        assert lex(query)[1] is None


# --- the analyzer -----------------------------------------------------------------------------------------

ANALYZER_SETTINGS = [AnalyzerSettings(), AnalyzerSettings(terms="form"), AnalyzerSettings(terms="stem"),
                     AnalyzerSettings(terms="top-lemma", stem_unknown=False), AnalyzerSettings(stopwords=False)]


# Found by this test: lower-casing a whole text turns a Greek «Σ» ending a word into «ς», a word alone into «σ».
@example("A\u200bΣ")
@example("ǅemal𝕊𝕖встреча")  # Latin look-alikes folded in a word that mixes the alphabets far apart
@example("\uf9fd")  # a CJK compatibility ideograph, which NFC replaces
@example("йΣ\u202eвстреча")  # «Σ» before an invisible mark: final in the word, not in the text
@PROPERTY
@given(texts)
def test_the_quick_form_test_keeps_every_word_of_the_text(text: str) -> None:
    """``=form`` skips a document's words when ``may_contain`` says no: it must say yes for each of them."""
    for word in iter_words(text):
        form = fold(word.surface)
        if form:
            assert may_contain(text, form), (text, word)


@example("северо-западный ветер, юго-северо-западный и северо", 0b1011)
@example("Ростов-на-Дону " + "а" * 70 + "-на Ростов", 0b111)
@PROPERTY
@given(texts, st.integers(min_value=0))
def test_words_matched_by_their_surfaces_are_the_words_iter_words_gives(text: str, choice: int) -> None:
    """Snippets find a shown document's wanted words by looking for their surfaces: the same words, offsets and
    positions as going through all of :func:`iter_words`, a compound before its parts, for any choice of
    them; each distinct surface is asked about once."""
    distinct = sorted({word.surface for word in iter_words(text)})
    wanted = {surface for i, surface in enumerate(distinct) if choice >> (i % 60) & 1}
    asked: list[str] = []

    def match(surface: str) -> str | None:
        asked.append(surface)
        return surface.upper() if surface in wanted else None

    expected: list[tuple[Word, str]] = []
    for word in iter_words(text):
        if word.surface in wanted and not (expected and word.start < expected[-1][0].end):
            expected.append((word, word.surface.upper()))
    assert match_words(text, match) == expected
    assert sorted(asked) == distinct


@example("Ёлка и ЁЛКИ, Ростов-на-Дону и ростов", 0b1011)
@example("Ростов-на-Дону " + "а" * 70 + "-на Ростов", 0b111)
@example("Ста\u0301ли сталь", 0b11)
@example("pусский Русский", 0b1)
@PROPERTY
@given(texts, st.integers(min_value=0))
def test_words_matched_by_their_folded_forms_are_those_fold_gives(text: str, choice: int) -> None:
    """Snippets with an index's lexicon look a shown text's words up by their folded forms, as sets where the
    text lower-cases word for word: the same words, offsets and positions as folding every word of
    :func:`iter_words`."""
    folded = sorted({fold(word.surface) for word in iter_words(text)})
    forms = {form: form.upper() for i, form in enumerate(folded) if choice >> (i % 60) & 1}
    expected: list[tuple[Word, str]] = []
    for word in iter_words(text):
        if fold(word.surface) in forms and not (expected and word.start < expected[-1][0].end):
            expected.append((word, forms[fold(word.surface)]))
    assert match_forms(text, forms) == expected


# Found by this test: analyze() kept a word that folds to nothing (a lone soft hyphen or stress mark) and
# reported it as indexed under the empty term, which the index's pipeline (FoldFilter) drops (fixed in
# analyzer.py since); kept as a regression example.
@example("\xad", AnalyzerSettings())
@PROPERTY
@given(texts, st.sampled_from(ANALYZER_SETTINGS))
def test_analyzer_offsets_point_into_the_text(text: str, analyzer_settings: AnalyzerSettings) -> None:
    tokens = analyze(text, analyzer_settings)
    position = 0
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert text[token.start:token.end] == token.surface
        assert WORD_RE.fullmatch(token.surface)
        assert token.position >= position
        position = token.position
        assert not (token.stopword and token.terms)
    indexed: list[tuple[int, str]] = []
    for token in WhooshAnalyzer(analyzer_settings)(text, positions=True, chars=True, mode="query"):
        assert 0 <= token.startchar < token.endchar <= len(text)
        indexed.append((token.pos, token.text))
    # what analyze() explains (`searchkit analyze`) is what the analyzer looks for
    assert sorted(indexed) == sorted((t.position, term) for t in tokens for term in t.terms)


def test_analyzer_handles_a_long_text_of_odd_characters() -> None:
    text = "".join(ODD + WORDS) * 200
    tokens = analyze(text)
    assert tokens and all(text[t.start:t.end] == t.surface for t in tokens)


# --- search -----------------------------------------------------------------------------------------------

DOCUMENTS = [
    {"id": "alaska", "title": "Встреча в Анкоридже", "date": "2025-08-15",
     "text": "Президенты России и США встретились на Аляске; встреча Путина и Трампа длилась три часа."},
    {"id": "steel", "date": "0001-01-01", "text": "Завод в Ростове-на-Дону выпускает сталь. Цены на сталь стали выше."},
    {"id": "tree", "date": "9999-12-31", "text": "Ёлка на площади: ещё одна новогодняя традиция. Python и mp3."},
    {"id": "odd", "text": "שלום 😀 مرحبا и\u0306од ё\u0301лка Ⅻ века İstanbul straße \U00017000 текст."},
]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    with Index.create(tmp_path_factory.mktemp("properties") / "index") as ix:
        ix.add(DOCUMENTS)
        yield ix


# Found by this test: an exclusive range stepping past the calendar's first or last day raised OverflowError
# (query.py reports it since; kept as a regression example); and (open when written) a chain of ANDs of one word
# raises RecursionError inside Whoosh's IntersectionMatcher tree — from about 1,000 clauses, a 10,000-character
# query, at the default recursion limit (see test_deep_queries), more under Hypothesis's raised limit.
@example("date:{* TO 0001-01-01}")
@example("сталь AND " * 3_000 + "мост")
@PROPERTY
@given(queries)
def test_search_returns_results_or_a_query_error(small_index: Index, query: str) -> None:
    try:
        results = small_index.search(query, limit=3)
    except QueryError as error:
        check_query_error(error, query)
        return
    assert isinstance(results, SearchResults)
    assert results.total >= len(results.hits)
    for hit in results.hits:
        assert hit.date is None or isinstance(hit.date, dt.date)
        for fragment_ in hit.snippet.fragments:
            for span in fragment_.highlights:
                assert fragment_.start <= span.start < span.end <= fragment_.end
        for span in hit.title_highlights:
            assert 0 <= span.start < span.end <= len(hit.title)


#: Queries deep or long enough to exhaust Python's default recursion limit (1,000 frames), as the command line
#: runs with it; Hypothesis raises the limit while it runs, so these are checked without it.
DEEP_QUERIES = {
    "dashes": "-" * 1_000 + "сталь",
    "field prefixes": "title:" * 1_000 + "сталь",
    "date prefixes": "date:" * 1_000 + "2025",
    "parentheses": "(" * 1_000 + "сталь" + ")" * 1_000,
    "NOTs": "NOT " * 1_000 + "сталь",
    "NOT groups": "(NOT " * 1_000 + "сталь" + ")" * 1_000,
    "field groups": "title:(" * 1_000 + "сталь" + ")" * 1_000,
    "ANDs of one word": ("сталь AND " * 1_000)[:10_000] + "мост",
    "ORs of one word": ("сталь OR " * 1_200)[:10_000] + "мост",
    "exclusions": "сталь " + "-мост " * 1_600,
    "a phrase": '"' + "сталь " * 1_600 + '"',
    "a compound": "-".join(["мост"] * 2_000),
}


@pytest.mark.parametrize("query", list(DEEP_QUERIES.values()), ids=list(DEEP_QUERIES))
def test_deep_queries(small_index: Index, query: str) -> None:
    tokens, error_at = lex(query)
    assert error_at is None or 0 <= error_at <= len(query)
    try:
        results = small_index.search(query, limit=3)
    except QueryError as error:
        check_query_error(error, query)
    else:
        assert results.total >= len(results.hits)


def test_generated_queries_cover_what_they_claim() -> None:
    """The strategies do make what the module docstring promises (a guard against a strategy quietly
    narrowing)."""
    seen = {"long": False, "control": False, "rtl": False, "emoji": False, "combining": False}

    @settings(max_examples=300, deadline=None, database=None)
    @given(queries)
    def sample(query: str) -> None:
        seen["long"] |= len(query) >= 2_000
        seen["control"] |= any(unicodedata.category(ch) == "Cc" for ch in query)
        seen["rtl"] |= any(unicodedata.bidirectional(ch) in ("R", "AL", "RLO") for ch in query)
        seen["emoji"] |= any(ord(ch) >= 0x1F300 for ch in query)
        seen["combining"] |= any(unicodedata.combining(ch) for ch in query)

    sample()
    assert all(seen.values()), seen


def test_well_formed_queries_find_the_small_index_s_documents(small_index: Index) -> None:
    """The index the search property runs on answers: its properties are not met vacuously."""
    assert small_index.doc_count() == len(DOCUMENTS)
    expected = {"стали": "steel", "встреча Путина": "alaska", "ёлка": "tree", "date:[9999 TO *]": "tree",
                "date:0001": "steel", "title:Анкоридж": "alaska", '"Ростов-на-Дону"': "steel", "İstanbul": "odd"}
    for query, doc_id in expected.items():
        assert [hit.id for hit in small_index.search(query).hits][:1] == [doc_id], query


_STREAM_OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("read"), st.sampled_from([-1, None, 0, 1, 7, 300])),
    st.tuples(st.just("readline"), st.sampled_from([-1, None, 0, 1, 7, 300])),
    st.tuples(st.just("seek"), st.tuples(st.integers(-50, 600), st.sampled_from([0, 1, 2]))),
    st.tuples(st.just("tell"), st.none())), max_size=40)


@PROPERTY
@given(st.binary(max_size=500).map(lambda data: data.replace(b"\x01", b"\n")), _STREAM_OPERATIONS)
def test_a_mapped_part_of_a_segment_reads_as_whooshs_copy_would(data: bytes, operations: list) -> None:
    """The stream over a mapped part of a segment's file (which Whoosh would copy into a BytesIO) answers every
    read, line, seek and tell as the copy does."""
    import io

    from searchkit.backends.whoosh.internals import _MappedStream

    copy, mapped = io.BytesIO(data), _MappedStream(memoryview(data))
    for name, argument in operations:
        if name == "seek":
            outcomes = []
            for stream in (copy, mapped):
                try:
                    outcomes.append(stream.seek(*argument))
                except ValueError:
                    outcomes.append("refused")
            assert outcomes[0] == outcomes[1]
        else:
            call = (lambda stream: getattr(stream, name)()) if name == "tell" else \
                (lambda stream: getattr(stream, name)(argument))
            assert call(copy) == call(mapped)
    copy.seek(0)
    mapped.seek(0)
    assert list(copy) == list(mapped)
