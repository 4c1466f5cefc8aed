"""The compliance check: what the Rules and the Annex require that a version lacks.

Pure Python: `check(snapshot)` reads a plain snapshot of a version (built by
sbsh.selectors.version_snapshot) and returns findings. Each finding names its severity
(a blocking finding stops submission to the council), the clause it enforces, the place
(part, row, column, language) and a message in the active language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from sbsh.document.compliance_base import (
    BLOCKING,
    LANGS,
    WARNING,
    Finding,
    Snapshot,
    filled,
    lang_name,
    policy_note,
)
from sbsh.document.compliance_tables import (
    rule_codes,
    rule_levels,
    rule_table2_coverage,
    rule_table3_consistency,
)

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


# --- rules ---------------------------------------------------------------------------------


def rule_parts_filled(s: Snapshot) -> Iterable[Finding]:
    """Rules §4 and the Annex: every part present and filled in Kazakh and in Russian."""
    for lang in LANGS:
        if not s.names.get(lang, "").strip():
            yield Finding(
                BLOCKING,
                "Annex §1",
                "passport",
                _("The SQF's name in %(language)s is empty.") % {"language": lang_name(lang)},
                column="name",
                language=lang,
            )
    for key, clause in PARTS:
        for lang in LANGS:
            if not filled(s.parts.get(key, {}).get(lang, "")):
                yield Finding(
                    BLOCKING,
                    clause,
                    key,
                    _("%(part)s is not written in %(language)s.")
                    % {"part": part_label(key), "language": lang_name(lang)},
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
            policy_note("at_least_one_standard"),
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
                    % {"language": lang_name(lang)},
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
                            "language": lang_name(lang),
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


def rule_languages_in_step(s: Snapshot) -> Iterable[Finding]:
    for place, row, lang in s.stale:
        yield Finding(
            WARNING,
            "Rules §14",
            place,
            _(
                "The %(language)s text may be out of date: the other language changed after it. Check it and confirm."
            )
            % {"language": lang_name(lang)},
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
