"""Read classifier files, as published or in the canonical layout, and check them.

Pure Python (no ORM): `parse()` turns the bytes of one file into checked rows, or raises
`ImportRejected` with every problem found, each naming file, row and column. The
formats recognised, by their header row:

- NKZ 01-2017: `D_POSITION.xlsx` of ЕСУТД (current records are those with IS_ACTUAL=1)
  and `nkz_2017_current.csv`;
- OKED: `oked_2019_current.csv` (stat.gov.kz);
- ISCO-08: the ILO workbook `ISCO-08 EN Structure and definitions.xlsx` and
  `isco08_structure_en.csv`;
- any of them in the canonical layout (CSV or XLSX), documented in docs/classifiers.md:
  `code, parent_code, level, name_kk, name_ru, name_en[, skill_level, description_en, valid_from]`.

Uploads are hostile until proven otherwise: the size is capped, an XLSX is inspected as
a zip before openpyxl opens it (entry count, unpacked size, compression ratio, paths),
XML is parsed through defusedxml (openpyxl uses it when installed), formulas are
rejected rather than evaluated, and the row count is capped.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from classifiers.codes import SHAPES, check_rows
from classifiers.files import column_letter, csv_rows, xlsx_sheets
from classifiers.layouts import LAYOUTS, Layout, _adapt
from classifiers.rows import ImportRejected, Parsed, Problem, Progress, no_progress
from classifiers.text import clean

# The parts: rows.py (rows and problems), files.py (reading CSV and XLSX safely),
# layouts.py (one adapter per layout), codes.py (the checks of codes), text.py (names).


MAX_ROWS = 100_000


def parse(
    classifier: str,
    source_name: str,
    data: bytes,
    *,
    max_bytes: int,
    progress: Progress = no_progress,
) -> Parsed:
    """Read and check one file. Raises ImportRejected listing every problem found."""
    if classifier not in SHAPES:
        raise ImportRejected(
            [Problem(source_name, None, None, _("Unknown classifier %(c)s.") % {"c": classifier})]
        )
    if len(data) > max_bytes:
        raise ImportRejected(
            [
                Problem(
                    source_name,
                    None,
                    None,
                    _("The file is %(mb).1f MB; at most %(max).1f MB are accepted.")
                    % {"mb": len(data) / 2**20, "max": max_bytes / 2**20},
                )
            ]
        )
    if not data:
        raise ImportRejected([Problem(source_name, None, None, _("The file is empty."))])
    sha = hashlib.sha256(data).hexdigest()
    problems: list[Problem] = []
    progress(_("Reading the file"), 0, 1)

    is_zip = data[:4] == b"PK\x03\x04"
    if source_name.lower().endswith((".xlsx", ".xlsm")) and not is_zip:
        raise ImportRejected(
            [
                Problem(
                    source_name,
                    None,
                    None,
                    _(
                        "The file is named .xlsx but is not an XLSX workbook. Upload the workbook itself, or a CSV."
                    ),
                )
            ]
        )
    if is_zip:
        sheets = xlsx_sheets(source_name, data)
        candidates = list(sheets.items())
    else:
        if data[:5] == b"%PDF-" or data[:2] == b"\xd0\xcf":
            raise ImportRejected(
                [
                    Problem(
                        source_name,
                        None,
                        None,
                        _(
                            "This is not a CSV or XLSX file (it looks like a PDF or an old .xls). Save it as XLSX or CSV UTF-8."
                        ),
                    )
                ]
            )
        candidates = [(None, csv_rows(source_name, data))]

    layout: Layout | None = None
    header: list[str] = []
    records: list[tuple[int, dict[str, Any]]] = []
    sheet_name: str | None = None
    for sheet_name, row_iter in candidates:  # noqa: B007 - the sheet read is named below
        first = next(row_iter, None)
        if first is None:
            continue
        header = [clean(h) for h in first[1]]
        # A published layout is recognised first, whichever classifier it belongs to, so
        # an OKED file offered as NKZ is named as such instead of read as canonical.
        layout = next(
            (lay for lay in LAYOUTS if lay.classifier != "*" and lay.matches(header)), None
        )
        if layout is not None and layout.classifier != classifier:
            raise ImportRejected(
                [
                    Problem(
                        source_name,
                        1,
                        None,
                        _("This file is %(other)s, not %(this)s: choose the right classifier.")
                        % {"other": layout.classifier.upper(), "this": classifier.upper()},
                    )
                ]
            )
        if layout is None:
            layout = next(
                (lay for lay in LAYOUTS if lay.classifier == "*" and lay.matches(header)), None
            )
        if layout is None:
            continue
        for line, values in row_iter:
            if len(records) >= MAX_ROWS:
                raise ImportRejected(
                    [
                        Problem(
                            source_name,
                            line,
                            None,
                            _(
                                "The file has more than %(max)s rows; split it or check that it is the right file."
                            )
                            % {"max": MAX_ROWS},
                        )
                    ]
                )
            if all(v in (None, "") for v in values):
                continue
            cells: dict[str, Any] = {}
            for index, value in enumerate(values):
                if isinstance(value, str) and value.startswith("=") and is_zip:
                    problems.append(
                        Problem(
                            source_name,
                            line,
                            column_letter(index),
                            _("A formula is not accepted; paste values only."),
                        )
                    )
                if index < len(header) and header[index]:
                    cells[header[index]] = value
            records.append((line, cells))
            if len(records) % 2000 == 0:
                progress(_("Reading the file"), len(records), 0)
        break
    if layout is None:
        where = _("any sheet") if is_zip else _("the header row")
        expected = ", ".join(
            f"{lay.key}: {', '.join(lay.required)}"
            for lay in LAYOUTS
            if lay.classifier in (classifier, "*")
        )
        raise ImportRejected(
            [
                Problem(
                    source_name,
                    1,
                    None,
                    _(
                        "No known layout found in %(where)s%(sheet)s. Expected columns — %(expected)s."
                    )
                    % {
                        "where": where,
                        "sheet": "" if not is_zip else f" ({', '.join(s for s, _i in candidates)})",
                        "expected": expected,
                    },
                )
            ]
        )
    if not records:
        raise ImportRejected(
            [Problem(source_name, None, None, _("The file has a header but no data rows."))]
        )

    file_label = f"{source_name} [{sheet_name}]" if sheet_name else source_name
    rows = _adapt(layout, classifier, file_label, records, problems)
    progress(_("Checking the rows"), len(rows), len(rows))
    check_rows(classifier, file_label, rows, problems)
    if problems:
        raise ImportRejected(problems)
    return Parsed(classifier, source_name, layout.key, sha, rows)
