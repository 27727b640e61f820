"""Files → documents: one reader per format, all yielding the same :class:`Document` or a :class:`Skipped`.

A reader turns decoded text into documents; this package also finds files in folders, decodes bytes and pulls
metadata (title, date) out of the text. Nothing here knows about the index: the indexer decides what to do with
what is read.

- :mod:`.model`: the documents, the skipped files and records, and the metadata taken from a text;
- :mod:`.decoding`: bytes → text, whole files and record files a line at a time;
- :mod:`.registry`: the reader of each file name extension, and the reading of one file;
- :mod:`.formats`: one module per format, each registering its reader (imported when a file is first read);
- :mod:`.discovery`: the files under a folder, their fingerprints, and loading a whole folder.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .model import (HTML_MODES, MAX_DOCUMENT_CHARS, TITLE_MAX_CHARS, Document, Excluded, ReadOptions, Skipped, SourceFile,
                    Unreadable, Unsupported, make_document)

#: The names of the modules that read files, imported when one is first asked for: a search shows documents and
#: never reads a file, so it does not load the decoders, the folder walker and the readers.
_READING = {
    **{name: "decoding" for name in ("MAX_RECORD_BYTES",)},
    **{name: "discovery" for name in ("IGNORE_FILE", "find_files", "fingerprint", "load")},
    **{name: "isolation" for name in ("end_with_parent",)},
    **{name: "registry" for name in ("MAX_FILE_BYTES", "READERS", "FileRead", "cannot_read", "check_stat", "formats",
                                     "has_own_ids", "read_file", "read_into", "read_source", "read_stream")},
}


def __getattr__(name: str) -> Any:
    if name not in _READING:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_READING[name]}", __name__), name)


if TYPE_CHECKING:
    from .decoding import MAX_RECORD_BYTES
    from .discovery import IGNORE_FILE, find_files, fingerprint, load
    from .isolation import end_with_parent
    from .registry import (MAX_FILE_BYTES, READERS, FileRead, cannot_read, check_stat, formats, has_own_ids,
                           read_file, read_into, read_source, read_stream)

__all__ = ["HTML_MODES", "IGNORE_FILE", "MAX_DOCUMENT_CHARS", "MAX_FILE_BYTES", "MAX_RECORD_BYTES", "READERS",
           "TITLE_MAX_CHARS", "Document", "Excluded", "FileRead", "ReadOptions", "Skipped", "SourceFile", "Unreadable",
           "Unsupported", "cannot_read", "check_stat", "end_with_parent", "find_files", "fingerprint", "formats", "has_own_ids", "load",
           "make_document", "read_file", "read_into", "read_source", "read_stream"]
