"""Folders → files: the supported files under a root, each with a stable id, and the whole of loading.

The walk never stops at a folder it cannot list, nor follows a link into a loop; what it cannot reach becomes
a :class:`~.model.Skipped`, like everything else that could not be read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pathspec

from .decoding import CHUNK_BYTES
from .model import Document, Excluded, ReadOptions, Skipped, SourceFile, Unsupported
from .registry import extension_of, read_source, reader_for


#: A file in an indexed folder listing, in gitignore syntax, what to leave out of the index.
IGNORE_FILE = ".searchkitignore"


def find_files(root: Path, exclude: Sequence[str] = (), hidden: bool = False,
               options: ReadOptions = ReadOptions()) -> Iterator[SourceFile | Skipped]:
    """Every file at or under ``root`` in a stable order: a :class:`SourceFile` for each of a supported type, an
    :class:`~.model.Unsupported` for each of another type, an :class:`~.model.Excluded` for each file or folder
    left out (hidden, unless ``hidden``; matched by an ``exclude`` pattern or by the root's
    :data:`IGNORE_FILE`, both in gitignore syntax and relative to ``root``), and a :class:`Skipped` for each
    folder that cannot be listed. Nothing goes unaccounted.

    Links to folders are not followed, so link loops cannot trap the walk.
    """
    root = Path(os.path.abspath(root))
    base = root.parent
    if root.is_file():
        yield _found(root, _file_id(root.name), options)
        return
    if not root.is_dir():
        yield Skipped(_file_id(str(root)), "no such file or folder")
        return
    ignored = _ignore_spec(root, exclude)
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        yield from _folder_errors(errors, base)
        kept = []
        for name in sorted(dirs):
            path = Path(folder, name)
            reason = _left_out(path, root, ignored, hidden, folder=True)
            if reason:
                yield Excluded(_file_id(path.relative_to(base).as_posix()), reason)
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = Path(folder, name)
            file_id = _file_id(path.relative_to(base).as_posix())
            if name == IGNORE_FILE and Path(folder) == root:
                continue
            reason = _left_out(path, root, ignored, hidden, folder=False)
            yield Excluded(file_id, reason) if reason else _found(path, file_id, options)
    yield from _folder_errors(errors, base)


def _found(path: Path, file_id: str, options: ReadOptions) -> SourceFile | Unsupported:
    if reader_for(path.name) is None:
        return Unsupported(file_id, f"unsupported type {extension_of(path.name)}")
    return SourceFile(path, file_id, options)


def _ignore_spec(root: Path, exclude: Sequence[str]) -> pathspec.PathSpec:
    """The ``exclude`` patterns and the lines of the root's :data:`IGNORE_FILE`, as one gitignore matcher."""
    lines = list(exclude)
    try:
        lines += (root / IGNORE_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        pass  # no ignore file
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _left_out(path: Path, root: Path, ignored: pathspec.PathSpec, hidden: bool, folder: bool) -> str:
    """Why a file or folder under ``root`` is left out, or "" to take it."""
    if path.name.startswith(".") and not hidden:
        return "hidden"
    relative = path.relative_to(root).as_posix() + ("/" if folder else "")
    return "excluded" if ignored.match_file(relative) else ""


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


def load(path: str | os.PathLike[str], options: ReadOptions = ReadOptions()) -> Iterator[Document | Skipped]:
    """All documents in a file or folder, with a :class:`Skipped` for everything that could not be read and an
    :class:`~.model.Unsupported` for each file of another type (hidden files and folders are left out)."""
    for source in find_files(Path(path), options=options):
        if isinstance(source, Excluded):
            continue
        if isinstance(source, Skipped):
            yield source
        else:
            yield from read_source(source)
