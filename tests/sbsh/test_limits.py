"""Length limits (sbsh/limits.py) hold in the editor, the API and the model alike, and the
editor keeps what was typed and puts the error at the field; future meeting dates are
refused (Rules §8, §12: the council's meeting is an event that happened)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from councils.models import AuditEvent
from sbsh import limits
from sbsh.document import services_tables
from sbsh.document.forms import MeetingForm
from sbsh.models import Part, Table1Row, VersionTransition
from sbsh.workflow import moves as workflow
from tests.sbsh.document.test_editor import t1_payload
from tests.sbsh.test_api import VERSIONS, api, draft  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_part_longer_than_the_limit_is_refused_at_the_field_and_kept(personas, sqf) -> None:
    part = Part.objects.get(version=sqf.version, key="analysis")
    audit_before = AuditEvent.objects.count()
    too_long = "<p>" + "ә" * limits.PART + "</p>"
    response = personas.client_for(personas.drafter).post(
        reverse("sbsh:part", args=[sqf.version.pk, "analysis"]),
        {"revision": part.revision, "text_kk": too_long, "text_ru": "<p>Анализ</p>"},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "text_kk" in form.errors and "text_ru" not in form.errors
    assert "ә" * 100 in response.content.decode()  # what was typed is still there
    assert f'maxlength="{limits.PART}"' in response.content.decode()
    assert Part.objects.get(pk=part.pk).text_kk == part.text_kk
    assert AuditEvent.objects.count() == audit_before


def test_the_api_refuses_the_same_part(personas, draft) -> None:  # noqa: F811
    part = Part.objects.get(version=draft, key="analysis")
    response = api(personas, "drafter").put(
        f"{VERSIONS}{draft.pk}/parts/analysis/",
        {"revision": part.revision, "text_kk": "x" * (limits.PART + 1), "text_ru": ""},
        format="json",
    )
    assert response.status_code == 400 and "text_kk" in response.json()
    assert Part.objects.get(pk=part.pk).text_kk == part.text_kk


def test_the_model_refuses_it_whoever_calls_the_service(personas, sqf) -> None:
    part = Part.objects.get(version=sqf.version, key="analysis")
    part.text_kk = "x" * (limits.PART + 1)
    with pytest.raises(ValidationError) as error:
        part.full_clean()
    assert "text_kk" in error.value.message_dict


def test_a_table1_cell_longer_than_the_limit_is_refused(personas, sqf) -> None:
    row = Table1Row.objects.filter(version=sqf.version).first()
    if row is None:
        row = services_tables.table1_row_create(actor=personas.drafter, version=sqf.version, section=1)
    before = Table1Row.objects.get(pk=row.pk).stages_kk
    response = personas.client_for(personas.drafter).post(
        reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk]),
        t1_payload(row, [], stages_kk="с" * (limits.CELL + 1)),
    )
    assert response.status_code in (200, 422)
    assert "stages_kk" in response.context["form"].errors
    assert Table1Row.objects.get(pk=row.pk).stages_kk == before
    exactly = t1_payload(row, [], stages_kk="с" * limits.CELL)
    assert "stages_kk" not in type(response.context["form"])(exactly).errors


def test_a_move_reason_longer_than_the_limit_is_refused(personas, sqf) -> None:
    with pytest.raises(workflow.WorkflowError):
        workflow.version_transition(
            actor=personas.drafter,
            version=sqf.version,
            name="withdraw",
            comment="x" * (limits.TEXT + 1),
        )
    assert not VersionTransition.objects.filter(version=sqf.version, name="withdraw").exists()


def test_a_council_meeting_in_the_future_is_refused() -> None:
    later = timezone.localdate() + dt.timedelta(days=30)
    form = MeetingForm(
        {
            "meeting_date": later.isoformat(),
            "protocol_number": "1",
            "votes_for": 5,
            "votes_against": 0,
            "votes_abstained": 0,
        }
    )
    assert not form.is_valid() and "meeting_date" in form.errors
    assert form.fields["meeting_date"].widget.attrs["max"] == timezone.localdate().isoformat()


def test_the_sqf_name_cannot_be_emptied(personas, sqf) -> None:
    from sbsh.models import Version

    version = Version.objects.get(pk=sqf.version.pk)
    version.name_kk, version.name_ru = "Атауы", "Название"
    version.save(update_fields=["name_kk", "name_ru"])
    response = personas.client_for(personas.drafter).post(
        reverse("sbsh:passport", args=[version.pk]),
        {"revision": version.revision, "name_kk": "", "name_ru": "Новое"},
    )
    assert response.status_code == 422
    assert "name_kk" in response.context["form"].errors
    assert "Новое" in response.content.decode()  # the other field keeps what was typed
    fresh = Version.objects.get(pk=version.pk)
    assert (fresh.name_kk, fresh.name_ru) == ("Атауы", "Название")
