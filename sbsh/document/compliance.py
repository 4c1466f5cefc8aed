"""The compliance check: what the Rules and the Annex require that a version lacks.

Pure Python: `check(snapshot)` reads a plain snapshot of a version (built by
sbsh.selectors.version_snapshot) and returns findings. Each finding names its severity
(a blocking finding stops submission to the council), the clause it enforces, the place
(part, row, column, language) and a message in the active language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

LANGS = ("kk", "ru")
BLOCKING, WARNING = "blocking", "warning"

# Narrative parts of the Annex, in document order, with their clause.
PARTS: list[tuple[str, str]] = [
    ("passport_sector", "Annex §2"),
    ("general", "Annex §3"),
    ("current_state", "Annex §4"),
    ("process_management", "Annex §4"),
    ("process_preparation", "Annex §4"),
    ("process_main", "Annex §4"),
    ("process_post", "Annex §4"),
    ("process_support", "Annex §4"),
    ("analysis", "Annex §5"),
    ("occupations", "Annex §6"),
    ("conclusions", "Annex §8"),
]
T1_REQUIRED = ("knowledge", "skills", "competences")  # Rules §9: the descriptors
T1_DESCRIBED = ("stages", "role")  # Annex §9 columns 4–5
_LEVEL = re.compile(r"^([1-8])(?:\.([1-9]))?$")
_TAG = re.compile(r"<[^>]+>")


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
    # Local policies an administrator switched off (sbsh/policy.py keys).
    policies_off: frozenset[str] = frozenset()


def _policy(key: str) -> str:
    """The clause of a finding that is local policy, not the Rules (sbsh/policy.py)."""
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


def _filled(text: str) -> bool:
    return bool(_TAG.sub("", text or "").replace("&nbsp;", " ").strip())


def _lang_name(lang: str) -> str:
    return {"kk": _("Kazakh"), "ru": _("Russian")}[lang]


def _kind_label(kind: str) -> str:
    return {"horizontal": _("horizontal"), "vertical": _("vertical")}.get(kind, kind)


def _classifier_label(classifier: str) -> str:
    return {"nkz": _("NKZ"), "oked": _("OKED"), "isco08": _("ISCO-08")}.get(classifier, classifier)


def _int_level(level: str) -> int | None:
    m = _LEVEL.match(level or "")
    return int(m.group(1)) if m else None


# --- rules ---------------------------------------------------------------------------------


def rule_parts_filled(s: Snapshot) -> Iterable[Finding]:
    """Rules §4 and the Annex: every part present and filled in Kazakh and in Russian."""
    for lang in LANGS:
        if not s.names.get(lang, "").strip():
            yield Finding(
                BLOCKING,
                "Annex §1",
                "passport",
                _("The SQF's name in %(language)s is empty.") % {"language": _lang_name(lang)},
                column="name",
                language=lang,
            )
    for key, clause in PARTS:
        for lang in LANGS:
            if not _filled(s.parts.get(key, {}).get(lang, "")):
                yield Finding(
                    BLOCKING,
                    clause,
                    key,
                    _("%(part)s is not written in %(language)s.")
                    % {"part": part_label(key), "language": _lang_name(lang)},
                    language=lang,
                )


def rule_passport_scope(s: Snapshot) -> Iterable[Finding]:
    if not s.oked_nodes:
        yield Finding(
            BLOCKING,
            "Rules §8.2",
            "passport",
            _("Choose the types of economic activity (OKED) that bound the sector."),
            column="oked",
        )
    if not s.nkz_groups:
        yield Finding(
            BLOCKING,
            "Rules §8.3",
            "passport",
            _("Choose the professional groups (NKZ) the SQF covers."),
            column="nkz",
        )


def rule_standards(s: Snapshot) -> Iterable[Finding]:
    if not s.standards and "at_least_one_standard" not in s.policies_off:
        yield Finding(
            BLOCKING,
            _policy("at_least_one_standard"),
            "standards",
            _("List the sector's professional standards, existing or planned."),
        )
    for std in s.standards:
        for lang in LANGS:
            if not std.names.get(lang, "").strip():
                yield Finding(
                    BLOCKING,
                    "Annex §7",
                    "standards",
                    _("A professional standard has no name in %(language)s.")
                    % {"language": _lang_name(lang)},
                    row=std.id,
                    column="name",
                    language=lang,
                )


def rule_tables_present(s: Snapshot) -> Iterable[Finding]:
    if not s.table1:
        yield Finding(BLOCKING, "Annex §9", "table1", _("Table 1 has no rows."))
    if not s.table2:
        yield Finding(BLOCKING, "Annex §10", "table2", _("Table 2 has no occupations."))
    if not s.table3:
        yield Finding(BLOCKING, "Annex §11", "table3", _("Table 3 has no rows."))


def rule_table1_descriptors(s: Snapshot) -> Iterable[Finding]:
    """Rules §9: every level is described by knowledge, abilities/skills and personal competences."""
    for row in s.table1:
        for columns, severity, clause in (
            (T1_REQUIRED, BLOCKING, "Rules §9"),
            (T1_DESCRIBED, WARNING, "Annex §9"),
        ):
            for column in columns:
                for lang in LANGS:
                    if not row.texts.get(column, {}).get(lang, "").strip():
                        message = _("Level %(level)s: “%(column)s” is empty in %(language)s.") % {
                            "level": row.sqf_level,
                            "column": column_label(column),
                            "language": _lang_name(lang),
                        }
                        yield Finding(
                            severity,
                            clause,
                            "table1",
                            message,
                            row=row.id,
                            column=column,
                            language=lang,
                        )
        if not row.occupations:
            yield Finding(
                BLOCKING,
                "Annex §9",
                "table1",
                _("Level %(level)s: choose at least one occupation from NKZ.")
                % {"level": row.sqf_level},
                row=row.id,
                column="occupations",
            )


def rule_levels(s: Snapshot) -> Iterable[Finding]:
    """Rules §8 (levels matched by the NQF, 1–8) and §9 (sub-levels allowed, consistent)."""
    for row in s.table1:
        level = _int_level(row.sqf_level)
        if level is None:
            yield Finding(
                BLOCKING,
                "Rules §9",
                "table1",
                _("“%(level)s” is not an SQF level: use 1–8 or a sub-level such as 4.1.")
                % {"level": row.sqf_level},
                row=row.id,
                column="sqf_level",
            )
        if not 1 <= row.nqf_level <= 8:
            yield Finding(
                BLOCKING,
                "Rules §8",
                "table1",
                _("The NQF level must be 1 to 8 (found %(n)s).") % {"n": row.nqf_level},
                row=row.id,
                column="nqf_level",
            )
        elif level is not None and level != row.nqf_level:
            yield Finding(
                WARNING,
                "Rules §8",
                "table1",
                _("SQF level %(sqf)s sits at NQF level %(nqf)s: check the match.")
                % {"sqf": row.sqf_level, "nqf": row.nqf_level},
                row=row.id,
                column="nqf_level",
            )
    by_section: dict[int, list[T1Row]] = {}
    for row in s.table1:
        by_section.setdefault(row.section, []).append(row)
    for section, rows in by_section.items():
        subs: dict[int, list[int]] = {}
        plain: set[int] = set()
        for row in rows:
            m = _LEVEL.match(row.sqf_level or "")
            if not m:
                continue
            if m.group(2):
                subs.setdefault(int(m.group(1)), []).append(int(m.group(2)))
            else:
                plain.add(int(m.group(1)))
        for level, numbers in subs.items():
            if sorted(numbers) != list(range(1, len(numbers) + 1)) and (
                "sublevels_without_gaps" not in s.policies_off
            ):
                yield Finding(
                    BLOCKING,
                    _policy("sublevels_without_gaps"),
                    "table1",
                    _(
                        "Section %(section)s: the sub-levels of level %(level)s must be numbered %(level)s.1, %(level)s.2 … without gaps or repeats."
                    )
                    % {"section": section, "level": level},
                )
            if level in plain:
                yield Finding(
                    WARNING,
                    "Rules §9",
                    "table1",
                    _(
                        "Section %(section)s: level %(level)s appears both whole and split into sub-levels."
                    )
                    % {"section": section, "level": level},
                )


def _expect(
    ref: NodeRef,
    classifier: str,
    levels: tuple[int, ...],
    where: str,
    clause: str,
    part: str,
    row: int | None,
    column: str,
) -> Iterable[Finding]:
    if ref.classifier != classifier or ref.level not in levels:
        yield Finding(
            BLOCKING,
            clause,
            part,
            _("%(code)s is not a valid %(what)s.") % {"code": ref.code, "what": where},
            row=row,
            column=column,
        )


def rule_codes(s: Snapshot) -> Iterable[Finding]:
    """Every code is a node of the right classifier and level, from one edition per classifier."""
    nkz, oked, isco = "nkz", "oked", "isco08"
    for ref in s.oked_nodes:
        yield from _expect(
            ref, oked, (1, 2, 3, 4, 5), _("OKED code"), "Rules §8.2", "passport", None, "oked"
        )
    for ref in s.nkz_groups:
        yield from _expect(
            ref,
            nkz,
            (1, 2, 3, 4, 5),
            _("NKZ professional group"),
            "Rules §8.3",
            "passport",
            None,
            "nkz",
        )
    for std in s.standards:
        for ref in std.nkz:
            yield from _expect(
                ref, nkz, (5, 6), _("NKZ occupation"), "Annex §7", "standards", std.id, "nkz"
            )
    for row in s.table1:
        for ref in row.occupations:
            yield from _expect(
                ref, nkz, (5, 6), _("NKZ occupation"), "Annex §9", "table1", row.id, "occupations"
            )
    for entry in s.table2:
        yield from _expect(
            entry.group,
            nkz,
            (4, 5),
            _("NKZ professional group"),
            "Annex §10",
            "table2",
            entry.id,
            "group",
        )
        yield from _expect(
            entry.occupation,
            nkz,
            (6,),
            _("NKZ occupation"),
            "Annex §10",
            "table2",
            entry.id,
            "occupation",
        )
    for row in s.table3:
        yield from _expect(
            row.isco, isco, (4,), _("ISCO-08 unit group"), "Rules §10.1", "table3", row.id, "isco"
        )
        yield from _expect(
            row.nkz_unit,
            nkz,
            (4,),
            _("NKZ unit group"),
            "Rules §10.1",
            "table3",
            row.id,
            "nkz_unit",
        )
        yield from _expect(
            row.nkz_group,
            nkz,
            (5,),
            _("NKZ occupation group"),
            "Rules §10.2",
            "table3",
            row.id,
            "nkz_group",
        )
        yield from _expect(
            row.oked, oked, (5,), _("OKED subclass"), "Rules §10.7", "table3", row.id, "oked"
        )
        yield from _expect(
            row.occupation,
            nkz,
            (6,),
            _("NKZ occupation"),
            "Rules §10.4",
            "table3",
            row.id,
            "occupation",
        )
    editions: dict[str, set[int]] = {}
    for ref in _all_refs(s):
        editions.setdefault(ref.classifier, set()).add(ref.edition_id)
    for classifier, ids in editions.items():
        if len(ids) > 1 and "one_edition_per_sqf" not in s.policies_off:
            yield Finding(
                BLOCKING,
                _policy("one_edition_per_sqf"),
                "overview",
                _(
                    "Codes of %(classifier)s come from %(n)s different editions: use one edition throughout."
                )
                % {"classifier": classifier.upper(), "n": len(ids)},
            )
        current = s.current_editions.get(classifier)
        if current is not None and current not in ids and ids:
            yield Finding(
                WARNING,
                "Annex §11",
                "overview",
                _("A newer edition of %(classifier)s is loaded; the codes cite an older one.")
                % {"classifier": classifier.upper()},
            )


def _all_refs(s: Snapshot) -> Iterable[NodeRef]:
    yield from s.oked_nodes
    yield from s.nkz_groups
    for std in s.standards:
        yield from std.nkz
    for row in s.table1:
        yield from row.occupations
    for entry in s.table2:
        yield entry.group
        yield entry.occupation
    for row in s.table3:
        yield from (row.isco, row.nkz_unit, row.nkz_group, row.oked, row.occupation)


def rule_table3_consistency(s: Snapshot) -> Iterable[Finding]:
    """Rules §10 / Annex §11: the map's columns agree with each other."""
    for row in s.table3:
        n = row.number
        if row.nkz_group.parent_code != row.nkz_unit.code:
            yield Finding(
                BLOCKING,
                "Rules §10.2",
                "table3",
                _("Row %(n)s: occupation group %(group)s does not belong to unit group %(unit)s.")
                % {"n": n, "group": row.nkz_group.code, "unit": row.nkz_unit.code},
                row=row.id,
                column="nkz_group",
            )
        if row.occupation.parent_code != row.nkz_group.code:
            yield Finding(
                BLOCKING,
                "Rules §10.4",
                "table3",
                _("Row %(n)s: occupation %(occ)s does not belong to occupation group %(group)s.")
                % {"n": n, "occ": row.occupation.code, "group": row.nkz_group.code},
                row=row.id,
                column="occupation",
            )
        if row.oked.level == 5 and len(row.oked_ancestors) != 4:
            yield Finding(
                BLOCKING,
                "Rules §10.7",
                "table3",
                _(
                    "Row %(n)s: OKED subclass %(code)s is not under a class, group, division and section."
                )
                % {"n": n, "code": row.oked.code},
                row=row.id,
                column="oked",
            )
        skill, derived = row.occupation.skill_level, row.occupation.derived_skill_level
        if skill is None:
            yield Finding(
                WARNING,
                "Rules §10.5",
                "table3",
                _("Row %(n)s: occupation %(occ)s has no skill level in NKZ.")
                % {"n": n, "occ": row.occupation.code},
                row=row.id,
                column="skill_level",
            )
        elif derived is not None and skill != derived:
            yield Finding(
                WARNING,
                "Rules §10.5",
                "table3",
                _(
                    "Row %(n)s: skill level %(skill)s does not match NKZ major group %(major)s (level %(derived)s)."
                )
                % {"n": n, "skill": skill, "major": row.occupation.code[:1], "derived": derived},
                row=row.id,
                column="skill_level",
            )
        if (
            skill is not None
            and not _skill_fits_nqf(skill, row.nqf_level)
            and "skill_level_nqf_warning" not in s.policies_off
        ):
            yield Finding(
                WARNING,
                _policy("skill_level_nqf_warning"),
                "table3",
                _("Row %(n)s: NQF level %(nqf)s is unusual for skill level %(skill)s.")
                % {"n": n, "nqf": row.nqf_level, "skill": skill},
                row=row.id,
                column="nqf_level",
            )
        level = _int_level(row.sqf_level)
        if level is None:
            yield Finding(
                BLOCKING,
                "Rules §10.6",
                "table3",
                _("Row %(n)s: “%(level)s” is not an SQF level.") % {"n": n, "level": row.sqf_level},
                row=row.id,
                column="sqf_level",
            )
        if row.isco_correspondence in ("", "none", "unverified"):
            yield Finding(
                WARNING,
                "Rules §10.1",
                "table3",
                _(
                    "Row %(n)s: the correspondence of ISCO-08 %(isco)s to NKZ %(unit)s is not confirmed in the crosswalk."
                )
                % {"n": n, "isco": row.isco.code, "unit": row.nkz_unit.code},
                row=row.id,
                column="isco_correspondence",
            )


# ISCO-08 skill levels and NQF levels, as the Kazakh NQF reads them.
SKILL_NQF = {1: range(1, 3), 2: range(2, 5), 3: range(4, 6), 4: range(5, 9)}


def _skill_fits_nqf(skill: int, nqf: int) -> bool:
    return nqf in SKILL_NQF.get(skill, range(1, 9))


def rule_table2_coverage(s: Snapshot) -> Iterable[Finding]:
    """Annex §10: Table 2 maps the occupations of Tables 1 and 3 onto every SQF level."""
    known = {ref.id for row in s.table1 for ref in row.occupations} | {
        row.occupation.id for row in s.table3
    }
    for entry in s.table2:
        if entry.occupation.id not in known and "table2_within_tables_1_3" not in s.policies_off:
            yield Finding(
                BLOCKING,
                _policy("table2_within_tables_1_3"),
                "table2",
                _("Occupation %(code)s is in Table 2 but in neither Table 1 nor Table 3.")
                % {"code": entry.occupation.code},
                row=entry.id,
                column="occupation",
            )
        if not entry.occupation.code.startswith(entry.group.code):
            yield Finding(
                BLOCKING,
                "Annex §10",
                "table2",
                _("Occupation %(code)s does not belong to professional group %(group)s.")
                % {"code": entry.occupation.code, "group": entry.group.code},
                row=entry.id,
                column="group",
            )
    levels_t2 = {e.sqf_level for e in s.table2}
    for level in sorted({row.sqf_level for row in s.table1}):
        whole = level.split(".")[0]
        if (
            level not in levels_t2
            and whole not in levels_t2
            and "table2_covers_table1_levels" not in s.policies_off
        ):
            yield Finding(
                BLOCKING,
                _policy("table2_covers_table1_levels"),
                "table2",
                _("SQF level %(level)s of Table 1 has no occupation in Table 2.")
                % {"level": level},
            )
    entries = {e.id: e for e in s.table2}
    for link in s.links:
        a, b = entries.get(link.source_id), entries.get(link.target_id)
        if a is None or b is None:
            continue
        same = a.sqf_level == b.sqf_level
        if (link.kind == "horizontal") != same:
            yield Finding(
                BLOCKING,
                "Annex §10",
                "table2",
                _("The move %(a)s → %(b)s is marked %(kind)s but the levels are %(la)s and %(lb)s.")
                % {
                    "a": a.occupation.code,
                    "b": b.occupation.code,
                    "kind": link.kind,
                    "la": a.sqf_level,
                    "lb": b.sqf_level,
                },
                row=link.source_id,
                column="links",
            )


def rule_languages_in_step(s: Snapshot) -> Iterable[Finding]:
    for place, row, lang in s.stale:
        yield Finding(
            WARNING,
            "Rules §14",
            place,
            _(
                "The %(language)s text may be out of date: the other language changed after it. Check it and confirm."
            )
            % {"language": _lang_name(lang)},
            row=row,
            language=lang,
        )


def rule_document_form(s: Snapshot) -> Iterable[Finding]:
    """Annex §11 column 4 needs the ISCO-08 name in Kazakh and Russian, which only an
    administrator can load (ISCO-08 is published in English); Annex §12 prints in book
    orientation."""
    missing = {code: langs for code, langs in s.isco_names_missing.items() if langs}
    if missing:
        codes = ", ".join(sorted(missing))
        yield Finding(
            WARNING,
            "Annex §11",
            "table3",
            _(
                "Table 3, column 4 stays empty for ISCO-08 %(codes)s: their Kazakh or Russian names are not loaded. An administrator loads them with “load_classifier isco08-names” or edits them in the admin."
            )
            % {"codes": codes},
            column="isco_name",
        )
    if s.tables_landscape:
        yield Finding(
            WARNING,
            "Annex §12",
            "table3",
            _(
                "Tables 2 and 3 are set to print on landscape pages; Annex §12 prescribes book (portrait) orientation. Change it on the Documents page if the council expects the Annex's form."
            ),
            column="orientation",
        )


RULES: list[Callable[[Snapshot], Iterable[Finding]]] = [
    rule_parts_filled,
    rule_passport_scope,
    rule_standards,
    rule_tables_present,
    rule_table1_descriptors,
    rule_levels,
    rule_codes,
    rule_table3_consistency,
    rule_table2_coverage,
    rule_languages_in_step,
    rule_document_form,
]


def check(snapshot: Snapshot) -> list[Finding]:
    findings = [finding for rule in RULES for finding in rule(snapshot)]
    return sorted(findings, key=lambda f: (f.severity != BLOCKING, _PART_ORDER.get(f.part, 99)))


_PART_ORDER = {
    key: i
    for i, key in enumerate(
        ["overview", "passport", *[k for k, _c in PARTS], "standards", "table1", "table2", "table3"]
    )
}


def part_label(key: str) -> str:
    from sbsh.models import Part

    try:
        return str(Part.Key(key).label)
    except ValueError:
        return key


def column_label(column: str) -> str:
    return {
        "stages": _("stages"),
        "role": _("role and area of responsibility"),
        "knowledge": _("knowledge"),
        "skills": _("abilities / skills"),
        "competences": _("personal competences"),
    }.get(column, column)
