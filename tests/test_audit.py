"""The audit trail: written by every kind of change, in UTC, and append-only in PostgreSQL
itself (ASVS 16.2.1–2, 16.4.2)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from councils.models import AuditEvent
from deadlines.models import Notification
from deadlines.notifications import notifications_mark_read

pytestmark = pytest.mark.django_db


def test_audit_timestamps_are_stored_in_utc(personas) -> None:
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.at.utcoffset().total_seconds() == 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW TIME ZONE")
            assert cursor.fetchone()[0] == "UTC"


def test_marking_notifications_read_is_audited(personas) -> None:
    for _ in range(3):
        Notification.objects.create(recipient=personas.member, event="moved", payload={})
    assert notifications_mark_read(user=personas.member) == 3
    event = AuditEvent.objects.get(action="notification.read")
    assert (event.actor, event.changes) == (personas.member, {"marked": 3})
    assert notifications_mark_read(user=personas.member) == 0
    assert AuditEvent.objects.filter(action="notification.read").count() == 1


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_audit_rows(personas) -> None:
    event = AuditEvent.objects.order_by("id").first()
    before = AuditEvent.objects.count()
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="forged"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_a_kept_signature(personas) -> None:
    from django.utils import timezone

    from exports.models import Rendering, Signature
    from sbsh.document import services

    _framework, version = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Сала",
        sector_ru="Отрасль",
    )
    rendering = Rendering.objects.create(
        version=version, language="kk", format="pdf", content_sha256="a" * 64, status="ready"
    )
    signature = Signature.objects.create(
        rendering=rendering,
        signer=personas.drafter,
        cms="MAo=",
        document_sha256="b" * 64,
        signer_iin="880914300515",
        signer_name="Асель",
        certificate_serial="1",
        certificate_issuer="NCA",
        certificate_not_after=timezone.now(),
        signed_at=timezone.now(),
    )
    for attempt in (
        lambda: Signature.objects.filter(pk=signature.pk).update(signer_iin="900101300120"),
        lambda: Signature.objects.filter(pk=signature.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert Signature.objects.get(pk=signature.pk).signer_iin == "880914300515"
