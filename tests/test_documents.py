"""Files → documents: one loader per format, text decoding, metadata, ids and content hashes."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import pytest

from searchkit import Document, Skipped
from searchkit.documents import TITLE_MAX_CHARS, load

from .conftest import SEED_NAME

SENTENCE = "Встреча Путина и Трампа состоится в Анкоридже на Аляске 15 августа."
SECOND = "Об этом сообщила пресс-служба Кремля, уточнив, что переговоры пройдут на военной базе."


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def load_all(path: Path) -> tuple[list[Document], list[Skipped]]:
    items = list(load(path))
    docs = [item for item in items if isinstance(item, Document)]
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert len(docs) + len(skipped) == len(items)
    return docs, skipped


def load_one(path: Path) -> Document:
    docs, skipped = load_all(path)
    assert not skipped, skipped
    assert len(docs) == 1, docs
    return docs[0]


def codec(name: str) -> str:
    return codecs.lookup(name).name


# --- .txt ------------------------------------------------------------------------------------------------

def test_txt_date_prefix_becomes_the_date_and_leaves_the_body(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "news.txt", f"date 2025-08-12 {SENTENCE}\n\n{SECOND}\n"))
    assert doc.date == dt.date(2025, 8, 12)
    assert doc.body.startswith("Встреча Путина и Трампа")
    assert "date" not in doc.body
    assert "2025-08-12" not in doc.body
    assert doc.title == SENTENCE
    assert doc.format == "txt"


def test_txt_date_prefix_after_leading_space(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "grain.txt", " date 2025-05-21 В Москве завершились переговоры о пшенице."))
    assert doc.date == dt.date(2025, 5, 21)
    assert doc.body == "В Москве завершились переговоры о пшенице."


def test_txt_without_date_prefix_has_no_date(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "story.txt", "Встреча на вокзале\nРассказ\n\nПоезд из Москвы опаздывал."))
    assert doc.date is None
    assert doc.body.startswith("Встреча на вокзале")


def test_txt_invalid_date_prefix_stays_in_the_body(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "odd.txt", "date 2025-13-45 Странная дата в начале текста."))
    assert doc.date is None
    assert doc.body.startswith("date 2025-13-45")


def test_seed_article_date_and_title(corpus_dir: Path) -> None:
    doc = load_one(corpus_dir / SEED_NAME)
    assert doc.date == dt.date(2025, 8, 12)
    assert doc.body.startswith("Президент России Владимир Путин поделился")
    assert "date 2025-08-12" not in doc.body
    # The first line is a whole paragraph, so the title is its first sentence, cut at a word boundary.
    assert doc.title.startswith("Президент России Владимир Путин")
    assert len(doc.title) <= TITLE_MAX_CHARS + 1
    assert "\n" not in doc.title


def test_txt_title_is_the_first_short_line(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "story.txt", "\n\nВстреча на вокзале\nРассказ\n\nПоезд из Москвы опаздывал."))
    assert doc.title == "Встреча на вокзале"


def test_txt_title_is_the_first_sentence_of_a_long_first_line(tmp_path: Path) -> None:
    text = f"Саммит прошел в Анкоридже. {SECOND} {SECOND}"
    assert len(text) > TITLE_MAX_CHARS
    doc = load_one(write(tmp_path / "summit.txt", text))
    assert doc.title == "Саммит прошел в Анкоридже."


def test_txt_overlong_first_sentence_is_cut_at_a_word_boundary(tmp_path: Path) -> None:
    words = "Президент России Владимир Путин поделился с лидером КНДР подробностями предстоящей встречи " * 3
    doc = load_one(write(tmp_path / "long.txt", words.strip() + "."))
    assert doc.title.endswith("…")
    assert len(doc.title) <= TITLE_MAX_CHARS + 1
    stem = doc.title[:-1]
    assert doc.body.startswith(stem)
    assert doc.body[len(stem)] == " ", "the title must end at a word boundary"


# --- .md -------------------------------------------------------------------------------------------------

def test_markdown_title_from_heading_and_markup_dropped(tmp_path: Path) -> None:
    text = ("# Аляска: география и история\n\n**Аляска** — самый большой штат США. "
            "Крупнейший город — [Анкоридж](https://example.org/anchorage).\n\n## Климат\n\n- суровые зимы\n")
    doc = load_one(write(tmp_path / "alaska.md", text))
    assert doc.title == "Аляска: география и история"
    assert doc.format == "md"
    assert "Аляска — самый большой штат США" in doc.body
    assert "Анкоридж" in doc.body
    for markup in ("**", "](", "https://", "# ", "## "):
        assert markup not in doc.body
    assert "Климат" in doc.body


def test_markdown_front_matter_gives_title_and_date(tmp_path: Path) -> None:
    text = ("---\ntitle: Встреча в Анкоридже\ndate: 2025-08-15\nauthor: Редакция\n---\n"
            "# Другой заголовок\n\nПрезиденты встретились на Аляске.\n")
    doc = load_one(write(tmp_path / "summit.md", text))
    assert doc.title == "Встреча в Анкоридже"
    assert doc.date == dt.date(2025, 8, 15)
    assert "author" not in doc.body and "---" not in doc.body
    assert "Президенты встретились на Аляске." in doc.body


def test_markdown_front_matter_with_crlf_line_ends(tmp_path: Path) -> None:
    """A Markdown file saved with Windows line ends (CRLF) has the same front matter."""
    text = ("---\ntitle: Встреча в Анкоридже\ndate: 2025-08-15\n---\n"
            "# Другой заголовок\n\nПрезиденты встретились на Аляске.\n").replace("\n", "\r\n")
    doc = load_one(write(tmp_path / "summit.md", text))
    assert doc.title == "Встреча в Анкоридже"
    assert doc.date == dt.date(2025, 8, 15)
    assert "title:" not in doc.body


def test_corpus_markdown_titles(corpus_dir: Path) -> None:
    assert load_one(corpus_dir / "encyclopedia" / "alaska.md").title == "Аляска: география, города и история"
    assert load_one(corpus_dir / "encyclopedia" / "korea-history.md").title == "История Кореи в XX веке"


# --- .html -----------------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html lang="ru"><head>
<meta charset="utf-8">
<meta name="date" content="2025-03-15">
<title>Библиотека &laquo;Словоформа&raquo; &mdash; новости</title>
<style>/* скрытыйстиль */ body { color: #222; }</style>
<script>var label = "невидимаяметка"; // скрытыйскрипт</script>
</head>
<body>
<h1>Заголовок страницы</h1>
<p>Разработчики выложили код на&nbsp;GitHub &mdash; библиотека &laquo;Словоформа&raquo; умеет склонять слова.</p>
<noscript>скрытыйноскрипт</noscript>
<p>Вторая&nbsp;строка &amp; амперсанд.</p>
</body></html>
"""


def test_html_title_from_title_tag_entities_decoded(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "page.html", HTML))
    assert doc.title == "Библиотека «Словоформа» — новости"
    assert doc.format == "html"
    assert doc.date == dt.date(2025, 3, 15)


def test_html_body_is_visible_text_only(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "page.html", HTML))
    for hidden in ("скрытыйстиль", "невидимаяметка", "скрытыйскрипт", "скрытыйноскрипт", "color", "var label"):
        assert hidden not in doc.body
    assert "Заголовок страницы" in doc.body
    assert "на GitHub — библиотека «Словоформа» умеет склонять слова." in doc.body
    assert "Вторая строка & амперсанд." in doc.body
    for entity in ("&nbsp;", "&mdash;", "&laquo;", "&amp;", "<p>", "\u00a0"):
        assert entity not in doc.body


def test_html_script_and_style_in_the_body_are_dropped(tmp_path: Path) -> None:
    page = ("<html><body><h1>Трамваи</h1><style>.x { color: red } /* скрытыйстиль */</style>"
            "<p>На линию вышли новые трамваи.</p><script>track('скрытыйскрипт');</script>"
            "<template>скрытыйшаблон</template><p>Вагоны оснащены кондиционерами.</p></body></html>")
    doc = load_one(write(tmp_path / "trams.html", page))
    for hidden in ("скрытыйстиль", "скрытыйскрипт", "скрытыйшаблон", "color", "track"):
        assert hidden not in doc.body
    assert "На линию вышли новые трамваи." in doc.body
    assert "Вагоны оснащены кондиционерами." in doc.body
    assert doc.title == "Трамваи"


def test_html_title_falls_back_to_h1(tmp_path: Path) -> None:
    page = "<html><body><h1>Ростов-на-Дону &mdash; город</h1><p>Крупнейший город на юге России.</p></body></html>"
    doc = load_one(write(tmp_path / "rostov.htm", page))
    assert doc.title == "Ростов-на-Дону — город"
    assert "Крупнейший город на юге России." in doc.body


def test_corpus_html_hides_script_and_style_markers(corpus_dir: Path) -> None:
    rostov = load_one(corpus_dir / "encyclopedia" / "rostov-na-donu.html")
    assert rostov.title == "Ростов-на-Дону — южная столица России"
    news = load_one(corpus_dir / "news" / "slovoforma-github.html")
    for doc in (rostov, news):
        for marker in ("скрытыйстиль", "скрытыйскрипт", "невидимаяметка", "невидимыйсчетчик"):
            assert marker not in doc.body


def test_html_time_element_with_a_time_only_does_not_lose_the_page(tmp_path: Path) -> None:
    """``<time datetime="19:30">`` is valid HTML (a time of day); the page must still be indexed."""
    page = ("<html><head><title>Концерт в филармонии</title></head><body>"
            "<p>Концерт начнётся в <time datetime=\"19:30\">19:30</time>, вход свободный.</p></body></html>")
    docs, skipped = load_all(write(tmp_path / "concert.html", page))
    assert not skipped, skipped
    assert [doc.title for doc in docs] == ["Концерт в филармонии"]
    assert "вход свободный" in docs[0].body


# --- .json / .jsonl / .csv --------------------------------------------------------------------------------

def test_json_object_is_one_document(tmp_path: Path) -> None:
    record = {"id": "faq-9", "title": "Как записаться в библиотеку", "date": "2025-01-15",
              "text": "Записаться в библиотеку может любой житель города старше шести лет."}
    doc = load_one(write(tmp_path / "faq.json", json.dumps(record, ensure_ascii=False)))
    assert (doc.id, doc.title, doc.date, doc.body) == ("faq-9", record["title"], dt.date(2025, 1, 15), record["text"])
    assert doc.format == "json"
    assert doc.path == "faq.json"


def test_json_list_gives_one_document_per_record(tmp_path: Path) -> None:
    records = [
        {"id": "a", "title": "Сталь дорожает", "text": "Цены на сталь выросли."},
        {"text": "Запись без id и без заголовка. Второе предложение."},
        {"id": "c", "title": "Без текста"},
        "не объект",
    ]
    docs, skipped = load_all(write(tmp_path / "list.json", json.dumps(records, ensure_ascii=False)))
    assert [doc.id for doc in docs] == ["a", "list.json#2"]
    assert docs[1].title == "Запись без id и без заголовка. Второе предложение."
    reasons = sorted(s.reason for s in skipped)
    assert len(reasons) == 2
    assert reasons[0].startswith("item 3") and "text" in reasons[0]
    assert reasons[1].startswith("item 4")


def test_invalid_json_file_is_skipped_with_its_line(tmp_path: Path) -> None:
    docs, skipped = load_all(write(tmp_path / "bad.json", '[\n  {"id": "a", "text": "Текст"},\n  {oops}\n]'))
    assert docs == []
    assert len(skipped) == 1 and "line 3" in skipped[0].reason


def test_jsonl_malformed_line_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "brief-1", "title": "Встреча выпускников", "date": "2025-06-28",
                    "text": "В Вологде прошла встреча выпускников училища."}, ensure_ascii=False),
        '{"id": "brief-2", "text": "незакрытая запись"',
        "",
        json.dumps({"id": "brief-3", "text": "В Нью-Йорке открылась ярмарка русской книги."}, ensure_ascii=False),
    ]
    docs, skipped = load_all(write(tmp_path / "briefs.jsonl", "\n".join(lines) + "\n"))
    assert [doc.id for doc in docs] == ["brief-1", "brief-3"]
    assert docs[0].date == dt.date(2025, 6, 28)
    assert docs[1].title == "В Нью-Йорке открылась ярмарка русской книги."
    assert len(skipped) == 1
    assert skipped[0].reason.startswith("line 2")
    assert skipped[0].path == "briefs.jsonl"


def test_jsonl_bad_record_date_is_reported_with_its_line(tmp_path: Path) -> None:
    lines = ['{"id": "x", "date": "15.08.2025", "text": "Дата в неверном формате."}',
             '{"id": "y", "text": "Нормальная запись."}']
    docs, skipped = load_all(write(tmp_path / "dates.jsonl", "\n".join(lines)))
    assert [doc.id for doc in docs] == ["y"]
    assert len(skipped) == 1 and skipped[0].reason.startswith("line 1") and "15.08.2025" in skipped[0].reason


def test_csv_rows_become_documents(tmp_path: Path) -> None:
    text = ('id,title,date,text\n'
            'city-1,Нью-Йорк,2025-02-01,"Нью-Йорк называют ""Большим яблоком"", а также городом, который не спит."\n'
            'city-2,Владивосток,,Владивосток — крупнейший российский порт на Тихом океане.\n')
    docs, skipped = load_all(write(tmp_path / "cities.csv", text))
    assert not skipped
    assert [(d.id, d.title, d.date) for d in docs] == [("city-1", "Нью-Йорк", dt.date(2025, 2, 1)),
                                                      ("city-2", "Владивосток", None)]
    assert docs[0].body == 'Нью-Йорк называют "Большим яблоком", а также городом, который не спит.'
    assert docs[0].format == "csv"


def test_csv_with_semicolons(tmp_path: Path) -> None:
    text = "id;title;text\nst-1;Сталь;Завод выпускает сталь, чугун и прокат.\n"
    (doc,) = load_all(write(tmp_path / "steel.csv", text))[0]
    assert (doc.id, doc.title, doc.body) == ("st-1", "Сталь", "Завод выпускает сталь, чугун и прокат.")


def test_csv_without_text_column_is_reported(tmp_path: Path) -> None:
    docs, skipped = load_all(write(tmp_path / "no-text.csv", "id,title,content\n1,Сталь,Завод выпускает сталь\n"))
    assert docs == []
    assert len(skipped) == 1
    assert "'text' column" in skipped[0].reason
    assert "content" in skipped[0].reason


# --- encodings --------------------------------------------------------------------------------------------

RUSSIAN = ("Пирог с капустой по-домашнему\n\nЭтот пирог в нашей семье пекли по праздникам, "
           "а особенно часто - поздней осенью, когда на рынке появлялась крепкая капуста. Ёлка, ёж и щётка.\n")


def test_utf8_without_bom(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "pie.txt", RUSSIAN.encode("utf-8")))
    assert doc.body == RUSSIAN.strip()
    assert codec(doc.encoding) == codec("utf-8")


def test_utf8_with_bom(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "pie.txt", RUSSIAN.encode("utf-8-sig")))
    assert doc.body == RUSSIAN.strip()
    assert doc.title == "Пирог с капустой по-домашнему"
    assert "\ufeff" not in doc.body and "\ufeff" not in doc.title
    assert codec(doc.encoding) == codec("utf-8-sig")


def test_utf8_bom_before_date_prefix(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "news.txt", f"date 2025-08-12 {SENTENCE}".encode("utf-8-sig")))
    assert doc.date == dt.date(2025, 8, 12)
    assert doc.body == SENTENCE


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_legacy_russian_encodings(tmp_path: Path, encoding: str) -> None:
    doc = load_one(write(tmp_path / "pie.txt", RUSSIAN.encode(encoding)))
    assert doc.body == RUSSIAN.strip()
    assert doc.title == "Пирог с капустой по-домашнему"
    assert codec(doc.encoding) == codec(encoding)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_legacy_encodings_in_record_formats(tmp_path: Path, encoding: str) -> None:
    text = f"id,title,text\nr-1,Ёлка на площади,{SENTENCE}\n"
    (doc,) = load_all(write(tmp_path / "records.csv", text.encode(encoding)))[0]
    assert doc.title == "Ёлка на площади"
    assert doc.body == SENTENCE


def test_corpus_legacy_encoded_files(corpus_dir: Path) -> None:
    steel = load_one(corpus_dir / "news" / "steel-plant-electric-furnace.txt")
    assert codec(steel.encoding) == codec("cp1251")
    assert steel.title == "Новая электропечь на заводе «Волжская сталь»"
    sketch = load_one(corpus_dir / "literature" / "osenniy-vecher.txt")
    assert codec(sketch.encoding) == codec("koi8-r")
    assert sketch.title == "Осенний вечер в уездном городе"
    pie = load_one(corpus_dir / "recipe-pirog-s-kapustoy.txt")
    assert pie.title == "Пирог с капустой по-домашнему"


def test_binary_file_is_skipped_with_reason(tmp_path: Path) -> None:
    docs, skipped = load_all(write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01"))
    assert docs == []
    assert len(skipped) == 1
    assert skipped[0].path == "image.txt"
    assert "binary" in skipped[0].reason


@pytest.mark.parametrize("content", [b"", b"   \n\t\n", "\ufeff".encode("utf-8")])
def test_empty_file_is_skipped(tmp_path: Path, content: bytes) -> None:
    docs, skipped = load_all(write(tmp_path / "empty.txt", content))
    assert docs == []
    assert len(skipped) == 1 and "empty" in skipped[0].reason


# --- ids, discovery, hashes -------------------------------------------------------------------------------

def test_document_ids_are_paths_relative_to_the_roots_parent(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    write(root / "a.txt", SENTENCE)
    write(root / "news" / "b.md", "# Сталь\n\nЗавод выпускает сталь.")
    write(root / "data" / "faq.json", json.dumps([{"id": "faq-1", "text": "Библиотека работает без выходных."}],
                                                   ensure_ascii=False))
    write(root / ".hidden.txt", "Скрытый файл.")
    write(root / ".git" / "c.txt", "Скрытая папка.")
    write(root / "notes.xlsx", "не поддерживается")
    docs, skipped = load_all(root)
    assert [(s.path, s.reason) for s in skipped] == [("archive/notes.xlsx", "unsupported type .xlsx")]
    assert sorted(doc.id for doc in docs) == ["archive/a.txt", "archive/news/b.md", "faq-1"]
    by_id = {doc.id: doc for doc in docs}
    assert by_id["archive/news/b.md"].path == "archive/news/b.md"
    assert by_id["faq-1"].path == "archive/data/faq.json"


def test_single_file_id_is_its_name(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "deep" / "folder" / "note.txt", SENTENCE))
    assert doc.id == "note.txt"


def test_missing_path_is_reported(tmp_path: Path) -> None:
    docs, skipped = load_all(tmp_path / "nowhere")
    assert docs == [] and len(skipped) == 1
    assert "no such file" in skipped[0].reason


def test_content_hash_changes_exactly_when_the_content_changes(tmp_path: Path) -> None:
    first = load_one(write(tmp_path / "a" / "n.txt", f"date 2025-08-12 {SENTENCE}"))
    same = load_one(write(tmp_path / "b" / "n.txt", f"date 2025-08-12 {SENTENCE}"))
    edited = load_one(write(tmp_path / "c" / "n.txt", f"date 2025-08-12 {SENTENCE.replace('15', '16')}"))
    redated = load_one(write(tmp_path / "d" / "n.txt", f"date 2025-08-13 {SENTENCE}"))
    assert first.hash and len(first.hash) == 40
    assert first.hash == same.hash
    assert len({first.hash, edited.hash, redated.hash}) == 3


def test_record_hash_depends_on_title(tmp_path: Path) -> None:
    one = Document.from_record({"id": "x", "title": "Сталь", "text": SENTENCE})
    two = Document.from_record({"id": "x", "title": "Стать", "text": SENTENCE})
    assert one.hash != two.hash
    assert one.hash == Document.from_record({"id": "x", "title": "Сталь", "text": SENTENCE}).hash
