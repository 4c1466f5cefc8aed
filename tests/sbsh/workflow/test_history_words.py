"""The history page says what changed in words, with the value before and after."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from sbsh.document import services_tables
from sbsh.models import Table1Row

pytestmark = pytest.mark.django_db


def test_a_save_shows_the_field_label_and_the_values_before_and_after(personas, sqf) -> None:
    row = services_tables.table1_row_create(
        actor=personas.drafter, version=sqf.version, section=1, sqf_level="2", nqf_level=2
    )
    row = services_tables.table1_row_save(
        actor=personas.drafter,
        row=row,
        revision=row.revision,
        values={"sqf_level": "2", "nqf_level": 2, "knowledge_kk": "<p>Ескі білім</p>"},
        occupation_ids=[],
    )
    services_tables.table1_row_save(
        actor=personas.drafter,
        row=row,
        revision=row.revision,
        values={"sqf_level": "2", "nqf_level": 2, "knowledge_kk": "<p>Жаңа білім</p>"},
        occupation_ids=[],
    )
    client = personas.client_for(personas.member)
    client.cookies["sqf_language"] = "kk"
    page = client.get(reverse("sbsh:history", args=[sqf.version.pk])).content.decode()
    with translation.override("kk"):
        label = str(Table1Row._meta.get_field("knowledge_kk").verbose_name)
        action = "1-кестенің деңгейін өңдеді"
    assert (
        f'<span class="field">{label}</span>: <del>Ескі білім</del> → <ins>Жаңа білім</ins>' in page
    )
    assert action in page
    assert "knowledge_kk" not in page and "sqf.table1.save<" not in page
