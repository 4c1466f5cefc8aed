"""ISCO-08 names in Kazakh and Russian for Table 3's column 4 (Annex §11): loaded by an
administrator from a CSV or typed in the admin; until then column 4 stays empty and the
compliance check names the codes; never another classifier's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from classifiers.models import Edition, Node
from councils.models import AuditEvent
from exports.layout import document_model
from sbsh.document import services_tables
from sbsh.document.checks import findings
from sbsh.document.content import version_content
from tests.sbsh.conftest import SmallSqf

pytestmark = pytest.mark.django_db


def _row(sqf: SmallSqf, personas) -> None:
    n = sqf.nodes
    services_tables.table3_row_save(
        actor=personas.drafter,
        version=sqf.version,
        row=None,
        revision=None,
        values=services_tables.Table3Values(
            isco_id=n["isco08:2512"].pk,
            occupation_id=n["nkz:2512-1-001"].pk,
            oked_id=n["oked:62011"].pk,
            nqf_level=6,
            sqf_level="6",
        ),
    )


def _col4(version, lang: str) -> str:
    model = document_model(version_content(version), lang)
    part = model.table3[0]
    i = [c.number for c in part.columns].index("4")
    return part.rows[0][i]


def test_names_load_fill_column_4_and_end_the_warning(personas, sqf, tmp_path: Path) -> None:
    _row(sqf, personas)
    assert _col4(sqf.version, "kk") == "" and _col4(sqf.version, "ru") == ""
    warned = [f for f in findings(sqf.version) if f.column == "isco_name"]
    assert len(warned) == 1 and "2512" in warned[0].message and warned[0].clause == "Annex §11"

    path = tmp_path / "isco-names.csv"
    path.write_text(
        "code,name_kk,name_ru\n2512,Бағдарламалық қамтамасыз ету әзірлеушілері,Разработчики программного обеспечения\n",
        encoding="utf-8",
    )
    call_command("load_classifier", "isco08-names", str(path), "--dry-run", "--source", "test")
    assert Node.objects.get(code="2512", edition__classifier="isco08").title_kk == ""
    call_command(
        "load_classifier",
        "isco08-names",
        str(path),
        "--source",
        "Translation by the ministry, 2026",
    )
    node = Node.objects.get(code="2512", edition__classifier="isco08")
    assert node.title_kk == "Бағдарламалық қамтамасыз ету әзірлеушілері"
    assert node.title_ru == "Разработчики программного обеспечения"
    assert Edition.objects.get(classifier="isco08", is_current=True).names_source.startswith(
        "Translation"
    )
    assert AuditEvent.objects.filter(action="classifier.isco_names.load").count() == 1
    assert _col4(sqf.version, "kk") == node.title_kk
    assert _col4(sqf.version, "ru") == node.title_ru
    assert not [f for f in findings(sqf.version) if f.column == "isco_name"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("code,name_kk,name_ru\n9999,А,Б\n", "9999"),
        ("code,name_kk\n2512,А\n", "name_ru"),
        ("code,name_kk,name_ru\n2512,А,Б\n2512,В,Г\n", "twice"),
    ],
)
def test_a_bad_names_file_is_refused_whole(
    personas, sqf, tmp_path: Path, capsys, text: str, needle: str
) -> None:
    path = tmp_path / "names.csv"
    path.write_text(text, encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError):
        call_command("load_classifier", "isco08-names", str(path), "--source", "test")
    assert needle in capsys.readouterr().err
    assert not Node.objects.filter(edition__classifier="isco08").exclude(title_kk="").exists()
    assert not AuditEvent.objects.filter(action="classifier.isco_names.load").exists()


def test_names_need_a_source(personas, sqf, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("code,name_kk,name_ru\n2512,А,Б\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_classifier", "isco08-names", str(path))


def test_the_admin_types_a_name_of_an_isco_group_only(personas, sqf) -> None:
    admin = personas.client_for(personas.admin)
    isco = sqf.nodes["isco08:2512"]
    url = f"/admin/classifiers/node/{isco.pk}/change/"
    page = admin.get(url)
    assert page.status_code == 200 and 'name="title_kk"' in page.content.decode()
    nkz = sqf.nodes["nkz:2512"]
    assert (
        'name="title_kk"'
        not in admin.get(f"/admin/classifiers/node/{nkz.pk}/change/").content.decode()
    )
    response = admin.post(
        url,
        {
            "title_kk": "Әзірлеушілер",
            "title_ru": "Разработчики",
            "skill_level": isco.skill_level or "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    isco.refresh_from_db()
    assert (isco.title_kk, isco.title_ru) == ("Әзірлеушілер", "Разработчики")
    assert (
        AuditEvent.objects.filter(action="classifier.node.names", actor=personas.admin).count() == 1
    )
