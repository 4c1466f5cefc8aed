"""Lays out pieces of an SQF document: HTML in, PDF out, one piece after another.

Started by exports.pdf as `python -m exports.pdf_worker`, one process per core, so the
pieces of a large document are laid out on every core (a Celery worker's pool process may
not fork a multiprocessing pool of its own). Needs no Django: each HTML is complete.

Frames on standard input and output: an 8-byte big-endian length, then that many bytes
(UTF-8 HTML in, PDF out). A frame of length 0, or the end of input, ends the process. On
an error the process prints the traceback to standard error and ends without a reply.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path
from typing import BinaryIO

EXPORTS_DIR = Path(__file__).resolve().parent
HEADER = struct.Struct(">Q")


def write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's bytes; None at the end of input or on a frame of length 0."""
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size == 0:
        return None
    return _read_exactly(stream, size)


def main() -> None:
    from weasyprint import HTML

    while (html := read_frame(sys.stdin.buffer)) is not None:
        data = HTML(string=html.decode("utf-8"), base_url=str(EXPORTS_DIR) + "/").write_pdf()
        write_frame(sys.stdout.buffer, data)


if __name__ == "__main__":
    main()
