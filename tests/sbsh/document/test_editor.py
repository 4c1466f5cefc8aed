"""The editor: access per role, saving both languages, conflicts, sanitising, query bounds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from councils.models import AuditEvent
from sbsh.document import services, services_tables
from sbsh.models import Part, Table1Row, Table3Row, Version

pytestmark = pytest.mark.django_db


def t1_payload(row: Table1Row, occupation_ids: list[int], **overrides: object) -> dict[str, object]:
    data = {
        "revision": row.revision,
        "sqf_level": "4",
        "nqf_level": 4,
        "occupations": occupation_ids,
    }
    for column in Table1Row.TEXT_COLUMNS:
        data[f"{column}_kk"] = f"{column} қазақша"
        data[f"{column}_ru"] = f"{column} по-русски"
    data.update(overrides)
    return data


PAGES = ["overview", "passport", "standards", "table1", "table2", "table3"]


@pytest.mark.parametrize(
    "username", ["drafter", "expert", "member", "secretary", "officer", "admin"]
)
def test_the_sector_and_the_national_body_can_read_every_page(personas, sqf, username) -> None:
    client = personas.client_for(getattr(personas, username))
    for name in PAGES:
        assert client.get(reverse(f"sbsh:{name}", args=[sqf.version.pk])).status_code == 200, name
    assert client.get(reverse("sbsh:part", args=[sqf.version.pk, "analysis"])).status_code == 200


def test_an_outsider_gets_403_everywhere_and_the_list_is_empty(personas, sqf) -> None:
    client = personas.client_for(personas.outsider)
    for name in PAGES:
        assert client.get(reverse(f"sbsh:{name}", args=[sqf.version.pk])).status_code == 403, name
    assert len(client.get(reverse("sbsh:list")).context["frameworks"]) == 0
    assert client.get(reverse("sbsh:overview", args=[999999])).status_code == 404


@pytest.mark.parametrize("username", ["member", "secretary", "officer", "admin", "outsider"])
def test_only_the_ministry_and_its_working_group_may_write(personas, sqf, username) -> None:
    client = personas.client_for(getattr(personas, username))
    part = Part.objects.get(version=sqf.version, key="analysis")
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("sbsh:part", args=[sqf.version.pk, "analysis"]),
        {"revision": part.revision, "text_kk": "<p>x</p>", "text_ru": "<p>y</p>"},
    )
    assert response.status_code == 403
    assert (
        client.post(reverse("sbsh:table1", args=[sqf.version.pk]), {"section": 1}).status_code
        == 403
    )
    assert Part.objects.get(pk=part.pk).text_kk == "" and Table1Row.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_a_version_not_in_drafting_cannot_be_edited(personas, sqf) -> None:
    Version.objects.filter(pk=sqf.version.pk).update(status="council_review")
    response = personas.client_for(personas.drafter).post(
        reverse("sbsh:table1", args=[sqf.version.pk]), {"section": 1}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("username", ["drafter", "expert"])
def test_a_drafter_adds_and_fills_a_table1_row_in_place(personas, sqf, username) -> None:
    client = personas.client_for(getattr(personas, username))
    response = client.post(
        reverse("sbsh:table1", args=[sqf.version.pk]), {"section": 2}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "t1-form-" in response.content.decode()
    row = Table1Row.objects.get()
    occupation = sqf.nodes["nkz:2512-1-001"]
    response = client.post(
        reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk]),
        t1_payload(row, [occupation.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "sqf-changed"
    # Shown with soft hyphens at syllables (sqf tag cell); stored without.
    assert "knowledge қазақша" in response.content.decode().replace("\xad", "")
    assert "\xad" not in Table1Row.objects.get().knowledge_kk
    assert "2512-1-001" in response.content.decode()  # the saved row shows its occupation
    form = client.get(
        reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk]), HTTP_HX_REQUEST="true"
    )
    assert (
        f'name="occupations" value="{occupation.pk}"' in form.content.decode()
    )  # and the form keeps it
    row = Table1Row.objects.get(pk=row.pk)
    assert (row.sqf_level, row.nqf_level, row.knowledge_ru, row.revision) == (
        "4",
        4,
        "knowledge по-русски",
        2,
    )
    assert list(row.occupations.values_list("code", flat=True)) == ["2512-1-001"]
    assert (
        AuditEvent.objects.filter(
            action="sqf.table1.save", actor=getattr(personas, username)
        ).count()
        == 1
    )


def test_a_single_row_partial_links_to_its_own_actions(personas, sqf) -> None:
    row = services_tables.table1_row_create(actor=personas.drafter, version=sqf.version, section=1)
    body = (
        personas.client_for(personas.drafter)
        .get(reverse("sbsh:table1-row", args=[sqf.version.pk, row.pk]))
        .content.decode()
    )
    assert reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk]) in body
    assert reverse("sbsh:table1-delete", args=[sqf.version.pk, row.pk]) in body


def test_a_second_save_of_the_same_row_is_a_conflict_not_an_overwrite(personas, sqf) -> None:
    row = services_tables.table1_row_create(actor=personas.drafter, version=sqf.version, section=1)
    first, second = personas.client_for(personas.drafter), personas.client_for(personas.expert)
    occupation = sqf.nodes["nkz:2512-1-001"].pk
    ok = first.post(
        reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk]),
        t1_payload(row, [occupation], knowledge_kk="Бірінші адам"),
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200
    clash = second.post(
        reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk]),
        t1_payload(row, [occupation], knowledge_kk="Екінші адам"),
        HTTP_HX_REQUEST="true",
    )
    body = clash.content.decode()
    assert clash.status_code == 409
    assert 'data-testid="conflict"' in body and "Бірінші адам" in body and "Екінші адам" in body
    assert Table1Row.objects.get(pk=row.pk).knowledge_kk == "Бірінші адам"
    assert AuditEvent.objects.filter(action="sqf.table1.save").count() == 1


def test_invalid_levels_are_refused_with_the_clause(personas, sqf) -> None:
    row = services_tables.table1_row_create(actor=personas.drafter, version=sqf.version, section=1)
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    response = client.post(
        reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk]),
        t1_payload(row, [], sqf_level="4.0", nqf_level=9),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Rules §9" in body and "Rules §8" in body
    assert Table1Row.objects.get(pk=row.pk).revision == row.revision


def test_occupations_must_come_from_nkz(personas, sqf) -> None:
    row = services_tables.table1_row_create(actor=personas.drafter, version=sqf.version, section=1)
    response = personas.client_for(personas.drafter).post(
        reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk]),
        t1_payload(row, [sqf.nodes["oked:62011"].pk]),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert Table1Row.objects.get(pk=row.pk).occupations.count() == 0


XSS = [
    "<script>alert(1)</script><p>ok</p>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<p onclick="alert(1)" style="color:red">x</p>',
    '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>',
]


@pytest.mark.parametrize("payload", XSS)
def test_rich_text_is_sanitised_on_save_and_nothing_runs_on_the_page(
    personas, sqf, payload
) -> None:
    part = Part.objects.get(version=sqf.version, key="analysis")
    client = personas.client_for(personas.drafter)
    client.post(
        reverse("sbsh:part", args=[sqf.version.pk, "analysis"]),
        {"revision": part.revision, "text_kk": payload, "text_ru": "<p>мәтін</p>"},
    )
    stored = Part.objects.get(pk=part.pk).text_kk
    for bad in ("<script", "onerror", "javascript:", "onclick", "style=", "<iframe", "<svg"):
        assert bad not in stored.lower()
    page = client.get(reverse("sbsh:part", args=[sqf.version.pk, "analysis"])).content.decode()
    assert "alert(1)</script>" not in page and "onerror=alert" not in page


def test_changing_one_language_flags_the_other_until_confirmed(personas, sqf) -> None:
    part = Part.objects.get(version=sqf.version, key="general")
    part = services.part_save(
        actor=personas.drafter,
        part=part,
        revision=part.revision,
        text_kk="<p>бір</p>",
        text_ru="<p>один</p>",
    )
    assert part.stale_language == ""
    part = services.part_save(
        actor=personas.drafter,
        part=part,
        revision=part.revision,
        text_kk="<p>екі</p>",
        text_ru="<p>один</p>",
    )
    assert Part.objects.get(pk=part.pk).stale_language == "ru"
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    overview = client.get(reverse("sbsh:overview", args=[sqf.version.pk])).content.decode()
    assert "may be out of date" in overview
    client.post(reverse("sbsh:part-confirm", args=[sqf.version.pk, "general"]))
    assert Part.objects.get(pk=part.pk).stale_language == ""
    assert AuditEvent.objects.filter(action="sqf.language.confirm").exists()


def test_a_stale_part_save_is_refused_and_both_texts_are_shown(personas, sqf) -> None:
    part = Part.objects.get(version=sqf.version, key="general")
    services.part_save(
        actor=personas.expert,
        part=part,
        revision=part.revision,
        text_kk="<p>Сарапшы</p>",
        text_ru="<p>Эксперт</p>",
    )
    response = personas.client_for(personas.drafter).post(
        reverse("sbsh:part", args=[sqf.version.pk, "general"]),
        {"revision": part.revision, "text_kk": "<p>Менікі</p>", "text_ru": "<p>Моё</p>"},
    )
    body = response.content.decode()
    assert response.status_code == 409 and "Сарапшы" in body and "Менікі" in body
    assert Part.objects.get(pk=part.pk).text_kk == "<p>Сарапшы</p>"


def test_table3_names_groups_and_correspondence_come_from_the_classifiers(personas, sqf) -> None:
    client = personas.client_for(personas.drafter)
    response = client.post(
        reverse("sbsh:table3", args=[sqf.version.pk]),
        {
            "isco": sqf.nodes["isco08:2512"].pk,
            "occupation": sqf.nodes["nkz:2512-1-002"].pk,
            "oked": sqf.nodes["oked:62011"].pk,
            "nqf_level": 6,
            "sqf_level": "6",
        },
    )
    assert response.status_code == 302
    row = Table3Row.objects.select_related("nkz_unit", "nkz_group").get()
    assert (row.nkz_unit.code, row.nkz_group.code, row.isco_correspondence) == (
        "2512",
        "2512-1",
        "unverified",
    )
    client.cookies["sqf_language"] = "en"
    page = client.get(reverse("sbsh:table3", args=[sqf.version.pk])).content.decode()
    assert (
        "Software developers" in page
        and "Разработка программного обеспечения" in page
        and "Информация и связь" in page
    )
    bad = client.post(
        reverse("sbsh:table3", args=[sqf.version.pk]),
        {
            "isco": sqf.nodes["nkz:2512"].pk,
            "occupation": sqf.nodes["nkz:2512-1-002"].pk,
            "oked": sqf.nodes["oked:62011"].pk,
            "nqf_level": 6,
            "sqf_level": "6",
        },
    )
    assert bad.status_code == 422 and Table3Row.objects.count() == 1


def test_table2_places_occupations_and_classifies_moves(personas, sqf) -> None:
    client = personas.client_for(personas.drafter)
    for level, code in (("4", "2512-1-001"), ("6", "2512-1-002")):
        assert (
            client.post(
                reverse("sbsh:table2", args=[sqf.version.pk]),
                {"sqf_level": level, "occupation": sqf.nodes[f"nkz:{code}"].pk},
            ).status_code
            == 302
        )
    a, b = sqf.version.table2_entries.order_by("sqf_level")
    client.post(
        reverse("sbsh:table2-link", args=[sqf.version.pk]), {"source": a.pk, "target": b.pk}
    )
    link = sqf.version.progression_links.get()
    assert link.kind == "vertical" and a.group.code == "2512"


def _bulk_rows(version: Version, occupation, isco, unit, group, oked, t1: int, t3: int) -> None:
    rows = Table1Row.objects.bulk_create(
        [
            Table1Row(
                version=version,
                section=1 + i % 4,
                order=i,
                sqf_level=str(3 + i % 5),
                nqf_level=3 + i % 5,
                knowledge_kk="б",
                knowledge_ru="з",
                skills_kk="д",
                skills_ru="н",
                competences_kk="қ",
                competences_ru="к",
            )
            for i in range(t1)
        ]
    )
    Table1Row.occupations.through.objects.bulk_create(
        [Table1Row.occupations.through(table1row_id=r.pk, node_id=occupation.pk) for r in rows]
    )
    Table3Row.objects.bulk_create(
        [
            Table3Row(
                version=version,
                order=i,
                isco=isco,
                nkz_unit=unit,
                nkz_group=group,
                oked=oked,
                occupation=occupation,
                nqf_level=5,
                sqf_level="5",
                isco_correspondence="full",
            )
            for i in range(t3)
        ]
    )


@pytest.mark.parametrize(
    "page", ["overview", "table1", "table2", "table3", "passport", "standards"]
)
def test_editor_pages_run_the_same_number_of_queries_for_2_or_500_rows(
    personas, sqf, page, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    n = sqf.nodes
    args = (n["nkz:2512-1-001"], n["isco08:2512"], n["nkz:2512"], n["nkz:2512-1"], n["oked:62011"])
    client = personas.client_for(personas.drafter)
    _bulk_rows(sqf.version, *args, t1=2, t3=2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(f"sbsh:{page}", args=[sqf.version.pk])).status_code == 200
    _bulk_rows(sqf.version, *args, t1=198, t3=298)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(f"sbsh:{page}", args=[sqf.version.pk]))
    assert response.status_code == 200
    assert len(small.captured_queries) <= 40


def test_a_table3_row_is_edited_in_place_and_a_stale_edit_is_refused(personas, sqf) -> None:
    n = sqf.nodes
    row = services_tables.table3_row_save(
        actor=personas.drafter,
        version=sqf.version,
        row=None,
        revision=None,
        values=services_tables.Table3Values(
            n["isco08:2512"].pk, n["nkz:2512-1-001"].pk, n["oked:62011"].pk, 4, "4"
        ),
    )
    client = personas.client_for(personas.drafter)
    form = client.get(
        reverse("sbsh:table3-edit", args=[sqf.version.pk, row.pk]), HTTP_HX_REQUEST="true"
    )
    assert form.status_code == 200 and "2512-1-001" in form.content.decode()
    payload = {
        "revision": row.revision,
        "isco": n["isco08:2512"].pk,
        "occupation": n["nkz:2512-1-002"].pk,
        "oked": n["oked:62011"].pk,
        "nqf_level": 6,
        "sqf_level": "6",
    }
    saved = client.post(
        reverse("sbsh:table3-edit", args=[sqf.version.pk, row.pk]), payload, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200 and saved["HX-Trigger"] == "sqf-changed"
    row.refresh_from_db()
    assert (row.occupation.code, row.sqf_level, row.revision) == ("2512-1-002", "6", 2)
    assert AuditEvent.objects.filter(action="sqf.table3.save").count() == 1
    stale = client.post(
        reverse("sbsh:table3-edit", args=[sqf.version.pk, row.pk]),
        {**payload, "sqf_level": "5"},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409 and 'data-testid="conflict"' in stale.content.decode()
    row.refresh_from_db()
    assert row.sqf_level == "6"
    outsider = personas.client_for(personas.member).post(
        reverse("sbsh:table3-edit", args=[sqf.version.pk, row.pk]), payload
    )
    assert outsider.status_code == 403


def test_table3_column_9_is_chosen_per_row_and_shown_in_words(personas, sqf) -> None:
    """Annex §11 column 9: the drafter chooses the correspondence; "full" unless changed."""
    n = sqf.nodes
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "ru"
    url = reverse("sbsh:table3", args=[sqf.version.pk])
    form = client.get(url).content.decode()
    assert '<option value="full" selected>полное</option>' in form
    base = {
        "isco": n["isco08:2512"].pk,
        "occupation": n["nkz:2512-1-001"].pk,
        "oked": n["oked:62011"].pk,
        "nqf_level": 5,
        "sqf_level": "5",
    }
    assert client.post(url, {**base, "nkz_correspondence": "narrower"}).status_code == 302
    row = Table3Row.objects.get()
    assert row.nkz_correspondence == "narrower"
    page = client.get(url).content.decode()
    assert "более узкое" in page and ">narrower<" not in page and ">unverified<" not in page
    edit = reverse("sbsh:table3-edit", args=[sqf.version.pk, row.pk])
    saved = client.post(
        edit,
        {**base, "revision": row.revision, "nkz_correspondence": "broader"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "более широкое" in saved.content.decode()
    row.refresh_from_db()
    assert row.nkz_correspondence == "broader" and row.revision == 2
    event = AuditEvent.objects.filter(action="sqf.table3.save").get()
    assert event.changes["nkz_correspondence"] == ["narrower", "broader"]
    bad = client.post(edit, {**base, "revision": row.revision, "nkz_correspondence": "none"})
    assert bad.status_code == 422
    row.refresh_from_db()
    assert row.nkz_correspondence == "broader"
