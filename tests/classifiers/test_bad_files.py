"""Every kind of bad file is refused with a message naming where, and nothing is written."""

from __future__ import annotations

import pytest

from classifiers.rows import ImportRejected
from classifiers.services import classifier_import
from tests.classifiers.conftest import SMALL_NKZ, canonical_csv, xlsx_bytes, zip_with

pytestmark = pytest.mark.django_db

HEADER = ["code", "parent_code", "level", "name_kk", "name_ru", "name_en"]


def _replace(row_index: int, **changes: str) -> list[tuple[str, ...]]:
    rows = [list(r) for r in SMALL_NKZ]
    for key, value in changes.items():
        rows[row_index][HEADER.index(key)] = value
    return [tuple(r) for r in rows]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


def _xlsx_with_entities() -> bytes:
    import io
    import zipfile

    good = xlsx_bytes([HEADER, list(SMALL_NKZ[0])])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = BILLION_LAUGHS
            dst.writestr(item, data)
    return out.getvalue()


CASES = [
    # (id, file name, bytes, text the message must contain, row it must name or None)
    ("duplicate code", "nkz.csv", canonical_csv([*SMALL_NKZ, SMALL_NKZ[3]]), "2512", 8),
    ("orphan parent", "nkz.csv", canonical_csv(_replace(5, parent_code="2512-9")), "2512-9", 7),
    ("level does not match the shape", "nkz.csv", canonical_csv(_replace(3, level="5")), "2512", 5),
    ("empty Kazakh name", "nkz.csv", canonical_csv(_replace(2, name_kk="")), "name_kk", 4),
    (
        "code that does not start with its parent",
        "nkz.csv",
        canonical_csv([*SMALL_NKZ[:4], ("2611", "251", "4", "А", "Б", "")]),
        "251",
        6,
    ),
    (
        "parent on the wrong level",
        "nkz.csv",
        canonical_csv([*SMALL_NKZ, ("2512-2", "251", "5", "А", "Б", "")]),
        "level",
        8,
    ),
    ("level that is not a number", "nkz.csv", canonical_csv(_replace(1, level="two")), "two", 3),
    (
        "wrong encoding",
        "nkz.csv",
        "code,parent_code,level,name_kk,name_ru,name_en\n2,,1,МАМАНДАР,СПЕЦИАЛИСТЫ,\n".encode(
            "cp1251"
        ),
        "UTF-8",
        2,
    ),
    (
        "wrong sheet",
        "nkz.xlsx",
        xlsx_bytes([["Код", "Наименование"], ["2512", "x"]], sheet="Лист1"),
        "Лист1",
        1,
    ),
    (
        "formula in a cell",
        "nkz.xlsx",
        xlsx_bytes(
            [HEADER, *[list(r) for r in SMALL_NKZ[:2]], ['=HYPERLINK("x")', "2", "2", "a", "b", ""]]
        ),
        "formula",
        4,
    ),
    ("xlsx name on a text file", "nkz.xlsx", canonical_csv(SMALL_NKZ), "XLSX", None),
    ("damaged zip", "nkz.xlsx", b"PK\x03\x04" + b"\x00" * 200, "XLSX", None),
    (
        "zip bomb",
        "nkz.xlsx",
        zip_with({"xl/worksheets/sheet1.xml": b"<a>" + b" " * 30_000_000 + b"</a>"}),
        "bomb",
        None,
    ),
    ("zip-slip path", "nkz.xlsx", zip_with({"../../etc/cron.d/x": b"x"}), "unsafe path", None),
    (
        "symlink entry",
        "nkz.xlsx",
        zip_with({"[Content_Types].xml": b"<x/>"}, symlink="xl/link"),
        "symbolic link",
        None,
    ),
    ("XML entity expansion", "nkz.xlsx", _xlsx_with_entities(), "cannot be read", None),
    ("PDF renamed to csv", "nkz.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF", None),
    ("empty file", "nkz.csv", b"", "empty", None),
    (
        "header only",
        "nkz.csv",
        b"code,parent_code,level,name_kk,name_ru,name_en\n",
        "no data rows",
        None,
    ),
    (
        "another classifier's file",
        "oked.csv",
        b"code,code_dotted,level,level_name,parent_code,section,name_kz,name_ru\nA,A,1,section,,A,x,y\n",
        "OKED",
        1,
    ),
]


@pytest.mark.parametrize(
    ("case", "name", "data", "needle", "row"), CASES, ids=[c[0] for c in CASES]
)
def test_a_bad_file_is_refused_and_nothing_is_written(
    snapshot, case, name, data, needle, row
) -> None:
    before = snapshot()
    with pytest.raises(ImportRejected) as excinfo:
        classifier_import(classifier="nkz", source_name=name, data=data, actor=None)
    problems = excinfo.value.problems
    text = " | ".join(str(p) for p in problems)
    assert needle.lower() in text.lower(), text
    if row is not None:
        assert any(p.row == row for p in problems), text
    assert snapshot() == before


def test_an_oversized_file_is_refused_before_it_is_read(snapshot, settings) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    before = snapshot()
    with pytest.raises(ImportRejected, match="MB"):
        classifier_import(classifier="nkz", source_name="big.csv", data=b"x" * 2048, actor=None)
    assert snapshot() == before


def test_too_many_rows_are_refused(snapshot, monkeypatch) -> None:
    from classifiers import importers

    monkeypatch.setattr(importers, "MAX_ROWS", 3)
    with pytest.raises(ImportRejected, match="more than 3 rows"):
        classifier_import(
            classifier="nkz", source_name="n.csv", data=canonical_csv(SMALL_NKZ), actor=None
        )


def test_all_problems_are_reported_at_once(snapshot) -> None:
    rows = _replace(2, name_kk="")
    rows[4] = ("2512-1", "2512", "5", "", "", "")
    with pytest.raises(ImportRejected) as excinfo:
        classifier_import(
            classifier="nkz", source_name="n.csv", data=canonical_csv(rows), actor=None
        )
    assert {(p.row, p.column) for p in excinfo.value.problems} == {
        (4, "name_kk"),
        (6, "name_ru"),
        (6, "name_kk"),
    }


def test_the_same_file_twice_is_refused(snapshot) -> None:
    data = canonical_csv(SMALL_NKZ)
    classifier_import(classifier="nkz", source_name="n.csv", data=data, actor=None)
    before = snapshot()
    with pytest.raises(ImportRejected, match="already loaded"):
        classifier_import(classifier="nkz", source_name="again.csv", data=data, actor=None)
    assert snapshot() == before
