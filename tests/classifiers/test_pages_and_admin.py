"""Browser pages, search JSON, API, and the admin upload — for administrators only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from classifiers.models import Edition, ImportJob
from classifiers.services import classifier_import
from councils.models import AuditEvent
from tests.classifiers.conftest import SMALL_NKZ, canonical_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_nkz(db: None) -> Edition:
    return classifier_import(
        classifier="nkz", source_name="n.csv", data=canonical_csv(SMALL_NKZ), actor=None
    ).edition


def test_the_browser_pages_answer_anyone_with_bounded_queries(
    client, small_nkz, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(4):
        assert client.get(reverse("classifiers:index")).status_code == 200
    with django_assert_max_num_queries(6):
        page = client.get(reverse("classifiers:browse", args=["nkz"]), {"q": "программист"})
    assert page.status_code == 200 and "2512-1-001" in page.content.decode()
    with django_assert_max_num_queries(6):
        node = client.get(reverse("classifiers:node", args=["nkz", "2512-1"]))
    body = node.content.decode()
    assert node.status_code == 200
    assert "Разработчики программного обеспечения" in body and "2512-1-001" in body
    assert client.get(reverse("classifiers:node", args=["nkz", "0000"])).status_code == 404
    assert client.get(reverse("classifiers:browse", args=["nosuch"])).status_code == 404


def test_search_json_ranks_the_exact_code_first_and_validates(client, small_nkz) -> None:
    data = client.get(reverse("classifiers:search"), {"classifier": "nkz", "q": "2512"}).json()[
        "results"
    ]
    assert [r["code"] for r in data][:3] == ["2512", "2512-1", "2512-1-001"]
    assert data[0]["title_ru"] == "Разработчики по"
    assert client.get(reverse("classifiers:search"), {"q": "2512"}).status_code == 400
    assert (
        client.get(
            reverse("classifiers:search"), {"classifier": "nkz", "q": "x", "level": "abc"}
        ).status_code
        == 400
    )
    assert client.get(reverse("classifiers:search"), {"classifier": "oked", "q": "x"}).json() == {
        "results": []
    }


def test_the_read_api_is_public_and_read_only(client, small_nkz) -> None:
    editions = client.get("/api/classifiers/editions/").json()
    assert editions["count"] == 1 and editions["results"][0]["counts"]["6"] == 1
    nodes = client.get("/api/classifiers/nodes/", {"classifier": "nkz", "level": 5}).json()
    assert [n["code"] for n in nodes["results"]] == ["2512-1"]
    assert nodes["results"][0]["parent_code"] == "2512"
    assert client.post("/api/classifiers/nodes/", {"code": "1"}).status_code in (401, 403, 405)
    assert client.delete(f"/api/classifiers/editions/{small_nkz.pk}/").status_code in (
        401,
        403,
        405,
    )


@pytest.mark.parametrize(
    "username", ["drafter", "expert", "member", "secretary", "officer", "outsider"]
)
def test_only_administrators_upload_classifier_files(personas, username, snapshot) -> None:
    client = personas.client_for(getattr(personas, username))
    before = snapshot()
    response = client.post(
        "/admin/classifiers/importjob/add/",
        {
            "classifier": "nkz",
            "file": SimpleUploadedFile("n.csv", canonical_csv(SMALL_NKZ)),
            "edition_name": "x",
        },
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert ImportJob.objects.count() == 0
    assert snapshot() == before


def test_an_administrator_uploads_a_file_and_sees_the_report(
    personas, django_capture_on_commit_callbacks
) -> None:
    client = personas.client_for(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/classifiers/importjob/add/",
            {
                "classifier": "nkz",
                "file": SimpleUploadedFile("n.csv", canonical_csv(SMALL_NKZ)),
                "edition_name": "Admin load",
            },
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/classifiers/importjob/{job.pk}/change/")
    assert job.status == "done" and job.edition.name == "Admin load"
    assert Edition.objects.get(name="Admin load").loaded_by == personas.admin
    assert AuditEvent.objects.filter(action="classifier.load", actor=personas.admin).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200


def test_a_rejected_upload_lists_its_rows_and_writes_no_edition(
    personas, django_capture_on_commit_callbacks
) -> None:
    client = personas.client_for(personas.admin)
    bad = canonical_csv([*SMALL_NKZ, SMALL_NKZ[2]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/classifiers/importjob/add/",
            {"classifier": "nkz", "file": SimpleUploadedFile("bad.csv", bad)},
        )
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.errors[0]["row"] == 8 and "251" in job.errors[0]["message"]
    assert Edition.objects.count() == 0
    page = client.get(f"/admin/classifiers/importjob/{job.pk}/change/")
    assert "bad.csv" in page.content.decode()


def test_the_upload_form_refuses_other_file_types(personas) -> None:
    client = personas.client_for(personas.admin)
    response = client.post(
        "/admin/classifiers/importjob/add/",
        {"classifier": "nkz", "file": SimpleUploadedFile("n.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 200
    assert ImportJob.objects.count() == 0


def test_editing_a_skill_level_in_the_admin_is_audited(personas, small_nkz) -> None:
    from classifiers.models import Node

    node = Node.objects.get(edition=small_nkz, code="2512")
    client = personas.client_for(personas.admin)
    response = client.post(f"/admin/classifiers/node/{node.pk}/change/", {"skill_level": "3"})
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.skill_level == 3 and node.skill_level_edited
    event = AuditEvent.objects.get(action="classifier.node.skill_level")
    assert event.changes == {"skill_level": [4, 3]}
