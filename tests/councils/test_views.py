"""Pages for organisations, the home page per role and the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from councils.models import AuditEvent
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client) -> None:
    for url in ["/", reverse("councils:organisation-list"), reverse("councils:audit-trail")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("username", "testid", "marker"),
    [
        ("drafter", "role-ministry_staff", "Rules §8"),
        ("expert", "role-working_group", "Rules §7"),
        ("member", "role-council_member", "Rules §12"),
        ("secretary", "role-council_secretary", "Rules §5"),
        ("officer", "role-national_officer", "Rules §14"),
        ("admin", "role-administrator", reverse("councils:audit-trail")),
    ],
)
def test_home_page_shows_the_panel_of_each_role(
    personas: Personas, username: str, testid: str, marker: str, django_assert_max_num_queries
) -> None:
    client = personas.client_for(getattr(personas, username))
    client.cookies["sqf_language"] = "en"
    # Session, user, grants, panels (versions, their deadlines, grounds), calendar.
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="{testid}"' in body
    assert marker in body
    # No other role's panel leaks in.
    others = {
        "role-ministry_staff",
        "role-working_group",
        "role-council_member",
        "role-council_secretary",
        "role-national_officer",
        "role-administrator",
    } - {testid}
    assert not any(f'data-testid="{o}"' in body for o in others)


def test_a_user_without_a_role_sees_an_explanation(personas: Personas) -> None:
    from councils.models import User

    nobody = User.objects.create_user(username="nobody", password="x-very-long-pass")
    response = personas.client_for(nobody).get("/")
    assert response.status_code == 200
    assert 'data-testid="no-role"' in response.content.decode()


def test_staff_open_their_own_ministry_and_its_council(personas: Personas) -> None:
    client = personas.client_for(personas.drafter)
    for org in [personas.energy, personas.energy_council, personas.national]:
        response = client.get(reverse("councils:organisation-detail", args=[org.pk]))
        assert response.status_code == 200, org
        assert org.name_kk in response.content.decode()


@pytest.mark.parametrize("username", ["drafter", "expert", "member", "secretary"])
def test_other_sectors_answer_403(personas: Personas, username: str) -> None:
    client = personas.client_for(getattr(personas, username))
    for org in [personas.agriculture, personas.agriculture_council]:
        response = client.get(reverse("councils:organisation-detail", args=[org.pk]))
        assert response.status_code == 403
        assert "Access denied" not in response.content.decode()  # Kazakh by default


def test_outsider_gets_403_on_the_energy_ministry(personas: Personas) -> None:
    client = personas.client_for(personas.outsider)
    response = client.get(reverse("councils:organisation-detail", args=[personas.energy.pk]))
    assert response.status_code == 403


def test_organisation_list_is_scoped_and_bounded(
    personas: Personas, django_assert_max_num_queries
) -> None:
    client = personas.client_for(personas.outsider)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("councils:organisation-list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert personas.agriculture.name_kk in body
    assert personas.energy.name_kk not in body


def test_organisation_detail_query_count_does_not_grow_with_members(
    personas: Personas, django_assert_max_num_queries
) -> None:
    from councils.models import Role, User
    from councils.services import membership_grant

    client = personas.client_for(personas.admin)
    url = reverse("councils:organisation-detail", args=[personas.energy_council.pk])
    for i in range(15):
        user = User.objects.create_user(username=f"m{i}", password="x-very-long-pass")
        membership_grant(
            actor=None, user=user, organisation=personas.energy_council, role=Role.COUNCIL_MEMBER
        )
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count("<tr>") >= 17


@pytest.mark.parametrize(
    "username", ["drafter", "expert", "member", "secretary", "officer", "outsider"]
)
def test_only_administrators_read_the_audit_trail(personas: Personas, username: str) -> None:
    response = personas.client_for(getattr(personas, username)).get(reverse("councils:audit-trail"))
    assert response.status_code == 403


def test_administrators_read_the_audit_trail(personas: Personas) -> None:
    response = personas.client_for(personas.admin).get(reverse("councils:audit-trail"))
    assert response.status_code == 200
    page = response.content.decode()
    # The action in words, in the reader's language (kk by default), not its code.
    assert "рөл берді" in page
    assert ">membership.grant<" not in page and "<code>membership.grant" not in page
    assert AuditEvent.objects.filter(action="membership.grant").count() == 6


@pytest.mark.parametrize(
    "username", ["drafter", "expert", "member", "secretary", "officer", "outsider"]
)
def test_the_admin_site_is_closed_to_everyone_but_administrators(
    personas: Personas, username: str
) -> None:
    response = personas.client_for(getattr(personas, username)).get("/admin/councils/organisation/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_pages_refuse_unexpected_methods(personas: Personas) -> None:
    client = personas.client_for(personas.admin)
    assert client.post("/").status_code == 405
    assert client.post(reverse("councils:organisation-list")).status_code == 405
