"""Checking an index folder: every file a commit needs, read through, each problem reported with its file.

A damaged index makes a search fail somewhere deep in Whoosh; ``searchkit check`` says where. It reads
``searchkit.json``, the latest table of contents, and each segment it lists: the segment's file, its document
count, every live document's stored fields, the postings of every term of the analysed fields, and the table of
terms and the lexicon of forms beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from ...errors import SearchkitError
from ...settings import SETTINGS_FILE
from ..base import CheckReport
from .internals import latest_generation
from .store import INDEX_NAME, read_settings
from .form_lexicon import SUFFIX as LEXICON_SUFFIX, lexicon_covers
from .term_tables import SUFFIX, exact_forms, read_postings, read_table


def check(path: Path) -> CheckReport:
    """Read the index at ``path`` through and report what cannot be read, file by file."""
    report = CheckReport()
    try:
        read_settings(path)
    except SearchkitError as error:
        report.problems.append((SETTINGS_FILE, str(error)))
    storage = FileStorage(str(path), readonly=True)
    try:
        generation, toc = latest_toc(storage)
    except UnreadableToc as error:
        report.problems.append((error.file, error.problem))
        return report
    for segment in toc.segments:
        report.segments += 1
        report.documents += _check_segment(storage, toc.schema, segment, generation, report.problems)
    return report


def _check_lexicon(storage: FileStorage, segment_id: str, postings: Any, problems: list[tuple[str, str]]) -> None:
    """The segment's lexicon of forms, if it has one, must be readable and hold every form the segment has an
    exact-form term of."""
    name = segment_id + LEXICON_SUFFIX
    if name not in storage.list():
        return
    if not lexicon_covers(storage.folder, segment_id, exact_forms(postings.keys)):
        problems.append((name, "the lexicon of forms does not match its segment: delete the file (searches then "
                               "analyse the segment's words anew), and searchkit index --rebuild writes it again"))


def _check_table(storage: FileStorage, segment_id: str, postings: Any, problems: list[tuple[str, str]]) -> None:
    """The segment's table of terms, if it has one, must hold the segment's ``postings`` (its
    :func:`~.term_tables.read_postings`)."""
    name = segment_id + SUFFIX
    if name not in storage.list():
        return
    table = read_table(storage.folder, segment_id)
    if table is None or not table.agrees_with(postings):
        problems.append((name, "the table of terms does not match its segment: delete the file, and the next "
                               "commit writes it anew"))


class UnreadableToc(Exception):
    """The latest table of contents is missing or cannot be read: ``file`` and ``problem`` say which and why."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file, self.problem = file, problem


def latest_toc(storage: FileStorage) -> tuple[int, Any]:
    """The generation and the table of contents of the latest commit in ``storage``, or :class:`UnreadableToc`."""
    generation = latest_generation(storage, INDEX_NAME)
    if generation < 0:
        raise UnreadableToc(f"_{INDEX_NAME}_N.toc", "no table of contents: this is no index")
    try:
        return generation, whoosh_index.TOC.read(storage, INDEX_NAME, generation)
    except Exception as error:  # Whoosh unpickles the table: a damaged one raises anything
        raise UnreadableToc(f"_{INDEX_NAME}_{generation}.toc",
                            f"the table of contents cannot be read ({type(error).__name__}: {error})") from None


def _check_segment(storage: FileStorage, schema: object, segment: object, generation: int,
                   problems: list[tuple[str, str]]) -> int:
    """Read one segment through; its live documents, or 0 after recording its problem."""
    files = sorted(name for name in storage.list()
                   if name.startswith(segment.segment_id()) and not name.endswith((SUFFIX, LEXICON_SUFFIX)))  # type: ignore[attr-defined]
    where = ", ".join(files) or f"{segment.segment_id()}.*"  # type: ignore[attr-defined]
    if not files:
        problems.append((where, "the segment's files are missing"))
        return 0
    try:
        reader = SegmentReader(storage, schema, segment, generation=generation)
        try:
            for docnum in range(reader.doc_count_all()):
                if not reader.is_deleted(docnum):
                    reader.stored_fields(docnum)
            postings = read_postings(reader)  # every posting of every term of the analysed fields, read through
            _check_table(storage, segment.segment_id(), postings, problems)  # type: ignore[attr-defined]
            _check_lexicon(storage, segment.segment_id(), postings, problems)  # type: ignore[attr-defined]
            return reader.doc_count()
        finally:
            reader.close()
    except Exception as error:  # a damaged file breaks Whoosh's readers in many ways; each is this segment's
        problems.append((where, f"cannot be read ({type(error).__name__}: {error})"))
        return 0
