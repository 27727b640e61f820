"""What the record formats share: a record (a JSON object, a CSV row) as a document, and JSON parsed with a
message a user can act on. A bad record is skipped with its place in the file, never stopping the file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...errors import DocumentError
from ..model import Document, Skipped


def read_record(record: Any, where: str, default_id: str, file_id: str, format: str,
                encoding: str) -> Document | Skipped:
    """One record of a json/jsonl/csv file; a bad one is skipped with its place in the file named."""
    try:
        if not isinstance(record, Mapping):
            raise DocumentError(f"expected an object with 'text', got {type(record).__name__}")
        return Document.from_record(record, default_id=default_id, path=file_id, format=format,
                                    encoding=encoding)
    except ValueError as error:
        return Skipped(file_id, f"{where}: {error}")


def parse_json(text: str, multiline: bool) -> tuple[Any, str | None]:
    """Parse JSON: (value, None), or (None, what is wrong and where)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}" if multiline else f"column {error.colno}"
        return None, f"invalid JSON at {where}: {error.msg}"
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError as error:  # a number too long to convert: the rest of the message is advice for programmers
        return None, f"invalid JSON: {str(error).split(':')[0]}"
