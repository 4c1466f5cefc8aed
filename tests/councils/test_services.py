"""Writes to organisations and people: validated, atomic, audited."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory

from councils import services
from councils.models import AuditEvent, Membership, Organisation, Role, User
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def test_it_creates_a_council_under_a_state_body_with_an_audit_row(personas: Personas) -> None:
    council = services.organisation_save(
        actor=personas.admin,
        organisation=Organisation(
            kind=Organisation.Kind.COUNCIL,
            name_kk="Тау-кен салалық кеңесі",
            name_ru="Отраслевой совет горно-металлургического комплекса",
            state_body=personas.energy,
            sector_kk="Тау-кен өндірісі",
            sector_ru="Горнодобывающая промышленность",
        ),
    )
    council = Organisation.objects.get(pk=council.pk)
    assert council.state_body == personas.energy
    event = AuditEvent.objects.get(object_type="councils.organisation", object_id=str(council.pk))
    assert event.action == "organisation.create"
    assert event.actor == personas.admin
    assert event.changes["state_body"] == [None, personas.energy.pk]


def test_it_refuses_a_council_without_a_state_body_and_writes_nothing(personas: Personas) -> None:
    before = (Organisation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(
            actor=personas.admin,
            organisation=Organisation(
                kind=Organisation.Kind.COUNCIL,
                name_kk="К",
                name_ru="К",
                sector_kk="a",
                sector_ru="b",
            ),
        )
    assert "§2" in str(excinfo.value.message_dict["state_body"])
    assert (Organisation.objects.count(), AuditEvent.objects.count()) == before


def test_it_refuses_a_second_national_body(personas: Personas) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(
            actor=personas.admin,
            organisation=Organisation(
                kind=Organisation.Kind.NATIONAL_BODY, name_kk="Екінші", name_ru="Второй"
            ),
        )
    assert "kind" in excinfo.value.message_dict
    assert Organisation.objects.filter(kind=Organisation.Kind.NATIONAL_BODY).count() == 1


def test_it_records_what_changed_on_update(personas: Personas) -> None:
    energy = Organisation.objects.get(pk=personas.energy.pk)
    energy.email = "new@example.kz"
    services.organisation_save(actor=personas.admin, organisation=energy)
    event = AuditEvent.objects.filter(action="organisation.update").get()
    assert event.changes == {"email": ["energy@example.kz", "new@example.kz"]}


def test_it_refuses_a_role_in_the_wrong_kind_of_organisation(personas: Personas) -> None:
    before = (Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        services.membership_grant(
            actor=personas.admin,
            user=personas.drafter,
            organisation=personas.energy,
            role=Role.COUNCIL_SECRETARY,
        )
    assert "role" in excinfo.value.message_dict
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before


def test_granting_the_same_role_twice_is_a_no_op(personas: Personas) -> None:
    before = (Membership.objects.count(), AuditEvent.objects.count())
    services.membership_grant(
        actor=personas.admin,
        user=personas.drafter,
        organisation=personas.energy,
        role=Role.MINISTRY_STAFF,
    )
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before


def test_revoking_a_membership_is_audited(personas: Personas) -> None:
    membership = Membership.objects.get(user=personas.expert)
    services.membership_revoke(actor=personas.admin, membership=membership)
    assert not Membership.objects.filter(user=personas.expert).exists()
    event = AuditEvent.objects.get(action="membership.revoke")
    assert event.changes == {"user": "expert", "role": "working_group"}
    assert event.organisation == personas.energy


def test_deactivating_a_user_ends_their_sessions(personas: Personas) -> None:
    client = Client()
    assert client.login(
        request=RequestFactory().post("/accounts/login/"), username="member", password=PASSWORD
    )
    assert client.get("/").status_code == 200
    sessions_before = Session.objects.count()
    member = User.objects.get(pk=personas.member.pk)
    member.is_active = False
    services.user_save(actor=personas.admin, user=member)
    assert Session.objects.count() == sessions_before - 1
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.get(action="user.update", object_id=str(member.pk))
    assert event.changes == {"is_active": [True, False]}
