"""The readers of the supported formats, by file name extension, and the reading of one file through them.

Each module of :mod:`.formats` registers its reader with :func:`whole_file_reader`, :func:`record_reader` or
:func:`binary_reader`, so a new format is one new module there. A whole-file reader gets the file's decoded text,
the file and its encoding; a record reader gets the file's lines (:class:`~.decoding.Lines`); a binary reader
(Word, PDF, e-books, mail) gets the file and its bytes as a stream. All yield documents, and a
:class:`~.model.Skipped` for each part they cannot use; a problem with the whole file raises ``ValueError``.

Memory stays bounded whatever the files hold: a whole-file format (txt, md, html, json) over
:data:`MAX_FILE_BYTES` is refused from its size on disk without being read, and a record format (jsonl, csv),
which may be much larger, is read a line at a time, each line at most :data:`~.decoding.MAX_RECORD_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
import stat
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import IO

from ..errors import DocumentError
from .decoding import Lines, decode
from .model import Document, Skipped, SourceFile, Unreadable, Unsupported, size_text, with_file_facts

#: Whole-file formats larger than this are not read: one such "document" would not be useful to search and
#: would cost memory out of proportion. Record formats (jsonl, csv) may be larger; each record is limited.
MAX_FILE_BYTES = 64 * 1024 * 1024

#: Decoded text, the file, encoding → documents and skipped records.
WholeFileReader = Callable[[str, SourceFile, str], Iterator[Document | Skipped]]
#: A record file's lines → documents and skipped records.
RecordReader = Callable[[Lines], Iterator[Document | Skipped]]
#: The file and its bytes, as a binary stream → documents and skipped parts.
BinaryReader = Callable[[SourceFile, IO[bytes]], Iterator[Document | Skipped]]


@dataclass(frozen=True)
class Reader:
    """How the files with one extension are read."""

    #: Reads a file, open as a binary stream, into documents; a problem with the content raises ``ValueError``.
    read: Callable[[SourceFile, IO[bytes]], Iterator[Document | Skipped]]
    #: The file is read into memory whole, so it is refused over :data:`MAX_FILE_BYTES`.
    whole_file: bool
    #: Said in parentheses after the refusal of a file of this format that is too large.
    too_large_hint: str = ""
    #: The format's name and the library that reads it, for ``searchkit index --formats``.
    name: str = ""
    library: str = ""
    #: Its documents carry ids of their own (records), not ids made from the file's path, so two files may claim
    #: one id: the indexer reads such files itself to check, and hands the others to its worker processes whole.
    own_ids: bool = False
    #: The file is a binary format (Word, PDF, …), not text in some encoding.
    binary: bool = False


_readers: dict[str, Reader] = {}


def _registered() -> dict[str, Reader]:
    """The readers by extension, once every format module has registered its own. The modules (and the libraries
    they read with: lxml, trafilatura, python-docx, PDFium) are imported when a file is first looked at, not with
    searchkit, so that a search, which reads no file, never pays for them."""
    importlib.import_module(f"{__package__}.formats")  # once; later, a lookup in sys.modules
    return _readers


class _Extensions(Collection[str]):
    """Every supported file name extension, read from the registry when asked."""

    def __iter__(self) -> Iterator[str]:
        return iter(list(_registered()))

    def __len__(self) -> int:
        return len(_registered())

    def __contains__(self, extension: object) -> bool:
        return extension in _registered()


#: Every supported file name extension (lower case, with its dot).
READERS: Collection[str] = _Extensions()


def whole_file_reader(*extensions: str, name: str, library: str = "Python's standard library",
                      too_large_hint: str = "", own_ids: bool = False) -> Callable[[WholeFileReader], WholeFileReader]:
    """Register the decorated function as the reader of files with these extensions, read whole and decoded."""
    def register(read: WholeFileReader) -> WholeFileReader:
        _add(extensions, Reader(partial(_read_whole_file, read), True, too_large_hint, name, library, own_ids))
        return read
    return register


def record_reader(*extensions: str, name: str,
                  library: str = "Python's standard library") -> Callable[[RecordReader], RecordReader]:
    """Register the decorated function as the reader of files with these extensions, read a line at a time."""
    def register(read: RecordReader) -> RecordReader:
        _add(extensions, Reader(partial(_read_records, read), False, "", name, library, own_ids=True))
        return read
    return register


def binary_reader(*extensions: str, name: str, library: str,
                  whole_file: bool = True) -> Callable[[BinaryReader], BinaryReader]:
    """Register the decorated function as the reader of files with these extensions, given their bytes; a
    ``whole_file`` format is refused over :data:`MAX_FILE_BYTES` (a mailbox, read a message at a time, is not)."""
    def register(read: BinaryReader) -> BinaryReader:
        _add(extensions, Reader(read, whole_file, "", name, library, binary=True))
        return read
    return register


def _add(extensions: tuple[str, ...], reader: Reader) -> None:
    for extension in extensions:
        if extension in _readers:
            raise ValueError(f"two readers for {extension} files")
        _readers[extension] = reader


def reader_for(name: str) -> Reader | None:
    """The reader of a file of this name, by its longest registered extension (``.fb2.zip`` before ``.zip``, in
    any case); None for an unsupported one."""
    lowered = name.lower()
    readers = _registered()
    found = [extension for extension in readers if lowered.endswith(extension)]
    return readers[max(found, key=len)] if found else None


def extension_of(name: str) -> str:
    """The registered extension a file name ends with, else its last suffix (``.xlsx``), lower case."""
    lowered = name.lower()
    found = [extension for extension in _registered() if lowered.endswith(extension)]
    return max(found, key=len) if found else (os.path.splitext(lowered)[1] or "(no extension)")


def formats() -> list[tuple[str, list[str], str]]:
    """(format, its extensions, the library that reads it) of every supported format, as registered."""
    by_name: dict[tuple[str, str], list[str]] = {}
    for extension, reader in _registered().items():
        by_name.setdefault((reader.name, reader.library), []).append(extension)
    return [(name, extensions, library) for (name, library), extensions in by_name.items()]


def check_stat(source: SourceFile, info: os.stat_result) -> Skipped | None:
    """Why a file is not to be read at all, judged from its ``stat`` alone: it is not a regular file (a pipe or
    a device could block or never end), or it is a whole-file format over :data:`MAX_FILE_BYTES`."""
    if not stat.S_ISREG(info.st_mode):
        return Skipped(source.id, "not a regular file")
    suffix = extension_of(source.path.name)
    reader = reader_for(source.path.name)
    if (reader is None or reader.whole_file) and info.st_size > MAX_FILE_BYTES:
        hint = f" ({reader.too_large_hint})" if reader and reader.too_large_hint else ""
        return Skipped(source.id, f"file is {size_text(info.st_size)}, over the {size_text(MAX_FILE_BYTES)} limit "
                                  f"for a {suffix} file{hint}")
    return None


def cannot_read(file_id: str, error: OSError) -> Unreadable:
    return Unreadable(file_id, f"cannot read: {error.strerror or error}")


@dataclass
class FileRead:
    """What reading one file gave: how many documents were added, what could not be read or analysed, and
    whether the reading failed after some documents (which are then not the whole file)."""

    file_id: str
    documents: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    incomplete: bool = False


def read_into(source: SourceFile, add: Callable[[Document], Skipped | None]) -> FileRead:
    """Read one file and pass each document to ``add``, which returns a :class:`Skipped` for one it could not
    take; what was read is counted in the returned :class:`FileRead`."""
    outcome = FileRead(source.id)
    for item in read_source(source):
        if isinstance(item, Skipped):
            outcome.incomplete = outcome.incomplete or isinstance(item, Unreadable) and outcome.documents > 0
            outcome.skipped.append(item)
        elif (problem := add(item)) is not None:
            outcome.skipped.append(problem)
        else:
            outcome.documents += 1
    return outcome


def has_own_ids(source: SourceFile) -> bool:
    """Whether the file's documents carry ids of their own (see :attr:`Reader.own_ids`)."""
    reader = reader_for(source.path.name)
    return reader is not None and reader.own_ids


def read_source(source: SourceFile) -> Iterator[Document | Skipped]:
    """Read one file from disk into documents; any problem becomes a :class:`Skipped` naming the file (and the
    line, for a record)."""
    try:
        info = source.path.stat()
        refused = check_stat(source, info)
        if refused:
            yield refused
            return
        modified = dt.datetime.fromtimestamp(info.st_mtime).astimezone()
        with open(source.path, "rb") as stream:
            for item in read_stream(source, stream):
                yield with_file_facts(item, source.path.name, modified) if isinstance(item, Document) else item
    except OSError as error:
        yield cannot_read(source.id, error)


def read_file(source: SourceFile, data: bytes) -> Iterator[Document | Skipped]:
    """:func:`read_stream` over bytes already in memory."""
    return read_stream(source, io.BytesIO(data))


def read_stream(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """Read one file, open as a binary ``stream``, into documents: a whole-file format up to its size limit
    only, a record format a line at a time. Any problem with the content becomes a :class:`Skipped`; an
    ``OSError`` from the stream is raised."""
    reader = reader_for(source.path.name)
    if reader is None:
        yield Unsupported(source.id, f"unsupported type {extension_of(source.path.name)}")
        return
    found = False
    try:
        for item in reader.read(source, stream):
            found = True
            yield item
    except ValueError as error:
        found = True
        yield Skipped(source.id, str(error))
    if not found:
        yield Skipped(source.id, "no records in the file")


def _read_whole_file(read: WholeFileReader, source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew since its size was checked
        raise DocumentError(f"file is over the {size_text(MAX_FILE_BYTES)} limit for a "
                            f"{extension_of(source.path.name)} file")
    text, encoding = decode(data)
    if not text.strip():
        yield Skipped(source.id, "empty file")
        return
    yield from read(text, source, encoding)


def _read_records(read: RecordReader, source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    lines = Lines(stream, source.id)
    yield from read(lines)
    if not lines.content:
        yield Skipped(source.id, "empty file")
