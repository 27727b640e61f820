"""Russian search intelligence: keyboard layout, transliteration, did-you-mean re-inflected, exact forms, homonym
readings and pinning, explain with positions, bounded prefixes, and all of it in the JSON, the CLI and the REPL."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from searchkit import Index, QueryError
from searchkit.cli import main
from searchkit.repl import Repl
from searchkit.search import compile as compile_module
from searchkit.search.layout import to_cyrillic, to_latin
from searchkit.analysis import get_morphology
from searchkit.search.spelling import distance, reinflect
from searchkit.search.translit import candidates

from .conftest import SEED_ID

STEEL_ID = "corpus/news/steel-plant-electric-furnace.txt"


def ids(results) -> set[str]:  # type: ignore[no-untyped-def]
    return {hit.id for hit in results.hits}


# --- 1. keyboard layout ---------------------------------------------------------------------------------------

def test_layout_table_both_ways() -> None:
    assert to_cyrillic("ghbdtn") == "привет"
    assert to_cyrillic("Genby") == "Путин"
    assert to_latin("шзрщту") == "iphone"


def test_wrong_layout_query_is_searched_corrected(corpus_index: Index) -> None:
    results = corpus_index.search("Genby", limit=20)
    assert results.query == "Путин"
    assert SEED_ID in ids(results)
    correction = results.plan.correction
    assert correction.kind == "layout" and correction.original == "Genby" and correction.query == "Путин"
    as_typed = corpus_index.search("Genby", correct=False)
    assert as_typed.total == 0 and as_typed.plan.correction is None


def test_cyrillic_typed_for_a_latin_word(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add([{"id": "p", "text": "Новый iPhone представлен осенью."}, {"id": "q", "text": "Сталь и чугун."}])
    results = ix.search("шзрщту")
    assert results.query == "iphone" and ids(results) == {"p"}
    assert results.plan.correction.kind == "layout"


def test_a_gibberish_word_next_to_a_real_one_is_fixed(corpus_index: Index) -> None:
    results = corpus_index.search("Ghbdtn Путин")
    assert results.query == "Привет Путин"
    assert results.plan.correction.changes[0].original == "Ghbdtn"


# --- 2. transliteration ---------------------------------------------------------------------------------------

def test_reverse_transliteration_candidates() -> None:
    assert candidates("putin")[0] == "путин"
    assert "анкоридж" in candidates("ankoridzh")
    assert "ын" in candidates("in") and "пхеньян" in candidates("pkhenyan")


@pytest.mark.parametrize("latin, cyrillic", [("Ankoridzh", "Анкоридж"), ("Chen", "Чен")])
def test_transliterated_name_is_searched_in_cyrillic(corpus_index: Index, latin: str, cyrillic: str) -> None:
    results = corpus_index.search(latin, limit=20)
    assert results.query == cyrillic and results.plan.correction.kind == "transliteration"
    assert SEED_ID in ids(results)


def test_latin_name_the_index_has_once_is_offered_in_cyrillic(corpus_index: Index) -> None:
    # corpus/README.md mentions «Putin» and «Kim» in Latin, so those are searched as typed and Cyrillic offered
    results = corpus_index.search("Putin")
    assert results.plan.correction is None
    assert results.plan.suggestion.query == "Путин" and results.plan.suggestion.total >= 2
    # «Chen» is in no document, so it vouches for the whole name: the transliteration is applied
    kim = corpus_index.search("Kim Chen In")
    assert kim.query == "Ким Чен Ын" and kim.plan.correction.kind == "transliteration"
    assert SEED_ID in ids(kim)


def test_latin_names_in_an_index_without_them(make_index, seed_body: str) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add([{"id": "seed", "text": seed_body}, {"id": "other", "text": "Сталь и чугун."}])
    for latin, cyrillic in [("Putin", "Путин"), ("Kim Chen In", "Ким Чен Ын"), ("Ankoridzh", "Анкоридж")]:
        results = ix.search(latin)
        assert results.query == cyrillic and ids(results) == {"seed"}, latin


# --- 3. did-you-mean ------------------------------------------------------------------------------------------

def test_distance_and_reinflection() -> None:
    assert distance("встеча", "встреча") == 1 and distance("ab", "ba") == 1
    morph = get_morphology()
    assert reinflect(morph, "встечей", "встреча") == "встречей"
    assert reinflect(morph, "Пхенян", "пхеньян") == "Пхеньян"
    assert reinflect(morph, "Пхеняне", "пхеньян") == "Пхеньяне"


@pytest.mark.parametrize("typed, fixed", [("встеча", "встреча"), ("Пхенян", "Пхеньян"), ("встечей", "встречей")])
def test_misspelt_word_with_no_hits_is_corrected_in_the_typed_form(corpus_index: Index, typed: str,
                                                                    fixed: str) -> None:
    results = corpus_index.search(typed, limit=20)
    assert results.query == fixed and results.plan.correction.kind == "spelling"
    assert SEED_ID in ids(results)


def test_misspelt_word_beside_a_found_one_is_suggested(corpus_index: Index) -> None:
    results = corpus_index.search("встечей Путина")
    assert results.query == "встечей Путина" and results.plan.correction is None
    assert results.plan.suggestion.query == "встречей Путина"


def test_stop_words_and_known_words_are_not_respelt(corpus_index: Index) -> None:
    assert corpus_index.search("встреча Путина и Трампа").plan.suggestion is None


# --- 4. exact forms -------------------------------------------------------------------------------------------

def test_exact_form_matches_only_that_form(corpus_index: Index) -> None:
    every = ids(corpus_index.search("стали", limit=50))
    exact = corpus_index.search("=стали", limit=50)
    assert ids(exact) < every
    for hit in exact.hits:
        body = corpus_index.document(hit.id)[0].body + hit.title
        assert "стали" in body.lower().replace("ё", "е")
        forms = {f.text[s.start - f.start:s.end - f.start].lower() for f in hit.snippet.fragments
                 for s in f.highlights}
        assert forms <= {"стали"}


def test_exact_form_equal_to_its_lemma(corpus_index: Index) -> None:
    # «сталь» is indexed as itself: =сталь finds «сталь» but not a document with only «стали»/«сталью»
    exact = ids(corpus_index.search("=сталь", limit=50))
    assert STEEL_ID in exact
    for doc_id in exact:
        text = corpus_index.document(doc_id)[0].body.lower()
        assert "сталь" in text


def test_exact_form_is_yo_insensitive(make_index) -> None:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add([{"id": "a", "text": "Ёлки зелёные."}, {"id": "b", "text": "Ёлка в лесу."}])
    assert ids(ix.search("=елки")) == {"a"} == ids(ix.search("=ёлки"))
    assert ids(ix.search("елки")) == {"a", "b"}


@pytest.mark.parametrize("query", ["=стали", "=сталь", "=сталью", "=стали AND цены", "body:=стали"])
def test_exact_form_finds_the_same_with_and_without_exact_form_terms(make_index, query: str) -> None:  # type: ignore[no-untyped-def]
    """Read from the stored text (the default) or from ``=form`` terms in the index: the same documents."""
    from searchkit import AnalyzerSettings, Settings

    texts = [{"id": "a", "text": "Цены на сталь стали расти."}, {"id": "b", "text": "Они стали друзьями."},
             {"id": "c", "text": "Сталью называют сплав железа."}, {"id": "d", "text": "Цены на сталь упали."}]
    found = []
    for exact_forms in (False, True):
        ix = make_index(settings=Settings(analyzer=AnalyzerSettings(exact_forms=exact_forms)))
        ix.add(texts)
        results = ix.search(query, correct=False, limit=10)
        found.append(ids(results))
        for hit in results.hits:  # the form itself is marked, no other form of its lemmas
            marked = {f.text[s.start - f.start:s.end - f.start].lower() for f in hit.snippet.fragments
                      for s in f.highlights}
            assert marked - {"цены"} == {query.split("=")[1].split()[0]}, (query, exact_forms, marked)
    assert found[0] == found[1], query
    expected = {"=стали": {"a", "b"}, "=сталь": {"a", "d"}, "=сталью": {"c"}, "=стали AND цены": {"a"},
                "body:=стали": {"a", "b"}}
    if query in expected:
        assert found[0] == expected[query]


# --- 5. homonyms ----------------------------------------------------------------------------------------------

def test_homonym_readings_with_their_share_of_hits(corpus_index: Index) -> None:
    (homonym,) = corpus_index.search("стали").plan.homonyms
    shares = {r.lemma: r for r in homonym.readings}
    assert set(shares) == {"стать", "сталь"}
    assert shares["стать"].pos == "VERB" and shares["сталь"].pos == "NOUN"
    assert shares["стать"].probability > shares["сталь"].probability
    assert shares["стать"].hits > 0 and shares["сталь"].hits > 0
    assert sum(r.share for r in homonym.readings) == pytest.approx(1.0)


def test_pinning_a_reading(corpus_index: Index) -> None:
    steel = corpus_index.search("стали:сталь", limit=50)
    assert steel.hits[0].id == STEEL_ID
    assert steel.plan.homonyms[0].pinned == "сталь"
    assert ids(steel) <= ids(corpus_index.search("стали", limit=50))
    assert ids(corpus_index.search("title:стали:сталь")) <= ids(corpus_index.search("title:сталь"))
    with pytest.raises(QueryError, match="no reading"):
        corpus_index.search("стали:железо")
    # A Latin word pinned to a Latin lemma is a pin, not an unknown field; naming the fields helps a typo.
    with pytest.raises(QueryError, match="no reading 'bar'.*fields are title, body, date"):
        corpus_index.search("foo:bar")
    with pytest.raises(QueryError, match="unknown field 'foo'"):
        corpus_index.search("foo:2025")


# --- 6. explain -----------------------------------------------------------------------------------------------

def test_explain_reports_positions_and_adds_up(corpus_index: Index, seed_body: str) -> None:
    query = "встреча Путина и Трампа"
    explanation = corpus_index.explain(query, SEED_ID)
    hit = next(h for h in corpus_index.search(query, limit=30).hits if h.id == SEED_ID)
    assert sum(w.score for w in explanation.words) == pytest.approx(hit.score, rel=1e-6)
    meeting = explanation.words[0]
    assert meeting.terms == ("встреча",)
    spans = meeting.matches["body"]
    assert [seed_body[s.start:s.end] for s in spans][:1] == ["встречей"]
    assert all(s.position is not None and s.position >= 0 for s in spans)
    assert spans[0].position < spans[-1].position


def test_explain_finds_nothing_in_a_title_made_up_from_the_first_sentence(make_index) -> None:  # type: ignore[no-untyped-def]
    """A record without a title is shown with its first sentence as one, which is not indexed as a title: the
    explanation lists the matches in the body only, where the score comes from."""
    ix = make_index()
    ix.add([{"id": "untitled", "text": "Встреча прошла в Анкоридже. Переговоры длились три часа."},
            {"id": "titled", "title": "Встреча в Анкоридже", "text": "Переговоры длились три часа."}])
    untitled = {word.text: word.matches for word in ix.explain("встреча", "untitled").words}["встреча"]
    shown = {hit.id: hit.title for hit in ix.search("встреча").hits}
    assert shown["untitled"].startswith("Встреча прошла в Анкоридже.")  # its first line, shown as its title
    assert untitled["title"] == () and len(untitled["body"]) == 1
    titled = {word.text: word.matches for word in ix.explain("встреча", "titled").words}["встреча"]
    assert len(titled["title"]) == 1 and titled["body"] == ()


# --- 7. prefixes ----------------------------------------------------------------------------------------------

def test_prefix_expands_over_lemmas_and_word_forms(make_index) -> None:  # type: ignore[no-untyped-def]
    from searchkit import AnalyzerSettings, Settings

    # «людей» is indexed under the lemma «человек»; with exact forms indexed, its word form starts with «люд»
    texts = [{"id": "a", "text": "Много людей пришло на площадь."}]
    exact = make_index(settings=Settings(analyzer=AnalyzerSettings(exact_forms=True)))
    exact.add(texts)
    results = exact.search("люд*")
    assert ids(results) == {"a"}
    body = next(e for e in results.plan.prefixes if e.field == "body")
    assert body.forms > 0 and not body.cut
    plain = make_index()
    plain.add(texts)
    assert plain.search("люд*").total == 0


def test_prefix_expansion_is_bounded_and_reported(corpus_index: Index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(compile_module, "MAX_PREFIX_TERMS", 2)
    results = corpus_index.search("вс*")
    cut = [e for e in results.plan.prefixes if e.cut]
    assert cut and all(e.kept == 2 and e.found > 2 for e in cut)


# --- 8. JSON, CLI, REPL ---------------------------------------------------------------------------------------

def test_json_carries_the_plan(corpus_index: Index) -> None:
    data = json.loads(json.dumps(corpus_index.search("Genby").to_json(), ensure_ascii=False))
    assert data["query"] == "Путин" and data["plan"]["original"] == "Genby"
    assert data["plan"]["correction"]["kind"] == "layout"
    assert data["plan"]["correction"]["changes"][0] == {"original": "Genby", "replacement": "Путин",
                                                        "kind": "layout", "start": 0}
    homonyms = corpus_index.search("стали").to_json()["plan"]["homonyms"]
    assert {r["lemma"] for r in homonyms[0]["readings"]} == {"стать", "сталь"}
    plain = corpus_index.search("Анкоридж").to_json()["plan"]
    assert plain["correction"] is None and plain["suggestion"] is None


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_shows_the_correction_and_searches_as_typed_on_request(corpus_index_path) -> None:  # type: ignore[no-untyped-def]
    code, out = run_cli("search", "--index", str(corpus_index_path), "Genby")
    assert code == 0 and "Показаны результаты для «Путин»" in out and "--no-correct" in out
    code, out = run_cli("search", "--index", str(corpus_index_path), "--no-correct", "Genby")
    assert code == 0 and "Показаны" not in out and "No documents match" in out
    code, out = run_cli("search", "--index", str(corpus_index_path), "--json", "Ankoridzh")
    data = json.loads(out)
    assert data["plan"]["correction"]["kind"] == "transliteration" and data["query"] == "Анкоридж"
    code, out = run_cli("search", "--index", str(corpus_index_path), "стали")
    assert "стать (VERB)" in out and "стали:сталь" in out
    code, out = run_cli("search", "--index", str(corpus_index_path), "Putin")
    assert "Возможно, вы имели в виду «Путин»" in out


def test_cli_explain_json_has_positions(corpus_index_path) -> None:  # type: ignore[no-untyped-def]
    code, out = run_cli("explain", "--index", str(corpus_index_path), "--json", "Путин", SEED_ID)
    assert code == 0
    data = json.loads(out)
    assert data["words_total"] == pytest.approx(data["score"], rel=1e-4)
    assert all(m["position"] is not None for m in data["words"][0]["matches"]["body"])
    code, out = run_cli("explain", "--index", str(corpus_index_path), "Путин", SEED_ID)
    assert "#" in out


def test_repl_shows_corrections_and_original(corpus_index_path) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    with Index.open(corpus_index_path) as ix, create_pipe_input() as pipe:
        pipe.send_text("Genby\n:original\nстали\n:explain 1\n\x04")
        Repl(ix, console=Console(file=out, width=200, highlight=False, color_system=None),
             history=InMemoryHistory(), input=pipe, output=DummyOutput()).run()
    printed = out.getvalue()
    assert "Показаны результаты для «Путин»" in printed and ":original" in printed
    assert "No documents match Genby" in printed
    assert "стать (VERB)" in printed
    assert "#" in printed  # explain shows token positions
