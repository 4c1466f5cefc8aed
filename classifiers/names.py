"""ISCO-08 names in Kazakh and Russian (Table 3, column 4; Annex §11): loaded from a CSV
or typed by an administrator."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from classifiers.files import decode_csv
from classifiers.models import Classifier, Edition, Node
from classifiers.rows import ImportRejected, Problem
from classifiers.services import nodes_changed
from classifiers.text import clean, search_text
from councils.models import User
from councils.services import audit_record

ISCO_NAMES_MAX_BYTES = 2 * 1024 * 1024

ISCO_NAMES_COLUMNS = ("code", "name_kk", "name_ru")


@dataclass
class NamesReport:
    edition: Edition
    changed: int
    unchanged: int
    source: str


@transaction.atomic
def isco_names_load(
    *, data: bytes, source_name: str, source: str, actor: User | None, dry_run: bool = False
) -> NamesReport:
    """Kazakh and Russian names of ISCO-08 groups, for Table 3's column 4 (Annex §11).

    ISCO-08 is published by the ILO with English titles only and no official Kazakh or
    Russian list exists as data (Russia's ОК 010-2014 is harmonised with ISCO-08, not a
    translation of it), so an administrator supplies them: a UTF-8 CSV with the columns
    code, name_kk, name_ru (either name may be empty). Every code must exist in the
    current ISCO-08 edition; nothing is written unless the whole file is right. `source`
    (whose translation, of what date) is kept on the edition."""
    name = source_name or "names.csv"
    if len(data) > ISCO_NAMES_MAX_BYTES:
        raise ImportRejected([Problem(name, None, None, _("The file is larger than 2 MB."))])
    if not (source or "").strip():
        raise ImportRejected(
            [
                Problem(
                    name,
                    None,
                    None,
                    _("Say where the names come from (whose translation, of what date)."),
                )
            ]
        )
    edition = Edition.objects.filter(classifier=Classifier.ISCO08, is_current=True).first()
    if edition is None:
        raise ImportRejected([Problem(name, None, None, _("No ISCO-08 edition is loaded yet."))])
    text = decode_csv(name, data)
    reader = csv.reader(io.StringIO(text))
    header = [clean(h).lower() for h in next(reader, [])]
    problems: list[Problem] = []
    missing = [c for c in ISCO_NAMES_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [
                Problem(
                    name,
                    1,
                    ", ".join(missing),
                    _("The first row must name the columns code, name_kk and name_ru."),
                )
            ]
        )
    nodes = {n.code: n for n in Node.objects.filter(edition=edition)}
    updates: dict[str, tuple[str, str]] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, cells, strict=False))
        code = clean(row.get("code"))
        kk = clean(row.get("name_kk"))
        ru = clean(row.get("name_ru"))
        if code not in nodes:
            problems.append(
                Problem(
                    name,
                    line,
                    "code",
                    _("ISCO-08 code “%(code)s” is not in the edition ‘%(edition)s’.")
                    % {"code": code, "edition": edition.name},
                )
            )
        elif code in updates:
            problems.append(
                Problem(name, line, "code", _("Code %(code)s appears twice.") % {"code": code})
            )
        elif any(len(v) > 500 for v in (kk, ru)):
            problems.append(
                Problem(name, line, "name_kk", _("A name is longer than 500 characters."))
            )
        else:
            updates[code] = (kk, ru)
    if problems:
        raise ImportRejected(problems)
    changed = [
        code
        for code, (kk, ru) in updates.items()
        if (nodes[code].title_kk, nodes[code].title_ru) != (kk, ru)
    ]
    if not dry_run and changed:
        for code in changed:
            node = nodes[code]
            node.name_kk, node.name_ru = updates[code]
            node.title_kk, node.title_ru = updates[code]
            node.search_text = search_text(
                node.code, node.name_kk, node.name_ru, node.name_en, node.title_en
            )
        Node.objects.bulk_update(
            [nodes[c] for c in changed],
            ["name_kk", "name_ru", "title_kk", "title_ru", "search_text"],
            batch_size=500,
        )
        edition.names_source = source.strip()[:300]
        edition.save(update_fields=["names_source"])
        nodes_changed(edition.pk)
        audit_record(
            actor=actor,
            action="classifier.isco_names.load",
            obj=edition,
            changes={"file": source_name, "source": source.strip(), "changed": len(changed)},
        )
    return NamesReport(edition, len(changed), len(updates) - len(changed), source.strip())


@transaction.atomic
def node_names_set(*, actor: User, node: Node, title_kk: str, title_ru: str) -> Node:
    """An administrator types an ISCO-08 group's Kazakh or Russian name (Annex §11)."""
    before = Node.objects.filter(pk=node.pk).values_list("title_kk", "title_ru").first()
    title_kk, title_ru = clean(title_kk), clean(title_ru)
    if before == (title_kk, title_ru):
        return node
    node.title_kk, node.title_ru = title_kk, title_ru
    node.name_kk, node.name_ru = title_kk, title_ru
    node.search_text = search_text(
        node.code, node.name_kk, node.name_ru, node.name_en, node.title_en
    )
    node.save(update_fields=["title_kk", "title_ru", "name_kk", "name_ru", "search_text"])
    nodes_changed(node.edition_id)
    audit_record(
        actor=actor,
        action="classifier.node.names",
        obj=node,
        changes={"title_kk": [before[0], title_kk], "title_ru": [before[1], title_ru]},
    )
    return node
