"""Saved web pages (.mhtml, .mht): a MIME multipart message, as a browser's "save as a single file" writes it, whose
HTML part is read as an HTML page (:func:`.html.page_document`: its main text, or all of it with ``html="full"``).
"""

from __future__ import annotations

import codecs
import email
import email.policy
from collections.abc import Iterator
from email.message import Message
from typing import IO

from ...errors import DocumentError
from ..decoding import decode
from ..model import Document, SourceFile
from ..registry import MAX_FILE_BYTES, binary_reader
from .html import page_document


@binary_reader(".mhtml", ".mht", name="saved web page (MHTML)", library="trafilatura")
def read_mhtml(source: SourceFile, stream: IO[bytes]) -> Iterator[Document]:
    """The page of a saved web page: its first ``text/html`` part, decoded by the part's charset, or detected as
    a plain file's encoding is when it names none (or a wrong one). Its images and styles are not read."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew since its size was checked
        raise DocumentError("file is over the size limit for a saved web page")
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    part = _page_part(message)
    if part is None:
        raise DocumentError("no web page in the saved file (no text/html part)")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        raise DocumentError("the saved web page is empty")
    text, encoding = _decoded(payload, part.get_content_charset())
    url = part.get("Content-Location") or message.get("Snapshot-Content-Location") or None
    yield page_document(text, source, encoding, "mhtml", url=str(url) if url else None)


def _page_part(message: Message) -> Message | None:
    """The part holding the page: the first text/html one (a page's frames come after it)."""
    return next((part for part in message.walk() if part.get_content_type() == "text/html"), None)


def _decoded(payload: bytes, charset: str | None) -> tuple[str, str]:
    """The part's text and its encoding: by its declared charset when that reads it, else detected."""
    if charset:
        try:
            return payload.decode(charset).replace("\r\n", "\n"), _codec_name(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(payload)


def _codec_name(charset: str) -> str:
    """A charset by its codec's name: ``UTF-8`` → ``utf-8``, ``windows-1251`` → ``cp1251``."""
    return codecs.lookup(charset).name
