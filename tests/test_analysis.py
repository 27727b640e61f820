"""Russian text analysis: folding, tokenising with positions and offsets, stop words, lemmas and stems."""

from __future__ import annotations

import unicodedata

import pytest
import snowballstemmer
from hypothesis import example, given, settings
from hypothesis import strategies as st

from searchkit.analysis import analyze, fold, get_morphology, iter_words
from searchkit.backends.whoosh.schema import WhooshAnalyzer
from searchkit.analysis.prefixes import unprefixed
from searchkit.settings import AnalyzerSettings

STRESS = "\u0301"
SOFT_HYPHEN = "\u00ad"


def words(text: str) -> list[tuple[str, int, int, int]]:
    return [(w.surface, w.start, w.end, w.position) for w in iter_words(text)]


def terms_of(text: str) -> dict[str, tuple[str, ...]]:
    return {token.surface: token.terms for token in analyze(text)}


def pipeline(text: str, settings: AnalyzerSettings | None = None) -> list[tuple[str, int, int, int]]:
    """What the index stores: (term, position, start char, end char) from the Whoosh adapter of the analysis."""
    analyzer = WhooshAnalyzer(settings or AnalyzerSettings())
    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True, mode="index")]


# --- fold -------------------------------------------------------------------------------------------------

def test_fold_lowercases_and_maps_yo_to_ye() -> None:
    assert fold("Ёлка") == "елка"
    assert fold("ЁЖИК") == "ежик"
    assert fold("партнёр") == fold("партнер") == "партнер"


def test_fold_removes_stress_marks_and_soft_hyphens() -> None:
    assert fold(f"встре{STRESS}ча") == "встреча"
    assert fold("за\u0300мок") == "замок"
    assert fold(f"Анко{SOFT_HYPHEN}ридже") == "анкоридже"
    assert fold(f"у{STRESS}зна{SOFT_HYPHEN}ём") == "узнаем"


def test_fold_composes_decomposed_letters() -> None:
    assert fold("е\u0308лка") == "елка"          # ё written as е + combining diaeresis
    assert fold("мои\u0306") == "мой"             # й written as и + combining breve


def test_fold_maps_latin_lookalikes_inside_cyrillic_words() -> None:
    latin_p = "pусский"
    assert latin_p[0] == "p" and latin_p[0] != "р"
    assert fold(latin_p) == "русский"
    assert fold("тaкси") == "такси"              # Latin a
    assert fold("CТАЛЬ") == "сталь"              # Latin C, upper case
    assert fold("тaкси-SUV") == "такси-suv"      # each part of a compound on its own


def test_fold_leaves_latin_text_glued_to_cyrillic_latin() -> None:
    """Only a word whose Latin letters all look Cyrillic is a typo: «HD» beside «качестве» is Latin text."""
    assert fold("HD-качестве") == "hd-качестве"
    assert fold("IT-отдел") == "it-отдел"
    assert fold("стандартаDVB") == "стандартаdvb"
    assert terms_of("в HD-качестве")["HD-качестве"][0] == "hd-качество"


def test_fold_leaves_latin_words_latin() -> None:
    assert fold("Python") == "python"
    assert fold("Coca") == "coca"


# --- tokenizer --------------------------------------------------------------------------------------------

def test_hyphenated_city_name_is_whole_and_parts() -> None:
    assert words("Ростов-на-Дону — южная столица") == [
        ("Ростов-на-Дону", 0, 14, 0),
        ("Ростов", 0, 6, 0),
        ("на", 7, 9, 1),
        ("Дону", 10, 14, 2),
        ("южная", 17, 22, 3),
        ("столица", 23, 30, 4),
    ]


def test_hyphenated_adjective_and_adverb() -> None:
    assert words("северо-западный край") == [
        ("северо-западный", 0, 15, 0), ("северо", 0, 6, 0), ("западный", 7, 15, 1), ("край", 16, 20, 2)]
    assert words("говорит по-русски") == [
        ("говорит", 0, 7, 0), ("по-русски", 8, 17, 1), ("по", 8, 10, 1), ("русски", 11, 17, 2)]


def test_dashes_are_not_hyphens() -> None:
    surfaces = [w.surface for w in iter_words("комета Свифта — Туттля, 12–13 августа")]
    assert surfaces == ["комета", "Свифта", "Туттля", "12", "13", "августа"]


def test_numbers_are_kept() -> None:
    tokens = analyze("В 2025 году встреча пройдет 15 августа")
    assert [t.surface for t in tokens] == ["В", "2025", "году", "встреча", "пройдет", "15", "августа"]
    by_surface = {t.surface: t for t in tokens}
    assert by_surface["2025"].terms == ("2025",)
    assert by_surface["15"].terms == ("15",)
    assert [t.position for t in tokens] == list(range(7))


def test_overlong_runs_of_letters_are_not_words_but_take_a_position() -> None:
    garbage = "А" * 65
    assert words(f"встреча {garbage} Трампа") == [("встреча", 0, 7, 0), ("Трампа", 74, 80, 2)]


# --- morphology -------------------------------------------------------------------------------------------

def test_lemmas_of_inflected_forms() -> None:
    terms = terms_of("предстоящей встречей с американским коллегой в Анкоридже Путина")
    assert terms["встречей"] == ("встреча",)
    assert terms["Анкоридже"] == ("анкоридж",)
    assert terms["коллегой"] == ("коллега",)
    assert "путин" in terms["Путина"]


def test_homonym_gets_every_lemma_at_one_position() -> None:
    (token,) = analyze("стали")
    assert set(token.terms) == {"стать", "сталь"}
    assert {r.lemma for r in token.readings} >= {"стать", "сталь"}
    indexed = [(term, pos) for term, pos, _, _ in pipeline("стали")]
    assert sorted(indexed) == [("сталь", 0), ("стать", 0)]
    # with exact forms, the exact-form term «=стали» stands with the lemmas, for the =стали operator
    exact = [(term, pos) for term, pos, _, _ in pipeline("стали", AnalyzerSettings(exact_forms=True))]
    assert sorted(exact) == [("=стали", 0), ("сталь", 0), ("стать", 0)]


@pytest.mark.parametrize(("form", "normal", "own"), [
    ("лучших", "хороший", "лучший"),                # a superlative: its own nominative beside the positive
    ("крупнейшей", "крупный", "крупнейший"),
    ("соединенных", "соединить", "соединенный"),    # an adjectival participle: its nominative beside the verb
    ("распространена", "распространить", "распространенный"),  # its short form too
    ("Астаховой", "астахов", "астахова"),           # a woman's surname and patronymic: the feminine nominative
    ("Алексеевны", "алексеевич", "алексеевна"),
    ("счастья", "счастие", "счастье"),              # the -ье spelling of an -ие noun
    ("чаще", "частый", "часто"),                    # a comparative: the adverb, and the comparative itself
    ("чаще", "частый", "чаще"),
    ("позже", "поздний", "позже"),
])
def test_a_reading_is_also_indexed_under_the_word_a_reader_would_search(form: str, normal: str, own: str) -> None:
    terms = terms_of(form)[form]
    assert normal in terms and own in terms, terms
    weights = dict(get_morphology().weighted_terms(fold(form)))
    assert weights[own] == weights[normal]  # at the weight of the reading it comes from


def test_ordinary_words_get_no_extra_lemmas() -> None:
    assert terms_of("встречей домами читал красивая") == {
        "встречей": ("встреча",), "домами": ("дом",), "читал": ("читать",), "красивая": ("красивый",)}


def test_unknown_words_are_indexed_as_themselves_too() -> None:
    terms = terms_of("Сырбу волновалася спасиииибо")
    assert "сырбу" in terms["Сырбу"]                              # an indeclinable name the dictionary lacks
    assert {"волновалася", "волноваться"} <= set(terms["волновалася"])  # verse's -ся for -сь
    assert {"спасиииибо", "спасибо"} <= set(terms["спасиииибо"])  # a stretched word
    # but a sound is no abbreviation, and a guessed adverb is none
    assert terms_of("шшш ввв") == {"шшш": ("шшш",), "ввв": ("ввв",)}
    assert "большо" not in terms_of("больше")["больше"]


def test_unknown_word_gets_a_snowball_stem() -> None:
    ru = snowballstemmer.stemmer("russian")
    for word in ("Шмурдяковыми", "крокозябриками", "северо"):
        (token,) = analyze(word)
        assert not token.known
        assert ru.stemWord(fold(word)) in token.terms, (word, token.terms)
    (northern,) = analyze("северо")
    assert set(northern.terms) == {"северо", "север"}


def test_unknown_word_without_stemming() -> None:
    (token,) = analyze("северо", AnalyzerSettings(stem_unknown=False))
    assert token.terms == ("северо",)


def test_latin_words_get_an_english_stem_and_stay_themselves() -> None:
    terms = terms_of("Библиотека Python running libraries")
    assert terms["Python"] == ("python",)
    assert terms["running"] == ("run", "running")
    assert terms["libraries"] == ("librari", "libraries")


@pytest.mark.parametrize(("lemma", "bases"), [
    ("спроектировать", ["проектировать"]),   # perfective by a prefix
    ("пострадать", ["страдать"]),
    ("проголосовать", ["голосовать"]),
    ("обеспокоить", ["беспокоить"]),          # о-, not об- (*еспокоить is no word)
    ("оборона", ["борона"]),                  # a look-alike: roots only add to documents matched by lemma
    ("правительство", []),                    # п- is no prefix
    ("природа", []),                          # рода is too short to be the word it was made from
])
def test_a_lemma_without_its_prefix(lemma: str, bases: list[str]) -> None:
    assert unprefixed(lemma, get_morphology().is_known) == bases


def test_morphology_is_shared_per_process() -> None:
    assert get_morphology() is get_morphology()
    assert get_morphology("weighted-lemmas", True) is get_morphology("weighted-lemmas", True)
    assert get_morphology("weighted-lemmas", True) is not get_morphology("weighted-lemmas", False)


@pytest.mark.parametrize("mode, expected", [
    ("weighted-lemmas", ("стать", "сталь")),
    ("all-lemmas", ("стать", "сталь")),
    ("top-lemma", ("стать",)),
    ("lemmas+stem", ("стать", "сталь", "стал")),
    ("stem", ("стал",)),
    ("form", ("стали",)),
])
def test_term_modes_for_a_homonym(mode: str, expected: tuple[str, ...]) -> None:
    morphology = get_morphology(mode)
    assert morphology.terms("стали") == expected
    weights = dict(morphology.weighted_terms("стали"))
    if mode in ("weighted-lemmas", "lemmas+stem"):
        assert weights["стать"] == 1.0 and 0 < weights["сталь"] < 0.1
    else:
        assert set(weights.values()) == {1.0}


def test_unknown_term_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="terms="):
        AnalyzerSettings(terms="lemmata")


# --- stop words and positions -----------------------------------------------------------------------------

def test_stop_words_are_not_indexed_but_keep_their_positions() -> None:
    text = "встреча Путина и Трампа в Анкоридже"
    tokens = analyze(text)
    assert [(t.surface, t.position, t.stopword) for t in tokens] == [
        ("встреча", 0, False), ("Путина", 1, False), ("и", 2, True), ("Трампа", 3, False), ("в", 4, True),
        ("Анкоридже", 5, False)]
    assert all(t.terms == () for t in tokens if t.stopword)
    indexed = pipeline(text)
    assert {term for term, *_ in indexed} >= {"встреча", "путин", "трамп", "анкоридж"}
    assert "и" not in {term for term, *_ in indexed} and "в" not in {term for term, *_ in indexed}
    positions = {term: pos for term, pos, *_ in indexed}
    assert (positions["встреча"], positions["путин"], positions["трамп"], positions["анкоридж"]) == (0, 1, 3, 5)


def test_stop_word_part_of_a_compound_is_dropped_but_the_compound_is_kept() -> None:
    indexed = pipeline("говорят по-русски")
    assert ("по-русски", 1, 8, 17) in indexed
    assert ("русски", 2, 11, 17) in indexed
    assert all(term != "по" for term, *_ in indexed)


def test_stop_words_can_be_kept() -> None:
    (token,) = analyze("и", AnalyzerSettings(stopwords=False))
    assert not token.stopword and token.terms
    assert any(term == "и" for term, *_ in pipeline("Путин и Трамп", AnalyzerSettings(stopwords=False)))


def test_compound_terms_in_the_index_pipeline() -> None:
    indexed = pipeline("в Ростове-на-Дону")
    assert ("ростов-на-дону", 1, 2, 17) in indexed
    assert ("дон", 3, 13, 17) in indexed
    assert any(term in ("ростов", "рост") and pos == 1 and (start, end) == (2, 9) for term, pos, start, end in indexed)


# --- offsets into the original text -----------------------------------------------------------------------

def test_offsets_point_at_the_original_text_with_stress_marks_and_soft_hyphens() -> None:
    text = f"Встре{STRESS}ча в Анко{SOFT_HYPHEN}ридже — ёлка и pусский"
    tokens = analyze(text)
    for token in tokens:
        assert text[token.start:token.end] == token.surface
    by_folded = {t.folded: t for t in tokens}
    assert by_folded["встреча"].surface == f"Встре{STRESS}ча"
    assert by_folded["встреча"].terms == ("встреча",)
    assert by_folded["анкоридже"].surface == f"Анко{SOFT_HYPHEN}ридже"
    assert by_folded["анкоридже"].terms == ("анкоридж",)
    assert by_folded["елка"].surface == "ёлка"
    assert by_folded["русский"].surface == "pусский"
    for term, _, start, end in pipeline(text):
        assert fold(text[start:end]) in {t.folded for t in tokens}, term


def test_analyze_reports_every_field() -> None:
    tokens = analyze("Стали ли встречей")
    assert [(t.surface, t.start, t.end, t.position, t.folded, t.stopword) for t in tokens] == [
        ("Стали", 0, 5, 0, "стали", False), ("ли", 6, 8, 1, "ли", True), ("встречей", 9, 17, 2, "встречей", False)]
    steel, particle, meeting = tokens
    assert steel.known and meeting.known
    assert steel.readings[0].score >= steel.readings[-1].score
    assert abs(sum(r.score for r in steel.readings) - 1.0) < 0.01
    assert {r.pos for r in steel.readings} >= {"VERB", "NOUN"}
    assert particle.terms == ()
    assert meeting.terms == ("встреча",)
    assert meeting.readings[0].lemma == "встреча"


# --- property ---------------------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАЁЖЯ") + list("apoxcyQZ09") +
    [STRESS, "\u0300", SOFT_HYPHEN, "\u0308", "\u0306", "-", "\u2010", "\u2011", "—", " ", "\n", ".", ",", "«",
     "»", "_", "'", "ß", "İ", "ﬁ", "²", "\ufeff", "\u200b", "😀"])
#: Any character, except letters Python's Unicode database has no name for (the Tangut block): those crash
#: pymorphy3, which :func:`test_letters_without_a_unicode_name_do_not_crash_the_analyzer` shows on its own.
_ANY_CHAR = st.characters().filter(lambda ch: not ch.isalpha() or unicodedata.name(ch, "") != "")
_TEXT = st.one_of(st.text(alphabet=_ALPHABET, max_size=60), st.text(alphabet=_ANY_CHAR, max_size=40))


def check_analysis(text: str) -> None:
    tokens = analyze(text)
    previous = -1
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert text[token.start:token.end] == token.surface
        assert token.position >= previous
        previous = token.position
    for _, _, start, end in pipeline(text):
        assert 0 <= start < end <= len(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
@example("Ростов-на-Дону, по-русски и встре\u0301ча в Анко\u00adридже")
@example("\u00ad \u0301 -- - -\u0301-")
def test_analyzer_never_raises_and_offsets_cover_the_surface(text: str) -> None:
    check_analysis(text)


def test_letters_without_a_unicode_name_do_not_crash_the_analyzer() -> None:
    """U+17000 is a Tangut ideograph: ``str.isalpha()`` is true but ``unicodedata.name`` has no name for it."""
    text = "Тангутское письмо: \U00017000 — иероглиф."
    check_analysis(text)


@pytest.mark.parametrize(("text", "form", "expected"), [
    ("Цены на сталь стали расти.", "стали", True),
    ("Они стали-то друзьями.", "стали", True),       # a part of a hyphenated word is a word too
    ("Все остались дома.", "стали", False),          # inside another word only
    ("СТАЛИ!", "стали", True),
    ("Ёлки зелёные.", "елки", True),
    ("Ста\u0301ли расти.", "стали", True),           # a stress mark: folding removes it
    ("Cтали расти.", "стали", True),                 # a Latin «C» inside a Cyrillic word
    ("Paris, стало быть.", "стали", False),          # Latin words of their own change nothing
])
def test_may_contain_never_misses_a_word_that_folds_to_the_form(text: str, form: str, expected: bool) -> None:
    from searchkit.analysis.normalize import may_contain

    assert may_contain(text, form) is expected
    assert any(fold(word.surface) == form for word in iter_words(text)) is expected
