"""Tables 1–3 out to a workbook and back: round trips, conflicts, permissions and bad files.

Each refusal asserts the place it names (sheet, Excel row, column) and that the database
did not change (a fingerprint of every Table 1 and Table 3 row, and no audit row)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from classifiers.services import classifier_import
from councils.models import AuditEvent
from sbsh.document import services, services_tables, workbook, workbook_export, workbook_reader
from sbsh.models import Table1Row, Table3Row
from tests.classifiers.conftest import canonical_csv
from tests.sbsh.conftest import NKZ

TEXTS = {
    "stages_kk": "Кезеңдер",
    "stages_ru": "Этапы",
    "role_kk": "Рөлі",
    "role_ru": "Роль",
    "knowledge_kk": "Білім",
    "knowledge_ru": "Знания",
    "skills_kk": "Дағдылар",
    "skills_ru": "Навыки",
    "competences_kk": "Құзыреттер",
    "competences_ru": "Компетенции",
}


# The audit trail is append-only (PostgreSQL refuses DELETE): count what came after a mark.
_AUDIT_MARK = {"pk": 0}


def _mark_audit() -> None:
    _AUDIT_MARK["pk"] = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _audit():
    return AuditEvent.objects.filter(pk__gt=_AUDIT_MARK["pk"])


@pytest.fixture
def filled(personas, sqf):
    """Two Table 1 rows and two Table 3 rows, written through the editor's services."""
    n = sqf.nodes
    rows = []
    for section, level in ((1, "5"), (2, "6")):
        row = services_tables.table1_row_create(
            actor=personas.drafter, version=sqf.version, section=section
        )
        rows.append(
            services_tables.table1_row_save(
                actor=personas.drafter,
                row=row,
                revision=row.revision,
                values={"sqf_level": level, "nqf_level": int(level), **TEXTS},
                occupation_ids=[n["nkz:2512-1-001"].pk],
            )
        )
    t3 = [
        services_tables.table3_row_save(
            actor=personas.drafter,
            version=sqf.version,
            row=None,
            revision=None,
            values=services_tables.Table3Values(
                n["isco08:2512"].pk, n[f"nkz:{code}"].pk, n["oked:62011"].pk, 5, "5"
            ),
        )
        for code in ("2512-1-001", "2512-1-002")
    ]
    _mark_audit()
    return sqf, rows, t3


def state(version) -> tuple[Any, ...]:
    t1 = sorted(
        (r.pk, r.revision, r.section, r.sqf_level, r.nqf_level, r.knowledge_kk, r.stale_language)
        for r in Table1Row.objects.filter(version=version)
    )
    t3 = sorted(
        (r.pk, r.revision, r.occupation_id, r.sqf_level, r.nkz_correspondence)
        for r in Table3Row.objects.filter(version=version)
    )
    return t1, t3, _audit().count()


def export(version, language: str = "kk") -> bytes:
    with translation.override(language):
        return workbook_export.export_workbook(version)


def edit(data: bytes, change) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet(wb, key: str, language: str = "kk"):
    with translation.override(language):
        return wb[str(workbook.SHEET_TITLES[key])]


def col(key: str, table: str = "table1") -> int:
    return next(i for i, c in enumerate(workbook.COLUMNS[table], start=1) if c.key == key)


def refused(version, data: bytes, actor, language: str = "en") -> list[workbook_reader.Problem]:
    before = state(version)
    with translation.override(language), pytest.raises(workbook_reader.WorkbookRejected) as exc:
        services_tables.tables_import(actor=actor, version=version, data=data, name="t.xlsx")
    assert state(version) == before
    return exc.value.problems


# --- the workbook itself -------------------------------------------------------------------


def test_the_export_has_a_sheet_per_table_both_languages_lists_and_locked_ids(
    personas, filled
) -> None:
    sqf, rows, _t3 = filled
    wb = openpyxl.load_workbook(io.BytesIO(export(sqf.version)))
    with translation.override("kk"):
        titles = {k: str(v) for k, v in workbook.SHEET_TITLES.items()}
    assert wb.sheetnames == [
        titles["instructions"],
        workbook.LISTS,
        titles["table1"],
        titles["table2"],
        titles["table3"],
        workbook.META,
    ]
    ws1, ws3 = sheet(wb, "table1"), sheet(wb, "table3")
    assert ws1.cell(2, col("id")).value == rows[0].pk
    assert ws1.cell(2, col("knowledge_kk")).value == "Білім"
    assert ws1.cell(2, col("knowledge_ru")).value == "Знания"
    assert ws1.cell(2, col("occupations")).value == "2512-1-001"
    assert ws1.protection.sheet and ws1.cell(2, col("id")).protection.locked
    assert not ws1.cell(2, col("knowledge_kk")).protection.locked
    # A new row below the table can be typed into, its id cannot.
    assert not ws1.cell(10, col("sqf_level")).protection.locked
    assert ws3.cell(2, col("occupation", "table3")).value == "2512-1-001"
    assert ws3.cell(2, col("nkz_correspondence", "table3")).value == "толық"
    validations = {str(dv.sqref): dv.formula1 for dv in ws3.data_validations.dataValidation}
    assert any("lists!$B$1" in f for f in validations.values())
    assert wb[workbook.META].sheet_state == "veryHidden"


def test_text_that_a_spreadsheet_would_run_is_written_as_text_and_comes_back_unchanged(
    personas, filled
) -> None:
    sqf, rows, _t3 = filled
    row = rows[0]
    services_tables.table1_row_save(
        actor=personas.drafter,
        row=row,
        revision=Table1Row.objects.get(pk=row.pk).revision,
        values={"sqf_level": "5", "nqf_level": 5, **TEXTS, "stages_kk": '=HYPERLINK("http://x")'},
        occupation_ids=[sqf.nodes["nkz:2512-1-001"].pk],
    )
    data = export(sqf.version)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cell = sheet(wb, "table1").cell(2, col("stages_kk"))
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://x")'
    before = state(sqf.version)
    plan = services_tables.tables_import(actor=personas.drafter, version=sqf.version, data=data, name="x")
    assert plan.empty and state(sqf.version) == before


# --- round trips ---------------------------------------------------------------------------


def test_an_unchanged_workbook_writes_nothing(personas, filled) -> None:
    sqf, _rows, _t3 = filled
    before = state(sqf.version)
    plan = services_tables.tables_import(
        actor=personas.drafter, version=sqf.version, data=export(sqf.version, "ru"), name="a.xlsx"
    )
    assert plan.empty and state(sqf.version) == before


def test_one_edited_cell_is_reported_exactly_then_applied_then_exported(personas, filled) -> None:
    sqf, rows, _t3 = filled
    data = edit(
        export(sqf.version),
        lambda wb: (
            sheet(wb, "table1")
            .cell(3, col("knowledge_ru"))
            .__setattr__("value", "Знания об энергосистеме")
        ),
    )
    with translation.override("ru"):
        plan = services_tables.tables_import(
            actor=personas.drafter, version=sqf.version, data=data, name="a.xlsx", dry_run=True
        )
    assert [(c.table, c.kind, c.row, c.row_id) for c in plan.changes] == [
        ("table1", "changed", 3, rows[1].pk)
    ]
    assert plan.changes[0].cells == [
        ("знания (на русском языке)", "Знания", "Знания об энергосистеме")
    ]
    assert _audit().count() == 0
    assert Table1Row.objects.get(pk=rows[1].pk).knowledge_ru == "Знания"

    plan = services_tables.tables_import(
        actor=personas.drafter, version=sqf.version, data=data, name="a.xlsx"
    )
    row = Table1Row.objects.get(pk=rows[1].pk)
    assert row.knowledge_ru == "Знания об энергосистеме" and row.stale_language == "kk"
    assert row.revision == rows[1].revision + 1 and row.updated_by == personas.drafter
    event = _audit().get()
    assert event.action == "sqf.tables.import" and event.actor == personas.drafter
    assert list(event.changes["table1"]["changed"]) == [str(row.pk)]
    assert len(event.changes["table1"]["changed"][str(row.pk)]) == 1
    again = openpyxl.load_workbook(io.BytesIO(export(sqf.version)))
    assert sheet(again, "table1").cell(3, col("knowledge_ru")).value == "Знания об энергосистеме"


def test_rows_are_added_changed_and_removed_in_one_audited_change(personas, filled) -> None:
    sqf, rows, t3 = filled

    def change(wb) -> None:
        ws1, ws3 = sheet(wb, "table1"), sheet(wb, "table3")
        ws1.delete_rows(2)  # remove the first level
        new = {
            "section": 2,
            "sqf_level": "6.1",
            "nqf_level": 6,
            "occupations": "2512-1-002",
            **TEXTS,
        }
        new["sqf_level"] = "7"
        for key, value in new.items():
            ws1.cell(3, col(key)).value = value
        ws3.cell(2, col("nkz_correspondence", "table3")).value = "ішінара"
        ws3.cell(2, col("sqf_level", "table3")).value = 6  # a number, as Excel stores it
        ws3.delete_rows(3)
        for key, value in {
            "isco": "2512",
            "occupation": "2512-1-002",
            "oked": "62011",
            "nqf_level": 4,
            "sqf_level": "4",
            "nkz_correspondence": "broader",
        }.items():
            ws3.cell(4, col(key, "table3")).value = value

    data = edit(export(sqf.version), change)
    with translation.override("en"):
        plan = services_tables.tables_import(
            actor=personas.drafter, version=sqf.version, data=data, name="w"
        )
    assert plan.counts() == {
        "table1": {"added": 1, "changed": 0, "removed": 1},
        "table3": {"added": 1, "changed": 1, "removed": 1},
    }
    changed = plan.of("table3", "changed")[0]
    assert ("correspondence unit group ↔ occupation group", "full", "partial") in changed.cells
    assert not Table1Row.objects.filter(pk=rows[0].pk).exists()
    added = Table1Row.objects.filter(version=sqf.version, sqf_level="7").get()
    assert [n.code for n in added.occupations.all()] == ["2512-1-002"] and added.section == 2
    first = Table3Row.objects.get(pk=t3[0].pk)
    assert (first.nkz_correspondence, first.sqf_level) == ("partial", "6")
    assert not Table3Row.objects.filter(pk=t3[1].pk).exists()
    new3 = Table3Row.objects.exclude(pk=t3[0].pk).get(version=sqf.version)
    assert (new3.nkz_unit.code, new3.nkz_group.code, new3.nkz_correspondence) == (
        "2512",
        "2512-1",
        "broader",
    )
    assert new3.isco_correspondence == "unverified"  # from the crosswalk, not typed
    assert _audit().filter(action="sqf.tables.import").count() == 1
    assert _audit().count() == 1


# --- optimistic locks ------------------------------------------------------------------------


def test_a_row_changed_in_the_browser_since_the_export_is_a_conflict_not_overwritten(
    personas, filled
) -> None:
    sqf, rows, _t3 = filled
    data = edit(
        export(sqf.version),
        lambda wb: sheet(wb, "table1").cell(2, col("skills_kk")).__setattr__("value", "Кестеден"),
    )
    current = Table1Row.objects.get(pk=rows[0].pk)
    services_tables.table1_row_save(
        actor=personas.expert,
        row=current,
        revision=current.revision,
        values={"sqf_level": "5", "nqf_level": 5, **TEXTS, "skills_kk": "Браузерден"},
        occupation_ids=[sqf.nodes["nkz:2512-1-001"].pk],
    )
    _mark_audit()
    problems = refused(sqf.version, data, personas.drafter)
    assert problems[0].row == 2 and "Conflict" in problems[0].message
    assert Table1Row.objects.get(pk=rows[0].pk).skills_kk == "Браузерден"


def test_rows_changed_only_in_the_browser_are_kept_when_the_workbook_left_them_alone(
    personas, filled
) -> None:
    sqf, rows, _t3 = filled
    data = edit(
        export(sqf.version),
        lambda wb: sheet(wb, "table1").cell(3, col("role_ru")).__setattr__("value", "Новая роль"),
    )
    current = Table1Row.objects.get(pk=rows[0].pk)
    services_tables.table1_row_save(
        actor=personas.expert,
        row=current,
        revision=current.revision,
        values={"sqf_level": "5", "nqf_level": 5, **TEXTS, "skills_kk": "Браузерден"},
        occupation_ids=[sqf.nodes["nkz:2512-1-001"].pk],
    )
    added_in_browser = services_tables.table1_row_create(
        actor=personas.expert, version=sqf.version, section=4
    )
    services_tables.tables_import(actor=personas.drafter, version=sqf.version, data=data, name="w")
    assert Table1Row.objects.get(pk=rows[0].pk).skills_kk == "Браузерден"
    assert Table1Row.objects.get(pk=rows[1].pk).role_ru == "Новая роль"
    assert Table1Row.objects.filter(pk=added_in_browser.pk).exists()


# --- permissions ---------------------------------------------------------------------------


def test_only_people_who_may_edit_the_version_import(personas, filled, tmp_path) -> None:
    sqf, _rows, _t3 = filled
    data = edit(
        export(sqf.version),
        lambda wb: sheet(wb, "table1").cell(2, col("role_kk")).__setattr__("value", "Жаңа"),
    )
    path = tmp_path / "t.xlsx"
    path.write_bytes(data)
    before = state(sqf.version)
    for who in ("member", "outsider", "officer"):
        with pytest.raises(CommandError, match="may not edit"):
            call_command("sqf_tables", "import", str(sqf.version.pk), str(path), "--actor", who)
        client = personas.client_for(getattr(personas, who))
        url = reverse("sbsh:tables-import", args=[sqf.version.pk])
        response = client.post(url, {"file": io.BytesIO(data)})
        assert response.status_code == 403
    assert state(sqf.version) == before
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(reverse("sbsh:tables-export", args=[sqf.version.pk])).status_code == 403
    member = personas.client_for(personas.member)  # a council member reads, may download
    download = member.get(reverse("sbsh:tables-export", args=[sqf.version.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_the_command_exports_and_imports_with_a_dry_run(personas, filled, tmp_path, capsys) -> None:
    sqf, rows, _t3 = filled
    out = tmp_path / "t.xlsx"
    call_command("sqf_tables", "export", str(sqf.version.pk), "--output", str(out))
    data = edit(
        out.read_bytes(),
        lambda wb: sheet(wb, "table1").cell(2, col("nqf_level")).__setattr__("value", 6),
    )
    out.write_bytes(data)
    call_command(
        "sqf_tables", "import", str(sqf.version.pk), str(out), "--dry-run", "--actor", "drafter"
    )
    assert "table1 changed (row 2)" in capsys.readouterr().out
    assert Table1Row.objects.get(pk=rows[0].pk).nqf_level == 5
    call_command("sqf_tables", "import", str(sqf.version.pk), str(out), "--actor", "drafter")
    assert Table1Row.objects.get(pk=rows[0].pk).nqf_level == 6
    bad = edit(
        export(sqf.version),
        lambda wb: sheet(wb, "table1").cell(3, col("sqf_level")).__setattr__("value", "9"),
    )
    out.write_bytes(bad)
    with pytest.raises(CommandError, match="refused"):
        call_command(
            "sqf_tables",
            "import",
            str(sqf.version.pk),
            str(out),
            "--actor",
            "drafter",
            "--language",
            "en",
        )
    err = capsys.readouterr().err
    assert "row 3, column C (SQF level)" in err and "Rules §9" in err


# --- the editor route: upload → preview → apply -----------------------------------------------


def test_upload_shows_a_preview_and_applying_writes_it(personas, filled) -> None:
    sqf, rows, _t3 = filled
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    data = edit(
        export(sqf.version),
        lambda wb: sheet(wb, "table1").cell(2, col("role_ru")).__setattr__("value", "Роль 2"),
    )
    url = reverse("sbsh:tables-import", args=[sqf.version.pk])
    upload = io.BytesIO(data)
    upload.name = "filled.xlsx"
    preview = client.post(url, {"file": upload})
    body = preview.content.decode()
    assert preview.status_code == 200 and "Роль 2" in body and 'name="token"' in body
    assert Table1Row.objects.get(pk=rows[0].pk).role_ru == "Роль"
    token = body.split('name="token" value="')[1].split('"')[0]
    applied = client.post(reverse("sbsh:tables-apply", args=[sqf.version.pk]), {"token": token})
    assert applied.status_code == 302
    assert Table1Row.objects.get(pk=rows[0].pk).role_ru == "Роль 2"
    assert _audit().filter(action="sqf.tables.import").count() == 1
    # The same token cannot be applied twice.
    again = client.post(reverse("sbsh:tables-apply", args=[sqf.version.pk]), {"token": token})
    assert again.status_code == 400 and _audit().count() == 1


def test_a_refused_upload_lists_the_places_in_the_users_language(personas, filled) -> None:
    sqf, _rows, _t3 = filled
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "ru"
    data = edit(
        export(sqf.version),
        lambda wb: sheet(wb, "table1").cell(3, col("sqf_level")).__setattr__("value", "9"),
    )
    upload = io.BytesIO(data)
    upload.name = "filled.xlsx"
    before = state(sqf.version)
    response = client.post(reverse("sbsh:tables-import", args=[sqf.version.pk]), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 422
    assert "строка 3" in body and "столбец C" in body and state(sqf.version) == before


# --- bad workbooks: each refused with its place named, nothing written --------------------


def test_wrong_sheet_names_are_refused(personas, filled) -> None:
    sqf, _r, _t = filled
    data = edit(export(sqf.version), lambda wb: setattr(sheet(wb, "table3"), "title", "Лист3"))
    problems = refused(sqf.version, data, personas.drafter)
    assert "Table 3" in problems[0].message and "Лист3" in problems[0].message


def test_a_missing_column_is_refused_with_its_letter(personas, filled) -> None:
    sqf, _r, _t = filled
    data = edit(export(sqf.version), lambda wb: sheet(wb, "table1").delete_cols(col("role_kk")))
    problems = refused(sqf.version, data, personas.drafter)
    assert (problems[0].row, problems[0].column) == (1, "I")
    assert "role and area of responsibility (Kazakh)" in problems[0].message


def test_a_bad_level_is_refused_with_sheet_row_and_column(personas, filled) -> None:
    sqf, _r, _t = filled
    data = edit(
        export(sqf.version),
        lambda wb: (
            sheet(wb, "table3").cell(3, col("sqf_level", "table3")).__setattr__("value", "4.0")
        ),
    )
    problems = refused(sqf.version, data, personas.drafter)
    assert [(p.sheet, p.row, p.column) for p in problems] == [("3-кесте", 3, "T")]
    assert "Rules §9" in problems[0].message and "SQF level" in str(problems[0])


def test_an_unknown_code_is_refused(personas, filled) -> None:
    sqf, _r, _t = filled
    data = edit(
        export(sqf.version),
        lambda wb: sheet(wb, "table3").cell(2, col("oked", "table3")).__setattr__("value", "99999"),
    )
    problems = refused(sqf.version, data, personas.drafter)
    assert [(p.row, p.column) for p in problems] == [(2, "M")] and "99999" in problems[0].message


def test_a_code_from_another_edition_is_refused(personas, filled) -> None:
    sqf, _r, _t = filled
    classifier_import(
        classifier="nkz",
        source_name="nkz-2025.csv",
        data=canonical_csv([*NKZ, ("2512-1-003", "2512-1", "6", "ЖАҢА", "НОВАЯ", "")]),
        actor=None,
        edition_name="NKZ 2025",
    )
    _mark_audit()
    data = edit(
        export(sqf.version),
        lambda wb: (
            sheet(wb, "table1").cell(2, col("occupations")).__setattr__("value", "2512-1-003")
        ),
    )
    problems = refused(sqf.version, data, personas.drafter)
    assert [(p.row, p.column) for p in problems] == [(2, "E")]
    assert "NKZ 2025" in problems[0].message and "another edition" in problems[0].message


def test_duplicate_rows_are_refused(personas, filled) -> None:
    sqf, rows, _t = filled

    def dup(wb) -> None:
        ws = sheet(wb, "table3")
        for c in range(1, len(workbook.T3_COLUMNS) + 1):
            ws.cell(4, c).value = ws.cell(2, c).value

    problems = refused(sqf.version, edit(export(sqf.version), dup), personas.drafter)
    assert problems[0].row == 4 and "row 2" in problems[0].message

    def same_id(wb) -> None:
        ws = sheet(wb, "table1")
        ws.cell(3, 1).value = rows[0].pk

    problems = refused(sqf.version, edit(export(sqf.version), same_id), personas.drafter)
    assert (problems[0].row, problems[0].column) == (3, "A") and "twice" in problems[0].message


def test_a_formula_is_refused_never_evaluated(personas, filled) -> None:
    sqf, _r, _t = filled
    data = edit(
        export(sqf.version),
        lambda wb: (
            sheet(wb, "table1")
            .cell(2, col("knowledge_kk"))
            .__setattr__("value", '=WEBSERVICE("http://evil")')
        ),
    )
    problems = refused(sqf.version, data, personas.drafter)
    assert [(p.row, p.column) for p in problems] == [(2, "K")] and "formula" in problems[0].message


def test_a_50_mb_file_is_refused(personas, filled) -> None:
    sqf, _r, _t = filled
    problems = refused(sqf.version, b"PK\x03\x04" + b"0" * (50 * 2**20), personas.drafter)
    assert "50.0 MB" in problems[0].message


def test_a_zip_bomb_is_refused(personas, filled) -> None:
    sqf, _r, _t = filled
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<x/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (100 * 2**20))
    problems = refused(sqf.version, out.getvalue(), personas.drafter)
    assert "zip bomb" in problems[0].message


def test_a_file_that_is_not_xlsx_is_refused(personas, filled) -> None:
    sqf, _r, _t = filled
    for data in (b"%PDF-1.7 not a workbook", b"code;name\n1;x\n"):
        problems = refused(sqf.version, data, personas.drafter)
        assert "not an XLSX workbook" in problems[0].message


def test_a_workbook_not_from_this_version_is_refused(personas, filled) -> None:
    sqf, _r, _t = filled
    _framework, other = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Басқа",
        sector_ru="Другая",
    )
    problems = refused(sqf.version, export(other), personas.drafter)
    assert "another SQF version" in problems[0].message
    plain = openpyxl.Workbook()
    out = io.BytesIO()
    plain.save(out)
    problems = refused(sqf.version, out.getvalue(), personas.drafter)
    assert "not downloaded from the workbench" in problems[0].message


def test_missing_descriptors_and_a_gap_in_sub_levels_are_refused(personas, filled) -> None:
    sqf, _r, _t = filled

    def change(wb) -> None:
        ws = sheet(wb, "table1")
        ws.cell(2, col("competences_ru")).value = None
        for key, value in {
            "section": 2,
            "sqf_level": "4.2",
            "nqf_level": 4,
            "occupations": "2512-1-001",
            **TEXTS,
        }.items():
            ws.cell(4, col(key)).value = value

    problems = refused(sqf.version, edit(export(sqf.version), change), personas.drafter)
    places = {(p.row, p.column) for p in problems}
    assert (2, "P") in places  # competences (Russian)
    gap = [p for p in problems if "sub-levels" in p.message]
    assert gap and "Section 2" in gap[0].message


def test_too_many_rows_are_refused(personas, filled) -> None:
    sqf, _r, _t = filled

    def grow(wb) -> None:
        ws = sheet(wb, "table3")
        for r in range(4, 4 + workbook.MAX_ROWS + 1):
            ws.cell(r, col("isco", "table3")).value = "2512"

    problems = refused(sqf.version, edit(export(sqf.version), grow), personas.drafter)
    assert f"more than {workbook.MAX_ROWS} rows" in problems[-1].message


def test_rows_already_alike_in_the_version_do_not_block_a_round_trip(personas, filled) -> None:
    sqf, _rows, t3 = filled
    twin = Table3Row.objects.get(pk=t3[0].pk)
    twin.pk = None
    twin.order = 99
    twin.save()  # the editor does not forbid two identical rows
    _mark_audit()
    data = export(sqf.version)
    before = state(sqf.version)
    plan = services_tables.tables_import(actor=personas.drafter, version=sqf.version, data=data, name="w")
    assert plan.empty and state(sqf.version) == before
    # …but a third one typed into the workbook is refused.
    third = edit(
        data,
        lambda wb: [
            sheet(wb, "table3")
            .cell(5, c)
            .__setattr__("value", sheet(wb, "table3").cell(2, c).value)
            for c in range(2, len(workbook.T3_COLUMNS) + 1)
        ],
    )
    problems = refused(sqf.version, third, personas.drafter)
    assert problems[0].row == 5 and "row 2" in problems[0].message
