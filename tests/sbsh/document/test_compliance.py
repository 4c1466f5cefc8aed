"""Every compliance rule, with a passing and a failing case (pure: no database)."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from sbsh.document import compliance as c
from sbsh.document import compliance_base, compliance_tables


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def ref(
    code: str,
    classifier: str = "nkz",
    level: int | None = None,
    parent: str = "",
    edition: int = 1,
    skill: int | None = None,
) -> compliance_base.NodeRef:
    if level is None:
        level = {1: 1, 2: 2, 3: 3, 4: 4, 6: 5, 10: 6}.get(len(code), 0)
    derived = (
        {"1": 4, "2": 4, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1}.get(code[:1])
        if classifier != "oked"
        else None
    )
    return compliance_base.NodeRef(
        id=hash((classifier, code)) % 10**8,
        code=code,
        level=level,
        classifier=classifier,
        edition_id=edition,
        parent_code=parent,
        skill_level=skill if skill is not None else derived,
        derived_skill_level=derived,
    )


ELECTRICIAN = ref("7411-1-002", parent="7411-1")
ENGINEER = ref("2151-1-003", parent="2151-1")
TEXTS = {
    col: {"kk": "мәтін", "ru": "текст"}
    for col in ("stages", "role", "knowledge", "skills", "competences")
}


def good() -> compliance_base.Snapshot:
    """A version that satisfies every rule."""
    return compliance_base.Snapshot(
        names={"kk": "Электр энергетикасы СБШ", "ru": "ОРК электроэнергетики"},
        parts={key: {"kk": "<p>мәтін</p>", "ru": "<p>текст</p>"} for key, _clause in c.PARTS},
        stale=[],
        oked_nodes=[ref("35111", "oked", 5)],
        nkz_groups=[ref("7411", level=4), ref("2151", level=4)],
        standards=[compliance_base.Standard(1, {"kk": "Электр монтері", "ru": "Электромонтер"}, [ELECTRICIAN])],
        table1=[
            compliance_base.T1Row(1, 2, "4", 4, [ELECTRICIAN], copy.deepcopy(TEXTS)),
            compliance_base.T1Row(2, 2, "6", 6, [ENGINEER], copy.deepcopy(TEXTS)),
        ],
        table2=[
            compliance_base.T2Entry(11, "4", ref("7411", level=4), ELECTRICIAN),
            compliance_base.T2Entry(12, "6", ref("2151", level=4), ENGINEER),
        ],
        links=[compliance_base.T2Link(11, 12, "vertical")],
        table3=[
            compliance_base.T3Row(
                21,
                1,
                ref("7411", "isco08", 4),
                ref("7411", level=4),
                ref("7411-1", level=5, parent="7411"),
                ref("35130", "oked", 5),
                ELECTRICIAN,
                4,
                "4",
                "full",
                oked_ancestors=("D", "35", "351", "3513"),
            )
        ],
        current_editions={"nkz": 1, "oked": 1, "isco08": 1},
    )


def findings_of(rule, snapshot: compliance_base.Snapshot) -> list[compliance_base.Finding]:
    return list(rule(snapshot))


def test_the_good_version_has_no_finding_at_all() -> None:
    assert c.check(good()) == []


def test_parts_must_be_written_in_both_languages() -> None:
    s = good()
    s.parts["analysis"]["ru"] = "<p> </p>"
    s.names["kk"] = ""
    found = findings_of(c.rule_parts_filled, s)
    assert {(f.part, f.language, f.clause) for f in found} == {
        ("analysis", "ru", "Annex §5"),
        ("passport", "kk", "Annex §1"),
    }
    assert all(f.blocking for f in found)


def test_passport_needs_oked_and_nkz() -> None:
    s = good()
    s.oked_nodes, s.nkz_groups = [], []
    assert {f.clause for f in findings_of(c.rule_passport_scope, s)} == {"Rules §8.2", "Rules §8.3"}
    assert findings_of(c.rule_passport_scope, good()) == []


def test_standards_are_listed_with_names_in_both_languages() -> None:
    s = good()
    s.standards[0].names["ru"] = ""
    assert [(f.clause, f.language) for f in findings_of(c.rule_standards, s)] == [
        ("Annex §7", "ru")
    ]
    # At least one standard: local policy, not Annex §7 (sbsh/workflow/policy.py), and switchable.
    s.standards = []
    assert findings_of(c.rule_standards, s)[0].clause == "policy:at_least_one_standard"
    s.policies_off = frozenset({"at_least_one_standard"})
    assert findings_of(c.rule_standards, s) == []


def test_all_three_tables_must_have_rows() -> None:
    s = good()
    s.table1, s.table2, s.table3 = [], [], []
    assert {f.clause for f in findings_of(c.rule_tables_present, s)} == {
        "Annex §9",
        "Annex §10",
        "Annex §11",
    }
    assert findings_of(c.rule_tables_present, good()) == []


def test_every_level_has_knowledge_skills_and_competences_in_both_languages() -> None:
    s = good()
    s.table1[0].texts["skills"]["kk"] = " "
    s.table1[1].texts["role"]["ru"] = ""
    found = findings_of(c.rule_table1_descriptors, s)
    assert [(f.severity, f.clause, f.row, f.column, f.language) for f in found] == [
        ("blocking", "Rules §9", 1, "skills", "kk"),
        ("warning", "Annex §9", 2, "role", "ru"),
    ]
    s.table1[0].occupations = []
    assert any(f.column == "occupations" for f in findings_of(c.rule_table1_descriptors, s))


def test_nqf_levels_are_one_to_eight_and_match_the_sqf_level() -> None:
    s = good()
    s.table1[0].nqf_level = 9
    s.table1[1].nqf_level = 5
    found = findings_of(compliance_tables.rule_levels, s)
    assert [(f.severity, f.row) for f in found] == [("blocking", 1), ("warning", 2)]
    s = good()
    s.table1[0].sqf_level = "9.1"
    assert findings_of(compliance_tables.rule_levels, s)[0].clause == "Rules §9"


def test_sub_levels_are_numbered_without_gaps_and_not_mixed_with_the_whole_level() -> None:
    s = good()
    s.table1.append(compliance_base.T1Row(3, 2, "4.2", 4, [ELECTRICIAN], copy.deepcopy(TEXTS)))
    found = findings_of(compliance_tables.rule_levels, s)
    # Numbering without gaps is local policy: §9 only allows sub-levels.
    assert [(f.severity, f.clause) for f in found] == [
        ("blocking", "policy:sublevels_without_gaps"),
        ("warning", "Rules §9"),
    ]
    s.policies_off = frozenset({"sublevels_without_gaps"})
    assert [(f.severity, f.clause) for f in findings_of(compliance_tables.rule_levels, s)] == [
        ("warning", "Rules §9")
    ]
    s = good()
    s.table1[0].sqf_level = "4.1"
    s.table1.append(compliance_base.T1Row(3, 2, "4.2", 4, [ELECTRICIAN], copy.deepcopy(TEXTS)))
    assert findings_of(compliance_tables.rule_levels, s) == []


def test_codes_come_from_the_right_classifier_level_and_one_edition() -> None:
    s = good()
    s.table3[0] = compliance_base.T3Row(
        21,
        1,
        ref("7411", "nkz", 4),
        ref("7411", level=4),
        ref("7411-1", level=5, parent="7411"),
        ref("3513", "oked", 4),
        ELECTRICIAN,
        4,
        "4",
        "full",
        oked_ancestors=("D", "35", "351"),
    )
    clauses = {f.clause for f in findings_of(compliance_tables.rule_codes, s)}
    assert clauses == {"Rules §10.1", "Rules §10.7"}
    s = good()
    s.table1[1].occupations = [ref("2151-1-003", parent="2151-1", edition=2)]
    found = findings_of(compliance_tables.rule_codes, s)
    assert any(
        "2 different editions" in f.message and f.clause == "policy:one_edition_per_sqf"
        for f in found
    )
    s.policies_off = frozenset({"one_edition_per_sqf"})
    assert not any("different editions" in f.message for f in findings_of(compliance_tables.rule_codes, s))
    s = good()
    s.current_editions["nkz"] = 7
    assert [f.severity for f in findings_of(compliance_tables.rule_codes, s)] == ["warning"]


def test_table3_columns_agree_with_each_other() -> None:
    s = good()
    s.table3[0].nkz_group = ref("7412-1", level=5, parent="7412")
    s.table3[0].isco_correspondence = "unverified"
    found = findings_of(compliance_tables.rule_table3_consistency, s)
    assert {(f.severity, f.clause) for f in found} == {
        ("blocking", "Rules §10.2"),
        ("blocking", "Rules §10.4"),
        ("warning", "Rules §10.1"),
    }
    s = good()
    s.table3[0].occupation = ref("7411-1-002", parent="7411-1", skill=3)
    s.table3[0].nqf_level = 7
    found = findings_of(compliance_tables.rule_table3_consistency, s)
    assert {f.clause for f in found} == {"Rules §10.5", "policy:skill_level_nqf_warning"}
    s.policies_off = frozenset({"skill_level_nqf_warning"})
    assert {f.clause for f in findings_of(compliance_tables.rule_table3_consistency, s)} == {"Rules §10.5"}
    s = good()
    s.table3[0].oked_ancestors = ("35", "351", "3513")
    assert findings_of(compliance_tables.rule_table3_consistency, s)[0].clause == "Rules §10.7"


def test_table2_covers_tables_1_and_3_and_moves_have_the_right_kind() -> None:
    s = good()
    s.table2.append(compliance_base.T2Entry(13, "5", ref("3113", level=4), ref("3113-1-005", parent="3113-1")))
    s.links = [compliance_base.T2Link(11, 12, "horizontal")]
    s.table1.append(compliance_base.T1Row(3, 1, "7", 7, [ENGINEER], copy.deepcopy(TEXTS)))
    found = findings_of(compliance_tables.rule_table2_coverage, s)
    messages = " | ".join(f.message for f in found)
    assert "3113-1-005" in messages and "level 7" in messages and "horizontal" in messages
    assert {f.clause for f in found} == {
        "policy:table2_within_tables_1_3",
        "policy:table2_covers_table1_levels",
        "Annex §10",
    }
    s.policies_off = frozenset({"table2_within_tables_1_3", "table2_covers_table1_levels"})
    assert {f.clause for f in findings_of(compliance_tables.rule_table2_coverage, s)} == {"Annex §10"}
    s = good()
    s.table2[0] = compliance_base.T2Entry(11, "4", ref("2151", level=4), ELECTRICIAN)
    assert "does not belong" in findings_of(compliance_tables.rule_table2_coverage, s)[0].message


def test_a_language_changed_after_the_other_is_flagged() -> None:
    s = good()
    s.stale = [("table1", 1, "ru")]
    found = findings_of(c.rule_languages_in_step, s)
    assert [(f.severity, f.row, f.language) for f in found] == [("warning", 1, "ru")]


def test_findings_are_translated_and_blocking_come_first() -> None:
    s = good()
    s.names["ru"] = ""
    s.stale = [("analysis", None, "kk")]
    with translation.override("kk"):
        found = c.check(s)
    assert [f.severity for f in found] == ["blocking", "warning"]
    assert "орыс" in found[0].message.lower() or "Russian" not in found[0].message
