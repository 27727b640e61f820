"""Errors a user can act on. Each message names the index, file or query and what is wrong with it;
the CLI prints it as one line, the library raises it."""

from __future__ import annotations


class SearchkitError(Exception):
    """Base class of every error searchkit reports to its user."""


class IndexNotFoundError(SearchkitError):
    pass


class IndexLockedError(SearchkitError):
    pass


class IncompatibleIndexError(SearchkitError):
    pass


class QueryError(SearchkitError):
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
