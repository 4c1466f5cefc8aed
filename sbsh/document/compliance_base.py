"""What the compliance check reads and says: a snapshot of a version's content, and a
finding with the clause of the Rules or the Annex it cites."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

LANGS = ("kk", "ru")

BLOCKING, WARNING = "blocking", "warning"


LEVEL_PATTERN = re.compile(r"^([1-8])(?:\.([1-9]))?$")


TAG_PATTERN = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class NodeRef:
    id: int
    code: str
    level: int
    classifier: str
    edition_id: int
    title: str = ""
    parent_code: str = ""
    skill_level: int | None = None
    derived_skill_level: int | None = None


@dataclass
class T1Row:
    id: int
    section: int
    sqf_level: str
    nqf_level: int
    occupations: list[NodeRef]
    texts: dict[str, dict[str, str]]  # column → language → text


@dataclass
class T2Entry:
    id: int
    sqf_level: str
    group: NodeRef
    occupation: NodeRef


@dataclass
class T2Link:
    source_id: int
    target_id: int
    kind: str


@dataclass
class T3Row:
    id: int
    number: int
    isco: NodeRef
    nkz_unit: NodeRef
    nkz_group: NodeRef
    oked: NodeRef
    occupation: NodeRef
    nqf_level: int
    sqf_level: str
    isco_correspondence: str
    oked_ancestors: tuple[str, ...] = ()


@dataclass
class Standard:
    id: int
    names: dict[str, str]
    nkz: list[NodeRef]


@dataclass
class Snapshot:
    names: dict[str, str]
    parts: dict[str, dict[str, str]]
    stale: list[tuple[str, int | None, str]]  # (place, row id, language)
    oked_nodes: list[NodeRef]
    nkz_groups: list[NodeRef]
    standards: list[Standard]
    table1: list[T1Row]
    table2: list[T2Entry]
    links: list[T2Link]
    table3: list[T3Row]
    current_editions: dict[str, int] = field(default_factory=dict)
    # ISCO-08 code → the languages its name is not loaded in (Table 3, column 4).
    isco_names_missing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tables_landscape: bool = False
    # Local policies an administrator switched off (sbsh/workflow/policy.py keys).
    policies_off: frozenset[str] = frozenset()


def policy_note(key: str) -> str:
    """The clause of a finding that is local policy, not the Rules (sbsh/workflow/policy.py)."""
    return f"policy:{key}"


@dataclass(frozen=True)
class Finding:
    severity: str
    clause: str
    part: str
    message: str
    row: int | None = None
    column: str = ""
    language: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING


def filled(text: str) -> bool:
    return bool(TAG_PATTERN.sub("", text or "").replace("&nbsp;", " ").strip())


def lang_name(lang: str) -> str:
    return {"kk": _("Kazakh"), "ru": _("Russian")}[lang]


def kind_label(kind: str) -> str:
    return {"horizontal": _("horizontal"), "vertical": _("vertical")}.get(kind, kind)


def classifier_label(classifier: str) -> str:
    return {"nkz": _("NKZ"), "oked": _("OKED"), "isco08": _("ISCO-08")}.get(classifier, classifier)


def int_level(level: str) -> int | None:
    m = LEVEL_PATTERN.match(level or "")
    return int(m.group(1)) if m else None
