"""Source text from bytes: SQL files are read as UTF-8, and a file that is not says where."""

from __future__ import annotations

from tagline.errors import InvalidInput


class UndecodableText(InvalidInput):
    """The bytes of a source are not UTF-8; the message names the source and the byte offset."""


def decode_utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 4].hex(" ")
        raise UndecodableText(
            f"{source} is not UTF-8: byte {exc.start} ({bad}...) cannot be decoded; convert the file "
            f"(e.g. iconv -f latin1 -t utf-8) and ingest it again, or replay it once converted"
        ) from exc
