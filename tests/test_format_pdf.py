"""PDF (.pdf): real files with Russian text, made by fpdf2 (DejaVu font) and by LibreOffice, found by a query in
another word form on the page that holds it, with the title, author and date of their metadata; words hyphenated
across lines and pages made whole; hostile files (a scan, an encrypted file, a cut one, a broken page, one over
the page or time budget) reported while the rest of the folder is indexed."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from searchkit import Index, SyncReport
from searchkit.documents import Document, Skipped, SourceFile, read_file, read_source, registry
from searchkit.documents.formats import pdf as pdf_format

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
pytestmark = pytest.mark.skipif(not FONT.is_file(), reason=f"fpdf2 needs the DejaVu font at {FONT} "
                                                           "(Debian: fonts-dejavu-core)")
CREATED = dt.datetime(2024, 12, 20, 10, 30, tzinfo=dt.timezone.utc)

#: Three pages; only the second holds a form of «переговоры» (as «переговорах»).
REPORT = [
    "Итоги встречи в Женеве\nМинистры обсудили поставки зерна и удобрений.\nСтороны подписали протокол.",
    "О переговорах делегаций\nДолгие консультации шли три дня подряд.\nЭксперты спорили о пошлинах.",
    "Приложение\nСписок участников и карта маршрута.\nКонтакты пресс-службы.",
]


def make_pdf(path: Path, pages: list[str], *, title: str = "", author: str = "", created: dt.datetime | None = None,
             lang: str = "", password: str | None = None) -> Path:
    """A PDF by fpdf2 in DejaVu: each string a page, each of its lines a line of the page, as written; encrypted
    with ``password`` for a user (``""``: opened without one) if given."""
    pdf = FPDF()
    if password is not None:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=12)
    pdf.set_title(title)
    pdf.set_author(author)
    if created:
        pdf.set_creation_date(created)
    if lang:
        pdf.set_lang(lang)
    for text in pages:
        pdf.add_page()
        for line in text.split("\n"):
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def read(path: Path) -> list[Document | Skipped]:
    return list(read_file(SourceFile(path, path.name), path.read_bytes()))


def read_one(path: Path) -> Document:
    (document,) = read(path)
    assert isinstance(document, Document), document
    return document


def pages_of_matches(ix: Index, query: str) -> tuple[str, set[int | None]]:
    """The id of the one hit for ``query``, and the pages its highlighted words stand on."""
    (hit,) = ix.search(query)
    document = ix.document(hit.id)[0]
    return hit.id, {document.page_at(span.start) for fragment in hit.snippet.fragments for span in fragment.highlights}


def reasons(report: SyncReport) -> dict[str, str]:
    return {skipped.path: skipped.reason for skipped in report.skipped}


# --- found, with its metadata and pages -----------------------------------------------------------------

def test_a_pdf_is_found_by_another_word_form_on_its_page(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    make_pdf(folder / "report.pdf", REPORT, title="Итоги встречи министров", author="Иван Петров", created=CREATED,
             lang="ru-RU")
    (folder / "note.txt").write_text("Заметка\nЗавод выпустил первую партию стали.", encoding="utf-8")
    with Index.create(tmp_path / "index") as ix:
        report = ix.index_path(folder, processes=1)
        assert report.skipped == [] and ix.doc_count() == 2
        (hit,) = ix.search("переговоры")
        assert (hit.id, hit.title, hit.date, hit.format) == ("docs/report.pdf", "Итоги встречи министров",
                                                             dt.date(2024, 12, 20), "pdf")
        document = ix.document(hit.id)[0]
        assert (document.author, document.language, len(document.pages)) == ("Иван Петров", "ru", 2)
        assert pages_of_matches(ix, "переговоры") == ("docs/report.pdf", {2})
        assert pages_of_matches(ix, "протоколы") == ("docs/report.pdf", {1})
        assert ix.search("сталь")[0].id == "docs/note.txt"


def test_a_pdf_without_a_title_has_one_guessed_and_one_that_is_a_file_name_is_none(tmp_path: Path) -> None:
    untitled = read_one(make_pdf(tmp_path / "untitled.pdf", REPORT))
    named = read_one(make_pdf(tmp_path / "named.pdf", REPORT, title="Microsoft Word - итоги.docx"))
    for document in (untitled, named):
        assert (document.title, document.title_guessed) == ("Итоги встречи в Женеве", True)


@pytest.mark.parametrize(("value", "expected"), [
    ("D:20241220103000+03'00'", dt.date(2024, 12, 20)), ("D:20261201204544Z'", dt.date(2026, 12, 1)),
    ("20240105", dt.date(2024, 1, 5)), ("D:2024", None), ("D:20241340", None), ("вчера", None), ("", None)])
def test_pdf_dates(value: str, expected: dt.date | None) -> None:
    assert pdf_format.pdf_date(value) == expected


# --- hyphens --------------------------------------------------------------------------------------------

def test_words_hyphenated_across_lines_and_pages_are_made_whole_and_compounds_kept(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "hyphens.pdf", [
        "Стороны начали пере-\nговоры о поставках в Санкт-\nПетербург, и что-\nто решили в северо-\n"
        "западных портах. Северо-западный район и IT-\nотдел.\nГлава меж-",
        "дународных отношений выступила.",
    ])
    document = read_one(path)
    first, second = document.body[:document.pages[0]], document.body[document.pages[0]:]
    for whole in ("переговоры", "Санкт-Петербург", "что-то", "северо-западных", "IT-отдел", "международных"):
        assert whole in first, (whole, first)
    assert "\ufffe" not in document.body and "\r" not in document.body
    assert second.strip() == "отношений выступила."
    with Index.create(tmp_path / "index") as ix:
        ix.index_path(path, processes=1)
        assert pages_of_matches(ix, "международный") == ("hyphens.pdf", {1})


# --- another producer -----------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_pdf_made_by_libreoffice_is_found(tmp_path: Path) -> None:
    source = tmp_path / "src" / "svodka.txt"
    source.parent.mkdir()
    paragraphs = ["Сводка о посевной кампании"] + ["Аграрии завершили подготовку семян и техники."] * 40 + [
        "Губернатор провёл совещание с фермерами о субсидиях."] + ["Погода благоприятствует работам."] * 40
    source.write_text("\n\n".join(paragraphs), encoding="utf-8")
    folder = tmp_path / "pdfs"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(folder), str(source)], check=True, capture_output=True, timeout=180)
    (folder / "note.txt").write_text("Заметка\nЗавод выпустил первую партию стали.", encoding="utf-8")
    with Index.create(tmp_path / "index") as ix:
        assert ix.index_path(folder, processes=1).skipped == []
        (hit,) = ix.search("совещания фермеров")
        assert (hit.id, hit.title, hit.format) == ("pdfs/svodka.pdf", "Сводка о посевной кампании", "pdf")
        document = ix.document(hit.id)[0]
        assert len(document.pages) >= 1 and "Губернатор провёл совещание" in document.body
        assert pages_of_matches(ix, "совещания фермеров")[1] == {document.page_at(document.body.index("совещание"))}
        assert ix.doc_count() == 2


# --- hostile files --------------------------------------------------------------------------------------

def make_scan(path: Path, tmp_path: Path) -> Path:
    """A "scanned" PDF: a page with an image and a page with a drawn rectangle, no text."""
    image = tmp_path / "scan.png"
    Image.new("L", (200, 280), 200).save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=190)
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")
    pdf.output(str(path))
    return path


def make_long(path: Path, pages: int) -> Path:
    """A PDF of many tiny pages, one numbered word each."""
    pdf = FPDF(format=(50, 30))
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=8)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.text(5, 10, f"Лист {number}" if number > 1 else "Реестр накладных")
    pdf.output(str(path))
    return path


def test_hostile_pdfs_are_reported_and_the_rest_is_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = make_pdf(folder / "good.pdf", REPORT, title="Итоги встречи министров")
    make_scan(folder / "scan.pdf", tmp_path)
    make_pdf(folder / "locked.pdf", REPORT, password="secret")
    (folder / "cut.pdf").write_bytes(good.read_bytes()[:len(good.read_bytes()) // 2])
    (folder / "fake.pdf").write_text("не PDF, а текст", encoding="utf-8")
    make_long(folder / "long.pdf", 3000)
    (folder / "note.txt").write_text("Заметка\nЗавод выпустил первую партию стали.", encoding="utf-8")
    with Index.create(tmp_path / "index") as ix:
        report = ix.index_path(folder, processes=2)  # read in the indexing workers
        assert reasons(report) == {
            "in/scan.pdf": "no text layer: a scanned PDF needs OCR",
            "in/locked.pdf": "encrypted PDF: it needs a password",
            "in/cut.pdf": "damaged PDF: its structure cannot be parsed (cut short, or not a PDF)",
            "in/fake.pdf": "damaged PDF: its structure cannot be parsed (cut short, or not a PDF)",
            "in/long.pdf": "only the first 2,000 of 3,000 pages were read: the limit is 2,000 pages a file",
        }
        assert {hit.id for hit in ix.search("переговоры")} == {"in/good.pdf"}
        assert ix.search("сталь")[0].id == "in/note.txt"
        long = ix.document("in/long.pdf")[0]
        assert (long.title, len(long.pages)) == ("Реестр накладных", 1_999)
        assert long.body.endswith("Лист 2000")
        assert ix.doc_count() == 3


def test_a_pdf_encrypted_with_an_empty_user_password_is_read(tmp_path: Path) -> None:
    document = read_one(make_pdf(tmp_path / "owner-only.pdf", REPORT, title="Итоги встречи министров", password=""))
    assert document.title == "Итоги встречи министров" and "переговорах" in document.body


def test_a_page_that_cannot_be_loaded_is_noted_and_the_others_are_kept(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "ok.pdf", REPORT).read_bytes()
    second_page = [match.start() for match in re.finditer(rb"/Type /Page\b", data)][1]
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data[:second_page] + b"/Type /Xxxx" + data[second_page + len(b"/Type /Page"):])
    document, note = read(broken)
    assert isinstance(document, Document) and len(document.pages) == 2
    assert document.page_at(document.body.index("Приложение")) == 3 and "переговорах" not in document.body
    assert note.reason == ("damaged PDF: 1 of 3 pages could not be read (the first, page 2); the other pages "
                           "were indexed")


def test_a_pdf_mostly_without_text_is_indexed_with_a_note(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "mixed.pdf", [REPORT[0], "", ""])
    document, note = read(path)
    assert isinstance(document, Document) and "протокол" in document.body
    assert note.reason == ("2 of 3 pages have no text layer (scanned pages need OCR); the text of the others was "
                           "indexed")


# --- budgets --------------------------------------------------------------------------------------------

def test_a_pdf_over_the_whole_file_limit_is_read_as_pdfium_asks(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_pdf(tmp_path / "big.pdf", REPORT)
    monkeypatch.setattr(registry, "MAX_FILE_BYTES", path.stat().st_size // 2)
    (document,) = read_source(SourceFile(path, path.name))
    assert isinstance(document, Document) and "переговорах" in document.body


def test_the_time_budget_cuts_a_file_at_a_page_boundary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_format, "MAX_SECONDS", 0.0)
    document, note = read(make_pdf(tmp_path / "slow.pdf", REPORT, title="Итоги встречи министров"))
    assert isinstance(document, Document) and document.pages == () and "протокол" in document.body
    assert note.reason == "only the first 1 of 3 pages were read: the limit is 0 seconds of reading a file"


def test_the_character_budget_cuts_a_file_at_a_page_boundary(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_format, "MAX_DOCUMENT_CHARS", 250)
    document, note = read(make_pdf(tmp_path / "big.pdf", REPORT))
    assert isinstance(document, Document) and len(document.pages) == 1
    assert note.reason == ("only the first 2 of 3 pages were read: the text reached the limit of 250 characters "
                           "a document")


def test_threads_reading_pdfs_at_once_take_turns_in_pdfium(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "shared.pdf", REPORT * 5).read_bytes()
    expected = list(read_file(SourceFile(Path("shared.pdf"), "shared.pdf"), data))
    results: list[list[object]] = []

    def work() -> None:
        for _ in range(5):
            results.append(list(read_file(SourceFile(Path("shared.pdf"), "shared.pdf"), data)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20 and all(result == expected for result in results)
