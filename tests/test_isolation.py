"""A reader's work in a killable child process: a parser that never comes back costs its file only."""

from __future__ import annotations

import os
import time

import pytest

from searchkit import DocumentError
from searchkit.documents.isolation import in_child


def parse_forever(path: str) -> str:
    with open(path, "w", encoding="utf-8") as note:
        note.write(str(os.getpid()))
    while True:  # a C parser stuck on a crafted page looks like this from Python: no return, no exception
        time.sleep(0.05)


def test_a_reader_that_never_returns_is_stopped_and_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    note = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(DocumentError, match=r"PDF took more than 1 s to read and was stopped"):
        in_child(parse_forever, str(note), seconds=1, what="PDF")
    assert time.monotonic() - started < 30  # a generous bound that catches a hang
    child = int(note.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # killed and reaped: nothing keeps running after


def test_the_childs_answer_and_its_errors_come_back() -> None:
    assert in_child(lambda text: text.upper() + "!", "стали", seconds=30, what="PDF") == "СТАЛИ!"

    def damaged() -> None:
        raise DocumentError("damaged PDF: its structure cannot be parsed")

    with pytest.raises(DocumentError, match="damaged PDF: its structure"):
        in_child(damaged, seconds=30, what="PDF")
    with pytest.raises(DocumentError, match="PDF cannot be read: ZeroDivisionError"):
        in_child(lambda: 1 / 0, seconds=30, what="PDF")
