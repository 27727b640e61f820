"""Reading what other formats are made of, safely: zip archives (Word, OpenDocument, EPUB, zipped FB2) and XML.

A file can be built to hurt its reader: a zip of a few kilobytes that unpacks to gigabytes (a zip bomb), or XML
whose entities expand a billion times. Members are read against limits on their size, their compression ratio
and the archive's total, and XML is parsed by defusedxml, which refuses entity declarations and external
references; each refusal is a :class:`~searchkit.errors.DocumentError` naming what is wrong.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import IO
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from ..errors import DocumentError
from .model import size_text

#: A member of an archive unpacks to this many bytes at most, and all members read from one archive together.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
#: A member larger than :data:`RATIO_FLOOR_BYTES` may unpack to this many times its packed size at most: text
#: compresses ten times or so, a bomb a thousand times and more.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
#: Members one archive may list.
MAX_MEMBERS = 10_000


class Archive:
    """A zip archive opened for reading its members within the limits above."""

    def __init__(self, stream: IO[bytes] | bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(stream) if isinstance(stream, bytes) else stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
            raise DocumentError(f"damaged archive: {error}") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise DocumentError(f"archive lists {len(infos):,} members, over the limit of {MAX_MEMBERS:,}")
        self._infos = {info.filename: info for info in infos}
        self._read = 0

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        """A member's bytes; refuses a member (or an archive) that unpacks past the limits, whatever sizes the
        archive declares, since they can lie."""
        info = self._infos.get(name)
        if info is None:
            raise DocumentError(f"archive has no {name!r}")
        if info.flag_bits & 0x1:
            raise DocumentError("encrypted archive: it needs a password")
        limit = min(MAX_MEMBER_BYTES, MAX_ARCHIVE_BYTES - self._read)
        if info.file_size > limit or _too_compressed(info.file_size, info.compress_size):
            raise DocumentError(_bomb(name, info.file_size, info.compress_size))
        try:
            with self._zip.open(info) as member:
                data = member.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError,
                NotImplementedError) as error:
            raise DocumentError(f"damaged archive member {name!r}: {error}") from None
        if len(data) > limit or _too_compressed(len(data), info.compress_size):
            raise DocumentError(_bomb(name, len(data), info.compress_size))
        self._read += len(data)
        return data


def _too_compressed(size: int, packed: int) -> bool:
    return size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(packed, 1)


def _bomb(name: str, size: int, packed: int) -> str:
    return (f"archive member {name!r} unpacks to {size_text(size)} from {size_text(packed)}: over the limits of "
            f"{size_text(MAX_MEMBER_BYTES)} a member and {MAX_RATIO} times its packed size (a zip bomb?)")


def parse_xml(data: bytes, what: str) -> Element:
    """The root element of ``data``, the XML of ``what`` (``word/document.xml``, say), in the encoding it
    declares; entity declarations and external references are refused."""
    try:
        return safe_xml.fromstring(data)
    except DefusedXmlException as error:
        raise DocumentError(f"{what}: XML with entity declarations or external references is refused "
                            f"({type(error).__name__})") from None
    except (safe_xml.ParseError, ValueError, LookupError) as error:  # LookupError: an unknown declared encoding
        raise DocumentError(f"{what}: damaged XML ({error})") from None
