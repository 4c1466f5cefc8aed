"""Reading uploaded files defensively: CSV text and XLSX workbooks.

Uploads are hostile until proven otherwise: a CSV must be UTF-8 text; an XLSX is
inspected as a zip before openpyxl opens it (entry count, unpacked size, compression
ratio, paths), and XML is parsed through defusedxml (openpyxl uses it when installed).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from classifiers.rows import ImportRejected, Problem

MAX_ZIP_ENTRIES = 2_000

MAX_UNPACKED_BYTES = 200 * 1024 * 1024

MAX_COMPRESSION_RATIO = 200


def decode_csv(name: str, data: bytes) -> str:
    if b"\x00" in data:
        raise ImportRejected(
            [
                Problem(
                    name,
                    None,
                    None,
                    _(
                        "The file contains NUL bytes: it is not a text CSV. Save it as CSV (UTF-8) and try again."
                    ),
                )
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [
                Problem(
                    name,
                    line,
                    None,
                    _(
                        "The file is not in UTF-8 encoding (byte %(byte)s is invalid). Save it as CSV UTF-8 "
                        "and try again."
                    )
                    % {"byte": hex(data[exc.start])},
                )
            ]
        ) from None


def csv_rows(name: str, data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_csv(name, data)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise ImportRejected(
            [Problem(name, reader.line_num, None, _("Malformed CSV: %(error)s") % {"error": exc})]
        ) from None


def check_zip(name: str, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRejected(
            [
                Problem(
                    name,
                    None,
                    None,
                    _("The file is not a valid XLSX workbook (damaged zip container)."),
                )
            ]
        ) from None
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ImportRejected(
            [
                Problem(
                    name,
                    None,
                    None,
                    _("The workbook has %(n)s parts; at most %(max)s are accepted.")
                    % {"n": len(infos), "max": MAX_ZIP_ENTRIES},
                )
            ]
        )
    total = 0
    for info in infos:
        if info.filename.startswith(("/", "\\")) or ".." in info.filename.replace("\\", "/").split(
            "/"
        ):
            raise ImportRejected(
                [
                    Problem(
                        name,
                        None,
                        None,
                        _("The workbook contains a part with an unsafe path (%(path)s).")
                        % {"path": info.filename[:80]},
                    )
                ]
            )
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise ImportRejected(
                [
                    Problem(
                        name,
                        None,
                        None,
                        _("The workbook contains a symbolic link (%(path)s).")
                        % {"path": info.filename[:80]},
                    )
                ]
            )
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
            raise ImportRejected(
                [
                    Problem(
                        name,
                        None,
                        None,
                        _("The workbook unpacks to far more than its size (a zip bomb?): refused."),
                    )
                ]
            )
    if total > MAX_UNPACKED_BYTES:
        raise ImportRejected(
            [
                Problem(
                    name,
                    None,
                    None,
                    _("The workbook unpacks to %(mb)s MB; at most %(max)s MB are accepted.")
                    % {"mb": total // 2**20, "max": MAX_UNPACKED_BYTES // 2**20},
                )
            ]
        )


def xlsx_sheets(name: str, data: bytes) -> dict[str, Iterator[tuple[int, list[Any]]]]:
    check_zip(name, data)
    import openpyxl  # imported here: the CSV path and the pure helpers do not need it

    try:
        # data_only=False: a formula arrives as its text ('=…') and is refused, never evaluated.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        raise ImportRejected(
            [
                Problem(
                    name,
                    None,
                    None,
                    _("The workbook cannot be read: %(error)s") % {"error": str(exc)[:200]},
                )
            ]
        ) from None

    def rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
        for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield index, list(row)

    return {sheet.title: rows(sheet) for sheet in workbook.worksheets}


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
