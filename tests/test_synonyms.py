"""Synonyms and abbreviations: the default list, an index's own synonyms.txt, and how every interface shows them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from searchkit import Index, QueryError, SettingsError, Settings, SynonymSettings
from searchkit.search.synonyms import INDEX, default_rules, parse_rules

from .conftest import run_cli

NEWS = [
    {"id": "kndr", "title": "Испытания", "text": "КНДР провела испытания баллистической ракеты в среду."},
    {"id": "north", "title": "Испытания", "text": "Власти Северной Кореи провели испытания ракеты в среду."},
    {"id": "full", "title": "Делегация", "text": "Делегация Корейской Народно-Демократической Республики прибыла."},
    {"id": "america", "title": "География", "text": "Северная Америка и Южная Корея далеко друг от друга."},
    {"id": "rf", "title": "Закон", "text": "Закон вступил в силу на территории Российской Федерации."},
    {"id": "gdp", "title": "Экономика", "text": "Рост валового внутреннего продукта замедлился."},
    {"id": "vvp", "title": "Экономика", "text": "Рост ВВП составил два процента."},
    {"id": "vova", "title": "Письмо", "text": "Вова написал письмо бабушке."},
]


@pytest.fixture
def news(make_index) -> Index:  # type: ignore[no-untyped-def]
    ix = make_index()
    ix.add(NEWS)
    return ix


def ids(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.id for hit in results]


# --- expansion ----------------------------------------------------------------------------------------------------

def test_an_abbreviation_finds_its_spelled_out_forms_in_any_case(news: Index) -> None:
    found = ids(news.search("КНДР", correct=False))
    assert found[0] == "kndr"  # the typed word first
    assert {"north", "full"} <= set(found)  # «Северной Кореи», «Корейской Народно-Демократической Республики»
    assert "america" not in found  # «Северная Америка и Южная Корея» is not the phrase


def test_a_multiword_query_finds_the_abbreviation(news: Index) -> None:
    results = news.search("в Северной Корее", correct=False)
    assert ids(results)[0] == "north"
    assert "kndr" in ids(results) and "full" in ids(results)
    (expansion,) = results.plan.synonyms
    assert expansion.text == "Северной Корее" and "КНДР" in expansion.synonyms


def test_an_inflected_query_word_matches_a_member(news: Index) -> None:
    results = news.search("Российской Федерации", correct=False)
    assert [e.synonyms for e in results.plan.synonyms] == [("РФ", "Россия")]
    assert "rf" in ids(news.search("России", correct=False))  # Россия → «Российской Федерации»


def test_a_quoted_phrase_is_expanded_as_phrases(news: Index) -> None:
    assert set(ids(news.search('"Северная Корея"', correct=False))) == {"north", "kndr", "full"}
    # A member inside a phrase: «КНДР провела» is also searched as «Северная Корея провела» (in any forms), the
    # phrase typed first; «Корейской … Республики прибыла» is not that phrase.
    results = news.search('"КНДР провела"', correct=False)
    assert ids(results) == ["kndr", "north"] and results.plan.synonyms[0].text == "КНДР"
    results = news.search('"Кореи провели испытания"', correct=False)
    assert ids(results) == ["north"] and results.plan.synonyms == ()


def test_synonyms_rank_below_the_typed_word(news: Index) -> None:
    results = news.search("КНДР", correct=False)
    scores = {hit.id: hit.score for hit in results}
    assert scores["kndr"] > scores["north"] and scores["kndr"] > scores["full"]
    reverse = {hit.id: hit.score for hit in news.search("Северная Корея", correct=False)}
    assert reverse["north"] > reverse["kndr"]


def test_the_weight_is_a_setting(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as ix:
        ix.add(NEWS)
        light = {hit.id: hit.score for hit in ix.search("КНДР", correct=False)}
    heavier = Settings(synonyms=SynonymSettings(weight=1.0))
    with Index.open(tmp_path / "ix", settings=heavier) as ix:
        heavy = {hit.id: hit.score for hit in ix.search("КНДР", correct=False)}
    assert heavy["kndr"] == pytest.approx(light["kndr"]) and heavy["north"] > light["north"]
    with pytest.raises(SettingsError, match="weight"):
        SynonymSettings(weight=0)


def test_exact_forms_prefixes_and_pinned_words_are_not_expanded(news: Index) -> None:
    assert ids(news.search("=КНДР", correct=False)) == ["kndr"]
    assert news.search("кнд*", correct=False).plan.synonyms == ()
    assert news.search("=КНДР", correct=False).plan.synonyms == ()


def test_expansion_is_turned_off_for_one_query(news: Index) -> None:
    results = news.search("КНДР", correct=False, synonyms=False)
    assert ids(results) == ["kndr"] and results.plan.synonyms == ()


def test_an_excluded_word_excludes_its_synonyms_too(news: Index) -> None:
    found = ids(news.search("испытания NOT КНДР", correct=False))
    assert "kndr" not in found and "north" not in found


def test_the_likeliest_reading_of_a_member_is_matched_only(news: Index) -> None:
    # «ВОВ» (Великая Отечественная война) can also be read as a form of «Вова»; «Вова» is not expanded.
    assert news.search("Вова", correct=False).plan.synonyms == ()
    assert ids(news.search("Великая Отечественная война", correct=False)) == []


def test_synonyms_bring_no_roots_and_corrected_words_are_expanded(news: Index) -> None:
    # «КНДР» typed on the Latin layout is corrected first, then expanded.
    results = news.search("RYLH")
    assert results.plan.correction is not None and results.plan.correction.query == "КНДР"
    assert {"kndr", "north"} <= set(ids(results)) and results.plan.synonyms


# --- the index's own dictionary -----------------------------------------------------------------------------------

def test_the_index_dictionary_applies_without_reindexing(news: Index) -> None:
    assert ids(news.search("Пхеньян", correct=False)) == []
    news.add_synonyms("Пхеньян => КНДР")
    results = news.search("Пхеньян", correct=False)
    assert ids(results)[0] == "kndr" and results.plan.synonyms[0].origins == (INDEX,)
    # one-way: «КНДР» does not search «Пхеньян»
    assert all("Пхеньян" not in e.synonyms for e in news.search("КНДР", correct=False).plan.synonyms)
    assert [rule.text for rule in news.remove_synonyms("пхеньян")] == ["Пхеньян => КНДР"]
    assert ids(news.search("Пхеньян", correct=False)) == []


def test_the_file_is_read_when_it_changes(news: Index) -> None:
    path = news.path / "synonyms.txt"
    path.write_text("# old and new names\nЛенинград, Санкт-Петербург\n", encoding="utf-8")
    news.add([{"id": "spb", "text": "Музеи Санкт-Петербурга открыты."}])
    assert ids(news.search("Ленинграде", correct=False)) == ["spb"]
    time.sleep(0.01)
    path.write_text("Петроград, Санкт-Петербург\n", encoding="utf-8")
    assert ids(news.search("Ленинграде", correct=False)) == []
    assert ids(news.search("Петроград", correct=False)) == ["spb"]


@pytest.mark.parametrize(("line", "message"), [
    ("КНДР", "a group needs two entries"),
    ("КНДР,, Северная Корея", "an empty entry"),
    ("ВВП => ", "an empty entry"),
    ("А => Б => В", "more than one '=>'"),
    ("КНДР, ---", "'---' has no letters or digits"),
])
def test_a_bad_line_is_reported_with_its_number(news: Index, line: str, message: str) -> None:
    (news.path / "synonyms.txt").write_text(f"# comment\nРФ, Россия\n{line}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=f"synonyms.txt, line 3: {message}"):
        news.search("КНДР")
    assert ids(news.search("КНДР", correct=False, synonyms=False)) == ["kndr"]  # searchable without them


def test_a_file_that_is_not_utf8_is_reported_with_its_line(news: Index) -> None:
    (news.path / "synonyms.txt").write_bytes("РФ, Россия\n".encode() + "Питер, Ленинград\n".encode("cp1251"))
    with pytest.raises(SettingsError, match="line 2: not UTF-8"):
        news.search("КНДР")


def test_adding_a_bad_rule_changes_nothing(news: Index) -> None:
    with pytest.raises(SettingsError, match="a group needs two entries"):
        news.add_synonyms("Пхеньян")
    assert not (news.path / "synonyms.txt").exists()


def test_the_default_list_can_be_turned_off_and_stays_off(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as ix:
        ix.add(NEWS)
        ix.use_default_synonyms(False)
        assert ids(ix.search("КНДР", correct=False)) == ["kndr"]
    assert json.loads((tmp_path / "ix" / "searchkit.json").read_text())["synonyms"]["defaults"] is False
    with Index.open(tmp_path / "ix") as ix:
        assert ids(ix.search("КНДР", correct=False)) == ["kndr"]
        ix.add_synonyms("КНДР, Северная Корея")  # the index's own still apply
        assert set(ids(ix.search("КНДР", correct=False))) == {"kndr", "north"}


def test_the_default_list_parses_and_holds_the_common_abbreviations() -> None:
    members = {member for rule in default_rules() for member in rule.members()}
    for abbreviation in ("РФ", "КНДР", "ООН", "МИД", "ЕС", "ВОЗ", "США", "ФРГ", "СНГ", "НАТО", "ЦБ", "ВВП", "МВД",
                         "ФСБ", "Госдума"):
        assert abbreviation in members
    assert parse_rules("  # только комментарий\n\n", INDEX) == []


# --- shown everywhere -------------------------------------------------------------------------------------------

def test_snippets_mark_the_synonyms_forms(news: Index) -> None:
    hit = next(hit for hit in news.search("КНДР", correct=False) if hit.id == "north")
    assert "[Северной] [Кореи]" in hit.snippet.marked()
    _, spans = news.document("north", "КНДР")
    assert [span.term for span in spans] == ["северный", "корея"]


def test_explain_names_the_synonym_that_matched(news: Index) -> None:
    explanation = news.explain("КНДР ракеты", "north")
    word = explanation.words[0]
    assert word.text == "КНДР" and [s.text for s in word.synonyms] == ["Северная Корея"]
    forms = [explanation.texts["body"][s.start:s.end] for s in word.synonyms[0].matches["body"]]
    assert forms == ["Северной", "Кореи"]
    assert sum(w.score for w in explanation.words) == pytest.approx(explanation.score)
    multi = news.explain("Северная Корея", "kndr")
    assert [w.text for w in multi.words] == ["Северная Корея"] and multi.words[0].synonyms[0].text == "КНДР"


def test_the_cli_shows_the_synonyms_and_edits_the_dictionary(news: Index) -> None:
    index = news.location
    code, out, _ = run_cli("search", "--index", index, "КНДР")
    assert code == 0 and "Also searched as synonyms (default list): «КНДР» → «Северная Корея»" in out
    assert "--no-synonyms" in out
    code, out, _ = run_cli("search", "--index", index, "--json", "КНДР")
    plan = json.loads(out)["plan"]
    assert plan["synonyms"][0]["text"] == "КНДР" and plan["synonyms"][0]["from"] == ["default"]
    code, out, _ = run_cli("search", "--index", index, "--json", "--no-synonyms", "КНДР")
    assert json.loads(out)["plan"]["synonyms"] == [] and json.loads(out)["total"] == 1
    code, out, _ = run_cli("synonyms", "add", "--index", index, "Ленинград, Санкт-Петербург")
    assert code == 0 and "added: Ленинград, Санкт-Петербург" in out
    code, out, _ = run_cli("synonyms", "list", "--index", index)
    assert "default list: on" in out and "Ленинград, Санкт-Петербург" in out and "line 1" in out
    code, out, err = run_cli("synonyms", "remove", "--index", index, "Москва")
    assert code == 2 and "no synonym rule of the index has 'Москва'" in err
    code, out, _ = run_cli("synonyms", "defaults", "off", "--index", index)
    assert code == 0 and "default synonyms: off" in out
    code, out, _ = run_cli("explain", "--index", index, "КНДР", "north")
    assert code == 0 and "Северной" not in out  # the default list is off now
    news.backend.save_synonyms_text("Ленинград\n")  # as a hand-edited synonyms.txt would be
    code, _, err = run_cli("search", "--index", index, "КНДР")
    assert code == 2 and "line 1: a group needs two entries" in err and "Traceback" not in err


def test_the_repl_shows_the_synonyms(news: Index) -> None:
    import io

    from prompt_toolkit.history import InMemoryHistory
    from rich.console import Console

    from searchkit.repl import Repl

    buffer = io.StringIO()
    repl = Repl(news, console=Console(file=buffer, width=200, no_color=True), history=InMemoryHistory())
    repl.handle("КНДР")
    assert "«КНДР» → «Северная Корея»" in buffer.getvalue()


def test_a_bad_query_is_still_a_query_error(news: Index) -> None:
    with pytest.raises(QueryError):
        news.search('"КНДР')
