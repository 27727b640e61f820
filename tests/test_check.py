"""``searchkit check``: an index read through, each damaged file named; and a search of a damaged index, one line
that says to run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchkit import Index

from .conftest import CORPUS_DIR, run_cli


@pytest.fixture
def index(tmp_path: Path) -> Path:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.index_path(CORPUS_DIR, processes=1)
        ix.add([{"id": "note", "text": "Заметка архивариуса о встрече в Анкоридже."}])  # a second segment
    return path


def segment_files(index: Path) -> list[Path]:
    return sorted(index.glob("*.seg"))


def test_a_sound_index_is_ok(index: Path) -> None:
    assert run_cli("check", "--index", str(index)) == (0, "index OK: 31 documents, 2 segments\n", "")


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for at in range(1000, len(data), 997):
        data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("damage", [flip, truncate])
def test_a_damaged_segment_is_named_and_a_search_says_to_check(index: Path, damage) -> None:  # type: ignore[no-untyped-def]
    largest = max(segment_files(index), key=lambda path: path.stat().st_size)
    damage(largest)
    code, out, _ = run_cli("check", "--index", str(index))
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(f"damaged: {largest}: ") and "cannot be read" in line
    code, _, err = run_cli("search", "--index", str(index), "встреча Путина и Трампа")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"index damaged: run searchkit check --index {index}" in err


def test_a_damaged_table_of_contents_and_settings_are_named(index: Path) -> None:
    (toc,) = index.glob("_MAIN_*.toc")
    truncate(toc)
    (index / "searchkit.json").write_text("{", encoding="utf-8")
    code, out, _ = run_cli("check", "--index", str(index))
    assert code == 1
    assert [line.split(": ")[1] for line in out.splitlines()] == [str(index / "searchkit.json"), str(toc)]
    assert "the table of contents cannot be read" in out


def test_a_missing_segment_is_named(index: Path) -> None:
    gone = segment_files(index)[0]
    gone.unlink()
    code, out, _ = run_cli("check", "--index", str(index))
    assert code == 1 and f"damaged: {index / gone.name.split('.')[0]}.*: the segment's files are missing" in out
