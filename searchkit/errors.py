"""Errors a user can act on. Each message names the index, file, document or query and what is wrong with it;
the CLI prints it as one line, the library raises it.

    SearchkitError
    ├── SettingsError (ValueError)            an analyzer or ranking setting out of its range
    ├── DocumentError (ValueError)            a document or record that cannot be indexed as given
    ├── NotFoundError (LookupError)
    │   ├── IndexNotFoundError (FileNotFoundError)   no index where one was asked for
    │   └── DocumentNotFoundError                    no document with that id
    ├── IndexLockedError (TimeoutError)       another process kept the index's write lock
    ├── IncompatibleIndexError                an index of another version or settings, or unreadable
    ├── IndexDamagedError                     a file of the index cannot be read while searching it
    └── QueryError (ValueError)               a query that cannot be parsed, with the position of the problem

Each also subclasses the built-in exception named beside it, so code that catches that keeps working.
"""

from __future__ import annotations


class SearchkitError(Exception):
    """Base class of every error searchkit reports to its user."""


class SettingsError(SearchkitError, ValueError):
    """An analyzer or ranking setting that is not one of its choices or out of its range."""


class DocumentError(SearchkitError, ValueError):
    """A document or record that cannot be indexed as given: no id, no text, a malformed date, too long."""


class NotFoundError(SearchkitError, LookupError):
    """Something asked for by name is not there."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class IndexNotFoundError(NotFoundError, FileNotFoundError):
    """No searchkit index in the folder named."""


class DocumentNotFoundError(NotFoundError):
    """No document with the id named in the index."""


class IndexLockedError(SearchkitError, TimeoutError):
    """Another process is writing the index, and did not finish within the writer's wait."""


class IncompatibleIndexError(SearchkitError):
    """An index written by another schema version or with other analyzer settings, or one that cannot be read:
    the message says how to rebuild it."""


class IndexDamagedError(SearchkitError):
    """A file of the index turned out unreadable in the middle of a search: ``searchkit check`` tells which."""


class QueryError(SearchkitError, ValueError):
    """A query that cannot be parsed; ``position`` is the character offset of the problem, if known."""

    def __init__(self, message: str, query: str = "", position: int | None = None) -> None:
        self.query = query
        self.position = position
        self.reason = message
        where = f" at character {position + 1}" if position is not None else ""
        super().__init__(f"bad query {query!r}{where}: {message}" if query else message)

    def pointer(self) -> str:
        """The query with a caret under the problem, for a terminal."""
        if self.position is None:
            return self.query
        return f"{self.query}\n{' ' * self.position}^"
