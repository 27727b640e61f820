"""Folders → files: the supported files under a root, each with a stable id, and the whole of loading.

The walk never stops at a folder it cannot list, nor follows a link into a loop; what it cannot reach becomes
a :class:`~.model.Skipped`, like everything else that could not be read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from .decoding import CHUNK_BYTES
from .model import Document, Skipped, SourceFile
from .registry import READERS, read_source


def find_files(root: Path) -> Iterator[SourceFile | Skipped]:
    """Every supported file at or under ``root`` (hidden files and folders excluded), in a stable order, and a
    :class:`Skipped` for each folder that cannot be listed.

    Links to folders are not followed, so link loops cannot trap the walk.
    """
    root = Path(os.path.abspath(root))
    base = root.parent
    if root.is_file():
        yield SourceFile(root, _file_id(root.name))
        return
    if not root.is_dir():
        yield Skipped(_file_id(str(root)), "no such file or folder")
        return
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        yield from _folder_errors(errors, base)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            if path.suffix.lower() in READERS:
                yield SourceFile(path, _file_id(path.relative_to(base).as_posix()))
    yield from _folder_errors(errors, base)


def _folder_errors(errors: list[OSError], base: Path) -> Iterator[Skipped]:
    for error in errors:
        where = Path(error.filename) if error.filename else base
        folder = where.relative_to(base).as_posix() if where.is_relative_to(base) else str(where)
        yield Skipped(_file_id(folder), f"cannot read folder: {error.strerror or error}")
    errors.clear()


def _file_id(path: str) -> str:
    """A path as an id: a file name that is not valid UTF-8 (an old archive's cp1251 name, say) has its
    undecodable bytes written as ``\\xNN``, since the index and the terminal take only valid Unicode."""
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file system name gives: written out as well
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def fingerprint(path: Path) -> tuple[str, int]:
    """The SHA-1 of a file's bytes and their number, read in chunks. Raises ``OSError``."""
    digest = hashlib.sha1()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def load(path: str | os.PathLike[str]) -> Iterator[Document | Skipped]:
    """All documents in a file or folder, with a :class:`Skipped` for everything that could not be read."""
    for source in find_files(Path(path)):
        if isinstance(source, Skipped):
            yield source
        else:
            yield from read_source(source)
