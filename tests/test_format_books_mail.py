"""E-books (EPUB, FB2, zipped FB2) and mail (.eml, .mbox): real files with Russian text, indexed from a folder,
each found by a query in another word form with its title, date and author; long books split by chapter,
attachments indexed as documents of their own, and hostile files (entity expansion, a zip bomb, MIME nested 50
deep, wrong charsets, undecodable or oversized messages) reported while the rest of the folder is indexed."""

from __future__ import annotations

import base64
import datetime as dt
import quopri
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from ebooklib import epub

from searchkit import Index
from searchkit.documents import Document, Skipped, SourceFile, read_file, read_source
from searchkit.documents.formats import books, mail

FROM_LINE = b"From someone@example.ru Mon Sep  1 09:00:00 2025\n"
NOTES = ('<body name="notes"><title><p>Примечания</p></title>'
         '<section id="n1"><p>Сноска про самовары.</p></section></body>')
CONTAINER = ('<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
             '<rootfile full-path="book.opf"/></rootfiles></container>')
OPF = ('<package xmlns="http://www.idpf.org/2007/opf"><manifest><item id="c" href="big.xhtml" '
       'media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine></package>')


def fb2(title: str, authors: str, date: str, sections: str, encoding: str = "utf-8", notes: str = "") -> bytes:
    """An FB2 book: ``authors``, ``date`` and ``sections`` as FB2 markup, in the ``encoding`` it declares."""
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" xmlns:l="http://www.w3.org/1999/xlink">'
            f'<description><title-info><genre>prose</genre>{authors}<book-title>{title}</book-title>{date}'
            f'<lang>ru</lang></title-info></description><body><title><p>{title}</p></title>{sections}</body>{notes}'
            '<binary id="cover.jpg" content-type="image/jpeg">/9j/4AAQSkZJRgABAQ==</binary></FictionBook>'
            ).encode(encoding)


def author(first: str, last: str, middle: str = "") -> str:
    return (f"<author><first-name>{first}</first-name><middle-name>{middle}</middle-name>"
            f"<last-name>{last}</last-name></author>")


def section(title: str, text: str) -> str:
    return f"<section><title><p>{title}</p></title><p>{text}</p></section>"


def make_epub(path: Path) -> None:
    """A book as EbookLib writes it: two chapters and the table of contents (``nav``) in the spine."""
    book = epub.EpubBook()
    book.set_identifier("id-sever-1")
    book.set_title("Северный путь")
    book.set_language("ru")
    book.add_author("Мария Соколова")
    book.add_metadata("DC", "date", "2021-03-15")
    chapters = []
    for number, (heading, text) in enumerate([("Ледоколы", "Ледоколы пробивались сквозь торосы."),
                                              ("Станция", "Полярники увидели сияние над станцией.")], 1):
        chapter = epub.EpubHtml(title=heading, file_name=f"chapter{number}.xhtml", lang="ru")
        chapter.content = f"<html><body><h1>{heading}</h1><p>{text}</p></body></html>"
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.spine = ["nav", *chapters]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    epub.write_epub(str(path), book)


def part(content_type: str, text: str, charset: str, name: str = "") -> str:
    """A MIME part, base64: its headers, a blank line, its body (a whole message when headers precede it)."""
    disposition = f'Content-Disposition: attachment; filename="{name}"\n' if name else ""
    encoded = base64.encodebytes(text.encode(charset)).decode("ascii")
    return (f"Content-Type: {content_type}; charset={charset}\n{disposition}"
            f"Content-Transfer-Encoding: base64\n\n{encoded}")


def multipart(headers: str, *parts: str) -> bytes:
    inner = "".join(f"--XYZ\n{p}\n" for p in parts)
    return f'{headers}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XYZ"\n\n{inner}--XYZ--\n'.encode()


def nested(depth: int) -> bytes:
    text = "Content-Type: text/plain; charset=utf-8\n\nГлубинный батискаф\n"
    for level in range(depth):
        text = f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n{text}\n--b{level}--\n'
    return multipart("Subject: deep", "Content-Type: text/plain; charset=utf-8\n\nПроверка вложенности писем", text)


def encoded_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def koi8_qp() -> bytes:
    """A message as an old Russian mail client wrote it: koi8-r, quoted-printable, CRLF line ends."""
    headers = (f"From: {encoded_word('Иван Петров', 'koi8-r')} <ivan@example.ru>\n"
               f"Subject: {encoded_word('Отчёт о поездке', 'koi8-r')}\nDate: Tue, 12 Aug 2025 10:30:00 +0300\n"
               "MIME-Version: 1.0\nContent-Type: text/plain; charset=koi8-r\n"
               "Content-Transfer-Encoding: quoted-printable")
    body = quopri.encodestring("Мы осмотрели старинные крепости Пскова.\n".encode("koi8-r"))
    return (headers.encode() + b"\n\n" + body).replace(b"\n", b"\r\n")


def html_only() -> bytes:
    return multipart("From: news@example.ru\nSubject: Новости\nDate: Fri, 05 Sep 2025 08:00:00 +0000",
                     part("text/html", "<html><body><p>Фонтаны <b>заработали</b> в парке.</p></body></html>",
                          "utf-8"),
                     'Content-Type: image/png\nContent-Disposition: attachment; filename="photo.png"\n'
                     "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=")


def mailbox() -> bytes:
    first = (f'From: "Ольга" <olga@example.ru>\nSubject: {encoded_word("Урожай", "windows-1251")}\n'
             "Date: Mon, 01 Sep 2025 09:00:00 +0300\nMIME-Version: 1.0\n"
             + part("text/plain", "Яблони дали богатый урожай.", "cp1251")).encode()
    second = ("From: Пётр <petr@example.ru>\nSubject: Рыбалка\nDate: Tue, 02 Sep 2025 09:00:00 +0300\n"
              "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
              "Поймали щук на озере.\nFrom the boat it looked easy.\n\n>From the shore we waved.\n").encode()
    third = multipart("From: Анна <anna@example.ru>\nSubject: Смета\nDate: Wed, 03 Sep 2025 09:00:00 +0300",
                      part("text/plain", "Смета во вложении.", "utf-8"),
                      part("text/plain", "Ремонт кровли обойдётся недорого.", "utf-8", name="smeta.txt"))
    return b"".join(FROM_LINE + message + b"\n" for message in (first, second, third))


def hostile(root: Path) -> None:
    (root / "bomb.fb2").write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                                    b'<!ENTITY b "&a;&a;&a;">]><FictionBook><body><p>&b;</p></body></FictionBook>')
    with zipfile.ZipFile(root / "bomb.epub", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("book.opf", OPF)
        archive.writestr("big.xhtml", "<p>" + "а" * 5_000_000 + "</p>")
    (root / "deep.eml").write_bytes(nested(50))
    (root / "wrong.eml").write_bytes("Subject: Самовары\nContent-Type: text/plain; charset=koi8-r\n\n"
                                     "Гармонист играл на празднике.".encode("cp1251"))
    undecodable = ("Content-Type: text/plain; charset=x-bogus\nContent-Transfer-Encoding: base64\n\n"
                   "AAECAwQF\n")  # NUL bytes, in a charset nobody knows
    (root / "broken.mbox").write_bytes(FROM_LINE + multipart("Subject: broken", undecodable) + b"\n" + FROM_LINE
                                       + "Subject: fine\n\nЖуравли улетели на юг.\n".encode())
    (root / "good.txt").write_text("Архивариус нашёл письмо.", encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("books-mail") / "lib"
    root.mkdir()
    make_epub(root / "sever.epub")
    (root / "don.fb2").write_bytes(fb2(
        "Тихая река", author("Лев", "Толстой", "Николаевич"), '<date value="2019-06-01">1 июня 2019</date>',
        section("Глава 1", "Казаки переправлялись через реку.") + "<section><epigraph><p>Песня о рыбаках</p>"
        "</epigraph><poem><stanza><v>Плывут по небу облака,</v><v>Звенят стрекозы.</v></stanza></poem>"
        "<cite><p>Старый мельник говорил.</p></cite></section>", notes=NOTES))
    (root / "dvenadtsat.fb2").write_bytes(fb2(
        "Двенадцать стульев", author("Илья", "Ильф") + author("Евгений", "Петров"), "<date>1928</date>",
        section("Начало", "Концессионеры искали бриллианты."), encoding="windows-1251"))
    with zipfile.ZipFile(root / "zip.fb2.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("kniga.fb2", fb2("Сжатая книга", author("Пётр", "Сжатов"), "<date>2001-02-03</date>",
                                          section("Одна", "Архиваторы сжимали повести.")))
    (root / "koi8.eml").write_bytes(koi8_qp())
    (root / "html.eml").write_bytes(html_only())
    (root / "mail.mbox").write_bytes(mailbox())
    hostile(root)
    return root


@pytest.fixture(scope="module")
def index(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Index, dict[str, list[str]]]]:
    with Index.create(tmp_path_factory.mktemp("ix") / "index") as ix:
        reasons: dict[str, list[str]] = {}
        for skipped in ix.index_path(folder, processes=1).skipped:
            reasons.setdefault(skipped.path, []).append(skipped.reason)
        yield ix, reasons


AUTHOR = "Лев Николаевич Толстой"


@pytest.mark.parametrize("query, doc_id, title, date, author", [
    ("полярник", "lib/sever.epub", "Северный путь", dt.date(2021, 3, 15), "Мария Соколова"),
    ("казак", "lib/don.fb2", "Тихая река", dt.date(2019, 6, 1), AUTHOR),
    ("облако", "lib/don.fb2", "Тихая река", dt.date(2019, 6, 1), AUTHOR),  # a poem
    ("мельника", "lib/don.fb2", "Тихая река", dt.date(2019, 6, 1), AUTHOR),  # a cite
    ("рыбак", "lib/don.fb2", "Тихая река", dt.date(2019, 6, 1), AUTHOR),  # an epigraph
    ("самовар", "lib/don.fb2", "Тихая река", dt.date(2019, 6, 1), AUTHOR),  # the notes
    ("бриллиант", "lib/dvenadtsat.fb2", "Двенадцать стульев", dt.date(1928, 1, 1), "Илья Ильф, Евгений Петров"),
    ("архиватор", "lib/zip.fb2.zip", "Сжатая книга", dt.date(2001, 2, 3), "Пётр Сжатов"),
    ("крепость", "lib/koi8.eml", "Отчёт о поездке", dt.date(2025, 8, 12), "Иван Петров <ivan@example.ru>"),
    ("фонтан", "lib/html.eml", "Новости", dt.date(2025, 9, 5), "news@example.ru"),
    ("яблоня", "lib/mail.mbox#1", "Урожай", dt.date(2025, 9, 1), "Ольга <olga@example.ru>"),
    ("щука", "lib/mail.mbox#2", "Рыбалка", dt.date(2025, 9, 2), "Пётр <petr@example.ru>"),
    ("кровля", "lib/mail.mbox#3/smeta.txt", "Ремонт кровли обойдётся недорого.", None, ""),
    ("гармонисты", "lib/wrong.eml", "Самовары", None, ""),
    ("журавль", "lib/broken.mbox#2", "fine", None, ""),
    ("архивариус", "lib/good.txt", "Архивариус нашёл письмо.", None, ""),
])
def test_found_in_another_word_form_with_title_date_and_author(index, query, doc_id, title, date, author) -> None:
    ix, _ = index
    hits = {hit.id: (hit.title, hit.date, ix.document(hit.id)[0].author) for hit in ix.search(query, limit=20)}
    assert hits.get(doc_id) == (title, date, author)


def test_texts_are_whole_in_reading_order_without_images(index) -> None:
    ix, _ = index
    book = ix.document("lib/sever.epub")[0].body
    assert book == ("Ледоколы\n\nЛедоколы пробивались сквозь торосы.\n\n"
                    "Станция\n\nПолярники увидели сияние над станцией.")
    don = ix.document("lib/don.fb2")[0]
    assert don.language == "ru" and "Плывут по небу облака,\nЗвенят стрекозы." in don.body
    assert don.body.endswith("Примечания\nСноска про самовары.") and "/9j/" not in don.body
    assert ix.document("lib/dvenadtsat.fb2")[0].encoding == "cp1251" and don.encoding == "utf-8"
    assert ix.document("lib/mail.mbox#2")[0].body.endswith("it looked easy.\n\nFrom the shore we waved.")
    assert ix.document("lib/mail.mbox#3/smeta.txt")[0].path == "lib/mail.mbox"
    assert "[Фонтаны] заработали" in ix.search("фонтан")[0].snippet.marked()
    assert not ix.search("photo").hits and "батискаф" not in ix.document("lib/deep.eml")[0].body


def test_hostile_files_are_reported_and_the_rest_indexed(index) -> None:
    _, reasons = index
    assert "entity declarations" in reasons.pop("lib/bomb.fb2")[0]
    assert "zip bomb" in reasons.pop("lib/bomb.epub")[0]
    assert reasons.pop("lib/deep.eml") == ["MIME parts nested over 20 deep: the deeper ones are not read"]
    assert reasons.pop("lib/broken.mbox#1")[0].startswith("cannot read the message")
    assert reasons == {}


def test_mail_limits_name_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail, "MAX_ATTACHMENTS", 2)
    monkeypatch.setattr(mail, "MAX_MESSAGE_BYTES", 2000)
    notes = [part("text/plain", f"Заметка {n}", "utf-8", name=f"n{n}.txt") for n in range(4)]
    items = list(read_file(SourceFile(Path("a.mbox"), "a.mbox"), FROM_LINE + multipart("Subject: many", *notes)
                           + b"\n" + FROM_LINE + b"Subject: big\n\n" + b"x" * 3000 + b"\n"))
    assert [item.id for item in items if isinstance(item, Document)] == ["a.mbox#1", "a.mbox#1/n0.txt",
                                                                         "a.mbox#1/n1.txt"]
    assert [(item.path, item.reason) for item in items if isinstance(item, Skipped)] == [
        ("a.mbox#1", "4 attachments: those after the first 2 are not read"),
        ("a.mbox#2", "message over the 2 KB limit for one message")]


def test_plain_version_of_an_alternative_is_preferred_to_the_html() -> None:
    alternative = multipart("Subject: alt", part("text/plain", "Снегири прилетели.", "utf-8"),
                            part("text/html", "<p>Снегири <b>прилетели</b> в сад.</p>", "utf-8"))
    alternative = alternative.replace(b"multipart/mixed", b"multipart/alternative")
    (doc,) = read_file(SourceFile(Path("alt.eml"), "alt.eml"), alternative)
    assert doc.body == "Снегири прилетели."


def test_long_fb2_is_one_document_per_top_level_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(books, "SPLIT_CHARS", 100)
    path = tmp_path / "big.fb2"
    path.write_bytes(fb2("Зимняя книга", author("Анна", "Зимина"), "<date>2020-12-01</date>",
                         section("Метель", "Метель замела дороги. " * 3)
                         + "<section><p>Оттепель пришла нежданно.</p></section>"
                         + section("Весна", "Ручьи побежали. " * 5), notes=NOTES))
    docs = [item for item in read_source(SourceFile(path, "big.fb2")) if isinstance(item, Document)]
    assert [(doc.id, doc.title, doc.path) for doc in docs] == [
        ("big.fb2#1", "Зимняя книга — Метель", "big.fb2"), ("big.fb2#2", "Зимняя книга — глава 2", "big.fb2"),
        ("big.fb2#3", "Зимняя книга — Весна", "big.fb2"), ("big.fb2#4", "Зимняя книга — Примечания", "big.fb2")]
    assert docs[0].body.startswith("Зимняя книга\nМетель\nМетель замела")
    assert docs[1].body == "Оттепель пришла нежданно."
    with Index.create(tmp_path / "ix") as ix:
        ix.index_path(path, processes=1)
        assert {hit.id: hit.date for hit in ix.search("оттепели")} == {"big.fb2#2": dt.date(2020, 12, 1)}


def test_long_epub_is_one_document_per_chapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(books, "SPLIT_CHARS", 50)
    make_epub(tmp_path / "sever.epub")
    docs = list(read_source(SourceFile(tmp_path / "sever.epub", "sever.epub")))
    assert [(doc.id, doc.title, doc.author) for doc in docs] == [
        ("sever.epub#1", "Северный путь — Ледоколы", "Мария Соколова"),
        ("sever.epub#2", "Северный путь — Станция", "Мария Соколова")]
