"""Council review: comments with threads on parts, rows and cells, and what changed in a
draft since the council returned it (Rules §12–§13)."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from councils import access
from councils.models import Role, User
from councils.services import audit_record
from sbsh import access as sqf_access
from sbsh.document import selectors
from sbsh.document.services import version_scope
from sbsh.models import COLUMN_LABELS, Comment, Decision, Part, Table1Row, Version

COMMENT_MAX_CHARS = 5000

TABLE3_COLUMNS = {
    "isco": gettext_lazy("ISCO-08 unit group"),
    "nkz_unit": gettext_lazy("NKZ unit group"),
    "nkz_group": gettext_lazy("NKZ occupation group"),
    "oked": gettext_lazy("OKED"),
    "occupation": gettext_lazy("occupation (NKZ)"),
    "nqf_level": gettext_lazy("NQF level"),
    "sqf_level": gettext_lazy("SQF level"),
}


# --- what a comment can be about --------------------------------------------------------------


def anchors(version: Version) -> list[tuple[str, str]]:
    """Every place of the document a comment may point at, with a readable label."""
    found = [("passport", _("Passport (Annex §1–§2)"))]
    found += [(f"part:{key}", str(label)) for key, label in Part.Key.choices]
    found.append(("standards", _("Annex §7 — professional standards")))
    for row in selectors.table1_rows(version):
        found.append(
            (
                f"table1:{row.pk}",
                _("Table 1 · section %(section)s · level %(level)s")
                % {"section": row.section, "level": row.sqf_level},
            )
        )
    found.append(("table2", _("Table 2 — occupations by level and progression")))
    for row in selectors.table3_rows(version):
        found.append(
            (
                f"table3:{row.pk}",
                _("Table 3 · %(code)s %(name)s · level %(level)s")
                % {
                    "code": row.occupation_n.code,
                    "name": row.occupation_n.title,
                    "level": row.sqf_level,
                },
            )
        )
    return found


def cell_columns(anchor: str) -> list[tuple[str, str]]:
    if anchor.startswith("table1:"):
        return [(c, str(COLUMN_LABELS[c])) for c in Table1Row.TEXT_COLUMNS]
    if anchor.startswith("table3:"):
        return [(c, str(label)) for c, label in TABLE3_COLUMNS.items()]
    return []


def _anchor_label(version: Version, anchor: str, column: str) -> tuple[str, str]:
    labels = dict(anchors(version))
    if anchor not in labels:
        raise ValidationError({"anchor": _("Choose what the comment is about from the list.")})
    if column:
        columns = dict(cell_columns(anchor))
        if column not in columns:
            raise ValidationError({"column": _("This column is not in that table.")})
        return f"{anchor}:{column}", f"{labels[anchor]} · {columns[column]}"
    return anchor, labels[anchor]


@transaction.atomic
def comment_add(
    *,
    actor: User,
    version: Version,
    body: str,
    anchor: str = "",
    column: str = "",
    language: str = "",
    parent: Comment | None = None,
) -> Comment:
    """A new comment on a place of the draft, or a reply in a thread."""
    version = Version.objects.select_for_update().select_related("framework").get(pk=version.pk)
    if not sqf_access.can_comment(actor, version):
        raise PermissionError("comment")
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the comment.")})
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationError(
            {"body": _("A comment is at most %(n)s characters.") % {"n": COMMENT_MAX_CHARS}}
        )
    if language not in ("", "kk", "ru"):
        raise ValidationError({"language": _("Choose Kazakh, Russian or both.")})
    if parent is not None:
        if parent.version_id != version.pk or parent.parent_id is not None:
            raise ValidationError({"parent": _("Reply to a comment of this draft.")})
        anchor, label = parent.anchor, parent.anchor_label
    else:
        anchor, label = _anchor_label(version, anchor, column)
    comment = Comment.objects.create(
        version=version,
        anchor=anchor,
        anchor_label=label[:300],
        language=language,
        parent=parent,
        body=body,
        author=actor,
    )
    audit_record(
        actor=actor,
        action="sqf.comment.add",
        obj=comment,
        organisation=version.framework.state_body,
        changes={"anchor": anchor, "reply_to": parent.pk if parent else None},
        scope=version_scope(version),
    )
    return comment


def can_resolve(user: User, comment: Comment) -> bool:
    framework = comment.version.framework
    return sqf_access.can_comment(user, comment.version) and (
        comment.author_id == user.pk
        or access.has_role(user, Role.COUNCIL_SECRETARY, framework.council_id)
        or access.has_role(user, Role.MINISTRY_STAFF, framework.state_body_id)
    )


@transaction.atomic
def comment_resolve(*, actor: User, comment: Comment, resolved: bool = True) -> Comment:
    comment = (
        Comment.objects.select_for_update().select_related("version__framework").get(pk=comment.pk)
    )
    if comment.parent_id is not None:
        raise ValidationError(_("Resolve the thread, not a reply."))
    if not can_resolve(actor, comment):
        raise PermissionError("resolve")
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = actor if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="sqf.comment.resolve" if resolved else "sqf.comment.reopen",
        obj=comment,
        organisation=comment.version.framework.state_body,
        scope=version_scope(comment.version_id),
    )
    return comment


@dataclass
class Thread:
    root: Comment
    replies: list[Comment]


def threads(version: Version) -> list[Thread]:
    """The comment threads of a version, open ones first, in one query."""
    rows = list(Comment.objects.filter(version=version).select_related("author", "resolved_by"))
    by_parent: dict[int, list[Comment]] = {}
    roots = []
    for c in rows:
        c.version = version  # the permission checks read it: no query per comment
        if c.parent_id:
            by_parent.setdefault(c.parent_id, []).append(c)
        else:
            roots.append(c)
    found = [Thread(r, by_parent.get(r.pk, [])) for r in roots]
    found.sort(key=lambda t: (t.root.resolved_at is not None, t.root.created_at))
    return found


# --- what changed since the council returned the draft (Rules §13) ------------------------------


def _text(value: str) -> str:
    value = re.sub(r"</(p|li|h\d)>|<br\s*/?>", "\n", value or "")
    return html.unescape(strip_tags(value)).strip()


def word_diff(old: str, new: str) -> SafeString:
    """The new text with deletions struck out and insertions marked; every piece is
    escaped by format_html (line breaks are kept by the page's white-space: pre-wrap)."""
    a = re.findall(r"\s+|[^\s]+", old)
    b = re.findall(r"\s+|[^\s]+", new)
    pieces: list[SafeString] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(format_html("{}", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return format_html("{}" * len(pieces), *pieces)


@dataclass
class FieldChange:
    label: str
    diff: SafeString


@dataclass
class Change:
    where: str
    kind: str  # "added", "removed", "changed"
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class Diff:
    decision: Decision
    changes: list[Change]

    @property
    def empty(self) -> bool:
        return not self.changes


def _codes(nodes: list[dict[str, Any]]) -> str:
    return ", ".join(f"{n['code']} {n['name']['ru']}" for n in nodes)


def _bilingual_fields(
    old: dict[str, Any], new: dict[str, Any], names: list[tuple[str, str]]
) -> list[FieldChange]:
    changed = []
    for key, label in names:
        for lang in ("kk", "ru"):
            a, b = _text(old.get(key, {}).get(lang, "")), _text(new.get(key, {}).get(lang, ""))
            if a != b:
                changed.append(FieldChange(f"{label} ({lang.upper()})", word_diff(a, b)))
    return changed


def _plain_fields(
    old: dict[str, Any], new: dict[str, Any], names: list[tuple[str, str]]
) -> list[FieldChange]:
    changed = []
    for key, label in names:
        a, b = old.get(key), new.get(key)
        if isinstance(a, list) or isinstance(b, list):
            a, b = _codes(a or []), _codes(b or [])
        elif isinstance(a, dict) or isinstance(b, dict):
            a, b = _codes([a] if a else []), _codes([b] if b else [])
        a, b = "" if a is None else str(a), "" if b is None else str(b)
        if a != b:
            changed.append(FieldChange(label, word_diff(a, b)))
    return changed


def _rows(
    old_rows: list[dict[str, Any]],
    old_ids: list[int],
    new_rows: list[dict[str, Any]],
    new_ids: list[int],
    label: Any,
    compare: Any,
) -> list[Change]:
    old = dict(zip(old_ids, old_rows, strict=False))
    new = dict(zip(new_ids, new_rows, strict=False))
    changes = []
    for pk, row in new.items():
        if pk not in old:
            changes.append(Change(label(row), "added"))
        else:
            fields = compare(old[pk], row)
            if fields:
                changes.append(Change(label(row), "changed", fields))
    for pk, row in old.items():
        if pk not in new:
            changes.append(Change(label(row), "removed"))
    return changes


def changes_since_return(version: Version) -> Diff | None:
    """Per part and per row: what changed since the council's latest return (Rules §13)."""
    from sbsh.document.content import version_content

    decision = (
        Decision.objects.filter(version=version, outcome=Decision.Outcome.RETURN)
        .exclude(snapshot=None)
        .order_by("-recorded_at", "-id")
        .first()
    )
    if decision is None:
        return None
    old_snapshot = decision.snapshot
    from sbsh.workflow.decisions import review_snapshot

    new_snapshot = review_snapshot(version, content=version_content(version))
    old, new = old_snapshot["content"], new_snapshot["content"]
    old_ids, new_ids = old_snapshot["ids"], new_snapshot["ids"]
    changes: list[Change] = []

    passport = _bilingual_fields(
        {"name": old["name"], "sector": old["passport"]["sector_description"]},
        {"name": new["name"], "sector": new["passport"]["sector_description"]},
        [("name", _("name")), ("sector", str(Part.Key.PASSPORT_SECTOR.label))],
    ) + _plain_fields(
        old["passport"],
        new["passport"],
        [("oked", _("economic activities (OKED)")), ("nkz_groups", _("professional groups (NKZ)"))],
    )
    if passport:
        changes.append(Change(_("Passport (Annex §1–§2)"), "changed", passport))
    for key, label in Part.Key.choices:
        if key in old["parts"]:
            fields = _bilingual_fields(old["parts"], new["parts"], [(key, str(label))])
            if fields:
                changes.append(Change(str(label), "changed", fields))

    changes += _rows(
        old["standards"],
        old_ids["standards"],
        new["standards"],
        new_ids["standards"],
        lambda s: _("Annex §7 — %(name)s") % {"name": s["name"]["ru"] or s["name"]["kk"]},
        lambda a, b: (
            _bilingual_fields(a, b, [("name", _("name"))])
            + _plain_fields(a, b, [("status", _("status")), ("nkz", _("NKZ occupations"))])
        ),
    )
    t1_text = [(c, str(COLUMN_LABELS[c])) for c in Table1Row.TEXT_COLUMNS]
    changes += _rows(
        old["table1"],
        old_ids["table1"],
        new["table1"],
        new_ids["table1"],
        lambda r: (
            _("Table 1 · section %(section)s · level %(level)s")
            % {"section": r["section"], "level": r["sqf_level"]}
        ),
        lambda a, b: (
            _plain_fields(
                a,
                b,
                [
                    ("section", _("process section")),
                    ("sqf_level", _("SQF level")),
                    ("nqf_level", _("NQF level")),
                    ("occupations", _("occupations in NKZ")),
                ],
            )
            + _bilingual_fields(a, b, t1_text)
        ),
    )

    def entry(e: dict[str, Any]) -> str:
        return f"{e['sqf_level']} · {e['occupation']['code']} {e['occupation']['name']['ru']}"

    def link(x: dict[str, Any]) -> str:
        return f"{x['from']} ({x['from_level']}) → {x['to']} ({x['to_level']}) {x['kind']}"

    t2 = []
    old_e = {entry(e) for e in old["table2"]["entries"]}
    new_e = {entry(e) for e in new["table2"]["entries"]}
    old_l = {link(x) for x in old["table2"]["links"]}
    new_l = {link(x) for x in new["table2"]["links"]}
    for text in sorted(new_e - old_e) + sorted(new_l - old_l):
        t2.append(FieldChange(_("added"), word_diff("", text)))
    for text in sorted(old_e - new_e) + sorted(old_l - new_l):
        t2.append(FieldChange(_("removed"), word_diff(text, "")))
    if t2:
        changes.append(Change(_("Table 2 — occupations by level and progression"), "changed", t2))

    changes += _rows(
        old["table3"],
        old_ids["table3"],
        new["table3"],
        new_ids["table3"],
        lambda r: (
            _("Table 3 · %(code)s %(name)s · level %(level)s")
            % {
                "code": r["occupation"]["code"],
                "name": r["occupation"]["name"]["ru"],
                "level": r["sqf_level"],
            }
        ),
        lambda a, b: _plain_fields(a, b, [(k, str(v)) for k, v in TABLE3_COLUMNS.items()]),
    )
    return Diff(decision, changes)
