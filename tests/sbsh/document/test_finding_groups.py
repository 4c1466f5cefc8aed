"""The checklist names and links the place of every finding and groups identical ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sbsh.document import services_tables
from sbsh.models import Part, Table1Row

pytestmark = pytest.mark.django_db


def test_identical_findings_are_grouped_with_a_count_and_a_link_to_each_row(personas, sqf) -> None:
    rows = [
        services_tables.table1_row_create(
            actor=personas.drafter,
            version=sqf.version,
            section=1,
            sqf_level=level,
            nqf_level=int(level),
        )
        for level in ("2", "3")
    ]
    Table1Row.objects.filter(pk__in=[r.pk for r in rows]).update(stale_language="ru")
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    page = client.get(reverse("sbsh:checklist", args=[sqf.version.pk])).content.decode()
    message = "The Russian text may be out of date"
    assert page.count(message) == 1  # once, not once per row
    assert 'data-testid="finding-count">×2<' in page
    for row in rows:
        assert f'{reverse("sbsh:table1", args=[sqf.version.pk])}#row-{row.pk}"' in page
    assert "Table 1 · section 1 · level 2" in page and "Table 1 · section 1 · level 3" in page


def test_a_single_finding_names_its_part_and_links_to_it(personas, sqf) -> None:
    Part.objects.filter(version=sqf.version, key="general").update(stale_language="kk")
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "kk"
    page = client.get(reverse("sbsh:checklist", args=[sqf.version.pk])).content.decode()
    assert f'href="{reverse("sbsh:part", args=[sqf.version.pk, "general"])}"' in page
    where = Part.Key("general").label
    from django.utils import translation

    with translation.override("kk"):
        assert f'data-testid="finding-where">{where}<' in page
