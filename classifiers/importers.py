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

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from config.text import xml_safe

NKZ, OKED, ISCO08 = "nkz", "oked", "isco08"

MAX_ROWS = 100_000
MAX_ZIP_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_PROBLEMS = 200

# The shape of a code at each level. NKZ level 0 holds the special codes (Х…, Y1000 …).
SHAPES: dict[str, dict[int, re.Pattern[str]]] = {
    NKZ: {
        1: re.compile(r"[1-9]"),
        2: re.compile(r"\d{2}"),
        3: re.compile(r"\d{3}"),
        4: re.compile(r"\d{4}"),
        5: re.compile(r"\d{4}-\d"),
        6: re.compile(r"\d{4}-\d-\d{3}"),
        0: re.compile(r"[0-9A-ZХY][0-9A-ZХY\-]{0,19}"),
    },
    OKED: {
        1: re.compile(r"[A-U]"),
        2: re.compile(r"\d{2}"),
        3: re.compile(r"\d{3}"),
        4: re.compile(r"\d{4}"),
        5: re.compile(r"\d{5}"),
    },
    ISCO08: {
        1: re.compile(r"\d"),
        2: re.compile(r"\d{2}"),
        3: re.compile(r"\d{3}"),
        4: re.compile(r"\d{4}"),
    },
}
REQUIRED_NAMES = {NKZ: ("ru", "kk"), OKED: ("ru", "kk"), ISCO08: ("en",)}
# Levels whose code starts with the parent's code (OKED divisions hang under a letter).
PREFIX_LEVELS = {NKZ: {2, 3, 4, 5, 6}, OKED: {3, 4, 5}, ISCO08: {2, 3, 4}}


@dataclass
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        self.total = total if total is not None else len(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


@dataclass
class Row:
    line: int
    code: str
    level: int
    parent_code: str
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""
    description_en: str = ""
    skill_level: int | None = None
    valid_from: dt.date | None = None


@dataclass
class Parsed:
    classifier: str
    source_name: str
    source_format: str
    sha256: str
    rows: list[Row] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            out[str(row.level)] = out.get(str(row.level), 0) + 1
        return dict(sorted(out.items()))


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


# --- text helpers ----------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # The text boundary (config/text.py): no control character reaches a node's name.
    return _SPACES.sub(" ", xml_safe(str(value))).strip()


# Abbreviations that stay in capitals when an upper-case name is put in sentence case.
ABBREVIATIONS = {
    "АЭС",
    "ГЭС",
    "ГРЭС",
    "ТЭЦ",
    "ЛЭП",
    "ЖКХ",
    "ЭВМ",
    "МЧС",
    "ЧС",
    "ОВД",
    "КНБ",
    "СМИ",
    "ЭКГ",
    "НИИ",
    "ЦОН",
    "ҚР",
    "РК",
    "ТМЦ",
    "АСУ",
    "АТС",
    "СПИД",
    "ВИЧ",
    "ИТ",
    "IT",
    "ICT",
    "ГСМ",
    "КИПиА",
    "ЖЭК",
    "ТВ",
    "УЗИ",
    "ЛОР",
    "ПВО",
    "ЖД",
    "ЕАЭС",
    "ООН",
    "HR",
    "SMM",
    "PR",
    "GR",
}
# Stems of proper names that keep their capital letter.
PROPER_STEMS = ("казахстан", "қазақстан", "астан", "алмат", "шымкент", "байқоңыр", "байконур")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def sentence_case(text: str) -> str:
    """'ИНЖЕНЕР-ПРОГРАММИСТ' → 'Инженер-программист'; mixed-case text is left alone."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return text
    upper_share = sum(c.isupper() for c in letters) / len(letters)
    if upper_share < 0.8 or len(letters) < 2:
        return text

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ABBREVIATIONS:
            return token
        lowered = token.lower()
        if lowered.startswith(PROPER_STEMS):
            return lowered.capitalize()
        return lowered

    result = _WORD.sub(word, text)
    return result[:1].upper() + result[1:]


def title_to_sentence_case(text: str) -> str:
    """ISCO's 'Software Developers' → 'Software developers' (the ILO's printed style)."""
    words = text.split(" ")
    small = {"and", "or", "of", "the", "in", "for", "to", "with", "a", "an", "on", "by", "not"}
    if len(words) < 2 or not all(
        w[:1].isupper() or not w[:1].isalpha() or w in small for w in words if w
    ):
        return sentence_case(text)
    out = [words[0]]
    for w in words[1:]:
        out.append(w if w.isupper() and len(w) > 1 else w[:1].lower() + w[1:])
    return " ".join(out)


def display_name(classifier: str, text: str) -> str:
    if classifier == ISCO08:
        return title_to_sentence_case(text)
    return sentence_case(text)


def search_text(*parts: str) -> str:
    return " ".join(p for p in parts if p).lower().replace("ё", "е")


# --- file readers -----------------------------------------------------------------------


def _decode_csv(name: str, data: bytes) -> str:
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
    text = _decode_csv(name, data)
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


def _check_zip(name: str, data: bytes) -> None:
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


def _xlsx_sheets(name: str, data: bytes) -> dict[str, Iterator[tuple[int, list[Any]]]]:
    _check_zip(name, data)
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


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- format adapters ----------------------------------------------------------------------
# Each adapter maps one source layout to Rows. `cells` is the header → value dict.


@dataclass(frozen=True)
class Layout:
    key: str
    classifier: str
    required: tuple[str, ...]

    def matches(self, header: list[str]) -> bool:
        return set(self.required) <= set(header)


LAYOUTS = [
    Layout(
        "esutd-d-position-xlsx", NKZ, ("ID", "PARENT_ID", "CODE", "NAME_RU", "NAME_KZ", "IS_ACTUAL")
    ),
    Layout(
        "nkz-current-csv",
        NKZ,
        ("code", "level", "parent_code", "major_group", "name_ru", "name_kz"),
    ),
    Layout(
        "oked-statgov-csv",
        OKED,
        ("code", "code_dotted", "level", "parent_code", "section", "name_kz", "name_ru"),
    ),
    Layout("ilo-isco08-xlsx", ISCO08, ("Level", "ISCO 08 Code", "Title EN")),
    Layout("isco08-structure-csv", ISCO08, ("code", "level", "parent_code", "title_en")),
    Layout("canonical", "*", ("code", "parent_code", "level")),
]


def _level_from_shape(classifier: str, code: str) -> int:
    for level, pattern in SHAPES[classifier].items():
        if level and pattern.fullmatch(code):
            return level
    return 0


def _int(value: str, file: str, line: int, column: str, problems: list[Problem]) -> int | None:
    try:
        number = int(float(value)) if value != "" else None
        # 1e400 is infinite (OverflowError); a level or year beyond 10^9 is no level or year.
        if number is not None and abs(number) >= 10**9:
            raise ValueError(value)
        return number
    except (ValueError, OverflowError):
        problems.append(
            Problem(
                file, line, column, _("‘%(value)s’ is not a whole number.") % {"value": value[:40]}
            )
        )
        return None


def _date(value: Any, file: str, line: int, column: str, problems: list[Problem]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean(value)
    for fmt in ("%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    problems.append(
        Problem(
            file,
            line,
            column,
            _("‘%(value)s’ is not a date (use YYYY-MM-DD).") % {"value": text[:40]},
        )
    )
    return None


def _adapt(
    layout: Layout,
    classifier: str,
    file: str,
    records: Iterable[tuple[int, dict[str, Any]]],
    problems: list[Problem],
) -> list[Row]:
    out: list[Row] = []
    if layout.key == "esutd-d-position-xlsx":
        current = [(line, cells) for line, cells in records if clean(cells.get("IS_ACTUAL")) == "1"]
        code_by_id = {clean(cells["ID"]): clean(cells["CODE"]) for _line, cells in current}
        for line, cells in current:
            code = clean(cells["CODE"])
            parent_id = clean(cells.get("PARENT_ID"))
            parent_code = code_by_id.get(parent_id, "")
            if parent_id and not parent_code:
                problems.append(
                    Problem(
                        file,
                        line,
                        "PARENT_ID",
                        _("The parent record %(id)s is missing or not current (IS_ACTUAL≠1).")
                        % {"id": parent_id},
                    )
                )
            out.append(
                Row(
                    line,
                    code,
                    _level_from_shape(NKZ, code),
                    parent_code,
                    name_kk=clean(cells.get("NAME_KZ")),
                    name_ru=clean(cells.get("NAME_RU")),
                    valid_from=_date(cells.get("ACTUAL_DATE"), file, line, "ACTUAL_DATE", problems),
                )
            )
        return out
    for line, cells in records:
        get = lambda key, cells=cells: clean(cells.get(key))  # noqa: E731
        if layout.key == "ilo-isco08-xlsx":
            code = get("ISCO 08 Code")
            level = _int(get("Level"), file, line, "Level", problems)
            # Two codes (421, 4213) are stored as numbers; others keep leading zeros as text.
            parent = code[:-1] if level and level > 1 else ""
            out.append(
                Row(
                    line,
                    code,
                    level or 0,
                    parent,
                    name_en=get("Title EN"),
                    description_en=clean_multiline(cells.get("Definition")),
                )
            )
            continue
        level = _int(get("level"), file, line, "level", problems)
        row = Row(line, get("code"), level if level is not None else -1, get("parent_code"))
        if layout.key == "nkz-current-csv":
            row.name_ru, row.name_kk = get("name_ru"), get("name_kz")
            row.valid_from = _date(get("actual_date"), file, line, "actual_date", problems)
        elif layout.key == "oked-statgov-csv":
            row.name_ru, row.name_kk, row.name_en = (
                get("name_ru"),
                get("name_kz"),
                get("name_en_nace_rev2"),
            )
            row.valid_from = _date(get("valid_from"), file, line, "valid_from", problems)
        elif layout.key == "isco08-structure-csv":
            row.name_en = get("title_en")
            row.description_en = clean_multiline(cells.get("definition_en"))
        else:  # canonical
            row.name_kk, row.name_ru, row.name_en = get("name_kk"), get("name_ru"), get("name_en")
            row.description_en = clean_multiline(cells.get("description_en"))
            row.skill_level = _int(get("skill_level"), file, line, "skill_level", problems)
            row.valid_from = _date(cells.get("valid_from"), file, line, "valid_from", problems)
        out.append(row)
    return out


def clean_multiline(value: Any) -> str:
    if value is None:
        return ""
    text = xml_safe(str(value)).replace("\r\n", "\n")
    return "\n".join(line.strip() for line in text.split("\n")).strip()


# --- checks --------------------------------------------------------------------------------


def check_rows(classifier: str, file: str, rows: list[Row], problems: list[Problem]) -> None:
    shapes = SHAPES[classifier]
    by_code: dict[str, Row] = {}
    for row in rows:
        if not row.code:
            problems.append(Problem(file, row.line, "code", _("The code is empty.")))
            continue
        if row.code in by_code:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "code",
                    _("Duplicate code %(code)s (first seen in row %(first)s).")
                    % {"code": row.code, "first": by_code[row.code].line},
                )
            )
            continue
        by_code[row.code] = row
        pattern = shapes.get(row.level)
        if pattern is None:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "level",
                    _("Level %(level)s does not exist in this classifier (levels: %(levels)s).")
                    % {"level": row.level, "levels": ", ".join(str(k) for k in sorted(shapes))},
                )
            )
        elif not pattern.fullmatch(row.code) or (
            row.level == 0 and _level_from_shape(classifier, row.code)
        ):
            problems.append(
                Problem(
                    file,
                    row.line,
                    "level",
                    _("Code %(code)s does not have the shape of level %(level)s.")
                    % {"code": row.code, "level": row.level},
                )
            )
        for lang in REQUIRED_NAMES[classifier]:
            if not getattr(row, f"name_{lang}"):
                problems.append(
                    Problem(
                        file,
                        row.line,
                        f"name_{lang}",
                        _("The name in %(language)s is empty.")
                        % {
                            "language": {"ru": _("Russian"), "kk": _("Kazakh"), "en": _("English")}[
                                lang
                            ]
                        },
                    )
                )
        if row.skill_level is not None and not 1 <= row.skill_level <= 4:
            problems.append(
                Problem(file, row.line, "skill_level", _("A skill level is 1, 2, 3 or 4."))
            )
    for row in rows:
        if by_code.get(row.code) is not row:
            continue
        if row.level == 1 and row.parent_code:
            problems.append(
                Problem(file, row.line, "parent_code", _("A top-level code has no parent."))
            )
            continue
        if row.level in (1, 0) and not row.parent_code:
            continue
        if not row.parent_code:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "parent_code",
                    _("Code %(code)s has no parent.") % {"code": row.code},
                )
            )
            continue
        parent = by_code.get(row.parent_code)
        if parent is None:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "parent_code",
                    _("The parent %(parent)s of %(code)s is not in the file.")
                    % {"parent": row.parent_code, "code": row.code},
                )
            )
            continue
        if row.level > 1 and parent.level != row.level - 1:
            problems.append(
                Problem(
                    file,
                    row.line,
                    "parent_code",
                    _(
                        "The parent %(parent)s is on level %(plevel)s; a level-%(level)s code needs a parent on level %(expected)s."
                    )
                    % {
                        "parent": parent.code,
                        "plevel": parent.level,
                        "level": row.level,
                        "expected": row.level - 1,
                    },
                )
            )
        elif row.level in PREFIX_LEVELS[classifier] and not row.code.startswith(parent.code):
            problems.append(
                Problem(
                    file,
                    row.line,
                    "parent_code",
                    _("Code %(code)s does not begin with its parent's code %(parent)s.")
                    % {"code": row.code, "parent": parent.code},
                )
            )
    # Cycles can only arise among level-0 codes, whose parents are not level-checked.
    for row in rows:
        seen, current = {row.code}, by_code.get(row.parent_code)
        while current is not None and current.parent_code:
            if current.code in seen:
                problems.append(
                    Problem(
                        file,
                        row.line,
                        "parent_code",
                        _("The parents of %(code)s form a loop.") % {"code": row.code},
                    )
                )
                break
            seen.add(current.code)
            current = by_code.get(current.parent_code)


# --- entry point -----------------------------------------------------------------------------


def parse(
    classifier: str, source_name: str, data: bytes, *, max_bytes: int, progress: Progress = _noop
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
        sheets = _xlsx_sheets(source_name, data)
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
                            _column_letter(index),
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


def derived_skill_level(classifier: str, code: str) -> int | None:
    """ISCO-08's skill level by major group (isco08/isco08_major_group_skill_levels.csv).

    Major group 1 spans levels 3 and 4: sub-major group 14 (hospitality, retail and
    other services managers) is level 3, the other managers level 4. ISCO's armed
    forces split likewise: 01 → 4, 02 → 2, 03 → 1. NKZ ships no skill level per code,
    so its major groups 1–9 are read as ISCO's (by analogy, not by an official table).
    """
    if not code or not code[0].isdigit() or (classifier == NKZ and code.startswith("1-")):
        return None
    major = code[0]
    if major == "0":
        return {"01": 4, "02": 2, "03": 1}.get(code[:2]) if classifier == ISCO08 else None
    if major == "1":
        return 3 if code[:2] == "14" else (4 if len(code) >= 2 else None)
    return {"2": 4, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1}[major]
