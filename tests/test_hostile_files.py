"""Hostile files: each is reported in ``SyncReport.skipped`` (and by ``searchkit index`` on stderr) with its name
and a reason a person can act on, while everything else in the folder is indexed — and nothing loads a huge file
into memory, blocks on a pipe, follows a link loop or stops the run.

Binary data, text cut in the middle of a character, mixed encodings, empty files, 200 MB single-line files,
JSON nested 100,000 deep or malformed, CSV without its text column, HTML full of scripts and entities, link
loops, files that cannot be read, and names with spaces, Cyrillic, emoji, newlines and bytes that are not UTF-8.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from searchkit import Document, Index, Skipped
from searchkit.documents import READERS, SourceFile, decoding, load, model, read_file, registry
from searchkit.index import SyncReport

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGALRM, named pipes and POSIX links")

MakeIndex = Callable[..., Index]
MB = 2**20
BOM = b"\xef\xbb\xbf"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
#: Bytes with no NUL that are text in no encoding searchkit reads.
NOISE = bytes(range(1, 256)) * 20


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no room on disk (all NUL bytes, should it ever be read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        stream.truncate(size)
    return path


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def sync(ix: Index, folder: Path) -> SyncReport:
    with deadline(60):
        return ix.index_path(folder, processes=1)


def reasons(report: SyncReport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for skipped in report.skipped:
        assert isinstance(skipped, Skipped) and skipped.reason.strip(), skipped
        found.setdefault(skipped.path, []).append(skipped.reason)
    return found


def ids(ix: Index, query: str) -> set[str]:
    return {hit.id for hit in ix.search(query, limit=100, snippets=False).hits}


def read(name: str, data: bytes) -> tuple[list[Document], list[str]]:
    """Documents and skip reasons for bytes read as a file called ``name``."""
    items = list(read_file(SourceFile(Path(name), name), data))
    docs = [item for item in items if isinstance(item, Document)]
    skipped = [item.reason for item in items if isinstance(item, Skipped)]
    assert len(docs) + len(skipped) == len(items)
    return docs, skipped


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail, instead of hanging the suite, if the block takes longer (a read blocked on a pipe, say)."""
    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s: something blocked or looped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- binary -----------------------------------------------------------------------------------------------

TEXT_FORMATS = sorted(suffix for suffix in READERS if not registry.reader_for(f"x{suffix}").binary)


@pytest.mark.parametrize("suffix", TEXT_FORMATS)
def test_binary_file_of_any_text_format_is_skipped(tmp_path: Path, make_index: MakeIndex, suffix: str) -> None:
    write(tmp_path / "docs" / f"image{suffix}", PNG + bytes(range(256)) * 100)
    write(tmp_path / "docs" / "good.txt", "Архивариус нашёл письмо.")
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert reasons(report) == {f"docs/image{suffix}": ["binary file (contains NUL bytes)"]}
    assert ids(ix, "архивариус") == {"docs/good.txt"}


def test_binary_without_nul_bytes_is_text_in_no_known_encoding(tmp_path: Path) -> None:
    docs, skipped = read("noise.txt", NOISE)
    assert docs == [] and len(skipped) == 1
    assert skipped[0].startswith("not UTF-8 (invalid byte at offset 127), nor cp1251 or koi8-r")


# --- truncated UTF-8 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_text_cut_in_the_middle_of_a_character_is_indexed_with_a_replacement(tmp_path: Path,
                                                                              make_index: MakeIndex,
                                                                              suffix: str) -> None:
    data = "Телеграф закрыт на ремонт до пятницы".encode()
    write(tmp_path / "docs" / f"cut{suffix}", data[:-1])  # "ы" is two bytes: its first stays
    ix = make_index()
    assert sync(ix, tmp_path / "docs").skipped == []
    assert ids(ix, "телеграф") == {f"docs/cut{suffix}"}
    body = ix.document(f"docs/cut{suffix}")[0].body
    assert body.endswith("пятниц\ufffd")


def test_record_file_cut_in_the_middle_of_a_character(tmp_path: Path) -> None:
    lines = '{"id": "r1", "text": "Ледокол вышел в море."}\n{"id": "r2", "text": "Маяк горит"}'.encode()
    docs, skipped = read("cut.jsonl", lines[:-4])  # inside the last "т" of the unterminated second record
    assert [doc.id for doc in docs] == ["r1"]
    assert len(skipped) == 1 and skipped[0].startswith("line 2: invalid JSON at column")
    table = "id,text\nc1,Виноград созрел\nc2,Хлеб испечён".encode()
    docs, skipped = read("cut.csv", table[:-1])
    assert skipped == []
    assert [(doc.id, doc.body) for doc in docs] == [("c1", "Виноград созрел"), ("c2", "Хлеб испечё\ufffd")]


def test_a_broken_character_inside_utf8_text_does_not_change_the_encoding(tmp_path: Path) -> None:
    data = "Самовар кипит на столе, ".encode() + b"\xd0" + " а чай остывает.".encode()
    (doc,), skipped = read("broken.txt", data)
    assert skipped == [] and doc.encoding == "utf-8"
    assert doc.body == "Самовар кипит на столе, \ufffd а чай остывает."


# --- mixed encodings --------------------------------------------------------------------------------------

def test_text_mixing_utf8_and_cp1251_lines_reads_both(tmp_path: Path, make_index: MakeIndex) -> None:
    write(tmp_path / "docs" / "mixed.txt", "Самовар на столе\n".encode() + "Балалайка в углу\n".encode("cp1251")
          + "Гармонь у окна\n".encode())
    ix = make_index()
    assert sync(ix, tmp_path / "docs").skipped == []
    for word in ("самовар", "балалайка", "гармонь"):
        assert ids(ix, word) == {"docs/mixed.txt"}, word
    (doc,) = [item for item in load(tmp_path / "docs") if isinstance(item, Document)]
    assert doc.body == "Самовар на столе\nБалалайка в углу\nГармонь у окна"
    assert doc.encoding == "utf-8+cp1251"


@pytest.mark.parametrize("legacy", ["cp1251", "koi8-r"])
def test_records_in_different_encodings_are_each_read_right(legacy: str) -> None:
    lines = ['{"id": "u1", "text": "Встреча в Анкоридже прошла спокойно."}',
             '{"id": "l1", "text": "Губернаторы обсудили строительство нового моста через реку."}',
             '{"id": "u2", "text": "Ёлка на площади собрала горожан."}']
    data = b"".join((line + "\n").encode(legacy if n == 1 else "utf-8") for n, line in enumerate(lines))
    docs, skipped = read("mixed.jsonl", data)
    assert skipped == []
    assert [doc.body for doc in docs] == [json.loads(line)["text"] for line in lines]
    csv_data = ("id,text\n" + "\n".join(f"{json.loads(l)['id']},{json.loads(l)['text']}" for l in lines)).encode(
        legacy)
    docs, skipped = read("legacy.csv", csv_data)
    assert skipped == [] and [doc.body for doc in docs] == [json.loads(line)["text"] for line in lines]


def test_legacy_encoded_line_after_the_detection_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record file's encoding is detected on its first SAMPLE_BYTES; a cp1251 line after that is still read
    as cp1251, not as mojibake."""
    monkeypatch.setattr(decoding, "SAMPLE_BYTES", 4096)
    lines = [json.dumps({"id": f"u{n}", "text": f"Запись номер {n} в кодировке UTF-8."}, ensure_ascii=False)
             for n in range(200)]
    data = "\n".join(lines).encode() + b"\n" + '{"id": "late", "text": "Поздняя запись в cp1251."}\n'.encode("cp1251")
    assert len(data) > 4 * 4096
    docs, skipped = read("late.jsonl", data)
    assert skipped == []
    assert docs[-1].id == "late" and docs[-1].body == "Поздняя запись в cp1251."


# --- empty files ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b" \n\t\r\n", "empty file"),
    ("empty.html", b"", "empty file"),
    ("empty.json", b"", "empty file"),
    ("empty.jsonl", b"", "empty file"),
    ("blank.jsonl", b"\n  \n\r\n", "empty file"),
    ("bom-only.jsonl", BOM, "empty file"),
    ("empty.csv", b"", "empty file"),
    ("blank.csv", b"\n\n  \t\n", "empty file"),
    ("header-only.csv", b"id,title,text\n", "no records in the file"),
    ("empty-list.json", b"[]", "no records in the file"),
])
def test_empty_file_is_skipped_and_not_counted(tmp_path: Path, make_index: MakeIndex, name: str, content: bytes,
                                              reason: str) -> None:
    write(tmp_path / "docs" / name, content)
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert reasons(report) == {f"docs/{name}": [reason]}
    assert (report.added, report.documents, ix.doc_count()) == (0, 0, 0)


# --- huge files -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".json"])
def test_whole_file_over_the_limit_is_refused_from_its_size_without_being_read(tmp_path: Path,
                                                                              make_index: MakeIndex,
                                                                              suffix: str) -> None:
    sparse(tmp_path / "docs" / f"huge{suffix}", 200 * MB)
    good = write(tmp_path / "docs" / "good.txt", "Архивариус нашёл письмо.")
    ix = make_index()
    started = time.perf_counter()
    report = sync(ix, tmp_path / "docs")
    assert time.perf_counter() - started < 10
    (reason,) = reasons(report)[f"docs/huge{suffix}"]
    assert reason.startswith(f"file is 200 MB, over the 64 MB limit for a {suffix} file")
    assert (".jsonl" in reason) == (suffix == ".json")  # a large collection is pointed to JSON Lines
    assert report.bytes_read == good.stat().st_size  # the huge file was not even hashed
    assert ids(ix, "архивариус") == {"docs/good.txt"}
    assert [item.reason for item in load(tmp_path / "docs" / f"huge{suffix}")] == [reason]


@pytest.fixture
def small_record_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """A 4 KB limit for one line of a record file, read in 1 KB chunks."""
    monkeypatch.setattr(decoding, "MAX_RECORD_BYTES", 4096)
    monkeypatch.setattr(decoding, "CHUNK_BYTES", 1024)
    return 4096


def test_jsonl_line_over_the_limit_is_passed_over_with_its_number(tmp_path: Path, make_index: MakeIndex,
                                                                  small_record_limit: int) -> None:
    lines = [{"id": "r1", "text": "Ледокол вышел в море."},
             {"id": "big", "text": "слово " * 3000},
             {"id": "r3", "text": "Маяк горит всю ночь."}]
    data = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode() + b"\r\n"
    data += json.dumps({"id": "r4", "text": "Пароход причалил."}, ensure_ascii=False).encode()  # no final newline
    write(tmp_path / "docs" / "records.jsonl", data)
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert reasons(report) == {"docs/records.jsonl": ["line 2: 32 KB, over the 4 KB limit for one record"]}
    assert ids(ix, "ледокол маяк пароход") == {"r1", "r3", "r4"}
    assert ids(ix, "слово") == set()


def test_single_line_file_over_the_limit(small_record_limit: int) -> None:
    docs, skipped = read("one-line.jsonl", json.dumps({"id": "x", "text": "слово " * 3000}).encode())
    assert docs == [] and skipped == ["line 1: 91 KB, over the 4 KB limit for one record"]
    docs, skipped = read("one-line.csv", ("id,text," + "слово" * 3000).encode())
    assert docs == [] and skipped == ["line 1: 29 KB, over the 4 KB limit for one record"]


def test_csv_row_over_the_limit_is_passed_over_with_its_number(small_record_limit: int) -> None:
    data = "id,text\nc1,Виноград созрел\nbig,\"" + "хлеб " * 2000 + "\"\nc3,Пшеница убрана\n"
    docs, skipped = read("table.csv", data.encode())
    assert skipped == ["line 3: 18 KB, over the 4 KB limit for one record"]
    assert [(doc.id, doc.body) for doc in docs] == [("c1", "Виноград созрел"), ("c3", "Пшеница убрана")]


def test_record_over_the_character_limit_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_DOCUMENT_CHARS", 1000)
    data = "\n".join(json.dumps({"id": f"r{n}", "text": "ы" * size}) for n, size in enumerate([10, 2000, 10]))
    docs, skipped = read("records.jsonl", data.encode())
    assert [doc.id for doc in docs] == ["r0", "r2"]
    assert skipped == ["line 2: document 'r1' has 2,000 characters, over the limit of 1,000"]


def test_csv_field_over_the_csv_module_s_128_kb_default_is_read() -> None:
    """Python's csv module refuses fields over 128 KB unless told otherwise: it used to stop the whole run."""
    text = "Хлебопёк встал до рассвета. " * 10_000
    (doc,), skipped = read("long.csv", f'id,text\nlong,"{text}"\n'.encode())
    assert skipped == [] and len(doc.body) > 128 * 1024


MEMORY_PROBE = """
import json, resource, sys, time
from searchkit import Index

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

with Index.create(sys.argv[1]) as ix:
    ix.analyze("разогрев словарей")  # the dictionaries load before the measurement
    before, started = peak_mb(), time.perf_counter()
    report = ix.index_path(sys.argv[2], processes=1)
    print(json.dumps({
        "growth_mb": peak_mb() - before, "seconds": time.perf_counter() - started,
        "skipped": [[s.path, s.reason] for s in report.skipped], "bytes_read": report.bytes_read,
        "found": sorted(hit.id for hit in ix.search("послесловие", limit=10).hits),
    }))
"""


def write_huge_line_file(path: Path, head: bytes, tail: bytes, size: int = 200 * MB) -> int:
    """``head``, then ``size`` bytes of words on one line, then ``tail``; written in chunks."""
    chunk = ("слово " * 50_000).encode()
    with open(path, "wb") as stream:
        stream.write(head)
        for _ in range(size // len(chunk) + 1):
            stream.write(chunk)
        stream.write(tail)
    return path.stat().st_size


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss is in kilobytes on Linux only")
def test_200_mb_single_line_files_are_indexed_in_bounded_memory(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    after = '{"id": "after-jsonl", "text": "Послесловие к огромной строке."}\n'.encode()
    try:
        sizes = [
            write_huge_line_file(folder / "huge.jsonl", b'{"id": "huge", "text": "', b'"}\n' + after),
            write_huge_line_file(folder / "huge.csv", b'id,text\nhuge,"',
                                 '"\nafter-csv,Послесловие к огромной таблице.\n'.encode()),
        ]
        sparse(folder / "huge.txt", 200 * MB)
        write(folder / "good.txt", "Послесловие\nКороткий файл рядом с огромными.")
        result = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(tmp_path / "index"), str(folder)],
                                capture_output=True, text=True, timeout=300)
    finally:
        for name in ("huge.jsonl", "huge.csv", "huge.txt"):
            (folder / name).unlink(missing_ok=True)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert sorted(map(tuple, outcome["skipped"])) == [
        ("docs/huge.csv", "line 2: 200 MB, over the 32 MB limit for one record"),
        ("docs/huge.jsonl", "line 1: 200 MB, over the 32 MB limit for one record"),
        ("docs/huge.txt", "file is 200 MB, over the 64 MB limit for a .txt file"),
    ]
    assert outcome["found"] == ["after-csv", "after-jsonl", "docs/good.txt"]
    assert outcome["bytes_read"] == sum(sizes) + (folder / "good.txt").stat().st_size
    assert outcome["growth_mb"] < 120, outcome  # over 400 MB of input, and lines of 200 MB
    assert outcome["seconds"] < 60, outcome


# --- JSON -------------------------------------------------------------------------------------------------

def test_deeply_nested_json_is_skipped(tmp_path: Path, make_index: MakeIndex) -> None:
    write(tmp_path / "docs" / "deep.json", nested(100_000))
    write(tmp_path / "docs" / "deep.jsonl", "\n".join([
        '{"id": "r1", "text": "Ледокол вышел в море."}',
        '{"id": "r2", "text": ' + nested(100_000) + "}",
        '{"id": "r3", "text": "Маяк горит всю ночь."}']))
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert reasons(report) == {"docs/deep.json": ["JSON nested too deeply"],
                               "docs/deep.jsonl": ["line 2: JSON nested too deeply"]}
    assert ids(ix, "ледокол маяк") == {"r1", "r3"}


@pytest.mark.parametrize("record, reason", [
    ({"id": "PLACEHOLDER", "text": "Маяк"}, "record field 'id' is a list, not a string or a number"),
    ({"id": "x", "title": {"nested": "PLACEHOLDER"}, "text": "Маяк"}, "record field 'title' is an object"),
    ({"id": "x", "date": "PLACEHOLDER", "text": "Маяк"}, "record field 'date' is a list"),
])
def test_nested_value_where_one_value_belongs_is_named(record: dict[str, Any], reason: str) -> None:
    """A list or an object (here nested 500 deep) where the id, title or date belongs is reported, never turned
    into a 1,000-character id (or, nested deeper, a RecursionError)."""
    line = json.dumps(record).replace('"PLACEHOLDER"', nested(500))
    docs, skipped = read("records.jsonl", line.encode())
    assert docs == [] and len(skipped) == 1
    assert skipped[0].startswith(f"line 1: {reason}")


def test_malformed_json_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    data = '[\n  {"id": "a", "text": "Ледокол"},\n  {"id": "b", "text": "Маяк"},\n  {"id": "c", "text": Пароход}\n]'
    docs, skipped = read("broken.json", data.encode())
    assert docs == []
    assert skipped == ["invalid JSON at line 4, column 23: Expecting value"]


def test_json_number_too_long_to_convert_skips_its_line_only() -> None:
    data = '{"id": "r1", "text": "Ледокол"}\n{"id": ' + "9" * 5000 + ', "text": "x"}\n{"id": "r3", "text": "Маяк"}\n'
    docs, skipped = read("numbers.jsonl", data.encode())
    assert [doc.id for doc in docs] == ["r1", "r3"]
    assert skipped == ["line 2: invalid JSON: Exceeds the limit (4300 digits) for integer string conversion"]


# --- CSV --------------------------------------------------------------------------------------------------

def test_csv_missing_its_text_column_in_the_header_or_in_a_row(tmp_path: Path, make_index: MakeIndex) -> None:
    write(tmp_path / "docs" / "no-text.csv", "id;title;summary\n1;Сталь;Завод\n")
    write(tmp_path / "docs" / "short-rows.csv", "id,title,text\nc1,Урожай,Виноград созрел\nc2,Пустая\nc3,,Пшеница\n")
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert reasons(report) == {
        "docs/no-text.csv": ["CSV header has no 'text' column (found: id, title, summary)"],
        "docs/short-rows.csv": ["line 3: record 'c2' has no 'text' string"],
    }
    assert ids(ix, "виноград пшеница") == {"c1", "c3"}


# --- HTML -------------------------------------------------------------------------------------------------

HOSTILE_HTML = """<!DOCTYPE html><html><head><title>&laquo;Сталевар&raquo; &amp; партнёры</title>
<script>var secret = "</p>шпионаж<p>"; if (a < b && c > d) {}</script>
<style>p { content: "конспирация"; }</style></head>
<body><noscript>Включите скрипты: тайнопись</noscript><!-- комментарий: подкоп -->
<![if !supportLists]>&#8226;<![endif]> <![foo[ неизвестная секция: подпол ]]>
<p>Литейщик&nbsp;&mdash; профессия &#1089;&#x442;&#1072;&#x440;&#1072;&#x44F;: &unknownentity;
&#0; &#xD800; &#99999999999;</p>
<svg><![CDATA[ <g>чертёж</g> ]]></svg><template>шаблон</template>
<p>Незакрытый абзац <b>жирный <i>курсив</p></body></html><script>невидимка"""


def test_html_with_scripts_and_entities_indexes_its_visible_text_only(tmp_path: Path,
                                                                      make_index: MakeIndex) -> None:
    write(tmp_path / "docs" / "page.html", HOSTILE_HTML)
    ix = make_index()
    assert sync(ix, tmp_path / "docs").skipped == []
    (hit,) = ix.search("литейщик").hits
    assert hit.title == "«Сталевар» & партнёры"
    body = ix.document("docs/page.html")[0].body
    assert "Литейщик — профессия старая: &unknownentity; \ufffd \ufffd \ufffd" in body.replace("\n", " ")
    assert ids(ix, "курсив") == ids(ix, "старый") == {"docs/page.html"}
    for hidden in ("шпионаж", "конспирация", "тайнопись", "подкоп", "шаблон", "невидимка", "подпол"):
        assert ids(ix, hidden) == set(), hidden


def test_html_unknown_marked_section_no_longer_stops_the_run(tmp_path: Path, make_index: MakeIndex) -> None:
    """Python's HTML parser raises AssertionError on ``<![foo[``: it used to abort the whole sync."""
    write(tmp_path / "docs" / "a-word-export.html", "<p>Звонарь</p><![foo[ x ]]><p>звонит</p><![bar")
    write(tmp_path / "docs" / "b.txt", "Архивариус нашёл письмо.")
    ix = make_index()
    assert sync(ix, tmp_path / "docs").skipped == []
    assert ids(ix, "звонарь") == {"docs/a-word-export.html"} and ids(ix, "архивариус") == {"docs/b.txt"}


# --- links, special files, unreadable files ---------------------------------------------------------------

def test_symlink_loops_end_and_are_reported(tmp_path: Path, make_index: MakeIndex) -> None:
    folder = tmp_path / "docs"
    write(folder / "sub" / "good.txt", "Архивариус нашёл письмо.")
    os.symlink("..", folder / "sub" / "up")  # a folder link to its own parent
    os.symlink(folder, folder / "sub" / "again")  # and another, absolute
    os.symlink("self.txt", folder / "self.txt")  # a file link to itself
    os.symlink("pong.txt", folder / "ping.txt")
    os.symlink("ping.txt", folder / "pong.txt")  # two links to each other
    ix = make_index()
    report = sync(ix, folder)
    loop = "cannot read: Too many levels of symbolic links"
    assert reasons(report) == {"docs/self.txt": [loop], "docs/ping.txt": [loop], "docs/pong.txt": [loop]}
    assert ids(ix, "архивариус") == {"docs/sub/good.txt"} and ix.doc_count() == 1


def test_pipes_and_devices_are_not_read(tmp_path: Path, make_index: MakeIndex) -> None:
    """A named pipe would block the reader forever and /dev/zero never ends: neither is opened."""
    folder = tmp_path / "docs"
    write(folder / "good.txt", "Архивариус нашёл письмо.")
    os.mkfifo(folder / "pipe.txt")
    os.symlink("/dev/zero", folder / "zeros.jsonl")
    os.symlink("/dev/urandom", folder / "random.csv")
    ix = make_index()
    report = sync(ix, folder)
    assert reasons(report) == {f"docs/{name}": ["not a regular file"] for name in ("pipe.txt", "zeros.jsonl",
                                                                                     "random.csv")}
    assert ids(ix, "архивариус") == {"docs/good.txt"}
    with deadline(10):
        assert {item.path: item.reason for item in load(folder) if isinstance(item, Skipped)} == {
            f"docs/{name}": "not a regular file" for name in ("pipe.txt", "zeros.jsonl", "random.csv")}


def test_file_without_read_permission(tmp_path: Path, make_index: MakeIndex) -> None:
    locked = write(tmp_path / "docs" / "locked.txt", "Секретный архив.")
    write(tmp_path / "docs" / "good.txt", "Архивариус нашёл письмо.")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root (or with CAP_DAC_OVERRIDE): mode 000 does not stop reading; "
                        "test_file_whose_read_fails covers the same path with a real read error")
        ix = make_index()
        report = sync(ix, tmp_path / "docs")
        assert reasons(report) == {"docs/locked.txt": ["cannot read: Permission denied"]}
        assert ids(ix, "архивариус") == {"docs/good.txt"}
    finally:
        locked.chmod(0o644)


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux's /proc/self/mem")
def test_file_whose_read_fails(tmp_path: Path, make_index: MakeIndex) -> None:
    """/proc/self/mem is a regular file whose read at offset 0 fails with EIO, even for root: a stand-in for a
    bad sector or a dropped network share."""
    os.makedirs(tmp_path / "docs")
    os.symlink("/proc/self/mem", tmp_path / "docs" / "bad-sector.txt")
    write(tmp_path / "docs" / "good.txt", "Архивариус нашёл письмо.")
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert reasons(report) == {"docs/bad-sector.txt": ["cannot read: Input/output error"]}
    assert ids(ix, "архивариус") == {"docs/good.txt"}


class _FailingStream(io.BufferedReader):
    """A file whose lines after the first ``good`` fail with EIO, as a disk or share that fails mid-file."""

    good = 2

    def __init__(self, raw: Any) -> None:
        super().__init__(raw)
        self.lines_read = 0

    def readline(self, size: int | None = -1) -> bytes:
        if self.lines_read >= self.good:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        line = super().readline(size)
        self.lines_read += line.endswith(b"\n")
        return line


def fail_reading(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """From now on, reading the file called ``name`` fails with EIO after its first lines."""
    def flaky_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == name:
            return _FailingStream(io.FileIO(path, "r"))
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(registry, "open", flaky_open, raising=False)


def write_flaky_folder(folder: Path) -> None:
    records = [{"id": f"r{n}", "text": text} for n, text in enumerate(["Ледокол", "Маяк", "Пароход", "Шлюз"])]
    write(folder / "flaky.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    write(folder / "good.txt", "Архивариус нашёл письмо.")


def test_read_error_in_the_middle_of_a_record_file(tmp_path: Path, make_index: MakeIndex,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write_flaky_folder(tmp_path / "docs")
    fail_reading(monkeypatch, "flaky.jsonl")
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert reasons(report) == {"docs/flaky.jsonl": ["cannot read: Input/output error"]}
    assert ids(ix, "ледокол маяк пароход шлюз") <= {"r0", "r1"}  # at most what was read before the failure
    assert ids(ix, "архивариус") == {"docs/good.txt"}


def test_a_file_that_failed_midway_is_read_whole_by_the_next_run(tmp_path: Path, make_index: MakeIndex,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_flaky_folder(tmp_path / "docs")
    fail_reading(monkeypatch, "flaky.jsonl")
    ix = make_index()
    sync(ix, tmp_path / "docs")
    monkeypatch.undo()  # the disk is back
    report = sync(ix, tmp_path / "docs")
    assert report.skipped == []
    assert ids(ix, "ледокол маяк пароход шлюз") == {"r0", "r1", "r2", "r3"}


def test_folder_that_cannot_be_listed_is_reported(tmp_path: Path, make_index: MakeIndex,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "docs" / "closed" / "secret.txt", "Секретный архив.")
    write(tmp_path / "docs" / "good.txt", "Архивариус нашёл письмо.")
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(os.fsdecode(path)).name == "closed":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert reasons(report) == {"docs/closed": ["cannot read folder: Permission denied"]}
    assert ids(ix, "архивариус") == {"docs/good.txt"}


# --- odd names --------------------------------------------------------------------------------------------

#: File name → a word only that file holds.
ODD_NAMES = {
    "with spaces  and  tabs\t.txt": "архивариус",
    "Отчёт о встрече.md": "губернатор",
    "emoji 😀🇷🇺 notes.txt": "ярмарка",
    "[bold]markup[/bold] & 100%.txt": "пароход",
    "-n --rebuild.txt": "краевед",
    "ё" * 120 + ".txt": "звонарь",  # 245 bytes: near the 255-byte limit of most file systems
    "new\nline.txt": "библиотека",
}
#: A name in cp1251 bytes, as unzipping an old Windows archive leaves it: not valid UTF-8.
CP1251_NAME = "Письмо.txt".encode("cp1251")


def make_odd_names(folder: Path) -> dict[str, str]:
    """Files with odd names under ``folder``; returns id → word for those the file system accepted."""
    made = {}
    for name, word in {**ODD_NAMES, os.fsdecode(CP1251_NAME): "телеграф"}.items():
        try:
            write(folder / name, f"{word.capitalize()} на месте.")
        except (OSError, UnicodeEncodeError):  # the file system refuses the name
            continue
        file_id = f"{folder.name}/{name}".encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        made[file_id] = word
    return made


def test_odd_file_names_are_indexed_and_found(tmp_path: Path, make_index: MakeIndex) -> None:
    made = make_odd_names(tmp_path / "docs")
    assert len(made) >= 6
    ix = make_index()
    report = sync(ix, tmp_path / "docs")
    assert report.skipped == [] and report.added == len(made)
    for file_id, word in made.items():
        assert ids(ix, word) == {file_id}, file_id
    assert sync(ix, tmp_path / "docs").unchanged == len(made)  # ids are stable from run to run


def test_odd_file_names_through_the_command_line(tmp_path: Path) -> None:
    made = make_odd_names(tmp_path / "docs")
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    command = [sys.executable, "-m", "searchkit"]
    index = subprocess.run([*command, "index", str(tmp_path / "docs"), "--index", str(tmp_path / "ix")],
                           capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert index.returncode == 0 and "Traceback" not in index.stderr, index.stderr
    assert f"{len(made)} added" in index.stderr and "0 skipped" in index.stderr
    search = subprocess.run([*command, "search", "--json", "--limit", "20", " OR ".join(made.values()),
                             "--index", str(tmp_path / "ix")],
                            capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert search.returncode == 0, search.stderr
    assert {hit["id"] for hit in json.loads(search.stdout)["hits"]} == set(made)


# --- everything at once -----------------------------------------------------------------------------------

def make_hostile_folder(folder: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A folder of every kind of hostile file beside good ones. Returns the documents that must be found (id →
    a word only it holds) and the reasons expected per skipped file (each a start of the reason)."""
    good = make_odd_names(folder)
    bad: dict[str, list[str]] = {}
    write(folder / "cut.txt", "Почтамт закрыт на ремонт до пятницы".encode()[:-1])
    good["docs/cut.txt"] = "почтамт"
    write(folder / "mixed.txt", "Самовар на столе\n".encode() + "Балалайка в углу\n".encode("cp1251"))
    good["docs/mixed.txt"] = "балалайка"
    write(folder / "page.html", HOSTILE_HTML)
    good["docs/page.html"] = "литейщик"
    write(folder / "word-export.html", "<p>Звонница</p><![foo[ x ]]>")
    good["docs/word-export.html"] = "звонница"
    write(folder / "records.jsonl", "\n".join([
        '{"id": "rec-ok", "text": "Ледокол вышел в море."}',
        '{"id": "rec-deep", "text": ' + nested(100_000) + "}",
        '{"id": "rec-broken", "text": Маяк}',
        '{"id": ' + "9" * 5000 + ', "text": "x"}',
        '{"id": "rec-late", "text": "Шлюз открыт."}']))
    good.update({"rec-ok": "ледокол", "rec-late": "шлюз"})
    bad["docs/records.jsonl"] = ["line 2: JSON nested too deeply", "line 3: invalid JSON at column 30",
                                 "line 4: invalid JSON: Exceeds the limit"]
    write(folder / "table.csv", "id,text\nrow-ok,Виноград созрел\nrow-short\nrow-long,\"" + "Хлебопёк " * 20_000
          + "\"\n")
    good.update({"row-ok": "виноград", "row-long": "хлебопек"})
    bad["docs/table.csv"] = ["line 3: record 'row-short' has no 'text' string"]
    write(folder / "image.txt", PNG)
    bad["docs/image.txt"] = ["binary file (contains NUL bytes)"]
    write(folder / "noise.md", NOISE)
    bad["docs/noise.md"] = ["not UTF-8 (invalid byte at offset 127), nor cp1251 or koi8-r"]
    for name in ("empty.txt", "empty.jsonl", "empty.csv"):
        write(folder / name, b"")
        bad[f"docs/{name}"] = ["empty file"]
    sparse(folder / "huge.txt", 200 * MB)
    bad["docs/huge.txt"] = ["file is 200 MB, over the 64 MB limit for a .txt file"]
    write(folder / "deep.json", nested(100_000))
    bad["docs/deep.json"] = ["JSON nested too deeply"]
    write(folder / "broken.json", '[\n  {"id": "j1", "text": "Ледокол"},\n  {"id": "j2", "text": }\n]')
    bad["docs/broken.json"] = ["invalid JSON at line 3, column 24: Expecting value"]
    write(folder / "no-text.csv", "id,title\n1,Без текста\n")
    bad["docs/no-text.csv"] = ["CSV header has no 'text' column (found: id, title)"]
    os.symlink("..", folder / "parent-loop")
    os.symlink("self-loop.txt", folder / "self-loop.txt")
    bad["docs/self-loop.txt"] = ["cannot read: Too many levels of symbolic links"]
    os.mkfifo(folder / "pipe.txt")
    bad["docs/pipe.txt"] = ["not a regular file"]
    if os.path.exists("/proc/self/mem"):
        os.symlink("/proc/self/mem", folder / "bad-sector.txt")
        bad["docs/bad-sector.txt"] = ["cannot read: Input/output error"]
    locked = write(folder / "locked.txt", "Секретарь на месте.")
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads it anyway
        good["docs/locked.txt"] = "секретарь"
    else:
        bad["docs/locked.txt"] = ["cannot read: Permission denied"]
    return good, bad


def assert_reported(found: dict[str, list[str]], expected: dict[str, list[str]]) -> None:
    assert set(found) == set(expected), set(found) ^ set(expected)
    for path, starts in expected.items():
        assert len(found[path]) == len(starts), (path, found[path])
        for reason, start in zip(found[path], starts):
            assert reason.startswith(start), (path, reason, start)


def test_a_folder_of_hostile_files_indexes_every_good_file(tmp_path: Path, make_index: MakeIndex) -> None:
    folder = tmp_path / "docs"
    good, bad = make_hostile_folder(folder)
    ix = make_index()
    report = sync(ix, folder)
    assert_reported(reasons(report), bad)
    for doc_id, word in good.items():
        assert doc_id in ids(ix, word), (doc_id, word)
    assert ix.doc_count() == len(good)
    for hidden in ("шпионаж", "конспирация"):
        assert ids(ix, hidden) == set()
    # Nothing changed: files with documents are passed over unread (so the bad records of a file with good ones
    # are not reported again), and the files that gave nothing are read and reported again.
    again = sync(ix, folder)
    assert (again.added, again.updated, again.removed, again.documents) == (0, 0, 0, 0)
    assert_reported(reasons(again), {path: why for path, why in bad.items()
                                     if path not in ("docs/records.jsonl", "docs/table.csv")})
    assert ix.doc_count() == len(good)


def test_searchkit_index_lists_each_hostile_file_with_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    good, bad = make_hostile_folder(folder)
    result = subprocess.run([sys.executable, "-m", "searchkit", "index", str(folder), "--index",
                             str(tmp_path / "ix")], capture_output=True, text=True, encoding="utf-8", timeout=120,
                            env=dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8"))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert f"{sum(map(len, bad.values()))} skipped" in result.stderr
    for path, starts in bad.items():
        for start in starts:
            assert f"  skipped {path}: {start}" in result.stderr, (path, start)
    with Index.open(tmp_path / "ix") as ix:
        assert ix.doc_count() == len(good)


# --- any bytes at all -------------------------------------------------------------------------------------

_pieces = st.sampled_from(["<", ">", "<!", "<![", "<![x[", "]]>", "<script>", "</script>", "&", "&#", "&#x", ";",
                           "\n", "\r", '"', "{", "}", "[", "]", ",", ";", ":", "---\n", "# ", "date 2025-08-12 ",
                           "id", "text", "\ufeff", "\x00", "ё", "Сталь", "\\", "\u2028"])
_texts = st.lists(st.one_of(_pieces, st.text(max_size=6)), max_size=40).map("".join)
_raw = st.one_of(_texts.map(lambda text: text.encode("utf-8", "surrogatepass")),
                 _texts.map(lambda text: text.encode("cp1251", "replace")),
                 _texts.map(lambda text: text.encode("utf-8")[:-1]), st.binary(max_size=300))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(READERS)), _raw)
def test_any_bytes_in_any_format_give_documents_or_reasons(suffix: str, data: bytes) -> None:
    docs, skipped = read(f"fuzz{suffix}", data)
    assert docs or skipped
    for doc in docs:
        assert isinstance(doc.body, str) and doc.hash
