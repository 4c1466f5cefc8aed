"""A notification names the SQF in the reader's language and the mover by full name."""

from __future__ import annotations

import pytest
from django.utils import translation

from deadlines.demo import seed_calendar
from deadlines.models import Notification
from tests.sbsh.workflow.test_workflow import _move

pytestmark = pytest.mark.django_db


def test_a_move_notice_names_the_sqf_in_each_readers_language(
    personas, sqf, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    personas.drafter.full_name = "Асель Нұрланқызы"
    personas.drafter.save(update_fields=["full_name"])
    with django_capture_on_commit_callbacks(execute=True):
        v = _move(personas, sqf.version, "submit", "drafter")
    notice = Notification.objects.filter(recipient=personas.secretary).latest("pk")
    framework = v.framework
    assert notice.payload["actor"] == "Асель Нұрланқызы"
    with translation.override("kk"):
        assert notice.subject_text == f"{framework.sector_kk} · v{v.number}"
    with translation.override("ru"):
        assert notice.subject_text == f"{framework.sector_ru} · v{v.number}"
