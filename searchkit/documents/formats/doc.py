"""Legacy Word (.doc, Word 97–2003): the text, through a converter the system has, antiword or catdoc.

No Python library reads the binary Word format well, while antiword and catdoc (Debian packages of the same
names) have done so for decades. antiword goes first, since it keeps paragraphs and tables better; it refuses
short documents ("the text stream of this file is too small"), which catdoc then reads. catdoc copies a file
that is not an OLE compound file to its output unchanged, so a .doc is checked to be one first. Many ".doc"
files are RTF saved under that name: those are read as RTF. The format keeps its title and author in a
separate OLE stream that neither tool reads, so the title is guessed from the text.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ...errors import DocumentError
from ..model import Document, Skipped, SourceFile, make_document
from ..registry import binary_reader
from .docx import OLE_MAGIC
from .rtf import read_rtf

#: Each converter with its arguments: UTF-8 output, a paragraph on one line.
CONVERTERS = (("antiword", ("-m", "UTF-8.txt", "-w", "0")), ("catdoc", ("-d", "utf-8", "-w")))
#: Seconds a converter may take over one file: a damaged file must not stop the indexing.
TIMEOUT = 30


@binary_reader(".doc", name="legacy Word", library="antiword or catdoc")
def read_doc(source: SourceFile, stream: IO[bytes]) -> Iterator[Document | Skipped]:
    """A .doc file as one document, its title guessed from the text."""
    head = stream.read(len(OLE_MAGIC))
    stream.seek(0)
    if head.startswith(b"{\\rtf"):
        yield from read_rtf(source, stream)
        return
    if head != OLE_MAGIC:
        raise DocumentError("not a Word .doc file: it is not an OLE compound file (cut short, or another format "
                            "named .doc)")
    converters = [(found, arguments) for name, arguments in CONVERTERS if (found := shutil.which(name))]
    if not converters:
        raise DocumentError("legacy Word .doc: no converter installed (install antiword or catdoc)")
    with _file_on_disk(source, stream) as path:
        text = _converted(converters, path)
    lines = [line for line in (" ".join(line.replace("[pic]", " ").split()) for line in text.splitlines()) if line]
    if not lines:
        yield Skipped(source.id, "no text in the file")
        return
    yield make_document(source.id, None, "\n".join(lines), None, source.id, "doc", "")


@contextmanager
def _file_on_disk(source: SourceFile, stream: IO[bytes]) -> Iterator[Path]:
    """The file's path, when ``stream`` is the file on disk; else a temporary copy, since the converters read
    a named file."""
    name = getattr(stream, "name", None)
    if isinstance(name, (str, os.PathLike)) and os.fspath(name) == os.fspath(source.path):
        yield source.path
        return
    with tempfile.TemporaryDirectory(prefix="searchkit-doc-") as folder:
        path = Path(folder) / "document.doc"
        with open(path, "wb") as copy:
            shutil.copyfileobj(stream, copy)
        yield path


def _converted(converters: list[tuple[str, tuple[str, ...]]], path: Path) -> str:
    """The text of the first converter that succeeds; when none does, what each said."""
    failures = []
    for command, arguments in converters:
        tool = Path(command).name
        try:
            done = subprocess.run([command, *arguments, str(path)], capture_output=True, timeout=TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            failures.append(f"{tool} took over {TIMEOUT} s")
            continue
        except OSError as error:
            failures.append(f"{tool} could not run: {error.strerror or error}")
            continue
        if done.returncode == 0:
            return done.stdout.decode("utf-8", "replace")
        said = next((line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()),
                    f"exit status {done.returncode}")
        failures.append(f"{tool}: {said.replace(str(path), 'the file').rstrip('.')}")
    raise DocumentError(f"legacy Word .doc: {'; '.join(failures)}")
