"""CASE 1.1: every published version as a CFPackage that validates against 1EdTech's schema
binding (vendored in sbsh/case/), with stable UUIDs, both languages, the CASE endpoints and
the bulk download; nothing unpublished reaches them."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import zipfile
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from classifiers.demo import seed_classifiers
from classifiers.models import Classifier, Node
from classifiers.services import current_edition
from sbsh.case import cf_package, document_uuid, identifiers, schema
from sbsh.case.selectors import publication_package
from sbsh.demo import seed_demo_history, seed_demo_sqf
from sbsh.models import Publication, Version

pytestmark = pytest.mark.django_db

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
CHECKER = FormatChecker()


@CHECKER.checks("uri")
def _uri(value: object) -> bool:
    parts = urlparse(str(value))
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@CHECKER.checks("date-time")
def _date_time(value: object) -> bool:
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed.tzinfo is not None


VALIDATOR = Draft202012Validator(schema(), format_checker=CHECKER)


def assert_valid(package: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    # The binding's pattern is not anchored; the whole identifier must be a UUID.
    objects = [package["CFDocument"], *package["CFItems"], *package["CFAssociations"]]
    assert all(UUID.match(o["identifier"]) for o in objects)
    ids = [o["identifier"] for o in objects]
    assert len(ids) == len(set(ids)), "identifiers are unique"
    inside = set(ids)
    for a in package["CFAssociations"]:
        assert a["originNodeURI"]["identifier"] in inside, a
        if "targetType" not in a["destinationNodeURI"]:
            assert a["destinationNodeURI"]["identifier"] in inside, a


@pytest.fixture
def demo(personas) -> Publication:
    seed_classifiers()
    seed_demo_sqf()
    seed_demo_history()  # version 1 published (and version 2 in preparation)
    return Publication.objects.get()


def test_the_demo_package_validates_and_carries_the_whole_sqf(demo) -> None:
    response = Client().get(f"/registry/{demo.framework_id}/v{demo.number}/case.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    package = json.loads(response.content)
    assert_valid(package)
    content = demo.content
    doc = package["CFDocument"]
    assert doc["identifier"] == document_uuid(demo.framework_id, demo.number)
    assert doc["caseVersion"] == "1.1" and doc["adoptionStatus"] == "Adopted"
    assert doc["title"] == content["name"]["kk"]
    assert doc["extensions"]["title"]["ru"] == content["name"]["ru"]
    items = package["CFItems"]
    by_type = lambda t, lang: [i for i in items if i["CFItemType"] == t and i["language"] == lang]  # noqa: E731
    for lang in ("kk", "ru"):
        levels = {i["humanCodingScheme"] for i in by_type("SQF level", lang)}
        assert levels == {r["sqf_level"] for r in content["table1"]} | {
            e["sqf_level"] for e in content["table2"]["entries"]
        } | {r["sqf_level"] for r in content["table3"]}
        assert len(by_type("Table 1 row", lang)) == len(content["table1"])
        occupations = {
            (i["humanCodingScheme"], i["fullStatement"]) for i in by_type("Occupation", lang)
        }
        for e in content["table2"]["entries"]:
            assert (e["occupation"]["code"], e["occupation"]["name"][lang]) in occupations
        knowledge = by_type("Knowledge", lang)
        assert len(knowledge) == sum(1 for r in content["table1"] if r["knowledge"][lang].strip())
    kk = [i for i in items if i["language"] == "kk"]
    kinds = [a["associationType"] for a in package["CFAssociations"]]
    assert kinds.count("isTranslationOf") == len(kk) == len(items) - len(kk)
    links = content["table2"]["links"]
    vertical = sum(1 for link in links if link["kind"] == "vertical")
    assert kinds.count("precedes") == 2 * vertical > 0
    assert kinds.count("isPeerOf") == 2 * (len(links) - vertical)
    nkz = [
        a
        for a in package["CFAssociations"]
        if a["associationType"] == "exactMatchOf"
        and a["destinationNodeURI"]["targetType"] == "ext:nkz"
    ]
    assert len(nkz) == len(by_type("Occupation", "kk")) * 2
    assert any(
        a["destinationNodeURI"]["uri"].startswith("http://data.europa.eu/esco/isco/C")
        for a in package["CFAssociations"]
    )


def test_unchanged_items_keep_their_identifiers_when_published_again(demo) -> None:
    content = demo.content
    first = cf_package(
        content,
        framework_id=demo.framework_id,
        number=1,
        published_at=demo.published_at,
        superseded_at=None,
        base_url="https://sqf.example.kz",
    )
    changed = copy.deepcopy(content)
    changed["table1"][0]["knowledge"]["ru"] = "<p>Новые знания о ВИЭ</p>"
    later = demo.published_at + dt.timedelta(days=200)
    second = cf_package(
        changed,
        framework_id=demo.framework_id,
        number=2,
        published_at=later,
        superseded_at=None,
        base_url="https://sqf.example.kz",
    )
    assert_valid(second)
    before = {i["identifier"]: i for i in first["CFItems"]}
    after = {i["identifier"]: i for i in second["CFItems"]}
    gone = before.keys() - after.keys()
    new = after.keys() - before.keys()
    assert [before[i]["fullStatement"] for i in gone] == [_ru_knowledge(content)]
    assert [after[i]["fullStatement"] for i in new] == ["Новые знания о ВИЭ"]
    assert first["CFDocument"]["identifier"] != second["CFDocument"]["identifier"]
    # A new level listed before the others changes no other identifier.
    grown = copy.deepcopy(content)
    extra_row = copy.deepcopy(content["table1"][0])
    extra_row.update(sqf_level="1", nqf_level=1)
    grown["table1"].insert(0, extra_row)
    third = cf_package(
        grown,
        framework_id=demo.framework_id,
        number=3,
        published_at=later,
        superseded_at=None,
        base_url="https://sqf.example.kz",
    )
    assert_valid(third)
    before_levels = {i["identifier"] for i in first["CFItems"] if i["CFItemType"] == "SQF level"}
    after_levels = {i["identifier"] for i in third["CFItems"] if i["CFItemType"] == "SQF level"}
    assert before_levels < after_levels and len(after_levels - before_levels) == 2  # kk, ru


def _ru_knowledge(content: dict[str, Any]) -> str:
    from sbsh.case import _plain

    return _plain(content["table1"][0]["knowledge"]["ru"])


def test_a_republished_version_dates_unchanged_items_from_their_first_publication(demo) -> None:
    v1 = demo.version
    v2 = Version.objects.get(framework=v1.framework, number=2)  # the demo's update
    Version.objects.filter(pk=v2.pk).update(status=Version.Status.PUBLISHED)
    later = demo.published_at + dt.timedelta(days=30)
    content = copy.deepcopy(demo.content)
    content["version"]["number"] = 2
    content["table1"][0]["skills"]["kk"] = "<p>Жаңа дағды</p>"
    Publication.objects.filter(pk=demo.pk).update(superseded_at=later)
    p2 = Publication.objects.create(
        version=v2,
        framework=v1.framework,
        state_body=demo.state_body,
        number=2,
        name_kk=demo.name_kk,
        name_ru=demo.name_ru,
        published_at=later,
        content=content,
        content_sha256="x",
    )
    package = publication_package(p2, base_url="https://sqf.example.kz")
    assert_valid(package)
    dates = {i["fullStatement"]: i["lastChangeDateTime"] for i in package["CFItems"]}
    assert dates["Жаңа дағды"] == later.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    old = demo.published_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert sum(1 for d in dates.values() if d == old) == len(dates) - 1
    # v1 is now deprecated in the document list, v2 adopted.
    listed = json.loads(Client().get("/ims/case/v1p1/CFDocuments").content)["CFDocuments"]
    assert [(d["version"], d["adoptionStatus"]) for d in listed] == [
        ("1", "Deprecated"),
        ("2", "Adopted"),
    ]


def test_the_case_endpoints_serve_the_published_registry_only(demo, personas) -> None:
    client = Client()
    response = client.get("/ims/case/v1p1/CFDocuments")
    assert response.status_code == 200 and response["X-Total-Count"] == "1"
    docs = json.loads(response.content)["CFDocuments"]
    assert [d["identifier"] for d in docs] == [document_uuid(demo.framework_id, 1)]
    package = json.loads(client.get(f"/ims/case/v1p1/CFPackages/{docs[0]['identifier']}").content)
    assert package == json.loads(client.get(f"/registry/{demo.framework_id}/v1/case.json").content)
    document = json.loads(client.get(f"/ims/case/v1p1/CFDocuments/{docs[0]['identifier']}").content)
    assert document == docs[0]
    # Version 2 is in preparation: it has no package anywhere.
    draft = document_uuid(demo.framework_id, 2)
    missing = client.get(f"/ims/case/v1p1/CFPackages/{draft}")
    assert missing.status_code == 404
    assert json.loads(missing.content)["imsx_codeMajor"] == "failure"
    assert client.get(f"/registry/{demo.framework_id}/v2/case.json").status_code == 404
    assert client.get("/ims/case/v1p1/CFPackages/not-a-uuid").status_code == 404
    refused = client.get("/ims/case/v1p1/CFDocuments?limit=0")
    assert refused.status_code == 400
    assert "limit" in json.loads(refused.content)["imsx_description"]
    assert client.get("/ims/case/v1p1/CFDocuments?offset=-1").status_code == 400
    assert client.post("/ims/case/v1p1/CFDocuments").status_code == 405


def test_the_bulk_download_holds_every_published_version(demo) -> None:
    response = Client().get("/registry/case.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == ["index.json", f"sqf-{demo.framework_id}-v1.case.json"]
    package = json.loads(archive.read(names[1]))
    assert_valid(package)
    index = json.loads(archive.read("index.json"))["CFPackages"]
    assert index[0]["identifier"] == package["CFDocument"]["identifier"]
    assert index[0]["items"] == len(package["CFItems"])


def _large(content: dict[str, Any]) -> dict[str, Any]:
    """The benchmark's large SQF (bench/documents.py) in content form: levels 1-8 with
    sub-levels 4.1, 4.2, 6.1, 6.2; 200 Table 1 rows; four occupations on every level with
    vertical links between neighbouring levels; 300 Table 3 rows."""
    levels = ["1", "2", "3", "4.1", "4.2", "5", "6.1", "6.2", "7", "8"]
    edition = current_edition(Classifier.NKZ)
    nodes = list(
        Node.objects.filter(
            edition=edition, level=6, code__regex=r"^(2151|7413|8186|3121)"
        ).order_by("code")[:60]
    )
    assert len(nodes) >= 40

    def ref(n: Node) -> dict[str, Any]:
        return {
            "classifier": "nkz",
            "code": n.code,
            "level": n.level,
            "edition": edition.name,
            "name": {"kk": n.title_kk, "ru": n.title_ru, "en": n.title_en},
        }

    large = copy.deepcopy(content)
    rows = content["table1"]
    large["table1"] = []
    for section in (1, 2, 3, 4):
        for k in range(50):
            level = levels[k % len(levels)]
            src = copy.deepcopy(rows[k % len(rows)])
            src.update(section=section, sqf_level=level, nqf_level=int(level[0]))
            src["knowledge"] = {
                lang: f"{v} ({section}/{k})" for lang, v in src["knowledge"].items()
            }
            src["occupations"] = [ref(nodes[(k + j) % len(nodes)]) for j in range(1 + k % 4)]
            large["table1"].append(src)
    entries, links = [], []
    for i, level in enumerate(levels):
        for j in range(4):
            n = nodes[4 * i + j]
            entries.append({"sqf_level": level, "group": ref(n), "occupation": ref(n)})
        if i:
            links.append(
                {
                    "from": nodes[4 * (i - 1)].code,
                    "from_level": levels[i - 1],
                    "to": nodes[4 * i].code,
                    "to_level": level,
                    "kind": "vertical",
                }
            )
            links.append(
                {
                    "from": nodes[4 * i].code,
                    "from_level": level,
                    "to": nodes[4 * i + 1].code,
                    "to_level": level,
                    "kind": "horizontal",
                }
            )
    large["table2"] = {"entries": entries, "links": links}
    t3 = content["table3"]
    large["table3"] = []
    for k in range(300):
        row = copy.deepcopy(t3[k % len(t3)])
        level = levels[k % len(levels)]
        row.update(sqf_level=level, nqf_level=int(level[0]), occupation=ref(nodes[k % len(nodes)]))
        large["table3"].append(row)
    return large


def test_a_large_sqf_validates(demo) -> None:
    large = _large(demo.content)
    package = cf_package(
        large,
        framework_id=demo.framework_id,
        number=1,
        published_at=timezone.now(),
        superseded_at=None,
        base_url="https://sqf.example.kz",
    )
    assert_valid(package)
    occupations = {
        i["humanCodingScheme"] for i in package["CFItems"] if i["CFItemType"] == "Occupation"
    }
    assert {e["occupation"]["code"] for e in large["table2"]["entries"]} <= occupations
    rows = [i for i in package["CFItems"] if i["CFItemType"] == "Table 1 row"]
    assert len(rows) == 2 * 200
    assert identifiers(package) == identifiers(
        cf_package(
            large,
            framework_id=demo.framework_id,
            number=1,
            published_at=timezone.now(),
            superseded_at=None,
            base_url="https://other.example.kz",
        )
    ), "identifiers do not depend on the address or the time"
