"""Change impact of a new classifier edition (Rules §15.2): loading an NKZ edition that
removes 2151-2-006 and renames 3121-2-001 (both cited by the demo) lists every live SQF
version citing them with table, row and column, tells the owners, offers a published SQF
an update on §15.2 with the codes, and moves a draft to the new edition."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from classifiers.demo import DATA, seed_classifiers
from classifiers.models import Classifier, Edition, Node
from councils.models import AuditEvent
from deadlines.models import Notification
from sbsh.demo import seed_demo_history, seed_demo_sqf
from sbsh.document import impact
from sbsh.models import Table2Entry, Version

pytestmark = pytest.mark.django_db
REMOVED, RENAMED = "2151-2-006", "3121-2-001"


def edited_nkz() -> bytes:
    """The shipped NKZ without 2151-2-006 and with 3121-2-001 renamed."""
    lines = (DATA / "nkz_2017" / "nkz_2017_current.csv").read_text("utf-8").splitlines()
    edited = []
    for line in lines:
        if line.startswith(f"{REMOVED},"):
            continue
        if line.startswith(f"{RENAMED},"):
            line = line.replace("ТЕХНИК ПОДСТАНЦИИ", "ТЕХНИК ЭЛЕКТРИЧЕСКОЙ ПОДСТАНЦИИ")
        edited.append(line)
    return ("\n".join(edited) + "\n").encode("utf-8")


@pytest.fixture
def demo(personas) -> None:
    seed_classifiers()
    seed_demo_sqf()
    seed_demo_history()  # v1 published, v2 (its update) in preparation, a copy of v1


@pytest.fixture
def loaded(demo, tmp_path) -> tuple[str, Version, Version]:
    path: Path = tmp_path / "nkz_2027.csv"
    path.write_bytes(edited_nkz())
    out = io.StringIO()
    call_command("load_classifier", "nkz", str(path), "--edition", "НКЗ 2027", stdout=out)
    v1 = Version.objects.get(framework__sector_ru="Электроэнергетика", number=1)
    v2 = Version.objects.get(framework__sector_ru="Электроэнергетика", number=2)
    return out.getvalue(), v1, v2


def test_the_load_report_lists_every_live_version_and_place(loaded) -> None:
    output, v1, v2 = loaded
    assert "SQF versions affected (Rules §15.2): 2" in output
    assert f"v1 (published), id {v1.pk}" in output and f"v2 (preparation), id {v2.pk}" in output
    edition = Edition.objects.get(classifier=Classifier.NKZ, is_current=True)
    report = impact.edition_impact(edition)
    assert [item["version"].pk for item in report] == [v1.pk, v2.pk]
    for item in report:
        places = {
            (p["table"], p["row"], p["column"], p["code"], p["change"]) for p in item["places"]
        }
        # By hand, from sbsh/data/demo_sqf_energy.json.
        assert {p for p in places if p[0] != "standards"} == {
            ("table1", "2 / 6", "occupations", REMOVED, "removed"),
            ("table2", "6", "occupation", REMOVED, "removed"),
            ("table1", "2 / 5", "occupations", RENAMED, "renamed"),
            ("table2", "5", "occupation", RENAMED, "renamed"),
            ("table3", "9", "occupation", RENAMED, "renamed"),
        }
        assert {(p[0], p[3]) for p in places if p[0] == "standards"} == {
            ("standards", REMOVED),
            ("standards", RENAMED),
        }
    renamed = next(p for p in report[0]["places"] if p["code"] == RENAMED)
    assert renamed["after"] == "ТЕХНИК ЭЛЕКТРИЧЕСКОЙ ПОДСТАНЦИИ"
    assert f"table1, row 2 / 6, occupations: {REMOVED} removed" in output


def test_the_owners_are_told(loaded, personas) -> None:
    told = Notification.objects.filter(payload__message=impact.IMPACT_NOTICE)
    people = set(told.values_list("recipient__username", flat=True))
    assert {personas.drafter.username, personas.secretary.username} <= people
    assert personas.outsider.username not in people
    assert told.count() == 2 * len(people)  # each about both versions


def test_a_published_sqf_offers_an_update_on_15_2_with_the_codes(loaded, personas) -> None:
    _output, v1, _v2 = loaded
    page = personas.client_for(personas.secretary).get(f"/sqf/{v1.pk}/editions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="start-update"' in html
    url = f"/sqf/councils/{v1.framework.council_id}/decide/?ground=15.2&amp;codes=NKZ:{REMOVED},NKZ:{RENAMED}"
    assert url in html
    assert impact.update_codes(v1) == [f"NKZ:{REMOVED}", f"NKZ:{RENAMED}"]
    assert personas.client_for(personas.outsider).get(f"/sqf/{v1.pk}/editions/").status_code == 403


def test_the_assistant_carries_unchanged_codes_and_lists_the_rest(loaded, personas) -> None:
    _output, v1, v2 = loaded
    new = Edition.objects.get(classifier=Classifier.NKZ, is_current=True)
    before = impact.edition_check(v2)["nkz"]
    assert before["same"] and len(before["other"]) == 7
    # Refusals first: another ministry, a published version; nothing moves.
    assert (
        personas.client_for(personas.outsider)
        .post(f"/sqf/{v2.pk}/editions/move/", {"classifier": "nkz"})
        .status_code
        == 403
    )
    assert (
        personas.client_for(personas.drafter)
        .post(f"/sqf/{v1.pk}/editions/move/", {"classifier": "nkz"})
        .status_code
        == 403
    )
    assert impact.edition_check(v2)["nkz"]["same"] == before["same"]
    response = personas.client_for(personas.drafter).post(
        f"/sqf/{v2.pk}/editions/move/", {"classifier": "nkz"}
    )
    assert response.status_code == 302
    after = impact.edition_check(v2)["nkz"]
    assert after["same"] == [] and after["other"] == before["other"]
    entries = Table2Entry.objects.filter(version=v2).select_related("occupation")
    on_new = {e.occupation.code for e in entries if e.occupation.edition_id == new.pk}
    on_old = {e.occupation.code for e in entries if e.occupation.edition_id != new.pk}
    assert on_old == {REMOVED, RENAMED}
    assert REMOVED not in on_new and len(on_new) == entries.count() - 2
    # v1 (published) was not touched.
    assert not Table2Entry.objects.filter(version=v1, occupation__edition=new).exists()
    event = AuditEvent.objects.filter(action="sqf.version.edition_move").get()
    assert event.changes["carried"] == len(before["same"]) and event.changes["left"] == 7
    assert Node.objects.filter(edition=new, code=REMOVED).count() == 0


def test_the_admin_import_page_shows_the_impact(
    demo, personas, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from classifiers.models import ImportJob

    client = personas.client_for(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/classifiers/importjob/add/",
            {
                "classifier": "nkz",
                "file": SimpleUploadedFile("nkz_2027.csv", edited_nkz()),
                "edition_name": "НКЗ 2027",
            },
        )
    job = ImportJob.objects.get()
    assert job.status == "done", job.errors
    assert [item["number"] for item in job.report["impact"]] == [1, 2]
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="impact"' in page and REMOVED in page and RENAMED in page
