"""Office formats (.docx, .odt, .rtf, .doc): real files with Russian text, made by each format's own library (and
by LibreOffice, another producer), found by a query in another word form with their title, date and author;
hostile ones (a zip bomb, a cut file, entity expansion, no converter) reported while the rest is indexed."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from odf import dc, meta
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, Note, NoteBody, NoteCitation, P

from searchkit import Document, Hit, Index
from searchkit.documents import SourceFile, read_file
from searchkit.documents.formats import doc as doc_format

MakeIndex = Callable[..., Index]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
#: word/footnotes.xml as Word writes it: the separator notes (ids -1 and 0) first, then the note.
FOOTNOTES = (f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W}>'
             '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
             '</w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>Сноска о санкциях</w:t></w:r></w:p>'
             '</w:footnote></w:footnotes>').encode()


def make_docx(path: Path, *paragraphs: str, title: str = "", created: dt.datetime | None = None) -> Path:
    """A Word file by python-docx: a heading, the paragraphs around a table with a merged cell, a header."""
    word = docx.Document()
    word.core_properties.title = title
    word.core_properties.author = "Иван Петров"
    if created:
        word.core_properties.created = created
    word.add_heading("Итоги встречи", 1)
    word.add_paragraph(paragraphs[0])
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Делегации министерств"
    table.cell(1, 0).text, table.cell(1, 1).text = "Москва", "Вашингтон"
    for paragraph in paragraphs[1:]:
        word.add_paragraph(paragraph)
    word.sections[0].header.paragraphs[0].text = "Для служебного пользования"
    path.parent.mkdir(parents=True, exist_ok=True)
    word.save(path)
    return path


def make_odt(path: Path, title: str = "Сводка о переговорах") -> Path:
    """An OpenDocument text by odfpy: meta, a heading, a paragraph with a footnote, a table."""
    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(meta.InitialCreator(text="Мария Иванова"))
    document.meta.addElement(meta.CreationDate(text="2024-11-05T09:30:00"))
    document.text.addElement(H(outlinelevel=1, text="Переговоры в Женеве"))
    paragraph = P(text="Делегации провели переговоры о поставках зерна")
    note = Note(noteclass="footnote", id="ftn1")
    note.addElement(NoteCitation(text="1"))
    note.addElement(body := NoteBody())
    body.addElement(P(text="Сноска о министерствах"))
    paragraph.addElement(note)
    paragraph.addText(" и удобрений.")
    document.text.addElement(paragraph)
    table = Table(name="Участники")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    table.addElement(row := TableRow())
    for text in ("Швейцария", "Турция"):
        row.addElement(cell := TableCell())
        cell.addElement(P(text=text))
    document.text.addElement(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def cp1251(text: str) -> bytes:
    """Text as RTF writes it in a Windows-1251 file: each non-ASCII character a \\'xx escape."""
    return b"".join(bytes([c]) if c < 128 else b"\\'%02x" % c for c in text.encode("cp1251"))


def unicode_escaped(text: str) -> bytes:
    return "".join(f"\\u{ord(c)}?" for c in text).encode()


RTF = (rb"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\froman\fcharset204 Times New Roman;}}"
       rb"{\colortbl;\red0\green0\blue0;}{\stylesheet{\s0 Normal;}}{\*\generator Hand 1.0;}"
       rb"{\info{\title " + cp1251("Протокол совещания") + rb"}{\author " + cp1251("Пётр Сидоров") + rb"}"
       rb"{\creatim\yr2024\mo12\dy20\hr9\min30}}\f0\fs24 " + cp1251("Министерство обсудило итоги переговоров")
       + rb"\par{\pict\pngblip 89504e470d0a}" + cp1251("Решения приняты на ") + rb"\uc1 " + unicode_escaped("встречах")
       + rb" \line " + cp1251("в декабре.") + rb"\par}")


def index(make_index: MakeIndex, folder: Path) -> tuple[Index, dict[str, str]]:
    ix = make_index()
    report = ix.index_path(folder, processes=1)
    return ix, {skipped.path: skipped.reason for skipped in report.skipped}


def found(ix: Index, query: str) -> dict[str, Hit]:
    return {hit.id: hit for hit in ix.search(query, limit=20)}


def indexed(make_index: MakeIndex, folder: Path, query: str, doc_id: str, title: str, date: dt.date,
            author: str) -> tuple[Index, Hit, Document]:
    """The folder indexed whole; ``query`` finds ``doc_id`` with this title, date and (stored) author."""
    ix, skipped = index(make_index, folder)
    assert not skipped
    hit = found(ix, query)[doc_id]
    assert (hit.title, hit.date) == (title, date)
    stored = ix.document(doc_id)[0]
    assert stored.author == author
    return ix, hit, stored


def test_docx_found_by_another_form_with_its_properties(tmp_path: Path, make_index: MakeIndex) -> None:
    path = make_docx(tmp_path / "docs" / "итоги.docx", "Стороны договорились о переговорах в Анкоридже.",
                     "Решение примут министры.", title="Отчёт о встрече", created=dt.datetime(2024, 12, 20, 10))
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("word/footnotes.xml", FOOTNOTES)
    ix, hit, stored = indexed(make_index, tmp_path / "docs", "переговоры", "docs/итоги.docx", "Отчёт о встрече",
                              dt.date(2024, 12, 20), "Иван Петров")
    assert "[переговорах]" in hit.snippet.marked() and stored.format == "docx"
    for query in ("министерство", "санкция", "служебный", "министр"):  # a table cell, a footnote, the header
        assert "docs/итоги.docx" in found(ix, query), query


def test_docx_blocks_in_body_order_and_a_title_guessed(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "a.docx", "Первый абзац.", "Последний абзац.")
    (document,) = read_file(SourceFile(path, "a.docx"), path.read_bytes())
    assert document.body.splitlines() == ["Итоги встречи", "Первый абзац.", "Делегации министерств", "Москва",
                                          "Вашингтон", "Последний абзац.", "Для служебного пользования"]
    assert document.title == "Итоги встречи" and document.title_guessed


def test_odt_found_by_another_form_with_its_meta(tmp_path: Path, make_index: MakeIndex) -> None:
    make_odt(tmp_path / "docs" / "сводка.odt")
    ix, _, stored = indexed(make_index, tmp_path / "docs", "поставка удобрения", "docs/сводка.odt",
                            "Сводка о переговорах", dt.date(2024, 11, 5), "Мария Иванова")
    assert stored.body.splitlines() == ["Переговоры в Женеве", "Делегации провели переговоры о поставках зерна и "
                                        "удобрений.", "Швейцария", "Турция", "Сноска о министерствах"]
    assert "docs/сводка.odt" in found(ix, "министерство")


def test_rtf_in_windows_1251_with_unicode_escapes(tmp_path: Path, make_index: MakeIndex) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "протокол.rtf").write_bytes(RTF)
    _, _, stored = indexed(make_index, tmp_path / "docs", "переговоры встреча", "docs/протокол.rtf",
                           "Протокол совещания", dt.date(2024, 12, 20), "Пётр Сидоров")
    assert stored.body == "Министерство обсудило итоги переговоров\nРешения приняты на встречах\nв декабре."


def test_rtf_time_is_linear_in_a_line_of_fields(tmp_path: Path) -> None:
    """The line that takes striprtf's hyperlink expression 30 s is read at once."""
    data = b"{\\rtf1\\ansi " + b"{\\field{\\*\\fldinst{ HYPERLINK x" * 16_000 + b"}{\\fldrslt ok}}"
    start = time.perf_counter()
    list(read_file(SourceFile(Path("fields.rtf"), "fields.rtf"), data))
    assert time.perf_counter() - start < 2


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An .odt made by odfpy, converted by LibreOffice to .docx, .doc and .rtf, in one folder."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer)")
    work = tmp_path_factory.mktemp("libreoffice")
    source = make_odt(work / "source" / "сводка.odt")
    for target in ("docx", "doc", "rtf"):
        subprocess.run([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--convert-to", target, "--outdir", str(work / "converted"), str(source)],
                       check=True, capture_output=True, timeout=120)
    return work / "converted"


def test_files_made_by_libreoffice(converted: Path, make_index: MakeIndex) -> None:
    if not (shutil.which("antiword") or shutil.which("catdoc")):
        pytest.skip("no .doc converter installed (apt-get install antiword catdoc)")
    ix, skipped = index(make_index, converted)
    assert not skipped
    hits = found(ix, "поставка удобрения")
    assert set(hits) == {f"converted/сводка.{extension}" for extension in ("docx", "doc", "rtf")}
    for extension in ("docx", "rtf"):
        hit = hits[f"converted/сводка.{extension}"]
        assert (hit.title, hit.date) == ("Сводка о переговорах", dt.date(2024, 11, 5)), extension
        assert ix.document(hit.id)[0].author == "Мария Иванова", extension
    assert hits["converted/сводка.doc"].title == "Переговоры в Женеве"
    assert set(found(ix, "министерство")) == set(hits)  # the footnote, in each format


def zip_bomb(path: Path) -> Path:
    """A real Word file with one more member that unpacks to 20 MB from a few kilobytes."""
    make_docx(path, "Текст с бомбой.")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/media/image1.png", bytes(20 * 2**20))
    return path


def billion_laughs(path: Path) -> Path:
    make_odt(path)
    with zipfile.ZipFile(path) as package:
        members = {name: package.read(name) for name in package.namelist()}
    entities = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10))
    members["content.xml"] = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e0 "ха">{entities}]>'
                              f'<d>&e9;</d>').encode()
    with zipfile.ZipFile(path, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    return path


def test_hostile_files_are_reported_and_the_rest_indexed(tmp_path: Path, make_index: MakeIndex,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "docs"
    make_docx(folder / "хороший.docx", "Переговоры прошли успешно.")
    zip_bomb(folder / "бомба.docx")
    whole = make_docx(folder / "whole.docx", "Обрезанный файл.").read_bytes()
    (folder / "обрезан.docx").write_bytes(whole[:len(whole) // 2])
    (folder / "whole.docx").unlink()
    billion_laughs(folder / "смех.odt")
    (folder / "старый.doc").write_bytes(doc_format.OLE_MAGIC + bytes(4088))
    monkeypatch.setattr(doc_format.shutil, "which", lambda name: None)
    ix, skipped = index(make_index, folder)
    assert "zip bomb" in skipped.pop("docs/бомба.docx")
    assert skipped.pop("docs/обрезан.docx").startswith("damaged Word file: ")
    assert "entity declarations" in skipped.pop("docs/смех.odt")
    assert skipped.pop("docs/старый.doc") == "legacy Word .doc: no converter installed (install antiword or catdoc)"
    assert not skipped
    assert set(found(ix, "переговоры")) == {"docs/хороший.docx"}


def test_password_protected_docx_says_so(tmp_path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool encrypts the test file")
    plain = make_docx(tmp_path / "plain.docx", "Секретный текст.")
    with open(plain, "rb") as source, open(tmp_path / "secret.docx", "wb") as target:
        ooxml.OOXMLFile(source).encrypt("пароль", target)
    data = (tmp_path / "secret.docx").read_bytes()
    (skipped,) = read_file(SourceFile(tmp_path / "secret.docx", "secret.docx"), data)
    assert skipped.reason.startswith("encrypted or password-protected Word file")
