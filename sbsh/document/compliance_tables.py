"""The compliance rules on Tables 1–3 (Rules §9–§11; Annex, Tables 1–3): levels, classifier
codes and their editions, the crosswalk to ISCO, the career paths of Table 2."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from sbsh.document.compliance_base import (
    BLOCKING,
    LEVEL_PATTERN,
    WARNING,
    Finding,
    NodeRef,
    Snapshot,
    T1Row,
    int_level,
    policy_note,
)


def rule_levels(s: Snapshot) -> Iterable[Finding]:
    """Rules §8 (levels matched by the NQF, 1–8) and §9 (sub-levels allowed, consistent)."""
    for row in s.table1:
        level = int_level(row.sqf_level)
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
            m = LEVEL_PATTERN.match(row.sqf_level or "")
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
                    policy_note("sublevels_without_gaps"),
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
                policy_note("one_edition_per_sqf"),
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
                policy_note("skill_level_nqf_warning"),
                "table3",
                _("Row %(n)s: NQF level %(nqf)s is unusual for skill level %(skill)s.")
                % {"n": n, "nqf": row.nqf_level, "skill": skill},
                row=row.id,
                column="nqf_level",
            )
        level = int_level(row.sqf_level)
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
                policy_note("table2_within_tables_1_3"),
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
                policy_note("table2_covers_table1_levels"),
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
