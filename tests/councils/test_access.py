"""The access helpers, role by role (councils/access.py)."""

from __future__ import annotations

import pytest

from councils import access
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _visible(personas: Personas, username: str) -> set[str]:
    user = getattr(personas, username)
    return {o.short_name for o in access.organisations_for_user(user)}


ALL = {"ЭМ", "ОСПК-Энергетика", "МСХ", "ОСПК-АПК", "НПП «Атамекен»"}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", ALL),
        ("officer", ALL),  # Rules §14: the national body receives from every state body
        ("drafter", {"ЭМ", "ОСПК-Энергетика", "НПП «Атамекен»"}),
        ("expert", {"ЭМ", "ОСПК-Энергетика", "НПП «Атамекен»"}),
        ("member", {"ЭМ", "ОСПК-Энергетика", "НПП «Атамекен»"}),
        ("secretary", {"ЭМ", "ОСПК-Энергетика", "НПП «Атамекен»"}),
        ("outsider", {"МСХ", "ОСПК-АПК", "НПП «Атамекен»"}),
    ],
)
def test_each_role_sees_only_its_own_sector_in_lists(
    personas: Personas, username: str, expected: set[str]
) -> None:
    assert _visible(personas, username) == expected


@pytest.mark.parametrize(
    "username", ["drafter", "expert", "member", "secretary", "outsider", "officer", "admin"]
)
def test_can_view_agrees_with_the_list_for_every_organisation(
    personas: Personas, username: str
) -> None:
    user = getattr(personas, username)
    visible = set(access.organisations_for_user(user).values_list("pk", flat=True))
    for organisation in [
        personas.energy,
        personas.energy_council,
        personas.agriculture,
        personas.agriculture_council,
        personas.national,
    ]:
        assert access.can_view_organisation(user, organisation) == (organisation.pk in visible)


def test_only_administrators_manage_organisations(personas: Personas) -> None:
    for username in ["drafter", "expert", "member", "secretary", "officer", "outsider"]:
        user = getattr(personas, username)
        assert not access.can_manage_organisation(user, personas.energy), username
        assert not access.is_administrator(user), username
    assert access.can_manage_organisation(personas.admin, personas.energy)


def test_a_deactivated_user_sees_nothing(personas: Personas) -> None:
    personas.drafter.is_active = False
    assert not access.can_view_organisation(personas.drafter, personas.energy)
    assert list(access.organisations_for_user(personas.drafter)) == []
    personas.admin.is_active = False
    assert not access.is_administrator(personas.admin)


def test_membership_of_a_deactivated_organisation_gives_no_access(personas: Personas) -> None:
    personas.agriculture.is_active = False
    personas.agriculture.save()
    outsider = type(personas.outsider).objects.get(pk=personas.outsider.pk)
    assert access.roles(outsider) == set()
    assert not access.can_view_organisation(outsider, personas.agriculture)


def test_roles_are_read_once_per_user_object(personas: Personas, django_assert_num_queries) -> None:
    user = type(personas.secretary).objects.get(pk=personas.secretary.pk)
    with django_assert_num_queries(1):
        assert access.has_role(user, "council_secretary", personas.energy_council.pk)
        assert not access.has_role(user, "council_secretary", personas.agriculture_council.pk)
        assert access.state_body_ids(user) == {personas.energy.pk}
        assert access.can_view_organisation(user, personas.energy_council)


def test_organisation_for_user_raises_403_and_404(personas: Personas) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        access.organisation_for_user(
            personas.outsider, personas.energy.pk, action=access.Action.VIEW
        )
    with pytest.raises(PermissionDenied):
        access.organisation_for_user(
            personas.drafter, personas.energy.pk, action=access.Action.MANAGE
        )
    with pytest.raises(Http404):
        access.organisation_for_user(personas.admin, 999999, action=access.Action.VIEW)
    assert (
        access.organisation_for_user(
            personas.drafter, personas.energy.pk, action=access.Action.VIEW
        )
        == personas.energy
    )
