"""Reading speed per file format: how fast each reader turns files into documents, and how fast a folder that
mixes them all is indexed.

A temporary folder gets ``--files`` Russian documents (default 50) in every format this machine can write: txt,
md, html, mhtml, json, jsonl, csv with the standard library; docx with python-docx; odt with odfpy; pdf with fpdf2
and DejaVu Sans; epub with EbookLib; fb2 as XML; eml and mbox with ``email``; rtf written by hand (cp1251 escapes).
The texts, from a few KB to 100 KB each (sizes spread evenly on a log scale), are consecutive RusLit paragraphs
of the shared data folder (``corpus-large/ruslit_paragraphs.jsonl``), or a built-in Russian paragraph repeated
when it is absent; every format gets the same texts.

Then, per format, ``--runs`` passes (default 3; the median is reported) read each file through
``searchkit.documents.read_source``: files/s, and MB/s of the files' bytes on disk. A format whose writer library
is missing is "not written", one with no registered reader "not supported". Last, the whole folder is indexed
(``Index.create`` + ``index_path``) ``--runs`` times: seconds, MB/s and documents.

    python benchmarks/formats.py
    python benchmarks/formats.py --files 20 --runs 3 --keep /tmp/formats-folder

MB are 10^6 bytes. The figures go to ``benchmarks/results/formats.json``.
"""

from __future__ import annotations

import argparse
import email.message
import email.policy
import email.utils
import html
import json
import mailbox
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from common import MB, REPO, RESULTS_DIR, cpu_seconds, folder_bytes, markdown_table, median, shared_dir, \
    source_fingerprint, write_json

sys.path.insert(0, str(REPO))
from tests.test_format_web_text import mhtml  # noqa: E402

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MIN_TEXT_BYTES = 3_000
MAX_TEXT_BYTES = 100_000

#: The text used when the shared data is absent, repeated to each file's size.
BUILTIN_PARAGRAPH = (
    "Ростов-на-Дону — крупнейший город на юге России, административный центр Ростовской области. Город вырос из "
    "таможенной заставы в устье реки Темерник, учреждённой в 1749 году. Жители гордятся донской кухней: в городе "
    "стоит попробовать раков, вяленую рыбу и уху по-донски. Лучшее время для поездки — май и сентябрь, когда нет "
    "изнуряющей летней жары, а набережная Дона полна гуляющих горожан.")


@dataclass(frozen=True)
class Text:
    """One document to write in every format."""

    number: int
    title: str
    author: str
    paragraphs: list[str]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


# --- the texts -----------------------------------------------------------------------------------------------

def target_sizes(files: int) -> list[int]:
    """``files`` sizes in bytes of UTF-8 text, from :data:`MIN_TEXT_BYTES` to :data:`MAX_TEXT_BYTES`, evenly
    spread on a log scale."""
    if files == 1:
        return [MAX_TEXT_BYTES]
    ratio = MAX_TEXT_BYTES / MIN_TEXT_BYTES
    return [round(MIN_TEXT_BYTES * ratio ** (i / (files - 1))) for i in range(files)]


def paragraphs_from(path: Path) -> Iterator[tuple[str, str]]:
    """(work title, paragraph) of the RusLit paragraphs file, in order, for ever (it starts over at its end)."""
    while True:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    record = json.loads(line)
                    text = " ".join(record["text"].split())
                    if text:
                        yield record.get("title") or "", text


def builtin_paragraphs() -> Iterator[tuple[str, str]]:
    while True:
        yield "Ростов-на-Дону", BUILTIN_PARAGRAPH


def make_texts(files: int, source: Iterator[tuple[str, str]]) -> list[Text]:
    """``files`` texts of consecutive paragraphs, each at least its target size."""
    texts = []
    for number, size in enumerate(target_sizes(files), 1):
        paragraphs: list[str] = []
        work, total = "", 0
        while total < size:
            title, paragraph = next(source)
            work = work or title
            paragraphs.append(paragraph)
            total += len(paragraph.encode("utf-8")) + 2
        author, _, name = work.partition(": ")
        title = f"{name or work or 'Текст'} — часть {number}"
        texts.append(Text(number, title, author if name else "", paragraphs))
    return texts


# --- the writers: one per format, each (folder, text) → the file written -----------------------------------------

def write_txt(folder: Path, text: Text) -> Path:
    path = folder / f"text-{text.number:03}.txt"
    path.write_text(f"{text.title}\n\n{text.body}\n", encoding="utf-8")
    return path


def write_md(folder: Path, text: Text) -> Path:
    path = folder / f"note-{text.number:03}.md"
    path.write_text(f"# {text.title}\n\n{text.body}\n", encoding="utf-8")
    return path


def page(text: Text) -> str:
    """An article page with a menu, a "read also" block and a footer around the text."""
    body = "\n".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in text.paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="ru"><head><meta charset="utf-8"><title>{html.escape(text.title)}</title>'
            f'<meta property="og:title" content="{html.escape(text.title)}">'
            f'<meta name="author" content="{html.escape(text.author)}"></head><body>\n'
            '<nav><ul><li><a href="/">Главная</a></li><li><a href="/books">Книги</a></li>'
            '<li><a href="/authors">Авторы</a></li></ul></nav>\n'
            f"<main><article><h1>{html.escape(text.title)}</h1>\n{body}\n</article>\n"
            '<section class="related"><h2>Читайте также</h2><ul><li><a href="/1">Классика в школе</a></li>'
            '<li><a href="/2">Поэзия Серебряного века</a></li></ul></section></main>\n'
            "<footer><p>© 2025 Библиотека. Все права защищены.</p></footer></body></html>\n")


def write_html(folder: Path, text: Text) -> Path:
    path = folder / f"page-{text.number:03}.html"
    path.write_text(page(text), encoding="utf-8")
    return path


def write_mhtml(folder: Path, text: Text) -> Path:
    """The page saved by a browser, as the format tests make one."""
    saved = mhtml(page(text), "utf-8", f"https://library.example.ru/texts/{text.number}.html")
    path = folder / f"saved-{text.number:03}.mhtml"
    path.write_bytes(saved)
    return path


def write_json_file(folder: Path, text: Text) -> Path:
    path = folder / f"record-{text.number:03}.json"
    record = {"id": f"json-{text.number}", "title": text.title, "text": text.body}
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


def record_chunks(text: Text, per_record: int = 5) -> list[str]:
    """The text as records of a few paragraphs each."""
    return ["\n\n".join(text.paragraphs[i:i + per_record]) for i in range(0, len(text.paragraphs), per_record)]


def write_jsonl(folder: Path, text: Text) -> Path:
    path = folder / f"records-{text.number:03}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n, chunk in enumerate(record_chunks(text), 1):
            out.write(json.dumps({"id": f"jsonl-{text.number}-{n}", "title": text.title, "text": chunk},
                                 ensure_ascii=False) + "\n")
    return path


def write_csv(folder: Path, text: Text) -> Path:
    import csv

    path = folder / f"table-{text.number:03}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "title", "text"])
        for n, chunk in enumerate(record_chunks(text), 1):
            writer.writerow([f"csv-{text.number}-{n}", text.title, chunk])
    return path


def write_docx(folder: Path, text: Text) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = text.title
    document.core_properties.author = text.author
    document.add_heading(text.title, level=1)
    for paragraph in text.paragraphs:
        document.add_paragraph(paragraph)
    path = folder / f"word-{text.number:03}.docx"
    document.save(str(path))
    return path


def write_odt(folder: Path, text: Text) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=text.title))
    for paragraph in text.paragraphs:
        document.text.addElement(P(text=paragraph))
    path = folder / f"writer-{text.number:03}.odt"
    document.save(str(path))
    return path


def write_pdf(folder: Path, text: Text) -> Path:
    from fpdf import FPDF

    if not FONT.is_file():
        raise ImportError(f"no font at {FONT}")
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.set_title(text.title)
    pdf.set_author(text.author)
    pdf.add_page()
    pdf.multi_cell(0, 6, text.title + "\n\n" + text.body)
    path = folder / f"print-{text.number:03}.pdf"
    pdf.output(str(path))
    return path


def write_epub(folder: Path, text: Text) -> Path:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier(f"formats-benchmark-{text.number}")
    book.set_title(text.title)
    book.set_language("ru")
    if text.author:
        book.add_author(text.author)
    chapters = []
    per_chapter = 20
    for n, start in enumerate(range(0, len(text.paragraphs), per_chapter), 1):
        chapter = epub.EpubHtml(title=f"Глава {n}", file_name=f"chapter-{n}.xhtml", lang="ru")
        chapter.content = f"<h1>Глава {n}</h1>" + "".join(
            f"<p>{html.escape(paragraph)}</p>" for paragraph in text.paragraphs[start:start + per_chapter])
        book.add_item(chapter)
        chapters.append(chapter)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    path = folder / f"book-{text.number:03}.epub"
    epub.write_epub(str(path), book)
    return path


def write_fb2(folder: Path, text: Text) -> Path:
    first, _, last = text.author.rpartition(" ")
    body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in text.paragraphs)
    xml = ('<?xml version="1.0" encoding="utf-8"?>\n'
           '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" '
           'xmlns:l="http://www.w3.org/1999/xlink"><description><title-info>'
           f"<author><first-name>{escape(first)}</first-name><last-name>{escape(last)}</last-name></author>"
           f"<book-title>{escape(text.title)}</book-title><lang>ru</lang></title-info></description>"
           f"<body><title><p>{escape(text.title)}</p></title><section>{body}</section></body></FictionBook>\n")
    path = folder / f"fiction-{text.number:03}.fb2"
    path.write_text(xml, encoding="utf-8")
    return path


def letter(text: Text, body: str, number: int = 0) -> email.message.EmailMessage:
    message = email.message.EmailMessage()
    message["From"] = email.utils.formataddr((text.author or "Библиотека", "library@example.ru"))
    message["To"] = "reader@example.ru"
    message["Subject"] = text.title if not number else f"{text.title} ({number})"
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    message.set_content(body)
    return message


def write_eml(folder: Path, text: Text) -> Path:
    path = folder / f"letter-{text.number:03}.eml"
    path.write_bytes(letter(text, text.body).as_bytes(policy=email.policy.SMTP))
    return path


def write_mbox(folder: Path, text: Text) -> Path:
    path = folder / f"mailbox-{text.number:03}.mbox"
    box = mailbox.mbox(str(path), create=True)
    try:
        for n, chunk in enumerate(record_chunks(text, per_record=10), 1):
            box.add(letter(text, chunk, n))
        box.flush()
    finally:
        box.close()
    return path


def rtf_escape(value: str) -> str:
    """Text as RTF: ``\\ { }`` escaped, cp1251 characters as ``\\'xx``, any other as ``\\uN?``."""
    out = []
    for char in value:
        if char in "\\{}":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\line ")
        elif ord(char) < 128:
            out.append(char)
        else:
            try:
                out.append("".join(f"\\'{byte:02x}" for byte in char.encode("cp1251")))
            except UnicodeEncodeError:
                code = ord(char)
                if code > 0xFFFF:  # RTF's \u takes a signed 16-bit number: outside the BMP, a question mark
                    out.append("?")
                else:
                    out.append(f"\\u{code - 65536 if code > 32767 else code}?")
    return "".join(out)


def write_rtf(folder: Path, text: Text) -> Path:
    paragraphs = "".join(f"{{\\pard {rtf_escape(paragraph)}\\par}}\n" for paragraph in text.paragraphs)
    document = ("{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0\\fnil\\fcharset204 Times New Roman;}}\n"
                f"{{\\info{{\\title {rtf_escape(text.title)}}}{{\\author {rtf_escape(text.author)}}}}}\n"
                f"\\f0\\fs24{{\\pard\\b {rtf_escape(text.title)}\\b0\\par}}\n{paragraphs}}}\n")
    path = folder / f"rich-{text.number:03}.rtf"
    path.write_bytes(document.encode("ascii"))
    return path


#: Format → (the extension its files have, its writer).
WRITERS: dict[str, tuple[str, Callable[[Path, Text], Path]]] = {
    "txt": (".txt", write_txt), "md": (".md", write_md), "html": (".html", write_html),
    "mhtml": (".mhtml", write_mhtml), "json": (".json", write_json_file), "jsonl": (".jsonl", write_jsonl),
    "csv": (".csv", write_csv), "docx": (".docx", write_docx), "odt": (".odt", write_odt),
    "pdf": (".pdf", write_pdf), "epub": (".epub", write_epub), "fb2": (".fb2", write_fb2),
    "eml": (".eml", write_eml), "mbox": (".mbox", write_mbox), "rtf": (".rtf", write_rtf),
}


def build_folder(folder: Path, texts: list[Text], formats: list[str]) -> dict[str, dict[str, Any]]:
    """Write every text in every format, each format in its own subfolder: format → {"files": [...]} or
    {"not_written": why} when its library is missing."""
    built: dict[str, dict[str, Any]] = {}
    for name in formats:
        _extension, writer = WRITERS[name]
        sub = folder / name
        sub.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        try:
            files = [writer(sub, text) for text in texts]
        except ImportError as error:
            shutil.rmtree(sub, ignore_errors=True)
            built[name] = {"not_written": f"cannot write: {error}"}
            print(f"  {name}: not written ({error})")
            continue
        built[name] = {"files": files, "bytes": sum(path.stat().st_size for path in files)}
        print(f"  {name}: {len(files)} files, {built[name]['bytes'] / MB:.2f} MB, written in "
              f"{time.perf_counter() - started:.1f} s")
    return built


# --- the measurements --------------------------------------------------------------------------------------------

def read_all(files: list[Path], root: Path) -> tuple[float, int, list[str]]:
    """Read every file through ``read_source``: (seconds, documents, the reasons of what was skipped)."""
    from searchkit.documents import Document, SourceFile, read_source

    documents, skipped = 0, []
    started = time.perf_counter()
    for path in files:
        for item in read_source(SourceFile(path, path.relative_to(root).as_posix())):
            if isinstance(item, Document):
                documents += 1
            else:
                skipped.append(f"{item.path}: {item.reason}")
    return time.perf_counter() - started, documents, skipped


def measure_format(name: str, entry: dict[str, Any], root: Path, runs: int) -> dict[str, Any]:
    from searchkit.documents.registry import reader_for

    if "not_written" in entry:
        return {"status": "not written", "why": entry["not_written"]}
    files: list[Path] = entry["files"]
    reader = reader_for(files[0].name)
    if reader is None:
        return {"status": "not supported", "files": len(files), "input_mb": round(entry["bytes"] / MB, 3)}
    seconds_runs, documents, skipped = [], 0, []
    for _ in range(runs):
        seconds, documents, skipped = read_all(files, root)
        seconds_runs.append(seconds)
    seconds = median(seconds_runs)
    return {"status": "ok", "reader": reader.name, "library": reader.library, "files": len(files),
            "input_mb": round(entry["bytes"] / MB, 3), "documents": documents, "skipped": len(skipped),
            "skipped_examples": skipped[:3], "runs_seconds": [round(s, 3) for s in seconds_runs],
            "seconds": round(seconds, 3), "files_per_s": round(len(files) / seconds, 1),
            "mb_per_s": round(entry["bytes"] / MB / seconds, 2)}


def measure_index(folder: Path, runs: int, processes: int | None) -> dict[str, Any]:
    """Index the whole folder ``runs`` times, each into a fresh temporary index, starting cold."""
    from searchkit import Index
    from searchkit.analysis import fold, get_analyzer, get_morphology

    size = folder_bytes(folder)
    seconds_runs, cpu_runs, report = [], [], None
    for run in range(1, runs + 1):
        get_morphology().weighted_terms.cache_clear()
        get_analyzer.cache_clear()
        fold.cache_clear()
        target = Path(tempfile.mkdtemp(prefix="searchkit-formats-index-"))
        try:
            started, cpu_started = time.perf_counter(), cpu_seconds()
            with Index.create(target / "index") as ix:
                report = ix.index_path(folder, processes=processes)
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        finally:
            shutil.rmtree(target, ignore_errors=True)
        seconds_runs.append(seconds)
        cpu_runs.append(cpu)
        print(f"  index run {run}: {seconds:.2f} s wall, {cpu:.2f} s CPU, {report.documents:,} documents")
    assert report is not None
    seconds = median(seconds_runs)
    return {"input_mb": round(size / MB, 2), "documents": report.documents, "skipped": len(report.skipped),
            "unsupported": len(report.unsupported), "processes": processes,
            "runs_seconds": [round(s, 2) for s in seconds_runs], "seconds": round(seconds, 2),
            "cpu_seconds": round(median(cpu_runs), 2), "mb_per_s": round(size / MB / seconds, 3),
            "docs_per_s": round(report.documents / seconds, 1)}


def table(results: dict[str, dict[str, Any]]) -> str:
    rows = []
    for name, figures in results.items():
        if figures["status"] != "ok":
            rows.append([name, figures.get("files", "—"), figures.get("input_mb", "—"), "—", "—", "—", "—",
                         figures["status"]])
            continue
        rows.append([name, figures["files"], figures["input_mb"], figures["documents"], figures["skipped"],
                     figures["files_per_s"], figures["mb_per_s"], figures["library"]])
    return markdown_table(["format", "files", "input MB", "documents", "skipped", "files/s", "MB/s",
                           "reader (library)"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", help="shared data folder (default: $SEARCHKIT_SHARED or ../shared)")
    parser.add_argument("--files", type=int, default=50, help="files per format (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="timed passes; the median is reported (default 3)")
    parser.add_argument("--formats", default=",".join(WRITERS), help="formats to write and measure, comma "
                        f"separated (default: all: {','.join(WRITERS)})")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="processes for the "
                        "whole-folder indexing (default: all cores)")
    parser.add_argument("--no-index", action="store_true", help="skip the whole-folder indexing")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the folder there and keep it")
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "formats.json", help="where to write the "
                        "figures (default: benchmarks/results/formats.json)")
    args = parser.parse_args()
    formats = [name.strip() for name in args.formats.split(",") if name.strip()]
    unknown = [name for name in formats if name not in WRITERS]
    if unknown or args.files < 1 or args.runs < 1:
        parser.error(f"unknown formats: {', '.join(unknown)}" if unknown else "--files and --runs must be ≥ 1")

    source_path = shared_dir(args.shared) / "data" / "corpus-large" / "ruslit_paragraphs.jsonl"
    texts_from = str(source_path) if source_path.is_file() else "built-in paragraph (shared data not found)"
    texts = make_texts(args.files, paragraphs_from(source_path) if source_path.is_file() else builtin_paragraphs())
    text_mb = sum(len(text.body.encode("utf-8")) for text in texts) / MB
    engine = source_fingerprint()
    print(f"{args.files} texts per format, {text_mb:.2f} MB of text, from {texts_from}; runs={args.runs}, "
          f"{os.cpu_count()} cores")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="searchkit-formats-"))
    if args.keep and folder.exists():
        shutil.rmtree(folder)
    try:
        print(f"writing into {folder}:")
        built = build_folder(folder / "docs", texts, formats)
        print("reading:")
        results: dict[str, dict[str, Any]] = {}
        for name in formats:
            results[name] = measure_format(name, built[name], folder, args.runs)
            figures = results[name]
            if figures["status"] == "ok":
                print(f"  {name}: {figures['seconds']} s, {figures['files_per_s']} files/s, "
                      f"{figures['mb_per_s']} MB/s, {figures['documents']} documents, {figures['skipped']} skipped")
                for example in figures["skipped_examples"]:
                    print(f"    skipped {example}")
            else:
                print(f"  {name}: {figures['status']}")
        indexing = None
        if not args.no_index:
            print("indexing the whole folder:")
            indexing = measure_index(folder / "docs", args.runs, args.processes)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    print()
    print(table(results))
    if indexing:
        print(f"\nwhole folder: {indexing['input_mb']} MB, {indexing['documents']:,} documents in "
              f"{indexing['seconds']} s ({indexing['cpu_seconds']} s CPU) with {indexing['processes']} processes: "
              f"{indexing['mb_per_s']} MB/s, {indexing['docs_per_s']} documents/s, {indexing['skipped']} skipped, "
              f"{indexing['unsupported']} unsupported")
    write_json(args.json, {
        "files_per_format": args.files, "runs": args.runs, "texts": texts_from, "text_mb": round(text_mb, 2),
        "cpu_count": os.cpu_count(), "python": platform.python_version(), "searchkit_source": engine,
        "formats": results, "index": indexing})
    print(f"written: {args.json}")


if __name__ == "__main__":
    sys.exit(main())
