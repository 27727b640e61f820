"""Searching the corpus index: morphology in queries, ranking, highlighting, the query language and its errors."""

from __future__ import annotations

import json

import pytest

from searchkit import Hit, Index, QueryError, SearchResults, Settings
from searchkit.analysis import analyze, fold
from searchkit.search.roots import root_terms
from searchkit.search import compile_query

from .conftest import SEED_ID

ANCHORAGE_ID = "corpus/news/2025-08-14-anchorage-preparations.txt"
SUMMITS_ID = "corpus/encyclopedia/russia-dprk-summits.txt"
SINGAPORE_ID = "corpus/encyclopedia/singapore-summit-2018.txt"
STEEL_ID = "corpus/news/steel-plant-electric-furnace.txt"
ALASKA_ID = "corpus/encyclopedia/alaska.md"
YO_ID = "corpus/encyclopedia/letter-yo.txt"
STATION_ID = "corpus/literature/vstrecha-na-vokzale.txt"
WEATHER_ID = "corpus/news/2024-12-28-weather-new-year.txt"
PERSEIDS_ID = "corpus/news/2025-08-11-perseids.txt"
ROSTOV_ID = "corpus/encyclopedia/rostov-na-donu.html"


def ids(ix: Index, query: str) -> set[str]:
    return {hit.id for hit in ix.search(query, limit=100, snippets=False).hits}


def hit_for(results: SearchResults, doc_id: str) -> Hit:
    matching = [hit for hit in results.hits if hit.id == doc_id]
    assert matching, f"{doc_id} not among {[h.id for h in results.hits]}"
    return matching[0]


def stored_body(ix: Index, doc_id: str) -> str:
    return ix.document(doc_id)[0].body


def highlighted_forms(hit: Hit) -> list[str]:
    return [fragment.text[span.start - fragment.start:span.end - fragment.start]
            for fragment in hit.snippet.fragments for span in fragment.highlights]


def check_snippet_offsets(ix: Index, hit: Hit) -> None:
    """Fragments and highlights are offsets into the stored body; each highlighted word has its term."""
    body = stored_body(ix, hit.id)
    for fragment in hit.snippet.fragments:
        assert body[fragment.start:fragment.end] == fragment.text
        for span in fragment.highlights:
            assert fragment.start <= span.start < span.end <= fragment.end
            word = body[span.start:span.end]
            assert word.strip() == word and word
            terms = {term for token in analyze(word) for term in token.terms}
            assert span.term in terms, (word, span.term, terms)
    for span in hit.title_highlights:
        word = hit.title[span.start:span.end]
        assert span.term in {term for token in analyze(word) for term in token.terms}, (word, span.term)


# --- morphology and ranking -------------------------------------------------------------------------------

def test_seed_article_ranks_first_for_the_meeting_query(corpus_index: Index) -> None:
    results = corpus_index.search("встреча Путина и Трампа")
    assert results.hits[0].id == SEED_ID
    assert results.total >= len(results.hits) > 1
    assert [hit.rank for hit in results.hits] == list(range(1, len(results.hits) + 1))
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True)


def test_seed_snippet_highlights_the_inflected_form(corpus_index: Index, seed_body: str) -> None:
    seed = corpus_index.search("встреча Путина и Трампа").hits[0]
    assert seed.id == SEED_ID
    assert stored_body(corpus_index, SEED_ID) == seed_body
    check_snippet_offsets(corpus_index, seed)
    spans = [span for fragment in seed.snippet.fragments for span in fragment.highlights]
    meeting = [span for span in spans if seed_body[span.start:span.end] == "встречей"]
    assert meeting, highlighted_forms(seed)
    assert all(span.term == "встреча" for span in meeting)
    # the offsets are those of «встречей» in the original text, right after «предстоящей»
    start = meeting[0].start
    assert seed_body[start - len("предстоящей "):start] == "предстоящей "
    forms = {fold(form) for form in highlighted_forms(seed)}
    assert forms & {"путин", "путина", "путиным"}
    assert forms & {"трампом", "трампа"}
    assert "и" not in forms
    assert "[встречей]" in seed.snippet.marked()


def test_query_form_finds_the_locative_form(corpus_index: Index) -> None:
    results = corpus_index.search("Анкоридж", limit=20)
    seed = hit_for(results, SEED_ID)
    assert "Анкоридже" in highlighted_forms(seed)
    check_snippet_offsets(corpus_index, seed)
    anchorage = hit_for(results, ANCHORAGE_ID)
    assert anchorage.rank == 1
    assert [anchorage.title[s.start:s.end] for s in anchorage.title_highlights] == ["Анкоридж"]


def test_homonym_finds_steel_and_the_verb(corpus_index: Index) -> None:
    results = corpus_index.search("стали", limit=50)
    steel = hit_for(results, STEEL_ID)
    verb = hit_for(results, SINGAPORE_ID)   # «Участниками переговоров стали президент США …»
    assert {fold(f) for f in highlighted_forms(steel)} & {"сталь", "стали"}
    assert "стали" in highlighted_forms(verb)
    # the noun alone still finds the steel plant, the verb alone finds a «стал» that has nothing to do with steel
    assert STEEL_ID in ids(corpus_index, "сталь")
    assert "corpus/encyclopedia/severo-zapadny-okrug.txt" in ids(corpus_index, "стать")


def test_every_hit_has_checked_snippet_offsets(corpus_index: Index) -> None:
    for query in ("встреча Путина и Трампа", "стали", "Ростов-на-Дону", "ёлка", "встреч*"):
        for hit in corpus_index.search(query, limit=20).hits:
            check_snippet_offsets(corpus_index, hit)


# --- phrases ----------------------------------------------------------------------------------------------

def test_phrase_finds_the_seed(corpus_index: Index) -> None:
    results = corpus_index.search('"встреча Путина и Трампа"')
    assert [hit.id for hit in results.hits] == [SEED_ID]
    forms = highlighted_forms(results.hits[0])
    assert {"встреча", "Путина", "Трампа"} <= set(forms)


def test_phrase_in_another_order_does_not_match(corpus_index: Index) -> None:
    assert ids(corpus_index, '"Трампа и Путина встреча"') == set()
    assert ids(corpus_index, '"Путина встреча"') == set()


def test_phrase_with_a_stop_word_keeps_its_gap(corpus_index: Index) -> None:
    assert ids(corpus_index, '"встречи на высшем уровне"') == {ANCHORAGE_ID, SUMMITS_ID}
    # without «на» the words are one position closer than in the text
    assert ids(corpus_index, '"встречи высшем уровне"') == set()


def test_phrase_stop_word_gap_is_exact(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add([{"id": "gap", "text": "Встреча в Анкоридже завершилась поздно вечером."},
            {"id": "other-stop-word", "text": "Встреча с Анкориджем и его жителями."},
            {"id": "adjacent", "text": "Хоккейная встреча Анкоридж — Сиэтл завершилась вничью."}])
    assert ids(ix, '"встреча в Анкоридже"') == {"gap", "other-stop-word"}
    assert ids(ix, "встреча AND Анкоридж") == {"gap", "other-stop-word", "adjacent"}


def test_phrase_matches_other_forms_of_its_words(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add([{"id": "acc", "text": "Журналисты обсуждали встречу Путина и Трампа весь вечер."},
            {"id": "reversed", "text": "Трамп и Путин говорили о встрече."}])
    assert ids(ix, '"встреча Путина и Трампа"') == {"acc"}
    (hit,) = ix.search('"встреча Путина и Трампа"').hits
    assert highlighted_forms(hit) == ["встречу", "Путина", "Трампа"]


DERIVED = [{"id": "plain", "text": "Территория заповедника закрыта."},
           {"id": "derived", "text": "Урбанизированная территория вокруг Москвы быстро растёт год от года."}]


def test_a_word_derived_from_the_query_word_ranks_its_document_higher(make_index) -> None:  # type: ignore[no-untyped-def]
    """«урбанистическая» and «урбанизированная» share no lemma but their root «~урбан»: it lifts the longer
    document above the shorter one, which wins on lemmas alone (root weight 0)."""
    query = "урбанистическая территория"
    lemmas_only = make_index(settings=Settings().with_ranking(root_weight=0))
    lemmas_only.add(DERIVED)
    assert [hit.id for hit in lemmas_only.search(query).hits] == ["plain", "derived"]
    ix = make_index()
    ix.add(DERIVED)
    derived, plain = ix.search(query).hits
    assert [derived.id, plain.id] == ["derived", "plain"]
    # the snippet marks what matched by lemma, not the derived word, while the explanation gives its share
    assert highlighted_forms(derived) == ["территория"]
    shares = {word.text: word.score for word in ix.explain(query, "derived").words}
    assert shares["урбанистическая"] > 0
    assert sum(shares.values()) == pytest.approx(derived.score)
    assert {word.text: word.score for word in ix.explain(query, "plain").words}["урбанистическая"] == 0


def test_an_exact_match_outranks_a_rare_derived_word(make_index) -> None:  # type: ignore[no-untyped-def]
    """A root term rarer than the query word counts with the word's idf, not its own: «городок», in one
    document, would otherwise outweigh «город», in nine."""
    ix = make_index()
    ix.add([{"id": "exact", "text": "Город у моря."}, {"id": "derived", "text": "Городок у моря."}]
           + [{"id": f"city-{i}", "text": f"Город номер {i}."} for i in range(8)])
    assert [hit.id for hit in ix.search("город море").hits][:2] == ["exact", "derived"]
    # a compound brings the roots of its parts, capped by each part's lemma, not uncapped ones of the whole
    assert [hit.id for hit in ix.search("город-герой море").hits][:2] == ["exact", "derived"]


def test_a_word_made_with_a_prefix_finds_the_word_without_it(make_index) -> None:  # type: ignore[no-untyped-def]
    """«спроектировал» shares no lemma and no root with «проектировали», but is «проектировать» with a prefix:
    that lifts the longer document above the shorter one; the snippet still marks only the lemma's match."""
    ix = make_index()
    ix.add([{"id": "designed", "text": "Главный двор проектировали архитекторы Кобб и Шепли."},
            {"id": "plain", "text": "Главный двор окружён зданиями."}])
    query = "кто спроектировал главный двор"
    designed, plain = ix.search(query).hits
    assert [designed.id, plain.id] == ["designed", "plain"]
    assert highlighted_forms(designed) == ["Главный", "двор"]
    shares = {word.text: word.score for word in ix.explain(query, "designed").words}
    assert shares["спроектировал"] > 0 and sum(shares.values()) == pytest.approx(designed.score)


def test_roots_never_make_a_hit(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add(DERIVED)
    assert ids(ix, "урбанистическая") == set()          # «~урбан» alone matches nothing
    assert ids(ix, "урбанистическая AND территория") == set()
    assert ids(ix, "территория NOT урбанизированная") == {"plain"}
    assert ix.search("урбанизация", correct=False).total == 0


def test_a_root_stands_for_the_terms_beginning_with_it_the_most_frequent_when_too_many(make_index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add([{"id": "1", "text": "Правила правления и правительство."}, {"id": "2", "text": "Правительство и дом."},
            {"id": "3", "text": "Правительство, домашний уют, дома."}])
    reader = ix.backend.context()
    lexicon = list(reader.terms("body", ""))
    expected = [term for term in lexicon if term.startswith("прави")]
    assert "правительство" in expected and "правило" in expected
    assert root_terms(reader, "body", ["правительство"]) == expected
    assert root_terms(reader, "body", ["дом", "домашний"]) == ["дом", "домашний"]  # «дом» is a root of itself only
    assert root_terms(reader, "body", ["1905", "дама"]) == []
    dated = make_index()
    dated.add([{"id": "1", "text": "В 1905 году и в 19050 году."}])
    assert root_terms(dated.backend.context(), "body", ["1905"]) == ["1905"]  # a number stands for itself only
    monkeypatch.setattr("searchkit.search.roots.MAX_ROOT_TERMS", 1)
    fresh = make_index()
    fresh.add([{"id": "1", "text": "Правила правления и правительство."}, {"id": "2", "text": "Правительство."}])
    assert root_terms(fresh.backend.context(), "body", ["правительство"]) == ["правительство"]


def test_roots_cached_per_commit_stay_within_their_bound(make_index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from searchkit.search import roots

    monkeypatch.setattr(roots, "CACHED_ROOT_TERMS", 2)
    ix = make_index()
    ix.add([{"id": "1", "text": "Правила правления, правительство, домашний дом, урбанистический пейзаж."}])
    reader = ix.backend.context()
    expected = {lemma: root_terms(reader, "body", [lemma]) for lemma in ("правительство", "дом", "урбанизм")}
    for _ in range(3):
        for lemma, terms in expected.items():
            assert root_terms(reader, "body", [lemma]) == terms
            cache = reader.caches["roots"]
            assert cache.held == sum(max(len(t), 1) for t in cache.values())
            assert cache.held <= 2 or len(cache) == 1  # a root with more terms than the bound is kept alone
    for nonsense in ("щщщыв", "ъъъыв", "ььььв"):  # found nowhere: remembered, and forgotten like the rest
        assert root_terms(reader, "body", [nonsense]) == []
        assert len(reader.caches["roots"]) <= 2


@pytest.mark.parametrize("query", ["Путин NOT (Трамп NOT встреча)", "встреча Путина OR Ким", "северо-западный ветер"])
def test_explained_shares_with_roots_add_up_to_the_score(corpus_index: Index, query: str) -> None:
    """Words under NOT (even two) add nothing to a score, so neither do their roots; a compound's root shared by
    the whole and its first part counts once."""
    hits = corpus_index.search(query, limit=5).hits
    assert hits
    for hit in hits:
        explanation = corpus_index.explain(query, hit.id)
        assert sum(word.score for word in explanation.words) == pytest.approx(hit.score)


def test_a_compound_brings_each_root_once(corpus_index: Index) -> None:
    roots = compile_query(corpus_index.backend.context(), corpus_index.settings, "body:северо-западный").roots
    assert roots is not None and len(roots.parts) == 2  # север…, запад…; the whole's «север…» again: no


def test_a_number_weighs_like_a_word_as_rare(make_index) -> None:  # type: ignore[no-untyped-def]
    """A year adds its root share like any word (its root is itself), so it is not worth half a word as rare."""
    ix = make_index()
    ix.add([{"id": "year", "text": "Сражение в 1754 году."}, {"id": "fort", "text": "Сражение у форта в году."}])
    year, fort = (hit_for(ix.search("форт 1754"), doc_id) for doc_id in ("year", "fort"))
    assert year.score == pytest.approx(fort.score)


REFUGEES = [{"id": "whole", "text": "Беженцы-гугеноты основали колонию на мысе."},
            {"id": "apart", "text": "Гугеноты, беженцы из Франции, привезли виноградную лозу."},
            {"id": "one", "text": "Беженцы из города прибыли в порт."}]


def test_a_hyphenated_query_word_stands_for_its_parts(make_index) -> None:  # type: ignore[no-untyped-def]
    """Unquoted, a compound finds its parts apart and in another order, the documents with every part first;
    quoted, only the compound (or its parts as a phrase); excluded, only the compound is left out."""
    ix = make_index()
    ix.add(REFUGEES)
    ranked = [hit.id for hit in ix.search("беженцев-гугенотов").hits]
    assert sorted(ranked[:2]) == ["apart", "whole"] and ranked[2:] == ["one"]
    assert ids(ix, '"беженцев-гугенотов"') == {"whole"}
    assert ids(ix, "лоза NOT беженцы-гугеноты") == {"apart"}
    assert ids(ix, "лоза AND беженцы-гугеноты") == {"apart"}


def test_words_split_otherwise_and_compounds_of_one_word_are_looked_for_whole(make_index) -> None:  # type: ignore[no-untyped-def]
    """Only a compound of two words or more stands for its parts: «3.14» is not «3 … 14», «1990-х» is «1990»
    without the ending, «что-либо» is not «либо», and «Баден-Баден» counts its one word once."""
    ix = make_index()
    ix.add([{"id": "pi", "text": "Число 3.14 знают все."}, {"id": "apart", "text": "Число 3 и ещё 14 яблок."},
            {"id": "nineties", "text": "Кризис 1990-х годов."}, {"id": "noughties", "text": "Кризис 2000-х годов."},
            {"id": "either", "text": "Либо сейчас, либо никогда."}, {"id": "spa", "text": "Курорт Баден-Баден."}])
    assert ids(ix, "3.14") == {"pi"}
    assert ids(ix, "1990-х") == {"nineties"}
    assert ids(ix, "что-либо") == set()
    assert ix.search("Баден-Баден").hits[0].score == pytest.approx(ix.search("Баден").hits[0].score)


def test_phrase_slop(corpus_index: Index) -> None:
    # the seed has «встреча Путина и Трампа»: «Трампа» stands three words after «встреча»
    assert SEED_ID not in ids(corpus_index, '"встреча Трампа"')
    assert SINGAPORE_ID in ids(corpus_index, '"встреча Трампа"')   # «Вторая встреча Трампа и Ким Чен Ына»
    assert SEED_ID not in ids(corpus_index, '"встреча Трампа"~1')
    assert SEED_ID in ids(corpus_index, '"встреча Трампа"~2')


def test_hyphenated_compound_query(corpus_index: Index) -> None:
    found = ids(corpus_index, "Ростов-на-Дону")
    assert ROSTOV_ID in found
    assert "corpus/news/2025-04-20-football-don.txt" in found      # «в Ростове-на-Дону»
    assert ids(corpus_index, '"Ростов на Дону"') >= {ROSTOV_ID}
    assert "corpus/encyclopedia/severo-zapadny-okrug.txt" in ids(corpus_index, "северо-западный")


# --- boolean operators, fields, dates, prefixes -----------------------------------------------------------

def test_and_or_not(corpus_index: Index) -> None:
    putin, trump = ids(corpus_index, "Путин"), ids(corpus_index, "Трамп")
    assert putin >= {SEED_ID, SUMMITS_ID} and trump >= {SEED_ID, SINGAPORE_ID}
    assert ids(corpus_index, "Путин AND Трамп") == putin & trump
    assert ids(corpus_index, "Путин OR Трамп") == putin | trump
    assert ids(corpus_index, "Путин NOT Трамп") == putin - trump
    assert ids(corpus_index, "Путин -Трамп") == putin - trump
    assert ids(corpus_index, "Путин AND NOT Трамп") == putin - trump
    assert SUMMITS_ID in putin - trump


def test_operator_precedence_and_parentheses(corpus_index: Index) -> None:
    putin, trump, anchorage = ids(corpus_index, "Путин"), ids(corpus_index, "Трамп"), ids(corpus_index, "Анкоридж")
    assert ids(corpus_index, "(Путин OR Трамп) AND Анкоридж") == (putin | trump) & anchorage
    assert ids(corpus_index, "Путин OR Трамп AND Анкоридж") == putin | (trump & anchorage)


def test_lower_case_operators_are_words(corpus_index: Index) -> None:
    # «и» is a stop word and «and» an English word: neither is an operator
    assert ids(corpus_index, "Путин и Трамп") == ids(corpus_index, "Путин OR Трамп")


def test_title_field(corpus_index: Index) -> None:
    assert ids(corpus_index, "title:Анкоридж") == {ANCHORAGE_ID}
    assert ids(corpus_index, "Анкоридж") > {ANCHORAGE_ID}
    assert ids(corpus_index, "title:аляска") == {ALASKA_ID}
    assert ids(corpus_index, "title:(Аляска OR Кореи)") == {ALASKA_ID, "corpus/encyclopedia/korea-history.md"}
    (hit,) = corpus_index.search("title:Анкоридж").hits
    assert [hit.title[s.start:s.end] for s in hit.title_highlights] == ["Анкоридж"]


def test_body_field(corpus_index: Index) -> None:
    assert ids(corpus_index, 'body:"встреча Путина и Трампа"') == {SEED_ID}
    assert SEED_ID in ids(corpus_index, "body:Анкоридж")


AUGUST_2025 = {SEED_ID, PERSEIDS_ID, ANCHORAGE_ID}


def test_date_range(corpus_index: Index) -> None:
    results = corpus_index.search("date:[2025-08-01 TO 2025-08-31]", limit=50)
    assert {hit.id for hit in results.hits} == AUGUST_2025
    assert all(hit.date is not None and (hit.date.year, hit.date.month) == (2025, 8) for hit in results.hits)


def test_date_month_and_open_and_exclusive_ranges(corpus_index: Index) -> None:
    assert ids(corpus_index, "date:2025-08") == AUGUST_2025
    assert ids(corpus_index, "date:2025-08-12") == {SEED_ID}
    assert ids(corpus_index, "date:[2025-08-12 TO *]") == {SEED_ID, ANCHORAGE_ID, "brief-3"}
    assert ids(corpus_index, "date:{2025-08-11 TO 2025-08-14}") == {SEED_ID}
    assert ids(corpus_index, "date:2024") == {WEATHER_ID, "corpus/museum-letters-russian-america.txt", "faq-3"}


def test_date_combined_with_words(corpus_index: Index) -> None:
    assert ids(corpus_index, "Анкоридж AND date:2025-08") == {SEED_ID, ANCHORAGE_ID}
    before = ids(corpus_index, "date:[* TO 2025-07-31]")
    assert SEED_ID not in before and "brief-1" in before
    assert ids(corpus_index, "встреча AND date:[* TO 2025-07-31]") == ids(corpus_index, "встреча") & before
    assert "brief-1" in ids(corpus_index, "встреча AND date:[* TO 2025-07-31]")


def test_a_date_beside_words_filters_and_adds_nothing_to_the_score(corpus_index: Index) -> None:
    words = corpus_index.search("встреча Анкоридж", limit=50)
    dated = corpus_index.search("date:[2025-08-01 TO 2025-08-31] встреча Анкоридж", limit=50)
    assert {hit.id for hit in dated} == {hit.id for hit in words} & AUGUST_2025 != set()
    assert all(hit.date is not None and (hit.date.year, hit.date.month) == (2025, 8) for hit in dated)
    scores = {hit.id: hit.score for hit in words}
    assert [(hit.id, round(hit.score, 9)) for hit in dated] == \
        [(hit.id, round(scores[hit.id], 9)) for hit in words if hit.id in AUGUST_2025]
    alone = {hit.id: hit.score for hit in corpus_index.search("Анкоридж", limit=50)}
    joined = corpus_index.search("Анкоридж AND date:2025-08", limit=50)
    assert len(joined) == 2 and all(hit.score == pytest.approx(alone[hit.id]) for hit in joined)
    # An explicit OR keeps a date one more alternative: documents of that day, or with the word.
    either = ids(corpus_index, "date:2025-08-12 OR пирог")
    assert either == {SEED_ID} | ids(corpus_index, "пирог") and len(either) > 1


def test_two_dates_are_alternatives_and_dates_alone_list_newest_first(corpus_index: Index) -> None:
    two = corpus_index.search("date:2024 date:2025-08 Анкоридж", limit=50)
    assert {hit.id for hit in two} == ids(corpus_index, "Анкоридж") & (ids(corpus_index, "date:2024") | AUGUST_2025)
    listed = corpus_index.search("date:[2024-01-01 TO *]", limit=50)
    assert listed.order == "newest" and listed.total == len(listed) > 3
    dates = [hit.date for hit in listed]
    assert None not in dates and dates == sorted(dates, reverse=True)
    assert corpus_index.search("Анкоридж").order == "relevance"
    excluded = corpus_index.search("date:2025-08 -Анкоридж", limit=50)
    assert {hit.id for hit in excluded} == AUGUST_2025 - ids(corpus_index, "Анкоридж") == {PERSEIDS_ID}


def test_an_address_and_a_latin_pin_are_words_not_fields(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add([{"id": "code", "text": "Исходный код лежит на https://github.com/slovoforma/searchkit, пишите нам."},
            {"id": "other", "text": "Репозитории на github есть у многих проектов."}])
    assert ids(ix, "https://github.com/slovoforma") == {"code"}  # its words in a row, as a phrase
    assert ids(ix, "projects:project") == ids(ix, "projects") == set()
    assert ids(ix, "github:github") == {"code", "other"}


def test_prefix(corpus_index: Index) -> None:
    results = corpus_index.search("встреч*", limit=50)
    found = {hit.id for hit in results.hits}
    assert {SEED_ID, ANCHORAGE_ID, SUMMITS_ID, STATION_ID, "brief-1"} <= found
    for hit in results.hits:
        terms = [span.term for fragment in hit.snippet.fragments for span in fragment.highlights]
        terms += [span.term for span in hit.title_highlights]
        assert terms and all(term.startswith("встреч") for term in terms), (hit.id, terms)
    assert "встречей" in highlighted_forms(hit_for(results, SEED_ID))
    assert ids(corpus_index, "Встреч*") == found
    assert ids(corpus_index, "title:встреч*") == {ANCHORAGE_ID, SUMMITS_ID, STATION_ID, "brief-1"}


def test_yo_and_ye_are_the_same_letter(corpus_index: Index) -> None:
    yo, ye = ids(corpus_index, "ёлка"), ids(corpus_index, "елка")
    assert yo == ye
    assert {YO_ID, STATION_ID, WEATHER_ID} <= yo     # «ёлка», «елку», «ёлок»
    assert ids(corpus_index, "ёлк*") == ids(corpus_index, "елк*") >= yo
    station = hit_for(corpus_index.search("ёлка"), STATION_ID)
    assert "елку" in highlighted_forms(station)
    weather = hit_for(corpus_index.search("елка"), WEATHER_ID)
    assert "ёлок" in highlighted_forms(weather)


def test_stress_marks_and_lookalikes_in_queries(corpus_index: Index) -> None:
    assert ids(corpus_index, "Анко\u0301ридж") == ids(corpus_index, "Анкоридж")
    assert ids(corpus_index, "Aнкоридж") == ids(corpus_index, "Анкоридж")    # Latin A


def test_html_script_and_style_are_not_searchable(corpus_index: Index) -> None:
    for marker in ("скрытыйскрипт", "скрытыйстиль", "невидимаяметка", "невидимыйсчетчик"):
        assert ids(corpus_index, marker) == set(), marker


def test_paging(corpus_index: Index) -> None:
    everything = corpus_index.search("встреча", limit=10)
    page = corpus_index.search("встреча", limit=3, offset=3)
    assert page.total == everything.total
    assert page.offset == 3
    assert [(h.rank, h.id) for h in page.hits] == [(h.rank, h.id) for h in everything.hits[3:6]]


# --- errors -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, position, reason", [
    ('встреча "Путина и Трампа', 8, "quote"),
    ("встреча (Путина OR Трампа", 8, "parenthesis"),
    ("встреча Путина)", 14, "'('"),
    ("source:Путин", 0, "unknown field 'source'"),
    ("*", 0, "prefix"),
    ("встреча *", 8, "prefix"),
    ("AND Путин", 0, "AND"),
    ("Путин OR", 6, "OR"),
    ("date:2025-13", 5, "not a date"),
    ("date:[2025-08-01 TO 2025-08-31", 5, "never closed"),
    ("[2025-08-01 TO 2025-08-31]", 0, "field"),
    ("встреча ()", 8, "empty parentheses"),
])
def test_malformed_queries(corpus_index: Index, query: str, position: int, reason: str) -> None:
    with pytest.raises(QueryError) as caught:
        corpus_index.search(query)
    error = caught.value
    assert error.position == position
    assert reason in error.reason
    assert error.query == query
    assert f"at character {position + 1}" in str(error)
    assert error.pointer().splitlines()[-1] == " " * position + "^"


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query(corpus_index: Index, query: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        corpus_index.search(query)


@pytest.mark.parametrize("query", ["и в что", '"и в"', "title:и"])
def test_query_of_only_stop_words(corpus_index: Index, query: str) -> None:
    with pytest.raises(QueryError, match="stop words"):
        corpus_index.search(query)


@pytest.mark.parametrize("query", ["-Путин", "NOT Путин", "-Путин -Трамп", "NOT (Путин OR Трамп)", "и -Путин"])
def test_query_that_only_excludes(corpus_index: Index, query: str) -> None:
    with pytest.raises(QueryError, match="only excludes"):
        corpus_index.search(query)


@pytest.mark.parametrize("query", ["\u00ad", "\u0301", "😀", "Ⅻ века", "—", "--", "İstanbul", "\U00017000"])
def test_odd_query_text_gives_results_or_a_query_error(corpus_index: Index, query: str) -> None:
    try:
        results = corpus_index.search(query)
    except QueryError:
        return
    assert results.total >= len(results.hits)


# --- JSON -------------------------------------------------------------------------------------------------

def test_results_to_json(corpus_index: Index, seed_body: str) -> None:
    results = corpus_index.search("встреча Путина и Трампа", limit=3)
    data = json.loads(json.dumps(results.to_json(), ensure_ascii=False))
    assert data["query"] == "встреча Путина и Трампа"
    assert data["total"] == results.total and data["offset"] == 0
    assert isinstance(data["seconds"], float)
    assert len(data["hits"]) == 3
    first = data["hits"][0]
    assert set(first) == {"rank", "score", "id", "title", "date", "modified", "author", "path", "duplicates",
                          "format", "title_highlights", "snippet"}
    assert (first["rank"], first["id"], first["date"], first["path"], first["format"]) == (
        1, SEED_ID, "2025-08-12", SEED_ID, "txt")
    assert first["score"] > data["hits"][1]["score"] > 0
    fragments = first["snippet"]["fragments"]
    assert fragments
    forms = []
    for fragment in fragments:
        assert seed_body[fragment["start"]:fragment["end"]] == fragment["text"]
        for highlight in fragment["highlights"]:
            assert set(highlight) == {"start", "end", "form", "term"}
            assert seed_body[highlight["start"]:highlight["end"]] == highlight["form"]
            forms.append((highlight["form"], highlight["term"]))
    assert ("встречей", "встреча") in forms
    # the plain text has no marks, only the words
    assert "[" not in first["snippet"]["text"] and "встречей" in first["snippet"]["text"]
    for hit in data["hits"]:
        for start, end in hit["title_highlights"]:
            assert 0 <= start < end <= len(hit["title"])
