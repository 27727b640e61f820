"""Crash safety and concurrent use, with real processes: an indexer killed with SIGKILL at random moments,
searches while another process writes, and a second writer meeting the lock of a live one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searchkit import Index, IndexLockedError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

FILES = 120
KILLS = 20
#: Small commits, so that kills land between, inside and after commits.
COMMIT_BYTES = 6_000

INDEXER = """
import sys
from searchkit import Index
with Index.open(sys.argv[1]) as ix:
    print("started", flush=True)
    ix.index_path(sys.argv[2], processes=1, commit_bytes=int(sys.argv[3]))
print("done", flush=True)
"""

WRITER_HOLDING_THE_LOCK = """
import sys, time
from searchkit import Index
with Index.open(sys.argv[1]) as ix, ix.backend.transaction():
    print("locked", flush=True)
    time.sleep(60)
"""

SENTENCES = [
    "Архивариус разбирал письма, присланные из уездного города осенью прошлого года.",
    "В письмах говорилось о встрече купцов и о переговорах с поставщиками стали.",
    "Погода стояла холодная, дороги стали непроезжими, и почта приходила с опозданием.",
    "Краеведческий музей получил в дар коллекцию фотографий старых улиц и площадей.",
]


def marker(n: int) -> str:
    """A number that only file ``n`` contains, to find it by search."""
    return str(90000 + n)


def letter(n: int, version: int) -> str:
    text = " ".join(SENTENCES[(n + i) % len(SENTENCES)] for i in range(12))
    return f"Письмо {marker(n)}\n{text}\nРедакция {version}."


def write_folder(folder: Path, version: int) -> None:
    folder.mkdir(exist_ok=True)
    for n in range(FILES):
        (folder / f"letter-{n:03d}.txt").write_text(letter(n, version) + "\n", encoding="utf-8")


def make_folder(root: Path) -> Path:
    folder = root / "archive"
    write_folder(folder, version=0)
    return folder


def start_indexer(index: Path, folder: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", INDEXER, str(index), str(folder), str(COMMIT_BYTES)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started", process.stderr.read() if process.stderr else ""
    return process


def check_index(index: Path, versions: range) -> dict[int, int]:
    """Every document in the index is searchable and is exactly one version of its file's text, from
    ``versions``; returns how many documents there are of each version."""
    counts: dict[int, int] = {}
    with Index.open(index) as ix:
        for document in ix.documents():
            n = int(document.id.split("-")[-1].split(".")[0])
            version = next((v for v in versions if document.body == letter(n, v)), None)
            assert version is not None, f"{document.id} holds no version of its file"
            counts[version] = counts.get(version, 0) + 1
            assert [hit.id for hit in ix.search(marker(n), snippets=False).hits] == [document.id]
    return counts


def test_sigkill_at_random_moments_loses_nothing_committed_and_a_rerun_completes(tmp_path):
    folder = make_folder(tmp_path)
    index = tmp_path / "index"
    Index.create(index).close()
    moments = random.Random(20251125)
    process = start_indexer(index, folder)  # the first run, killed early: only what it committed is there
    time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert sum(check_index(index, range(1)).values()) < FILES
    with Index.open(index) as ix:  # its stale lock does not block the next run, which completes the job
        assert ix.index_path(folder, processes=1).skipped == []
    assert check_index(index, range(1)) == {0: FILES}
    write_folder(folder, 1)  # an update run to its end, timed, so that the kills below land inside a run here
    process = start_indexer(index, folder)
    started = time.monotonic()
    assert process.wait(timeout=600) == 0
    run_seconds = time.monotonic() - started
    assert check_index(index, range(2)) == {1: FILES}
    updated_when_killed = []
    for version in range(2, KILLS + 2):
        write_folder(folder, version)  # every file changes: each run replaces every document
        process = start_indexer(index, folder)
        time.sleep(moments.uniform(0.0, run_seconds))
        process.send_signal(signal.SIGKILL)
        process.wait()
        counts = check_index(index, range(version + 1))
        assert sum(counts.values()) == FILES, counts  # an update never loses the old document before the new
        updated_when_killed.append(counts.get(version, 0))
    assert len(set(updated_when_killed)) > 3, updated_when_killed  # kills landed at different stages
    with Index.open(index) as ix:
        assert ix.index_path(folder, processes=1).skipped == []
    assert check_index(index, range(KILLS + 2)) == {KILLS + 1: FILES}


def test_searches_see_complete_commits_while_another_process_indexes(tmp_path):
    folder = make_folder(tmp_path)
    index = tmp_path / "index"
    Index.create(index).close()
    process = start_indexer(index, folder)
    checks = 0
    with Index.open(index) as ix:
        while process.poll() is None:
            context = ix.backend.context()
            results = ix.search("архивариус", limit=5, snippets=False)
            if results.generation == context.generation:  # no newer commit appeared in between
                assert results.total == context.documents
                checks += 1
    assert process.wait() == 0, process.stderr.read() if process.stderr else ""
    assert checks > 0
    assert check_index(index, range(1)) == {0: FILES}


def test_a_second_writer_gets_a_clear_message_while_the_first_holds_the_lock(tmp_path):
    folder = make_folder(tmp_path)
    index = tmp_path / "index"
    Index.create(index).close()
    holder = subprocess.Popen([sys.executable, "-c", WRITER_HOLDING_THE_LOCK, str(index)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with Index.open(index) as ix, pytest.raises(IndexLockedError, match="another process"):
            ix.index_path(folder)
        cli = subprocess.run([sys.executable, "-m", "searchkit", "index", str(folder), "--index", str(index)],
                             capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
        assert cli.returncode == 2
        assert "being written by another process" in cli.stderr and "Traceback" not in cli.stderr
    finally:
        holder.kill()
        holder.wait()
    with Index.open(index) as ix:  # the dead holder's lock is gone with it
        assert ix.index_path(folder).added == FILES


def test_a_common_word_loads_the_text_of_the_shown_hits_only(make_index, monkeypatch):
    from whoosh.reading import SegmentReader

    ix = make_index()
    ix.add([{"id": f"d{n}", "text": f"Архив номер {n}: письма о встречах и переговорах."} for n in range(400)])
    loaded: list[int] = []
    stored_fields = SegmentReader.stored_fields
    monkeypatch.setattr(SegmentReader, "stored_fields",
                        lambda self, docnum: loaded.append(docnum) or stored_fields(self, docnum))
    results = ix.search("архивы", limit=5)
    assert results.total == 400 and len(results.hits) == 5
    assert len(loaded) == 5  # every one of the 400 matches is ranked, only the 5 shown are read from disk
