"""Each segment's lexicon of forms: written with the segment, answering for every form of its documents exactly
as pymorphy3 would, so that a new process searches words of the collection without loading pymorphy3; a segment
without one costs nothing but speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from searchkit import Index
from searchkit.analysis import Morphology
from searchkit.backends.whoosh.form_lexicon import SUFFIX, CommitForms, read_forms

from .conftest import run_cli

QUERIES = ["встреча Путина и Трампа", "КНДР", "стали", "=стали", "саммит в Сингапуре", "Ким Чен Ын",
           "северо-западный", "и Путин", "встреча OR президент"]

#: A fresh process: the queries' hits with their snippets, and whether pymorphy3 was loaded for them.
ONE_SHOT = """
import json, sys
from searchkit import Index
from searchkit.analysis import get_analyzer
ix = Index.open(sys.argv[1])
hits = [[hit.id, hit.snippet.marked(), [span.term for span in hit.title_highlights]]
        for query in json.loads(sys.argv[2]) for hit in ix.search(query).hits]
print(json.dumps({"loaded": get_analyzer(ix.settings.analyzer).morphology.loaded, "hits": hits}))
"""


def one_shot(index: Path) -> dict:
    completed = subprocess.run([sys.executable, "-c", ONE_SHOT, str(index), json.dumps(QUERIES)],
                               capture_output=True, text=True, timeout=120, check=True)
    return json.loads(completed.stdout)


def lexicons(index: Path) -> list[Path]:
    return sorted(index.glob(f"*{SUFFIX}"))


def commit_forms(ix: Index) -> CommitForms:
    lexicon = ix.backend.context().lexicon
    assert isinstance(lexicon, CommitForms)
    return lexicon


def test_every_segment_gets_a_lexicon_that_answers_as_pymorphy3(tmp_path: Path, corpus_dir: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.index_path(corpus_dir, processes=2)  # the workers' segments
        ix.add([{"id": "extra", "text": "Сталевары Северо-Западного завода стали выплавлять сталь."}])  # its own
        assert [p.stem for p in lexicons(path)] == sorted(p.stem for p in path.glob("*.seg"))
        lexicon = commit_forms(ix)
        assert lexicon.complete
        forms = set().union(*(read_forms(str(path), p.stem) or set() for p in lexicons(path)))
        assert {"встречей", "стали", "северо-западного", "северо", "западного", "и"} <= forms
        assert {"кндр", "корейская", "народно-демократическая"} <= forms  # the default synonyms' words
        fresh = Morphology()  # remembers no lexicon: pymorphy3 itself
        for form in sorted(forms):
            assert lexicon.analysis(form) == fresh.analysis(form), form
        assert lexicon.analysis("стали").readings[0].lemma == "стать"  # a homonym keeps its readings
        assert lexicon.analysis("нетакогослова") is None
        assert {"встреча", "встречей", "встречи"} <= set(lexicon.forms_having(["встреча"]) or ())


def test_a_new_process_searches_words_of_the_collection_without_pymorphy3(tmp_path: Path,
                                                                           corpus_dir: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.index_path(corpus_dir, processes=2)
    with_lexicons = one_shot(path)
    assert not with_lexicons["loaded"]
    assert any("[встречей]" in snippet and "[Трампом]" in snippet for _, snippet, _ in with_lexicons["hits"])
    for lexicon in lexicons(path):
        lexicon.unlink()  # as in an index written before lexicons were
    without = one_shot(path)
    assert without["loaded"] and without["hits"] == with_lexicons["hits"]


def test_segments_merged_into_one_keep_their_forms(tmp_path: Path) -> None:
    path = tmp_path / "index"
    texts = ["Встреча президентов прошла в Анкоридже.", "Сталевары выплавили сталь.", "Мост построили за год.",
             "Переговоры о зерне продолжатся.", "Выпускники училища собрались вместе.", "Северное сияние видели."]
    with Index.create(path) as ix:
        for i in range(12):  # small commits, whose segments Whoosh merges as they pile up
            ix.add([{"id": f"d{i}", "text": texts[i % len(texts)] + f" Запись {i}."}])
        assert len(list(path.glob("*.seg"))) < 12
        assert len(lexicons(path)) == len(list(path.glob("*.seg")))
        lexicon = commit_forms(ix)
        assert lexicon.complete and lexicon.analysis("анкоридже") is not None
        assert "президентов" in set(lexicon.forms_having(["президент"]) or ())
        assert [span.term for span in ix.search("встреча президента").hits[0].snippet.fragments[0].highlights] \
            == ["встреча", "президент"]


def test_a_segment_without_its_lexicon_is_searched_the_same(tmp_path: Path, corpus_dir: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.index_path(corpus_dir, processes=2)
        before = [(hit.id, hit.snippet.marked()) for query in QUERIES for hit in ix.search(query).hits]
    lexicons(path)[0].unlink()
    with Index.open(path) as ix:
        lexicon = commit_forms(ix)
        assert not lexicon.complete and lexicon.forms_having(["встреча"]) is None
        assert [(hit.id, hit.snippet.marked()) for query in QUERIES for hit in ix.search(query).hits] == before


def test_check_names_a_damaged_lexicon_and_searches_answer_without_it(tmp_path: Path, corpus_dir: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.index_path(corpus_dir)
        before = [(hit.id, hit.snippet.marked()) for hit in ix.search("встреча Путина и Трампа").hits]
    assert run_cli("check", "--index", str(path))[0] == 0
    (lexicon,) = lexicons(path)
    lexicon.write_bytes(b"\0" * 64)
    code, out, _ = run_cli("check", "--index", str(path))
    assert code == 1 and f"damaged: {lexicon}: the lexicon of forms does not match its segment" in out
    with Index.open(path) as ix:
        assert [(hit.id, hit.snippet.marked()) for hit in ix.search("встреча Путина и Трампа").hits] == before


def test_known_words_are_told_without_loading_pymorphy3_as_pymorphy3_tells_them() -> None:
    light, full = Morphology(), Morphology()
    words = ["встреча", "стреча", "ёлка", "елка", "ежик", "Встреча", "проектировать", "треча", "путина",
             "анкоридж", "python", "2025", "северо-западный", "ь", ""]
    told = [light.is_known(word) for word in words]
    assert not light.loaded
    full.parses("сталь")  # loads pymorphy3, which then answers
    assert full.loaded and [full.is_known(word) for word in words] == told
    assert told[:6] == [True, False, True, True, True, True]
