"""The national body receives and publishes from its inbox (Rules §14; issue 19), each
button asking first; nobody else sees the buttons, and a refused move changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deadlines.demo import seed_calendar
from sbsh.models import Version
from tests.sbsh.workflow.test_workflow import _move

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(personas, sqf, monkeypatch, settings):
    from exports.models import Rendering
    from exports.services import HANDOVER_DOCUMENTS, _key
    from sbsh.document.content import version_content

    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    monkeypatch.setattr("exports.services._dispatch", lambda rendering_id: None)
    v = _move(personas, sqf.version, "submit", "drafter")
    v = _move(personas, v, "approve", "secretary", today="2024-05-06")
    key = _key(version_content(v))
    for lang, fmt in HANDOVER_DOCUMENTS:
        Rendering.objects.create(
            version=v,
            language=lang,
            format=fmt,
            content_sha256=key,
            status="ready",
            size=1000,
            file_sha256="ab" * 32,
        )
    return _move(personas, v, "send", "drafter", today="2024-05-07")


def test_the_officer_receives_then_publishes_from_the_inbox(personas, sent) -> None:
    client = personas.client_for(personas.officer)
    inbox = reverse("sbsh:inbox")
    page = client.get(inbox).content.decode()
    assert f'data-testid="inbox-sent-{sent.pk}"' in page and "data-confirm=" in page
    response = client.post(reverse("sbsh:transition", args=[sent.pk, "receive"]), {"from": "inbox"})
    assert response.status_code == 302 and response["Location"] == inbox
    assert Version.objects.get(pk=sent.pk).status == "received"
    page = client.get(inbox).content.decode()
    assert f'data-testid="inbox-received-{sent.pk}"' in page
    client.post(reverse("sbsh:transition", args=[sent.pk, "publish"]), {"from": "inbox"})
    assert Version.objects.get(pk=sent.pk).status == "published"


def test_an_administrator_reads_the_inbox_without_the_buttons(personas, sent) -> None:
    page = personas.client_for(personas.admin).get(reverse("sbsh:inbox")).content.decode()
    assert 'data-testid="inbox-waiting"' in page
    assert f'data-testid="inbox-sent-{sent.pk}"' not in page


def test_publishing_before_receipt_is_refused_and_changes_nothing(personas, sent) -> None:
    client = personas.client_for(personas.officer)
    response = client.post(reverse("sbsh:transition", args=[sent.pk, "publish"]), {"from": "inbox"})
    assert response.status_code == 302 and response["Location"] == reverse("sbsh:inbox")
    assert Version.objects.get(pk=sent.pk).status == "sent"
