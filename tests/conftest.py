"""Shared fixtures: the repository's sample corpus, one index of it per test session, and small throwaway indexes.

The session index is built into pytest's temporary folder, never into the repository's ``index/``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from searchkit import Index

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT / "corpus"

#: The seed news article (2025-08-12, Putin's call with Kim Jong Un about the summit with Trump in Anchorage).
SEED_NAME = "2025-08-12-putin-kim.txt"
SEED_ID = f"corpus/{SEED_NAME}"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The repository's ``corpus/`` folder (read only: tests that change files copy it first)."""
    assert (CORPUS_DIR / SEED_NAME).is_file(), "the sample corpus is missing"
    return CORPUS_DIR


@pytest.fixture(scope="session")
def corpus_index_path(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """An index of ``corpus/`` built once per session with ``Index.index_path`` (one process)."""
    path = tmp_path_factory.mktemp("corpus-index") / "index"
    with Index.create(path) as ix:
        report = ix.index_path(corpus_dir, processes=1)
    assert report.added > 0 and report.documents > 0, report
    return path


@pytest.fixture(scope="session")
def corpus_index(corpus_index_path: Path) -> Iterator[Index]:
    """The session's corpus index, opened once; tests must only read from it."""
    with Index.open(corpus_index_path) as ix:
        yield ix


@pytest.fixture
def make_index(tmp_path: Path) -> Iterator[Callable[..., Index]]:
    """``make_index()`` → a new empty :class:`Index` in ``tmp_path`` (closed when the test ends)."""
    opened: list[Index] = []
    counter = itertools.count(1)

    def make(name: str | None = None, **kwargs) -> Index:  # type: ignore[no-untyped-def]
        ix = Index.create(tmp_path / (name or f"index-{next(counter)}"), **kwargs)
        opened.append(ix)
        return ix

    yield make
    for ix in opened:
        ix.close()


@pytest.fixture
def seed_body(corpus_dir: Path) -> str:
    """The seed article's body as the loader stores it (date prefix removed)."""
    from searchkit.documents import load

    (document,) = list(load(corpus_dir / SEED_NAME))
    return document.body


def run_cli(*args: str) -> tuple[int, str, str]:
    """``searchkit ARGS`` through click's runner: the exit status, standard output and standard error."""
    from click.testing import CliRunner

    from searchkit.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr
