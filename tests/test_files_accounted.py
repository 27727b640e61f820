"""Nothing skipped in silence: the index summary accounts for every file (unsupported types by extension, what was
left out and why), dates come from file names, and a PDF hit says its page in the terminal, in JSON and in the
REPL's document view."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from searchkit import Index
from searchkit.repl import Repl

from .conftest import run_cli

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    write(folder / "2025-08-12-vstrecha.txt", "Встреча в Анкоридже\nПрезиденты провели переговоры на Аляске.")
    write(folder / "old-notes.txt", "Старые заметки архивариуса о переговорах.")
    write(folder / ".hidden.txt", "Скрытые переговоры архивариуса.")
    write(folder / ".drafts" / "a.txt", "Черновик о переговорах.")
    write(folder / "drafts" / "b.txt", "Набросок о переговорах.")
    write(folder / ".searchkitignore", "# черновики не индексируем\ndrafts/\n")
    for name in ("budget.xlsx", "plan.xlsx", "slides.pptx"):
        write(folder / name, "не текст")
    return folder


def test_the_summary_accounts_for_every_file(archive: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    code, _, summary = run_cli("index", "--index", index, "--exclude", "old-*.txt", str(archive))
    assert code == 0
    assert "1 added" in summary and "1 documents" in summary
    assert "3 files of unsupported types: .xlsx 2, .pptx 1 (-v lists them)" in summary
    assert "left out: 2 hidden, 2 excluded (--hidden takes hidden ones)" in summary
    _, _, listed = run_cli("index", "--index", index, "-v", "--exclude", "old-*.txt", str(archive))
    for path in ("archive/budget.xlsx", "archive/slides.pptx", "archive/.hidden.txt (hidden)",
                 "archive/.drafts (hidden)", "archive/drafts (excluded)", "archive/old-notes.txt (excluded)"):
        assert path in listed, path
    with Index.open(index) as ix:
        (hit,) = ix.search("переговоры")
        assert hit.id == "archive/2025-08-12-vstrecha.txt" and hit.date is not None
        assert hit.date.isoformat() == "2025-08-12"  # from the file name, the text has no date
        assert hit.modified is not None  # the file's time, kept beside the date
    _, _, everything = run_cli("index", "--index", index, "--hidden", str(archive))
    assert "3 added" in everything  # the hidden ones and the old notes now; drafts/ stays out by its ignore file
    with Index.open(index) as ix:
        assert {hit.id for hit in ix.search("переговоры", limit=20)} == {
            "archive/2025-08-12-vstrecha.txt", "archive/old-notes.txt", "archive/.hidden.txt",
            "archive/.drafts/a.txt"}


def test_formats_are_listed_with_their_libraries() -> None:
    code, listing, _ = run_cli("index", "--formats")
    assert code == 0
    for name, library in (("Word", "python-docx"), ("PDF", "pypdfium2"), ("FictionBook", "defusedxml"),
                          ("web page", "trafilatura"), ("e-mail", "email"), ("plain text", "standard library")):
        assert any(name in line and library in line for line in listing.splitlines()), (name, library)


@pytest.mark.skipif(not FONT.is_file(), reason=f"fpdf2 needs the DejaVu font at {FONT} to write Cyrillic")
def test_a_pdf_hit_says_its_page(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=12)
    pdf.set_title("Отчёт о поездке")
    for page in ("Первая страница отчёта: погода и дорога.", "На второй странице описаны переговоры в Анкоридже.",
                 "Третья страница: выводы."):
        pdf.add_page()
        pdf.multi_cell(0, 8, page)
    folder = tmp_path / "reports"
    folder.mkdir()
    pdf.output(str(folder / "report.pdf"))
    index = str(tmp_path / "index")
    assert run_cli("index", "--index", index, str(folder))[0] == 0
    _, found, _ = run_cli("search", "--index", index, "--json", "переговоров")
    (hit,) = json.loads(found)["hits"]
    assert hit["title"] == "Отчёт о поездке" and hit["format"] == "pdf"
    (fragment,) = hit["snippet"]["fragments"]
    assert fragment["page"] == 2 and fragment["highlights"][0]["form"] == "переговоры"
    _, shown, _ = run_cli("search", "--index", index, "переговоров")
    assert "с. 2: На второй странице описаны [переговоры] в Анкоридже." in shown  # the fragment keeps to its page
    assert "Первая страница" not in shown
    out = io.StringIO()
    with Index.open(index) as ix:
        repl = Repl(ix, console=Console(file=out, width=100, color_system=None), history=InMemoryHistory(),
                    input=None, output=DummyOutput())
        repl.handle("переговоров")
        repl.handle(":open 1")
    opened = out.getvalue().split(" hits, showing ")[1]  # the document view, after the list of hits
    assert opened.index("— с. 2 —") < opened.index("[переговоры]") < opened.index("— с. 3 —")
