"""Published SQFs as 1EdTech CASE 1.1 packages (Competencies and Academic Standards Exchange).

`cf_package(...)` turns the content frozen in a `Publication` (sbsh/document/content.py's JSON)
into a `CFPackage`: one `CFDocument` for the SQF version, `CFItems` for its levels, its
Table 1 rows with their knowledge, abilities and competences, and its occupations, and
`CFAssociations` for the hierarchy (`isChildOf`), Table 2's career links (`precedes` for a
vertical move, `isPeerOf` for a horizontal one; Annex §10), the classifier references
(`exactMatchOf` an NKZ occupation, `isRelatedTo` ISCO-08 and OKED, from Table 3) and the
Russian items as translations of the Kazakh ones (`isTranslationOf`).

Identifiers are UUID 5 of stable keys (the SQF, the kind of item and the item's own text),
so an item unchanged between two publications keeps its identifier, and an item whose
text changed gets a new one; `lastChangeDateTime` is the publication that first carried it.
The schema binding is vendored beside this module (PROVENANCE.md); tests validate against it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.html import strip_tags

SCHEMA_PATH = Path(__file__).resolve().parent / "case-v1p1-cfpackage-schema.json"
# All identifiers of the workbench's CASE output live under this namespace.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sqf-workbench:case")
LANGUAGES = ("kk", "ru")
ISCO_URI = "http://data.europa.eu/esco/isco/C{code}"  # ESCO publishes ISCO-08 as linked data
ITEM_TYPES = {
    "knowledge": "Knowledge",
    "skills": "Skill",
    "competences": "Competence",
}


def stable_uuid(*key: object) -> str:
    """A UUID 5 (its variant digit is 8, 9, a or b, as the CASE binding's pattern wants)."""
    return str(uuid.uuid5(NAMESPACE, "|".join(str(k) for k in key)))


def document_uuid(framework_id: int, number: int) -> str:
    return stable_uuid("document", framework_id, number)


def _plain(value: str) -> str:
    text = html.unescape(strip_tags(re.sub(r"<(br|/p|/li|/h\d)\b[^>]*>", "\n", value or "")))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _digest(*values: object) -> str:
    return hashlib.sha256(
        json.dumps(values, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()[:16]


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _level_key(level: str) -> list[int]:
    return [int(x) for x in str(level).split(".")]


@dataclass
class _Builder:
    framework_id: int
    base: str
    document: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    associations: list[dict[str, Any]] = field(default_factory=list)
    by_key: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)

    def link(self, node: dict[str, Any]) -> dict[str, str]:
        title = node.get("fullStatement") or node.get("title") or ""
        return {"title": title[:200], "identifier": node["identifier"], "uri": node["uri"]}

    def item(
        self,
        key: tuple[Any, ...],
        statement: str,
        *,
        lang: str,
        item_type: str,
        position: str = "",
        **extra: Any,
    ) -> dict[str, Any]:
        if key in self.by_key:
            return self.by_key[key]
        # The identifier depends on what the item says, not on where it is listed: a level
        # added above it leaves it unchanged.
        identifier = stable_uuid(self.framework_id, *key, _digest(statement, extra))
        if position:
            extra = {**extra, "listEnumeration": position}
        found = {
            "identifier": identifier,
            "uri": f"{self.document['uri']}#{identifier}",
            "fullStatement": statement,
            "CFItemType": item_type,
            "language": lang,
            **{k: v for k, v in extra.items() if v not in (None, "", [])},
        }
        self.items.append(found)
        self.by_key[key] = found
        return found

    def associate(
        self,
        kind: str,
        origin: dict[str, Any],
        destination: dict[str, str],
        *,
        sequence: int | None = None,
        notes: str = "",
    ) -> None:
        identifier = stable_uuid(
            "association", origin["identifier"], kind, destination["identifier"]
        )
        association: dict[str, Any] = {
            "identifier": identifier,
            "associationType": kind,
            "uri": f"{self.document['uri']}#{identifier}",
            "originNodeURI": self.link(origin),
            "destinationNodeURI": destination
            if "targetType" in destination
            else self.link(destination),
        }
        if sequence is not None:
            association["sequenceNumber"] = sequence
        if notes:
            association["notes"] = notes
        self.associations.append(association)

    def external(self, node: dict[str, Any], lang: str) -> dict[str, str]:
        """A classifier node outside the package: NKZ and OKED at the workbench's public
        classifier pages, ISCO-08 at ESCO's linked-data URI."""
        classifier, code = node["classifier"], node["code"]
        if classifier == "isco08":
            uri = ISCO_URI.format(code=code)
        else:
            uri = f"{self.base}/classifiers/{classifier}/{code}/"
        name = node["name"].get(lang) or node["name"].get("ru") or node["name"].get("en") or ""
        return {
            "title": f"{code} {name}".strip()[:200],
            "identifier": stable_uuid("classifier", classifier, node["edition"], code),
            "uri": uri,
            "targetType": f"ext:{classifier}",
        }


def _section_label(section: int, lang: str) -> str:
    from sbsh.models import Table1Row

    with translation.override(lang):
        return str(Table1Row.Section(section).label)


def _level_statement(level: str, nqf: Any, lang: str) -> str:
    if lang == "kk":
        return f"СБШ {level}-деңгейі (ҰБШ {nqf}-деңгейі)"
    return f"Уровень ОРК {level} (уровень НРК {nqf})"


def cf_document(
    content: dict[str, Any],
    *,
    framework_id: int,
    number: int,
    published_at: dt.datetime,
    superseded_at: dt.datetime | None,
    base_url: str,
) -> dict[str, Any]:
    """The CFDocument of one published version: the SQF, titled in Kazakh, with the Russian
    title, state body, council and sector in both languages among its extensions."""
    base = base_url.rstrip("/")
    doc_id = document_uuid(framework_id, number)
    name = content["name"]
    sector = content["framework"]["sector"]
    title = name["kk"] or sector["kk"]
    document: dict[str, Any] = {
        "identifier": doc_id,
        "uri": f"{base}/ims/case/v1p1/CFDocuments/{doc_id}",
        "frameworkType": "Sectoral qualification framework (Order No. 384 of 14.09.2023)",
        "caseVersion": "1.1",
        "creator": content["framework"]["state_body"]["kk"],
        "title": title,
        "lastChangeDateTime": _when(published_at),
        "officialSourceURL": f"{base}/registry/{framework_id}/v{number}/",
        "publisher": content["framework"]["state_body"]["kk"],
        "description": _plain(content["passport"]["sector_description"]["kk"]) or sector["kk"],
        "subject": [s for s in (sector["kk"], sector["ru"]) if s],
        "language": "kk",
        "version": str(number),
        "adoptionStatus": "Deprecated" if superseded_at else "Adopted",
        "statusStartDate": published_at.date().isoformat(),
        "notes": name["ru"] or sector["ru"],
        "extensions": {
            "title": {"kk": title, "ru": name["ru"] or sector["ru"]},
            "creator": content["framework"]["state_body"],
            "council": content["framework"]["council"],
            "sector": sector,
            "sqfFramework": framework_id,
            "sqfVersion": number,
            "approvedOn": content["version"].get("approved_on"),
            "classifierEditions": content.get("editions", {}),
        },
    }
    if superseded_at:
        document["statusEndDate"] = superseded_at.date().isoformat()
    return document


def cf_package(
    content: dict[str, Any],
    *,
    framework_id: int,
    number: int,
    published_at: dt.datetime,
    superseded_at: dt.datetime | None,
    base_url: str,
    first_seen: dict[str, dt.datetime] | None = None,
) -> dict[str, Any]:
    """The CFPackage of one published version (pure: reads only `content`)."""
    base = base_url.rstrip("/")
    document = cf_document(
        content,
        framework_id=framework_id,
        number=number,
        published_at=published_at,
        superseded_at=superseded_at,
        base_url=base,
    )
    doc_id = document["identifier"]
    title = document["title"]
    b = _Builder(framework_id=framework_id, base=base, document=document)
    doc_node = {"identifier": doc_id, "uri": document["uri"], "title": title}

    nqf_of: dict[str, Any] = {}
    for r in content["table1"] + content["table3"]:
        nqf_of.setdefault(str(r["sqf_level"]), r["nqf_level"])
    levels = set(nqf_of)
    levels |= {e["sqf_level"] for e in content["table2"]["entries"]}
    ordered = sorted(levels, key=_level_key)

    occupations: dict[tuple[str, str], dict[str, Any]] = {}
    for e in content["table2"]["entries"]:
        occupations.setdefault((e["sqf_level"], e["occupation"]["code"]), e["occupation"])
    for r in content["table1"]:
        for n in r["occupations"]:
            occupations.setdefault((r["sqf_level"], n["code"]), n)
    for r in content["table3"]:
        occupations.setdefault((r["sqf_level"], r["occupation"]["code"]), r["occupation"])

    # Table 1 may hold several rows of one level in one section: the n-th of them.
    row_keys: list[tuple[Any, ...]] = []
    counts: dict[tuple[int, str], int] = {}
    for r in content["table1"]:
        at = (r["section"], str(r["sqf_level"]))
        counts[at] = counts.get(at, 0) + 1
        row_keys.append((*at, counts[at]))

    kk_of: dict[tuple[Any, ...], dict[str, Any]] = {}
    for lang in LANGUAGES:
        for i, level in enumerate(ordered):
            item = b.item(
                (lang, "level", level),
                _level_statement(level, nqf_of.get(level, level.split(".")[0]), lang),
                lang=lang,
                item_type="SQF level",
                humanCodingScheme=level,
                position=str(i + 1),
                educationLevel=[f"NQF {nqf_of.get(level, level.split('.')[0])}"],
            )
            b.associate("isChildOf", item, doc_node, sequence=i + 1)
        for i, r in enumerate(content["table1"]):
            level = str(r["sqf_level"])
            label = _section_label(r["section"], lang)
            stages = _plain(r["stages"][lang])
            role = _plain(r["role"][lang])
            row = b.item(
                (lang, "table1", *row_keys[i]),
                "\n".join(x for x in (stages, role) if x) or label,
                lang=lang,
                item_type="Table 1 row",
                humanCodingScheme="/".join(str(k) for k in (level, *row_keys[i][::2])),
                abbreviatedStatement=label[:200],
            )
            b.associate("isChildOf", row, b.by_key[(lang, "level", level)], sequence=i + 1)
            for column, item_type in ITEM_TYPES.items():
                text = _plain(r[column][lang])
                if not text:
                    continue
                cell = b.item(
                    (lang, "table1", *row_keys[i], column),
                    text,
                    lang=lang,
                    item_type=item_type,
                    humanCodingScheme=f"{level}/{r['section']}/{column}",
                )
                b.associate("isChildOf", cell, row)
        for i, ((level, code), node) in enumerate(
            sorted(occupations.items(), key=lambda kv: (_level_key(kv[0][0]), kv[0][1]))
        ):
            occupation = b.item(
                (lang, "occupation", level, code),
                node["name"][lang] or node["name"]["ru"],
                lang=lang,
                item_type="Occupation",
                humanCodingScheme=code,
            )
            b.associate("isChildOf", occupation, b.by_key[(lang, "level", level)], sequence=i + 1)
            b.associate("exactMatchOf", occupation, b.external(node, lang))
        for i, r in enumerate(content["table1"]):
            for n in r["occupations"]:
                b.associate(
                    "isRelatedTo",
                    b.by_key[(lang, "table1", *row_keys[i])],
                    b.by_key[(lang, "occupation", str(r["sqf_level"]), n["code"])],
                )
        for r in content["table3"]:
            occupation = b.by_key[
                (lang, "occupation", str(r["sqf_level"]), r["occupation"]["code"])
            ]
            b.associate(
                "isRelatedTo",
                occupation,
                b.external(r["isco"], lang),
                notes=f"ISCO-08 ↔ NKZ: {r.get('isco_correspondence') or '—'}",
            )
            b.associate("isRelatedTo", occupation, b.external(r["oked"][-1], lang))
        for link in content["table2"]["links"]:
            origin = b.by_key.get((lang, "occupation", link["from_level"], link["from"]))
            target = b.by_key.get((lang, "occupation", link["to_level"], link["to"]))
            if origin is None or target is None:
                continue
            years = link.get("experience_years")
            notes = ""
            if years not in (None, ""):
                notes = f"Жұмыс өтілі: {years} жыл" if lang == "kk" else f"Стаж работы: {years} лет"
            kind = "precedes" if link["kind"] == "vertical" else "isPeerOf"
            b.associate(kind, origin, target, notes=notes)
        if lang == "kk":
            kk_of = dict(b.by_key)
    for key, item in list(b.by_key.items()):
        if key[0] == "ru":
            original = kk_of.get(("kk", *key[1:]))
            if original is not None:
                b.associate("isTranslationOf", item, original)
    for node in content["passport"]["oked"] + content["passport"]["nkz_groups"]:
        b.associate("isRelatedTo", doc_node, b.external(node, "kk"))

    seen = first_seen or {}
    for obj in b.items + b.associations:
        obj["lastChangeDateTime"] = _when(seen.get(obj["identifier"], published_at))
    return {
        "CFDocument": document,
        "CFItems": b.items,
        "CFAssociations": _unique(b.associations),
    }


def _unique(associations: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for a in associations:
        found.setdefault(a["identifier"], a)
    return list(found.values())


def identifiers(package: dict[str, Any]) -> set[str]:
    return {o["identifier"] for o in package["CFItems"] + package["CFAssociations"]}


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
