"""A disk that fills up while indexing: one line naming the index and the free space, exit 2, no temporary files
left, and the previous commit intact and searchable; and an index on a read-only mount (an archive), which is
searched and refuses writes in one line. Real file systems: small tmpfs mounts (tests run as root, for whom
file permissions alone stop nothing)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchkit import Index, SearchkitError

from .conftest import CORPUS_DIR


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up here ({made.stderr.strip() or 'mount failed'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


def records(folder: Path, count: int) -> Path:
    """A JSON Lines file of Russian records, several times larger than the small disk can index."""
    text = "Архивариус описал письма купцов, дневники и переговоры о поставках стали. " * 30
    path = folder / "archive.jsonl"
    path.write_text("".join(f'{{"id": "r{n}", "text": "{text} Опись {n}."}}\n' for n in range(count)),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_is_one_line_and_the_last_commit_stays(small_disk: Path, tmp_path: Path, jobs: str) -> None:
    index = small_disk / "index"
    with Index.create(index) as ix:
        ix.index_path(CORPUS_DIR, processes=1)
        before = ix.doc_count()
    result = subprocess.run([sys.executable, "-m", "searchkit", "index", "--index", str(index), "-j", jobs,
                             str(records(tmp_path, 3000))], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"the disk holding the index {index} is full" in lines[0] and "MB free" in lines[0]
    assert not [name for name in index.iterdir() if name.suffix == ".tmp"]
    with Index.open(index) as ix:
        assert ix.doc_count() == before and ix.search("Анкоридж").total > 0


def test_a_read_only_index_is_searched_and_refuses_writes_in_one_line(small_disk: Path) -> None:
    index = small_disk / "index"
    with Index.create(index) as ix:
        ix.index_path(CORPUS_DIR, processes=1)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with Index.open(index) as ix:
        assert ix.search("встречи в Анкоридже").total > 0 and ix.stats().documents == ix.doc_count()
        with pytest.raises(SearchkitError, match=f"the index folder {index} is read-only"):
            ix.add([{"id": "note", "text": "Новая заметка."}])
    result = subprocess.run([sys.executable, "-m", "searchkit", "index", "--index", str(index), str(CORPUS_DIR)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stderr.strip() == (
        f"searchkit: error: the index folder {index} is read-only: it can be searched, not written")
