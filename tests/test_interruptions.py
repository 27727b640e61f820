"""A killed or interrupted ``searchkit index`` on the path users run: a folder large enough for worker processes.
Its workers never outlive it, the lock is free afterwards, Ctrl-C and SIGTERM end it promptly with one line
and the conventional exit status, and what was committed stays searchable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searchkit import Index

FILES = 600

pytestmark = pytest.mark.faults  # real worker processes, several seconds each: run by CI beside the default run
#: A generous bound on how long ending may take, which catches a hang without timing anything.
ENDS_WITHIN = 30.0


def make_folder(root: Path) -> Path:
    folder = root / "letters"
    folder.mkdir()
    paragraph = ("Архивариус описал письма купцов и дневники путешественников, переговоры о поставках стали "
                 "и встречи в Анкоридже. ") * 200
    for n in range(FILES):
        (folder / f"letter-{n:04}.txt").write_text(f"Письмо {n}\n{paragraph} Опись {n}.", encoding="utf-8")
    return folder


def start_index(index: Path, folder: Path) -> subprocess.Popen[str]:
    """``searchkit index`` with two workers, committing every 256 KB so that commits happen along the way."""
    # Ctrl-C acts as in a terminal's foreground job even where this test runs as a background job, whose
    # children start with SIGINT ignored.
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "import searchkit.index as i; i.COMMIT_EVERY_BYTES = 256 * 1024; from searchkit.index import sync as s; "
            "s.PARALLEL_MIN_BYTES = 0; from searchkit.cli import main; sys.exit(main())")
    return subprocess.Popen([sys.executable, "-c", code, "index", "--index", str(index), "-j", "2", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_workers(process: subprocess.Popen[str]) -> list[int]:
    deadline = time.monotonic() + ENDS_WITHIN
    while time.monotonic() < deadline:
        workers = [pid for pid in children_of(process.pid) if alive(pid)]
        if len(workers) >= 2:
            return workers
        time.sleep(0.05)
    raise AssertionError("the indexer started no worker processes")


def wait_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + ENDS_WITHIN
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


@pytest.mark.parametrize("moment", [0.3, 1.0, 2.0])
def test_sigkill_leaves_no_worker_running_and_the_lock_free(tmp_path: Path, moment: float) -> None:
    folder = make_folder(tmp_path)
    index = tmp_path / "index"
    Index.create(index).close()
    process = start_index(index, folder)
    workers = wait_for_workers(process)
    time.sleep(moment)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert wait_gone(workers) == []  # none orphaned, none holding the lock
    with Index.open(index) as ix:
        report = ix.index_path(folder, processes=1)  # the lock is free: the next run completes the job
        assert report.skipped == [] and ix.doc_count() == FILES


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_stop_indexing_promptly_with_one_line(tmp_path: Path, signum: int, status: int) -> None:
    folder = make_folder(tmp_path)
    index = tmp_path / "index"
    Index.create(index).close()
    process = start_index(index, folder)
    workers = wait_for_workers(process)
    time.sleep(1.0)
    os.killpg(process.pid, signum) if signum == signal.SIGINT else process.send_signal(signum)  # Ctrl-C: the group
    _, stderr = process.communicate(timeout=ENDS_WITHIN)
    assert process.returncode == status, stderr
    assert wait_gone(workers) == []
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert "files are in the index" in lines[0] and "next run" in lines[0], lines[0]
    committed = int(lines[0].split(": ")[2].split()[0].replace(",", ""))
    with Index.open(index) as ix:
        assert ix.doc_count() == committed < FILES  # what it says was committed is searchable
        assert ix.search("архивариус", snippets=False).total == committed
    leftovers = [name for name in os.listdir(index) if name.endswith(".tmp")]
    assert leftovers == []


def test_kills_and_interrupts_at_random_moments_leave_no_process_and_a_searchable_index(tmp_path: Path) -> None:
    """SIGKILL or Ctrl-C of the parent at a random moment of a run, eight times: no worker survives it, the lock
    is free, and the index holds exactly what it says it holds; the moments are printed for a failure's sake."""
    folder = make_folder(tmp_path)
    rng = random.Random(int(os.environ.get("SEARCHKIT_FAULT_SEED", "17")))
    survivors = []
    for round_ in range(8):
        index = tmp_path / f"index-{round_}"
        Index.create(index).close()
        signum = rng.choice([signal.SIGKILL, signal.SIGINT])
        moment = rng.uniform(0.0, 2.5)
        print(f"round {round_}: {signal.Signals(signum).name} {moment:.2f} s after the workers started")
        process = start_index(index, folder)
        workers = wait_for_workers(process)
        time.sleep(moment)
        os.killpg(process.pid, signum) if signum == signal.SIGINT else process.send_signal(signum)
        process.communicate(timeout=ENDS_WITHIN)
        survivors.extend(wait_gone(workers))
        with Index.open(index) as ix:
            assert ix.search("архивариус", snippets=False).total == ix.doc_count() <= FILES
            report = ix.index_path(folder, processes=1)  # the lock is free
            assert report.skipped == [] and ix.doc_count() == FILES
    assert survivors == []
