"""The whole version as one JSON document (schema: docs/sqf-json-schema.md).

`version_content(version)` reads the database into plain data (both languages, every
classifier reference with its code, edition and names); the DOCX and PDF renderers work
from this data only, so they are pure functions of it. `content_hash` is the sha256 of
the canonical serialisation, which keys the rendered documents: an unchanged version is
rendered once. `content_import` writes such a document into an empty version.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from classifiers.models import Edition, Node
from config.text import NulCharacter, clean_tree
from sbsh.document import selectors, services, services_tables
from sbsh.models import Part, Table1Row, Version

SCHEMA = "urn:sqf-workbench:sqf-version"
SCHEMA_VERSION = 1
NARRATIVE = [
    "general",
    "current_state",
    "process_management",
    "process_preparation",
    "process_main",
    "process_post",
    "process_support",
    "analysis",
    "occupations",
    "conclusions",
]


def _node(n: selectors.NodeLite, editions: dict[int, str]) -> dict[str, Any]:
    return {
        "classifier": n.classifier,
        "code": n.code,
        "level": n.level,
        "edition": editions[n.edition_id],
        "name": {"kk": n.title_kk, "ru": n.title_ru, "en": n.title_en},
    }


def _bi(obj: Any, field: str) -> dict[str, str]:
    return {"kk": getattr(obj, f"{field}_kk"), "ru": getattr(obj, f"{field}_ru")}


def version_content(version: Version) -> dict[str, Any]:
    framework = version.framework
    parts = selectors.parts(version)
    t1 = selectors.table1_rows(version)
    t3 = selectors.table3_rows(version)
    standards = selectors.standards(version)
    entries, links = selectors.table2(version)
    oked, nkz = selectors.passport_nodes(version)
    ids = {n.pk for n in oked} | {n.pk for n in nkz} | {n.pk for r in t1 for n in r.occupation_list}
    ids |= {n.pk for s in standards for n in s.nkz_nodes.all()}
    ids |= {e.group_id for e in entries} | {e.occupation_id for e in entries}
    ids |= {getattr(r, f"{c}_id") for r in t3 for c in selectors.T3_NODES}
    index = selectors.node_index(ids, ancestors=True)
    used_editions = {n.edition_id for n in index.values()}
    edition_rows = Edition.objects.filter(pk__in=used_editions)
    editions = {e.pk: e.name for e in edition_rows}
    ref = lambda pk: _node(index[pk], editions)  # noqa: E731
    by_entry = {e.pk: e for e in entries}

    return {
        "framework": {
            "sector": {"kk": framework.sector_kk, "ru": framework.sector_ru},
            "state_body": {"kk": framework.state_body.name_kk, "ru": framework.state_body.name_ru},
            "council": {"kk": framework.council.name_kk, "ru": framework.council.name_ru},
        },
        "version": {
            "number": version.number,
            "status": version.status,
            "approved_on": version.approved_on.isoformat() if version.approved_on else None,
            "updates": version.updates.number if version.updates_id else None,
        },
        "name": {"kk": version.name_kk, "ru": version.name_ru},
        "document": {"tables_landscape": version.tables_landscape},
        "editions": {
            e.classifier: {"name": e.name, "source": e.source_name, "sha256": e.source_sha256}
            for e in sorted(edition_rows, key=lambda e: e.classifier)
        },
        "passport": {
            "sector_description": _bi(parts[Part.Key.PASSPORT_SECTOR], "text"),
            "oked": [ref(n.pk) for n in oked],
            "nkz_groups": [ref(n.pk) for n in nkz],
        },
        "parts": {key: _bi(parts[key], "text") for key in NARRATIVE},
        "standards": [
            {
                "name": _bi(s, "name"),
                "status": s.status,
                "nkz": [ref(n.pk) for n in sorted(s.nkz_nodes.all(), key=lambda n: n.code)],
            }
            for s in standards
        ],
        "table1": [
            {
                "section": r.section,
                "sqf_level": r.sqf_level,
                "nqf_level": r.nqf_level,
                "occupations": [ref(n.pk) for n in r.occupation_list],
                **{c: _bi(r, c) for c in Table1Row.TEXT_COLUMNS},
            }
            for r in t1
        ],
        "table2": {
            "entries": [
                {
                    "sqf_level": e.sqf_level,
                    "group": ref(e.group_id),
                    "occupation": ref(e.occupation_id),
                }
                for e in sorted(
                    entries, key=lambda e: (e.sqf_level, e.group.code, e.occupation.code)
                )
            ],
            "links": sorted(
                (
                    {
                        "from": by_entry[link.source_id].occupation.code,
                        "from_level": by_entry[link.source_id].sqf_level,
                        "to": by_entry[link.target_id].occupation.code,
                        "to_level": by_entry[link.target_id].sqf_level,
                        "kind": link.kind,
                        # Rules §8.4: present only when recorded, so that content (and
                        # its checksum) without it stays as it was.
                        **(
                            {
                                "experience_years": link.experience_years,
                                "experience_note_kk": link.experience_note_kk,
                                "experience_note_ru": link.experience_note_ru,
                            }
                            if link.experience_years is not None
                            else {}
                        ),
                    }
                    for link in links
                ),
                key=lambda d: (d["from_level"], d["from"], d["to_level"], d["to"]),
            ),
        },
        "table3": [
            {
                "isco": ref(r.isco_id),
                "isco_correspondence": r.isco_correspondence,
                "nkz_unit": ref(r.nkz_unit_id),
                "nkz_correspondence": r.nkz_correspondence,
                "nkz_group": ref(r.nkz_group_id),
                "oked": [ref(n.pk) for n in r.oked_chain],
                "nkz_main_group": ref(selectors.chain(index, r.occupation_n)[0].pk),
                "occupation": ref(r.occupation_id),
                "skill_level": r.occupation_n.skill_level,
                "nqf_level": r.nqf_level,
                "sqf_level": r.sqf_level,
            }
            for r in t3
        ],
    }


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def document(version: Version) -> dict[str, Any]:
    """The JSON document: schema, hash and content."""
    content = version_content(version)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "content_sha256": content_hash(content),
        "content": content,
    }


# --- import ------------------------------------------------------------------------------------


class ContentError(ValidationError):
    pass


def _resolve(refs: dict[tuple[str, str, str], int], node: dict[str, Any], where: str) -> int:
    key = (node["classifier"], node["edition"], node["code"])
    pk = refs.get(key)
    if pk is None:
        raise ContentError(
            f"{where}: {node['classifier']} code {node['code']} of edition "
            f"‘{node['edition']}’ is not loaded here."
        )
    return pk


def _collect(content: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [*content["passport"]["oked"], *content["passport"]["nkz_groups"]]
    nodes += [n for s in content["standards"] for n in s["nkz"]]
    nodes += [n for r in content["table1"] for n in r["occupations"]]
    nodes += [n for e in content["table2"]["entries"] for n in (e["group"], e["occupation"])]
    nodes += [
        n
        for r in content["table3"]
        for n in (r["isco"], r["nkz_unit"], r["nkz_group"], r["occupation"], r["oked"][-1])
    ]
    return nodes


@transaction.atomic
def content_import(*, version: Version, data: dict[str, Any], actor: Any) -> Version:
    """Fill an empty version from a JSON document (all or nothing)."""
    if data.get("schema") != SCHEMA or data.get("schema_version") != SCHEMA_VERSION:
        raise ContentError(f"Not an SQF document of schema {SCHEMA} version {SCHEMA_VERSION}.")
    content = data["content"]
    if data.get("content_sha256") and content_hash(content) != data["content_sha256"]:
        raise ContentError(
            "The content does not match its sha256: the file was changed or damaged."
        )
    try:
        # The text boundary (config/text.py): controls normalised, NUL refused.
        content = clean_tree(content)
    except NulCharacter as exc:
        raise ContentError(str(exc)) from None
    if version.table1_rows.exists() or version.table3_rows.exists() or version.standards.exists():
        raise ContentError("The version is not empty.")
    wanted = _collect(content)
    editions = dict(
        Edition.objects.filter(name__in={n["edition"] for n in wanted}).values_list("name", "pk")
    )
    refs = {}
    for classifier_, edition_id, code, pk in Node.objects.filter(
        edition_id__in=editions.values(), code__in={n["code"] for n in wanted}
    ).values_list("edition__classifier", "edition__name", "code", "pk"):
        refs[(classifier_, edition_id, code)] = pk
    version = services.passport_save(
        actor=actor,
        version=version,
        revision=version.revision,
        name_kk=content["name"]["kk"],
        name_ru=content["name"]["ru"],
        oked_ids=[_resolve(refs, n, "passport") for n in content["passport"]["oked"]],
        nkz_ids=[_resolve(refs, n, "passport") for n in content["passport"]["nkz_groups"]],
    )
    if content.get("document", {}).get("tables_landscape"):
        version = services.document_options_save(
            actor=actor, version=version, revision=version.revision, tables_landscape=True
        )
    texts = {
        **content["parts"],
        Part.Key.PASSPORT_SECTOR: content["passport"]["sector_description"],
    }
    for part in Part.objects.filter(version=version):
        if part.key in texts:
            services.part_save(
                actor=actor,
                part=part,
                revision=part.revision,
                text_kk=texts[part.key]["kk"],
                text_ru=texts[part.key]["ru"],
            )
    for s in content["standards"]:
        services.standard_save(
            actor=actor,
            version=version,
            standard=None,
            revision=None,
            name_kk=s["name"]["kk"],
            name_ru=s["name"]["ru"],
            status=s["status"],
            nkz_ids=[_resolve(refs, n, "standards") for n in s["nkz"]],
        )
    for r in content["table1"]:
        row = services_tables.table1_row_create(actor=actor, version=version, section=r["section"])
        services_tables.table1_row_save(
            actor=actor,
            row=row,
            revision=row.revision,
            values={
                "sqf_level": r["sqf_level"],
                "nqf_level": r["nqf_level"],
                **{
                    f"{c}_{lang}": r[c][lang]
                    for c in Table1Row.TEXT_COLUMNS
                    for lang in ("kk", "ru")
                },
            },
            occupation_ids=[_resolve(refs, n, "table1") for n in r["occupations"]],
        )
    entries = {}
    for e in content["table2"]["entries"]:
        entries[(e["occupation"]["code"], e["sqf_level"])] = services_tables.table2_entry_add(
            actor=actor,
            version=version,
            sqf_level=e["sqf_level"],
            occupation_id=_resolve(refs, e["occupation"], "table2"),
        )
    for link in content["table2"]["links"]:
        services_tables.progression_link_add(
            actor=actor,
            version=version,
            source=entries[(link["from"], link["from_level"])],
            target=entries[(link["to"], link["to_level"])],
            experience_years=link.get("experience_years"),
            experience_note_kk=link.get("experience_note_kk", ""),
            experience_note_ru=link.get("experience_note_ru", ""),
        )
    for r in content["table3"]:
        row = services_tables.table3_row_save(
            actor=actor,
            version=version,
            row=None,
            revision=None,
            values=services_tables.Table3Values(
                isco_id=_resolve(refs, r["isco"], "table3"),
                occupation_id=_resolve(refs, r["occupation"], "table3"),
                oked_id=_resolve(refs, r["oked"][-1], "table3"),
                nqf_level=r["nqf_level"],
                sqf_level=r["sqf_level"],
            ),
        )
        # The correspondences are the document's, as recorded when it was exported.
        type(row).objects.filter(pk=row.pk).update(
            isco_correspondence=r["isco_correspondence"], nkz_correspondence=r["nkz_correspondence"]
        )
    return Version.objects.get(pk=version.pk)
