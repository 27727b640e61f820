"""The index's own synonym dictionary: ``synonyms.txt`` in the index folder, beside ``searchkit.json``.

Searches read it afresh whenever its modification time or size changes (one ``stat`` per search otherwise), so
an edit by hand or by ``searchkit synonyms`` applies from the next query, in every process, with no re-indexing.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import SearchkitError, SettingsError

SYNONYMS_FILE = "synonyms.txt"


class SynonymsFile:
    """``synonyms.txt`` of one index folder, its text remembered with the file's modification time and size."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / SYNONYMS_FILE
        self._seen: tuple[tuple[int, int], str] | None = None

    def text(self) -> str:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return ""
        stamp = (stat.st_mtime_ns, stat.st_size)
        seen = self._seen
        if seen is not None and seen[0] == stamp:
            return seen[1]
        try:
            text = _decode(self.path.read_bytes(), self.path)
        except OSError as error:
            raise SearchkitError(f"cannot read {self.path}: {error.strerror or error}") from None
        self._seen = (stamp, text)
        return text

    def save(self, text: str) -> None:
        """Replace the file at once (written beside it, then renamed), so a search never reads half of it."""
        partial = self.path.with_suffix(".tmp")
        try:
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, self.path)
        except OSError as error:
            raise SearchkitError(f"cannot write {self.path}: {error.strerror or error}") from None


def _decode(data: bytes, path: Path) -> str:
    """The file's bytes as text; the first line that is not UTF-8 is named."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise SettingsError(f"{path}, line {line}: not UTF-8 text (byte {error.start} of the file)") from None
