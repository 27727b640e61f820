"""Web pages and plain-text encodings: an HTML page indexed as its article's main text (menus, footers and
"Читайте также" blocks left out) or, with ``html="full"``, as every visible text; its title, date and author
from Open Graph and JSON-LD; saved pages (.mhtml, .mht); UTF-16 text and record files with a byte order mark; DOS
Cyrillic (cp866) beside cp1251 and koi8-r."""

from __future__ import annotations

import datetime as dt
import email.message
import email.policy
import quopri
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchkit import Index
from searchkit.documents import Document, SourceFile, read_file, read_source
from searchkit.documents.decoding import decode
from searchkit.documents.model import ReadOptions

#: A news page: the article between a menu, a sidebar, a "read also" block and a footer. Words only they hold:
#: «гороскопы» (menu), «землетрясение» (sidebar), «фуникулёр» (read also), «рассылку» (footer).
NEWS_PAGE = """<!DOCTYPE html>
<html lang="ru-RU"><head><meta charset="utf-8">
<title>Трамваи вернулись на Невский — Городские новости</title>
<meta property="og:title" content="Трамваи вернулись на Невский проспект">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2025-06-18T09:30:00+03:00">
<meta name="author" content="Мария Соколова">
</head><body>
<header><nav class="menu"><ul><li><a href="/">Главная</a></li><li><a href="/sport">Спорт</a></li>
<li><a href="/weather">Погода</a></li><li><a href="/horoscope">Гороскопы</a></li></ul></nav></header>
<div class="layout">
<aside class="sidebar"><h3>Популярное</h3><ul><li><a href="/a">Землетрясение в Японии</a></li>
<li><a href="/b">Курс рубля вырос</a></li></ul></aside>
<main><article>
<h1>Трамваи вернулись на Невский проспект</h1>
<p>После трёхлетнего перерыва трамвайное движение по Невскому проспекту восстановлено. Первый вагон вышел на
линию в шесть часов утра, его встречали горожане с цветами и оркестр.</p>
<p>Городские власти рассказали, что реконструкция путей обошлась в два миллиарда рублей. Рельсы уложены на новое
основание, которое гасит вибрацию, поэтому жильцы соседних домов не будут слышать грохота.</p>
<p>На маршруте работают двадцать низкопольных вагонов с кондиционерами. Интервал движения в часы пик составит
четыре минуты, а ночью трамваи будут ходить раз в двадцать минут.</p>
<p>Вагоновожатые прошли дополнительное обучение: им пришлось осваивать новые правила проезда перекрёстков.
По словам директора депо, за первую неделю пассажиры совершили более ста тысяч поездок.</p>
</article>
<section class="related"><h2>Читайте также</h2><ul>
<li><a href="/r1">Метрополитен откроет две новые станции</a></li>
<li><a href="/r2">Фуникулёр в Кронштадте закрыли на ремонт</a></li></ul></section>
</main></div>
<footer class="footer"><p>© 2025 Городские новости. Все права защищены. Подписывайтесь на нашу рассылку.</p>
</footer>
</body></html>
"""

#: A page with its metadata in JSON-LD only, its article in plain <div>s, a "Читайте также" block of teasers
#: (only it holds «подсолнечник») and a footer (only it holds «перепечатка»).
JSON_LD_PAGE = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Агроновости</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Урожай пшеницы побил рекорд",
 "datePublished": "2025-08-12T10:00:00+03:00", "author": {"@type": "Person", "name": "Иван Петров"}}
</script></head><body>
<div class="nav"><a href="/news">Новости</a> <a href="/prices">Цены на зерно</a> <a href="/tractors">Техника</a></div>
<div class="content"><div class="post">
<h1 class="post-title">Урожай пшеницы в Ростовской области побил рекорд</h1>
<div class="post-body">
<p>Аграрии Ростовской области завершили уборку озимой пшеницы и собрали рекордные одиннадцать миллионов тонн
зерна. Средняя урожайность составила пятьдесят центнеров с гектара, что на треть больше прошлогодней.</p>
<p>Специалисты связывают успех с тёплой зимой и обильными весенними дождями. Кроме того, хозяйства обновили парк
комбайнов и стали чаще применять точное земледелие: спутниковую навигацию и датчики влажности почвы.</p>
<p>Значительная часть урожая пойдёт на экспорт через порты Азовского и Чёрного морей. Элеваторы уже заполнены на
восемьдесят процентов.</p>
</div></div>
<div class="read-also"><h3>Читайте также</h3>
<div class="teaser"><a href="/n1">Цены на подсолнечник выросли</a><p>Стоимость семечки на внутреннем рынке
поднялась до рекордных значений из-за засухи в Поволжье.</p></div></div>
</div>
<div class="footer">Агроновости © 2010–2025. Перепечатка материалов разрешена только со ссылкой на источник.</div>
</body></html>
"""


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def ids(ix: Index, query: str) -> set[str]:
    """The documents found, with the files of the same content folded into a hit (a page and its MHTML copy)."""
    return {found for hit in ix.search(query, limit=100, snippets=False).hits for found in (hit.id, *hit.duplicates)}


def read_one(path: Path, html: str = "main") -> Document:
    (doc,) = list(read_source(SourceFile(path, path.name, ReadOptions(html=html))))
    assert isinstance(doc, Document), doc
    return doc


def mhtml(html: str, charset: str, url: str = "https://gorod.example.ru/2025/06/18/tramvai.html") -> bytes:
    """A saved page as a browser writes it: multipart/related, the page quoted-printable in ``charset``, an
    image after it."""
    message = email.message.Message()
    message["From"] = "<Saved by Blink>"
    message["Snapshot-Content-Location"] = url
    message["MIME-Version"] = "1.0"
    message.set_type("multipart/related")
    message.set_param("type", "text/html")
    page = email.message.Message()
    page["Content-Type"] = f'text/html; charset="{charset}"'
    page["Content-Transfer-Encoding"] = "quoted-printable"
    page["Content-Location"] = url
    page.set_payload(quopri.encodestring(html.encode(charset)).decode("ascii"))
    image = email.message.Message()
    image.set_type("image/png")
    image["Content-Transfer-Encoding"] = "base64"
    image["Content-Location"] = "https://gorod.example.ru/logo.png"
    image.set_payload("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    message.attach(page)
    message.attach(image)
    return message.as_bytes(policy=email.policy.compat32)


# --- one folder of every case, indexed once in each mode -----------------------------------------------------

#: (a sentence, a query for it in another word form) for the plain-text files in each encoding.
TEXTS = {
    "utf16le.txt": ("Смотритель маяка записывал погоду в толстый журнал.", "смотрителя журналов", "utf-16-le"),
    "utf16be.txt": ("Пароход причалил к пристани на рассвете.", "пароходы пристаням", "utf-16-be"),
    "dos.txt": ("Бухгалтерия сдала годовой отчёт в налоговую инспекцию.", "бухгалтерии отчетами", "cp866"),
    "dos-short.txt": ("Ревизор приехал.", "ревизора", "cp866"),
    "windows.txt": ("Кочегар подбросил угля в топку.", "кочегары топки", "cp1251"),
    "unix.txt": ("Лесничий обошёл участок до обеда.", "лесничего участки", "koi8_r"),
}


def encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-le":
        return b"\xff\xfe" + text.encode(encoding)
    if encoding == "utf-16-be":
        return b"\xfe\xff" + text.encode(encoding)
    return text.encode(encoding)


def make_folder(folder: Path) -> None:
    write(folder / "news.html", NEWS_PAGE)
    write(folder / "agro.htm", JSON_LD_PAGE)
    write(folder / "links.html", "<html><head><title>Архив</title></head><body><ul><li><a href='/1'>Открылся новый "
                                 "мост через Дон</a></li><li><a href='/2'>В зоопарке родился жираф</a></li></ul>"
                                 "</body></html>")
    write(folder / "fragment.html", "<p>Звонарь поднялся на колокольню.</p>")
    write(folder / "saved.mhtml", mhtml(NEWS_PAGE.replace('<meta charset="utf-8">', ""), "windows-1251"))
    write(folder / "saved-ie.mht", mhtml(JSON_LD_PAGE, "utf-8", url="https://agro.example.ru/harvest"))
    for name, (text, _query, encoding) in TEXTS.items():
        write(folder / name, encoded(f"{text}\r\nВторая строка файла.\r\n", encoding))
    records = ('{"id": "u16-1", "title": "Обсерватория", "text": "Астрономы открыли новую комету."}\r\n'
               '{"id": "u16-2", "text": "Метеорологи обещают заморозки."}\n')
    write(folder / "records.jsonl", encoded(records, "utf-16-le"))
    write(folder / "table.csv", encoded("id;text\nc-1;Пчеловоды собрали мёд\nc-2;Гончары обжигают горшки\n",
                                        "utf-16-be"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-text") / "docs"
    make_folder(path)
    return path


@pytest.fixture(scope="module")
def indexes(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Index]]:
    opened = {}
    for mode in ("main", "full"):
        ix = Index.create(tmp_path_factory.mktemp(f"ix-{mode}") / "index")
        report = ix.index_path(folder, processes=1, html=mode)
        assert report.skipped == [], report.skipped
        opened[mode] = ix
    yield opened
    for ix in opened.values():
        ix.close()


@pytest.fixture(scope="module")
def main_index(indexes: dict[str, Index]) -> Index:
    return indexes["main"]


# --- HTML: main text or full ---------------------------------------------------------------------------------

@pytest.mark.parametrize("boilerplate", ["гороскопы", "землетрясение", "фуникулёр", "рассылка", "подсолнечник",
                                         "перепечатка"])
def test_words_only_in_menus_footers_and_read_also_are_not_found(main_index: Index, boilerplate: str) -> None:
    assert ids(main_index, boilerplate) == set(), boilerplate


def test_the_articles_words_are_found_in_another_form(main_index: Index) -> None:
    assert ids(main_index, "трамвайного вагоновожатым") == {"docs/news.html", "docs/saved.mhtml"}
    assert ids(main_index, "урожайностью элеваторов") == {"docs/agro.htm", "docs/saved-ie.mht"}


def test_full_mode_keeps_every_visible_text(indexes: dict[str, Index], folder: Path) -> None:
    full = indexes["full"]
    assert ids(full, "гороскоп") == {"docs/news.html", "docs/saved.mhtml"}
    assert ids(full, "подсолнечника") == {"docs/agro.htm", "docs/saved-ie.mht"}
    assert ids(full, "трамвайного вагоновожатым") == {"docs/news.html", "docs/saved.mhtml"}
    body = read_one(folder / "news.html", "full").body
    assert "Гороскопы" in body and "Фуникулёр в Кронштадте" in body and "рассылку" in body
    main = read_one(folder / "news.html").body
    assert "Гороскопы" not in main and "Фуникулёр" not in main
    assert main.startswith("Трамваи вернулись на Невский проспект\nПосле трёхлетнего перерыва")


def test_a_headline_left_out_by_the_extractor_is_still_in_the_main_text(folder: Path) -> None:
    body = read_one(folder / "agro.htm").body
    assert body.startswith("Урожай пшеницы в Ростовской области побил рекорд\n")


def test_a_page_without_main_text_is_read_whole(main_index: Index, folder: Path) -> None:
    """A page that is all links, or a fragment trafilatura does not take for a page, is never empty."""
    assert ids(main_index, "жирафы") == {"docs/links.html"}
    assert ids(main_index, "колокольни") == {"docs/fragment.html"}
    assert read_one(folder / "fragment.html").body == read_one(folder / "fragment.html", "full").body


def test_a_page_of_unclosed_paragraphs_is_read_to_its_end(tmp_path: Path) -> None:
    """lib.ru writes a novel as ``<dd>`` paragraphs never closed, which libxml2 nests one in the next and cuts at a
    depth of 256: the main text must still reach the last paragraph."""
    paragraphs = "".join(f"<dd>&nbsp;&nbsp;Глава {n}. Поезд шёл на юг, и проводник разносил чай в стаканах." for n in
                         range(1, 400))
    page = ("<html><head><title>Lib.ru: Повесть</title></head><body><center><a href='/'>Lib.Ru</a> | "
            f"<a href='/forum'>Форум</a></center><h2>Повесть</h2><dl>{paragraphs}<dd>Конец: паровоз прибыл в "
            "Симферополь.</dl><center><a href='/forum'>Форум</a></center></body></html>")
    doc = read_one(write(tmp_path / "povest.html", page))
    assert "Глава 399." in doc.body and "паровоз прибыл в Симферополь" in doc.body
    assert "Форум" not in doc.body


# --- HTML: metadata ------------------------------------------------------------------------------------------

def test_open_graph_title_date_and_author(main_index: Index) -> None:
    for doc_id in ("docs/news.html", "docs/saved.mhtml"):
        doc = main_index.document(doc_id)[0]
        assert doc.title == "Трамваи вернулись на Невский проспект"  # og:title, not <title> with the site
        assert doc.date == dt.date(2025, 6, 18)
        assert (doc.author, doc.language) == ("Мария Соколова", "ru")
    # The page and the same page saved as MHTML are one article: one hit, listing the other file.
    [hit] = main_index.search("вагоновожатые", limit=10).hits
    assert {hit.id, *hit.duplicates} == {"docs/news.html", "docs/saved.mhtml"}


def test_json_ld_title_date_and_author(main_index: Index) -> None:
    for doc_id in ("docs/agro.htm", "docs/saved-ie.mht"):
        doc = main_index.document(doc_id)[0]
        assert (doc.title, doc.date, doc.author) == ("Урожай пшеницы побил рекорд", dt.date(2025, 8, 12), "Иван Петров")


def test_no_date_is_guessed_from_the_text(tmp_path: Path) -> None:
    page = ("<html><head><title>Ростов</title></head><body><article><h1>Ростов-на-Дону</h1><p>В 2018 году на "
            "стадионе «Ростов Арена» прошли матчи чемпионата мира по футболу, а 15 марта 2019 года открылся новый "
            "аэропорт Платов.</p><p>Город вырос из таможенной заставы, учреждённой в 1749 году.</p></article>"
            "</body></html>")
    doc = read_one(write(tmp_path / "rostov.html", page))
    assert doc.date is None and doc.title == "Ростов"


def test_the_old_markup_rules_still_give_title_and_date(tmp_path: Path) -> None:
    page = ('<html><head><title>Концерт</title><meta name="date" content="2024-12-20"></head><body>'
            "<h1>Концерт в филармонии</h1><p>Оркестр сыграет Чайковского и Рахманинова.</p></body></html>")
    doc = read_one(write(tmp_path / "concert.html", page))
    assert (doc.title, doc.date, doc.author) == ("Концерт", dt.date(2024, 12, 20), "")
    doc = read_one(write(tmp_path / "concert2.html", page.replace("<title>Концерт</title>", "")))
    assert doc.title == "Концерт в филармонии"


# --- saved web pages -------------------------------------------------------------------------------------------

def test_mhtml_page_is_decoded_by_its_charset(folder: Path) -> None:
    doc = read_one(folder / "saved.mhtml")
    assert (doc.format, doc.encoding) == ("mhtml", "cp1251")
    assert "После трёхлетнего перерыва трамвайное движение" in doc.body
    assert "iVBOR" not in doc.body and "Гороскопы" not in doc.body
    assert "Гороскопы" in read_one(folder / "saved.mhtml", "full").body


def test_mhtml_date_from_the_saved_address(tmp_path: Path) -> None:
    page = "<html><head><title>Мост</title></head><body><p>" + "Мост через Дон открыли после ремонта. " * 20 + \
           "</p></body></html>"
    doc = read_one(write(tmp_path / "bridge.mht", mhtml(page, "utf-8", "https://don.example.ru/2024/05/07/most")))
    assert doc.date == dt.date(2024, 5, 7)


def test_mhtml_without_a_page_is_skipped() -> None:
    message = email.message.EmailMessage()
    message["Subject"] = "нет страницы"
    message.set_content("только текст", subtype="plain")
    (item,) = list(read_file(SourceFile(Path("x.mhtml"), "x.mhtml"), message.as_bytes()))
    assert not isinstance(item, Document) and "no text/html part" in item.reason


# --- UTF-16, cp866 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TEXTS))
def test_text_files_in_every_encoding_are_found_in_another_form(main_index: Index, folder: Path,
                                                                name: str) -> None:
    text, query, encoding = TEXTS[name]
    assert ids(main_index, query) == {f"docs/{name}"}
    doc = read_one(folder / name)
    assert doc.title == text and doc.body == f"{text}\nВторая строка файла."
    assert doc.encoding == {"utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(encoding, encoding)


def test_utf16_record_files_are_read_line_by_line(main_index: Index) -> None:
    assert ids(main_index, "кометы") == {"u16-1"} and ids(main_index, "заморозков") == {"u16-2"}
    assert ids(main_index, "пчеловодов") == {"c-1"} and ids(main_index, "горшков") == {"c-2"}
    doc = main_index.document("u16-1")[0]
    assert (doc.title, doc.body, doc.encoding) == ("Обсерватория", "Астрономы открыли новую комету.", "utf-16")


def test_utf16_record_over_the_limit_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    import searchkit.documents.decoding as decoding
    monkeypatch.setattr(decoding, "MAX_RECORD_BYTES", 4096)
    monkeypatch.setattr(decoding, "CHUNK_BYTES", 1024)
    lines = ['{"id": "a", "text": "Ледокол вышел в море."}', '{"id": "b", "text": "' + "Шторм " * 2000 + '"}',
             '{"id": "c", "text": "Маяк горит."}']
    items = list(read_file(SourceFile(Path("big.jsonl"), "big.jsonl"), encoded("\n".join(lines), "utf-16-le")))
    assert [item.id for item in items if isinstance(item, Document)] == ["a", "c"]
    (skipped,) = [item for item in items if not isinstance(item, Document)]
    assert skipped.reason.startswith("line 2: ") and "over the 4 KB limit for one record" in skipped.reason


def test_binary_data_after_a_utf16_mark_is_still_binary() -> None:
    (item,) = list(read_file(SourceFile(Path("x.txt"), "x.txt"), b"\xff\xfe\x00\x00\x01\x00" + bytes(64)))
    assert not isinstance(item, Document) and item.reason == "binary file (contains NUL bytes)"


SENTENCES = [
    "Привет, как дела?", "Мама мыла раму.", "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Ёжик в тумане искал лошадку.", "ГУБЕРНАТОР ПОДПИСАЛ УКАЗ", "Рад видеть вас снова.",
    "Поезд прибыл на станцию в 7:45.", "Цены на хлеб выросли на 5%.", "Шёл дождь, и мы сидели дома.",
    "Юрий Гагарин — первый космонавт.", "Щука ушла под лёд.", "ТАСС: переговоры продолжатся завтра.",
    "Встреча прошла во Владивостоке.", "Объявление: собрание жильцов в пятницу.",
]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "cp866"])
def test_short_russian_texts_are_told_apart_in_each_legacy_encoding(encoding: str) -> None:
    for sentence in SENTENCES:
        data = sentence.encode(encoding, errors="replace")
        assert decode(data) == (sentence.encode(encoding, errors="replace").decode(encoding), encoding), sentence
